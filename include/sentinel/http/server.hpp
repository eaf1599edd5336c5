#pragma once
// The embedded HTTP/1.1 server (component `http`): a listener, a session per connection with
// keep-alive, limits on headers, bodies, time and connections, optional TLS and mTLS, and
// trusted-proxy resolution of the client address. Every role runs one; components add routes
// in their constructors and filters (authentication, rate limits) run before every handler.

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/http/cidr.hpp"
#include "sentinel/http/router.hpp"

namespace sentinel::http {

struct Endpoint {
  std::string host;  // numeric address
  std::uint16_t port = 0;
  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};
// Accepts "host:port", "[v6]:port" and "localhost:port"; nullopt when malformed.
std::optional<Endpoint> parse_endpoint(std::string_view text);

struct TlsConfig {
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path client_ca;  // set: clients must present a certificate it signed (mTLS)
  bool enabled() const { return !cert.empty(); }
};

// Runs before the handler of every matched route. Returning a response answers the request
// with it (401, 429, ...) and skips the handler.
using Filter =
    std::function<boost::asio::awaitable<std::optional<Response>>(Request&, const Route&)>;

class Server final : public core::Component {
 public:
  static constexpr std::string_view kName = "http";

  struct Config {
    Endpoint listen{"127.0.0.1", 8080};
    std::size_t max_connections = 10'000;
    core::ByteSize header_limit{16 * 1024};
    core::ByteSize body_limit{16 * 1024 * 1024};
    core::Duration request_timeout = std::chrono::seconds(30);
    core::Duration idle_timeout = std::chrono::seconds(120);
    std::vector<Cidr> trusted_proxies;
    bool metrics_public = true;  // false: /metrics needs a viewer token
    TlsConfig tls;
    static Config parse(core::ConfigSection& section);
  };

  Server(const Config& config, core::ComponentContext& context);
  ~Server() override;

  Router& router() { return router_; }
  void add_filter(Filter filter);

  void start() override;
  // Takes no new connections and lets the requests being handled finish while the components
  // their routes use still run (core::Component::drain).
  void drain(core::Deadline deadline) override;
  void stop(core::Deadline deadline) override;
  core::Readiness readiness() const override;

  // The bound address, known after start() (port 0 picks a free port).
  Endpoint endpoint() const;
  bool tls() const { return config_.tls.enabled(); }

 private:
  class Impl;
  void add_builtin_routes(core::ComponentContext& context);

  Config config_;
  Router router_;
  std::vector<Filter> filters_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::http
