#pragma once
// An HTTP/1.1 client for one origin (scheme, host, port): keep-alive connections reused from a
// small pool, a deadline on connecting and on each exchange, TLS that verifies the server's
// certificate against a pinned CA file and its host name, and an optional client certificate
// (mTLS). The agent's exporter pushes through it; notifiers (webhooks) will too.
//
// A Client is not thread-safe: call it from one strand. Several send() calls may be in flight at
// once on that strand; each uses a connection of its own.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "sentinel/core/config_types.hpp"
#include "sentinel/core/result.hpp"
#include "sentinel/http/message.hpp"

namespace sentinel::http {

struct Url {
  bool tls = false;
  std::string host;  // a name or a numeric address, without brackets
  std::uint16_t port = 0;
  std::string target = "/";    // path and query
  std::string origin() const;  // "https://gateway:8443"
};
// "http://host[:port][/path?query]" or "https://..."; nullopt when malformed.
std::optional<Url> parse_url(std::string_view text);

struct ClientTls {
  std::filesystem::path ca_file;    // empty: the system's trust store
  std::filesystem::path cert_file;  // a client certificate chain (mTLS), with key_file
  std::filesystem::path key_file;
};

struct ClientOptions {
  ClientTls tls;
  core::Duration connect_timeout = std::chrono::seconds(5);
  // One exchange: writing the request and reading the whole response.
  core::Duration request_timeout = std::chrono::seconds(30);
  // A pooled connection idle for longer is closed instead of reused; keep it below the server's
  // idle timeout so that the client, not the server, ends idle connections.
  core::Duration idle_timeout = std::chrono::seconds(50);
  std::size_t max_idle_connections = 4;
  std::size_t response_body_limit = 16 * 1024 * 1024;
  std::string user_agent;  // empty: "sentineld/<version>"
};

struct ClientRequest {
  Method method = Method::kGet;
  std::string target = "/";
  Headers headers;
  std::string body;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

class Client {
 public:
  // Throws std::runtime_error naming the file when a TLS file cannot be loaded: that is a
  // configuration error, found at start-up.
  Client(boost::asio::any_io_executor executor, Url origin, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any HTTP status is a response; an error means no response arrived. Error codes:
  // "resolve", "connect", "tls", "timeout", "connection" (lost or refused mid-exchange),
  // "response_too_large", "malformed_response"; all are transient. A request that fails on a
  // reused connection before any byte of the response arrived (the server had closed it) is
  // sent once more on a fresh connection.
  boost::asio::awaitable<core::Result<ClientResponse>> send(ClientRequest request);

  // Closes the pooled idle connections.
  void close_idle();
  const Url& origin() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::http
