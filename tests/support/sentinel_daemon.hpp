#pragma once
// The real sentineld binary of this build as a daemon under test: started with a ready file, so
// that the test learns the address it bound (--listen=127.0.0.1:0) once it serves.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace sentinel::test {

class SentinelDaemon {
 public:
  // Runs `sentineld <args> --listen=127.0.0.1:0 --ready-file=<dir>/<name>.ready` with `env`;
  // its output goes to <dir>/<name>.log.
  SentinelDaemon(const std::filesystem::path& dir, const std::string& name,
                 std::vector<std::string> args, std::map<std::string, std::string> env);

  // True once the ready file exists; false when the process ended first or `timeout` passed.
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The address from the ready file; only after wait_ready() returned true.
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  std::string url() const;  // http://host:port

  // A fresh connection to the daemon.
  HttpClient client(std::optional<TlsClientOptions> tls = {}) const;
  ChildProcess& process() { return *process_; }
  std::string output() const { return process_->output(); }

 private:
  std::filesystem::path ready_file_;
  std::unique_ptr<ChildProcess> process_;
  std::string host_;
  std::uint16_t port_ = 0;
};

}  // namespace sentinel::test
