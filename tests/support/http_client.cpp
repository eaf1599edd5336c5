#include "support/http_client.hpp"

#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sentinel::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

std::string HttpReply::header(const std::string& name) const {
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::string host;
  std::variant<beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> stream{
      std::in_place_index<0>, io};
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;

  beast::tcp_stream& lowest() {
    if (auto* plain = std::get_if<0>(&stream)) return *plain;
    return beast::get_lowest_layer(std::get<1>(stream));
  }

  template <class F>
  auto with_stream(F&& f) {
    return std::visit(std::forward<F>(f), stream);
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::optional<TlsClientOptions> tls,
                       std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = host;
  impl_->timeout = timeout;
  if (tls) {
    impl_->ssl.load_verify_file(tls->ca.string());
    impl_->ssl.set_verify_mode(asio::ssl::verify_peer);
    if (!tls->cert.empty()) {
      impl_->ssl.use_certificate_chain_file(tls->cert.string());
      impl_->ssl.use_private_key_file(tls->key.string(), asio::ssl::context::pem);
    }
    impl_->stream.emplace<1>(impl_->io, impl_->ssl);
  }
  tcp::endpoint endpoint(asio::ip::make_address(host), port);
  impl_->lowest().expires_after(timeout);
  impl_->lowest().connect(endpoint);
  if (auto* secure = std::get_if<1>(&impl_->stream)) {
    secure->set_verify_callback(asio::ssl::host_name_verification("localhost"));
    try {
      secure->handshake(asio::ssl::stream_base::client);
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(std::string("TLS handshake failed: ") + e.what());
    }
  }
}

HttpClient::~HttpClient() = default;

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              std::string body, std::map<std::string, std::string> headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, impl_->host);
  for (const auto& [name, value] : headers)
    req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  impl_->lowest().expires_after(impl_->timeout);
  impl_->with_stream([&](auto& s) { http::write(s, req); });
  return read_reply(method == "HEAD");
}

void HttpClient::send_raw(const std::string& bytes) {
  impl_->lowest().expires_after(impl_->timeout);
  impl_->with_stream([&](auto& s) { asio::write(s, asio::buffer(bytes)); });
}

HttpReply HttpClient::raw(const std::string& bytes) {
  send_raw(bytes);
  return read_reply();
}

HttpReply HttpClient::read_reply(bool head) {
  http::response_parser<http::string_body> parser;
  parser.skip(head);  // a response to HEAD has a Content-Length but no body
  parser.body_limit(64 << 20);
  impl_->lowest().expires_after(impl_->timeout);
  impl_->with_stream([&](auto& s) { http::read(s, impl_->buffer, parser); });
  auto message = parser.release();
  HttpReply reply;
  reply.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name;
    for (char c : field.name_string())
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = std::move(message.body());
  reply.keep_alive = message.keep_alive();
  return reply;
}

bool HttpClient::closed_by_peer() {
  impl_->lowest().expires_after(impl_->timeout);
  char byte = 0;
  boost::system::error_code ec;
  impl_->with_stream([&](auto& s) { s.read_some(asio::buffer(&byte, 1), ec); });
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::connection_reset;
}

std::pair<std::string, std::uint16_t> split_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  return {address.substr(0, colon),
          static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)))};
}

}  // namespace sentinel::test
