#pragma once
#include <boost/asio/ssl/context.hpp>

#include "sentinel/http/client.hpp"
#include "sentinel/http/server.hpp"

namespace sentinel::http {

// A server TLS context from config: TLS 1.2+, the certificate chain and key, and when a client
// CA is set, client certificates required and verified against it. Throws std::runtime_error
// naming the file that could not be loaded.
boost::asio::ssl::context make_server_tls_context(const TlsConfig& config);

// A client TLS context: TLS 1.2+, server certificates verified against the pinned CA file (or
// the system's trust store when none is set), and a client certificate when one is set. Host
// names are verified per connection. Throws std::runtime_error like the server's.
boost::asio::ssl::context make_client_tls_context(const ClientTls& config);

}  // namespace sentinel::http
