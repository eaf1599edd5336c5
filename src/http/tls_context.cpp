#include "tls_context.hpp"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>

namespace sentinel::http {

namespace ssl = boost::asio::ssl;

namespace {

constexpr auto kModernOnly = ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1;

// Runs `action(ec)` and turns its error into an exception naming `what` and the file.
template <class Action>
void load(std::string_view what, const std::filesystem::path& file, Action&& action) {
  boost::system::error_code ec;
  action(ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("{}: cannot load {}: {}", what, file.string(), ec.message()));
  }
}

}  // namespace

ssl::context make_server_tls_context(const TlsConfig& config) {
  ssl::context context(ssl::context::tls_server);
  context.set_options(kModernOnly | ssl::context::single_dh_use);
  load("http.tls.cert", config.cert,
       [&](auto& ec) { context.use_certificate_chain_file(config.cert, ec); });
  load("http.tls.key", config.key,
       [&](auto& ec) { context.use_private_key_file(config.key, ssl::context::pem, ec); });
  if (!config.client_ca.empty()) {
    load("http.tls.client_ca", config.client_ca,
         [&](auto& ec) { context.load_verify_file(config.client_ca, ec); });
    context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

ssl::context make_client_tls_context(const ClientTls& config) {
  ssl::context context(ssl::context::tls_client);
  context.set_options(kModernOnly);
  if (config.ca_file.empty()) {
    load("TLS trust store", "(system default)",
         [&](auto& ec) { context.set_default_verify_paths(ec); });
  } else {
    load("TLS CA file", config.ca_file,
         [&](auto& ec) { context.load_verify_file(config.ca_file, ec); });
  }
  if (!config.cert_file.empty()) {
    load("TLS client certificate", config.cert_file,
         [&](auto& ec) { context.use_certificate_chain_file(config.cert_file, ec); });
    load("TLS client key", config.key_file,
         [&](auto& ec) { context.use_private_key_file(config.key_file, ssl::context::pem, ec); });
  }
  context.set_verify_mode(ssl::verify_peer);
  return context;
}

void set_server_name(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) SSL_set_tlsext_host_name(ssl, host.c_str());
}

}  // namespace sentinel::http
