#pragma once
#include <boost/asio/ssl/context.hpp>

#include "sentinel/http/client_tls.hpp"
#include "sentinel/http/server.hpp"

namespace sentinel::http {

// A server TLS context from config: TLS 1.2+, the certificate chain and key, and when a client
// CA is set, client certificates required and verified against it. Throws std::runtime_error
// naming the file that could not be loaded.
boost::asio::ssl::context make_server_tls_context(const TlsConfig& config);

}  // namespace sentinel::http
