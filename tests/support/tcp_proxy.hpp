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
  // Once a client has sent bytes containing `marker`, the next bytes it sends on that connection
  // that contain "COMMIT" reach the backend, and its reply closes the connection instead of
  // reaching the client: the transaction has committed, and the client cannot know. Once only.
  void lose_reply_to_commit_after(std::string marker);
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
