#include "session.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/x509.h>

namespace sentinel::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// How long, and how much, a connection closed after an early error is still read from: see
// Session::discard_unread_input.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 64 << 20;
// Beast reads at most the buffer's free capacity (512 bytes when it has none), and the parser
// takes a body out of the buffer as it arrives, so a buffer that starts empty never grows: a
// 6 KiB push took twelve reads. A connection's buffer starts with room for a typical push.
constexpr std::size_t kReadBufferBytes = 16 << 10;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

beast::tcp_stream& lowest(PlainStream& s) {
  return s;
}
beast::tcp_stream& lowest(TlsStream& s) {
  return beast::get_lowest_layer(s);
}

// Maps a Beast read error to the status we answer with before closing; 0: close silently.
int status_for_read_error(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
      ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::ssl::error::stream_truncated) {
    return 0;
  }
  return 400;
}

std::string_view error_code_for(int status) {
  switch (status) {
    case 413:
      return "body_too_large";
    case 431:
      return "headers_too_large";
    default:
      return "malformed_request";
  }
}

std::string subject_of_peer(TlsStream& stream) {
  X509* cert = SSL_get1_peer_certificate(stream.native_handle());
  if (cert == nullptr) return {};
  char buffer[512] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), buffer, sizeof buffer);
  X509_free(cert);
  return buffer;
}

Request to_request(bhttp::request<bhttp::string_body>&& message, Target target) {
  Request request;
  request.method = method_from_string(message.method_string());
  request.target = std::string(message.target());
  request.path = std::move(target.path);
  request.query = std::move(target.query);
  for (const auto& field : message) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

template <class Stream>
class Session final : public SessionHandle, public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... StreamArgs>
  Session(const SessionSettings& settings, const Dispatcher& dispatcher, ServerMetrics& metrics,
          std::string peer_ip, StreamArgs&&... args)
      : settings_(settings),
        dispatcher_(dispatcher),
        metrics_(metrics),
        peer_ip_(std::move(peer_ip)),
        stream_(std::forward<StreamArgs>(args)...) {}

  asio::any_io_executor executor() override { return stream_.get_executor(); }

  void close_if_idle() override {
    if (idle_) {
      beast::error_code ignored_because_the_socket_may_be_gone;
      lowest(stream_).socket().shutdown(tcp::socket::shutdown_both,
                                        ignored_because_the_socket_may_be_gone);
    }
  }

  asio::awaitable<void> run() {
    if (!co_await handshake()) co_return;
    beast::flat_buffer buffer;
    buffer.reserve(kReadBufferBytes);
    bool first = true;
    while (!settings_.stopping->load()) {
      bool keep_alive = co_await serve_one(buffer, first);
      first = false;
      if (!keep_alive) break;
    }
    co_await close();
  }

 private:
  asio::awaitable<bool> handshake() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      lowest(stream_).expires_after(settings_.request_timeout);
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kAsTuple);
      if (ec) {
        metrics_.connection_error("tls_handshake");
        co_return false;
      }
      client_cert_subject_ = subject_of_peer(stream_);
    }
    co_return true;
  }

  // Serves one request; false when the connection should close.
  asio::awaitable<bool> serve_one(beast::flat_buffer& buffer, bool first) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(settings_.header_limit));
    // The body limit depends on the route, known only once the header is in: Beast checks a
    // Content-Length against the limit when the header completes, so none is set until then.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    // Waiting for the next request on a kept-alive connection may take the idle timeout; a
    // request that has begun must arrive within the request timeout.
    bool waiting = !first && buffer.size() == 0;
    lowest(stream_).expires_after(waiting ? settings_.idle_timeout : settings_.request_timeout);
    idle_ = true;
    auto [header_ec, header_bytes] =
        co_await bhttp::async_read_header(stream_, buffer, parser, kAsTuple);
    idle_ = false;
    if (header_ec) co_return co_await reject_read(header_ec, header_bytes > 0 || !waiting);

    auto target = parse_target(parser.get().target());
    if (!target) {
      co_await write_error(400, "malformed_request", "the request target is not a valid path");
      co_return false;
    }
    const Method method = method_from_string(parser.get().method_string());
    const auto limit = dispatcher_.body_limit(method, target->path).value_or(settings_.body_limit);
    if (auto length = parser.content_length(); length && *length > limit) {
      co_return co_await reject_read(bhttp::error::body_limit, true);
    }
    parser.body_limit(limit);  // still needed for chunked bodies
    if (!co_await continue_if_expected(parser)) co_return false;

    lowest(stream_).expires_after(settings_.request_timeout);
    auto [body_ec, body_bytes] = co_await bhttp::async_read(stream_, buffer, parser, kAsTuple);
    if (body_ec) co_return co_await reject_read(body_ec, true);

    const bool client_keeps_alive = parser.get().keep_alive();
    Request request = make_request(parser.release(), std::move(*target));
    Response response = co_await dispatcher_.dispatch(request);
    // Decided after the handler: a drain that began meanwhile closes the connection.
    const bool keep_alive = client_keeps_alive && !settings_.stopping->load();
    co_return co_await write_response(request.method, std::move(response), keep_alive) &&
        keep_alive;
  }

  Request make_request(bhttp::request<bhttp::string_body>&& message, Target target) const {
    Request request = to_request(std::move(message), std::move(target));
    request.peer_ip = peer_ip_;
    request.client_ip = resolve_client_ip(peer_ip_, request.headers.get("X-Forwarded-For"),
                                          *settings_.trusted_proxies);
    auto incoming_id = request.headers.get("X-Request-Id");
    request.request_id = incoming_id && acceptable_request_id(*incoming_id)
                             ? std::string(*incoming_id)
                             : make_request_id();
    request.client_cert_subject = client_cert_subject_;
    return request;
  }

  // Answers "100 Continue" when the client waits for it (the body already fits: checked above).
  asio::awaitable<bool> continue_if_expected(bhttp::request_parser<bhttp::string_body>& parser) {
    if (!beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) co_return true;
    bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
    auto [ec, n] = co_await bhttp::async_write(stream_, go_on, kAsTuple);
    co_return !ec;
  }

  asio::awaitable<bool> reject_read(const beast::error_code& ec, bool had_bytes) {
    if (ec == beast::error::timeout && had_bytes) metrics_.connection_error("timeout");
    int status = status_for_read_error(ec);
    if (status == 0) co_return false;
    metrics_.connection_error(error_code_for(status));
    std::string message = status == 413   ? "the request body is larger than allowed"
                          : status == 431 ? "the request headers are larger than allowed"
                                          : "the request could not be parsed: " + ec.message();
    co_await write_error(status, error_code_for(status), message);
    co_return false;
  }

  // Answers a request that never reached the dispatcher, then the connection closes.
  asio::awaitable<void> write_error(int status, std::string_view code, std::string_view message) {
    dispatcher_.record_rejected(Method::kOther, status);
    unread_input_ = true;
    co_await write_response(Method::kOther, error_response(status, code, message), false);
  }

  asio::awaitable<bool> write_response(Method method, Response response, bool keep_alive) {
    bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), 11};
    for (const auto& [name, value] : response.headers.all())
      message.insert(name, value);
    message.keep_alive(keep_alive);
    lowest(stream_).expires_after(settings_.request_timeout);
    if (response.stream) co_return co_await write_stream(std::move(message), response.stream);
    message.content_length(response.body.size());
    if (method != Method::kHead) message.body() = std::move(response.body);
    bhttp::response_serializer<bhttp::string_body> serializer{message};
    auto [ec, n] = co_await bhttp::async_write(stream_, serializer, kAsTuple);
    co_return !ec;
  }

  asio::awaitable<bool> write_stream(bhttp::response<bhttp::string_body> message,
                                     BodyStream& next) {
    message.chunked(true);
    bhttp::response_serializer<bhttp::string_body> serializer{message};
    auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, kAsTuple);
    if (ec) co_return false;
    while (auto chunk = co_await next()) {
      if (chunk->empty()) continue;  // an empty chunk would end the body
      lowest(stream_).expires_after(settings_.request_timeout);
      auto [chunk_ec, written] =
          co_await asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*chunk)), kAsTuple);
      if (chunk_ec) co_return false;
    }
    auto [last_ec, written] =
        co_await asio::async_write(stream_, bhttp::make_chunk_last(), kAsTuple);
    co_return !last_ec;
  }

  asio::awaitable<void> close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      if (unread_input_) co_await discard_unread_input();
      lowest(stream_).expires_after(std::chrono::seconds(2));
      co_await stream_.async_shutdown(kAsTuple);
    } else {
      beast::error_code ignored_because_the_peer_may_have_left;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored_because_the_peer_may_have_left);
      if (unread_input_) co_await discard_unread_input();
    }
  }

  // A lingering close (RFC 9112 section 9.6): closing a socket with unread input makes the kernel
  // send a reset, which can destroy our error response before the client reads it, and a client
  // still writing its body sees a broken pipe instead of the 413. So what the client still sends
  // is read and dropped until it closes, bounded in time and bytes.
  asio::awaitable<void> discard_unread_input() {
    lowest(stream_).expires_after(kLingerTime);
    std::array<char, 16 * 1024> sink;
    for (std::size_t left = kLingerBytes; left > 0;) {
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(sink), kAsTuple);
      if (ec) break;
      left -= std::min(left, n);
    }
  }

  const SessionSettings& settings_;
  const Dispatcher& dispatcher_;
  ServerMetrics& metrics_;
  std::string peer_ip_;
  std::string client_cert_subject_;
  Stream stream_;
  bool idle_ = true;
  bool unread_input_ = false;  // an early error left the request (partly) unread
};

}  // namespace

asio::awaitable<void> run_session(tcp::socket socket, asio::ssl::context* ssl,
                                  const SessionSettings& settings, const Dispatcher& dispatcher,
                                  ServerMetrics& metrics,
                                  std::function<void(std::shared_ptr<SessionHandle>)> on_open) {
  beast::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  auto address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  std::string peer = ec ? std::string("unknown") : address.to_string();
  socket.set_option(tcp::no_delay(true), ec);
  if (ssl != nullptr) {
    auto session = std::make_shared<Session<TlsStream>>(settings, dispatcher, metrics, peer,
                                                        std::move(socket), *ssl);
    on_open(session);
    co_await session->run();
  } else {
    auto session = std::make_shared<Session<PlainStream>>(settings, dispatcher, metrics, peer,
                                                          std::move(socket));
    on_open(session);
    co_await session->run();
  }
}

}  // namespace sentinel::http
