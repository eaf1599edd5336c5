#pragma once
// A TCP proxy on a free loopback port in front of a set of backends, for tests that need one
// stable address for several servers and control over the network between them: each new
// connection goes to the next backend that accepts it (round-robin with failover), and cut()
// drops every open connection and refuses new ones until restore(). The chaos suite puts it
// between the agents and the gateways; the alerting's tests between a worker and PostgreSQL.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sentinel::test {

class TcpProxy {
 public:
  explicit TcpProxy(std::vector<std::uint16_t> backend_ports);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  std::uint16_t port() const;
  // Closes every proxied connection and closes new ones as soon as they are accepted.
  void cut();
  void restore();
  // The next bytes a client sends that contain `trigger` (on a connection that has sent bytes
  // containing `after` first, when given) reach the backend, and its reply closes the connection
  // instead of reaching the client: the server has done what was asked, and the client cannot
  // know. Once only. E.g. ("COMMIT", "INSERT ...") for a database, ("POST /path") for HTTP.
  void lose_reply(std::string trigger, std::string after = {});
  // Once a client has sent bytes containing `marker` (they reach the backend), the backend's
  // bytes on that connection wait in the proxy until release(): a request is in flight and
  // unanswered for as long as the test needs. Once only.
  void hold_replies_after(std::string marker);
  bool holding() const;  // whether some connection's replies are held now
  void release();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sentinel::test
