#pragma once
// A TCP proxy on a free loopback port in front of a set of backends, for tests that need one
// stable address for several servers and control over the network between them: each new
// connection goes to the next backend that accepts it (round-robin with failover), and cut()
// drops every open connection and refuses new ones until restore(). The chaos suite puts it
// between the agents and the gateways.

#include <cstdint>
#include <memory>
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

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sentinel::test
