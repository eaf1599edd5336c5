#pragma once
// The real HTTP server component on 127.0.0.1 port 0 with an event loop of its own, for tests that
// need a peer to talk to: a fake gateway, a webhook receiver. Add routes, then start().

#include <map>
#include <memory>
#include <string>

#include "sentinel/core/metrics.hpp"
#include "sentinel/http/server.hpp"

namespace sentinel::test {

// `http.*` keys as flags would give them, e.g. {"http.tls.cert", path}.
using ServerSettings = std::map<std::string, std::string>;

class LocalHttpServer {
 public:
  explicit LocalHttpServer(ServerSettings settings = {});
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  http::Router& router();
  void start();
  void stop();
  http::Endpoint endpoint() const;
  // "http://127.0.0.1:PORT" (https when TLS is configured).
  std::string url() const;
  // The server's metrics registry (sentinel_http_*), to observe connections and requests.
  core::MetricsRegistry& metrics();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sentinel::test
