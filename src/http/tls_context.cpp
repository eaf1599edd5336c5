#include "tls_context.hpp"

#include <fmt/format.h>

namespace sentinel::http {

namespace ssl = boost::asio::ssl;

boost::asio::ssl::context make_server_tls_context(const TlsConfig& config) {
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
  auto load = [](std::string_view key, const std::filesystem::path& file, auto&& action) {
    boost::system::error_code ec;
    action(ec);
    if (ec) {
      throw std::runtime_error(
          fmt::format("http.tls.{}: cannot load {}: {}", key, file.string(), ec.message()));
    }
  };
  load("cert", config.cert, [&](auto& ec) { context.use_certificate_chain_file(config.cert, ec); });
  load("key", config.key,
       [&](auto& ec) { context.use_private_key_file(config.key, ssl::context::pem, ec); });
  if (!config.client_ca.empty()) {
    load("client_ca", config.client_ca,
         [&](auto& ec) { context.load_verify_file(config.client_ca, ec); });
    context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

}  // namespace sentinel::http
