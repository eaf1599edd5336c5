#pragma once
// TLS for the project's clients: the HTTP client and the notifier's SMTP client build their
// contexts and check servers the same way, so both trust what the operator configured and nothing
// else.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream_base.hpp>

#include "sentinel/http/client.hpp"

namespace sentinel::http {

// A client TLS context: TLS 1.2+, server certificates verified against the pinned CA file (or
// the system's trust store when none is set), and a client certificate when one is set. Host
// names are verified per connection (verify_server). Throws std::runtime_error naming the file
// that could not be loaded.
boost::asio::ssl::context make_client_tls_context(const ClientTls& config);

// Sends `host` as SNI when it is a name (SNI carries names only) on the SSL handle.
void set_server_name(SSL* ssl, const std::string& host);

// Before a client handshake on `stream` (an asio or beast SSL stream): SNI, and the server's
// certificate checked against the CA and against `host`, a name or an address.
template <class SslStream>
void verify_server(SslStream& stream, const std::string& host) {
  set_server_name(stream.native_handle(), host);
  stream.set_verify_mode(boost::asio::ssl::verify_peer);
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

// "host", "host:port", "[v6]" or "[v6]:port" into a host (no brackets) and a port, `default_port`
// when none is given; nullopt when malformed.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view authority, std::uint16_t default_port);

}  // namespace sentinel::http
