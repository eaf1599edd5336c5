#pragma once
// A nats-server with JetStream of a test's own, as a child process on a free loopback port with
// its own store directory, so that the test can stop, kill, pause and restart it. The chaos
// suite uses it too.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sentinel::test {

// A loopback TCP port nobody listens on right now.
std::uint16_t free_port();

class NatsServerProcess {
 public:
  // `extra_args` go to nats-server as they are, e.g. {"--user", "u", "--pass", "p"}.
  explicit NatsServerProcess(std::vector<std::string> extra_args = {});
  NatsServerProcess(const NatsServerProcess&) = delete;
  NatsServerProcess& operator=(const NatsServerProcess&) = delete;

  std::string url() const;  // nats://127.0.0.1:PORT
  std::uint16_t port() const { return port_; }

  // Starts it again on the same port and store; waits until it is ready.
  void start();
  // SIGKILL, as a crash: JetStream keeps what it had written.
  void kill();
  // SIGTERM and wait for the exit.
  void stop();
  // SIGSTOP / SIGCONT: the server holds its connections but answers nothing.
  void pause();
  void resume();
  bool running();

 private:
  TempDir dir_;
  std::vector<std::string> extra_args_;
  std::uint16_t port_;
  int starts_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace sentinel::test
