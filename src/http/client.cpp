#include "sentinel/http/client.hpp"

#include <charconv>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>

#include "sentinel/core/component.hpp"
#include "sentinel/core/version.hpp"

#include "tls_context.hpp"

namespace sentinel::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastParser = bhttp::response_parser<bhttp::string_body>;

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

core::Error failure(std::string code, std::string_view what, const beast::error_code& ec) {
  return core::Error{std::move(code), fmt::format("{}: {}", what, ec.message()), true};
}

core::Error exchange_failure(const beast::error_code& ec, const Url& origin) {
  const auto where = fmt::format("exchange with {}", origin.origin());
  const auto& http_errors = bhttp::make_error_code(bhttp::error::bad_version).category();
  if (ec == beast::error::timeout) return failure("timeout", where, ec);
  if (ec == bhttp::error::body_limit) return failure("response_too_large", where, ec);
  if (ec.category() == http_errors && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return failure("malformed_response", where, ec);
  }
  return failure("connection", where, ec);
}

// An open connection, plain or TLS, and one request/response exchange on it.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual asio::awaitable<beast::error_code> exchange(BeastRequest& request, BeastParser& parser,
                                                      core::Duration timeout) = 0;
  virtual void close() = 0;
  core::Clock::time_point idle_since{};
};

template <class Stream>
class StreamConnection final : public Connection {
 public:
  template <class... Args>
  explicit StreamConnection(Args&&... args) : stream_(std::forward<Args>(args)...) {}

  Stream& stream() { return stream_; }

  asio::awaitable<beast::error_code> exchange(BeastRequest& request, BeastParser& parser,
                                              core::Duration timeout) override {
    beast::get_lowest_layer(stream_).expires_after(timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream_, request, kAsTuple);
    if (write_ec) co_return write_ec;
    auto [read_ec, read] = co_await bhttp::async_read(stream_, buffer_, parser, kAsTuple);
    co_return read_ec;
  }

  void close() override {
    beast::error_code ignored_because_the_peer_may_have_left;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored_because_the_peer_may_have_left);
    socket.close(ignored_because_the_peer_may_have_left);
  }

 private:
  Stream stream_;
  beast::flat_buffer buffer_;
};

ClientResponse to_response(bhttp::response<bhttp::string_body>&& message) {
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

std::string Url::origin() const {
  return fmt::format("{}://{}:{}", tls ? "https" : "http", bracketed(host), port);
}

std::optional<Url> parse_url(std::string_view text) {
  Url url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  auto end = text.find_first_of("/?");
  auto authority = text.substr(0, end);
  if (end != std::string_view::npos) {
    url.target = text.substr(end).starts_with('?') ? "/" + std::string(text.substr(end))
                                                   : std::string(text.substr(end));
  }
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  auto host_port = parse_host_port(authority, url.tls ? 443 : 80);
  if (!host_port) return std::nullopt;
  url.host = std::move(host_port->host);
  url.port = host_port->port;
  return url;
}

std::optional<HostPort> parse_host_port(std::string_view authority, std::uint16_t default_port) {
  HostPort out;
  std::string_view port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    if (!rest.empty()) port_text = rest.substr(1);
  } else {
    auto colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  out.port = default_port;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(port);
  }
  return out;
}

class Client::Impl {
 public:
  Impl(asio::any_io_executor executor, Url origin, ClientOptions options)
      : executor_(std::move(executor)), origin_(std::move(origin)), options_(std::move(options)) {
    if (origin_.tls) ssl_.emplace(make_client_tls_context(options_.tls));
    if (options_.user_agent.empty())
      options_.user_agent = fmt::format("sentineld/{}", core::version());
  }

  ~Impl() { close_idle(); }

  asio::awaitable<core::Result<ClientResponse>> send(ClientRequest request) {
    BeastRequest message = to_beast(std::move(request));
    for (bool first_try = true;; first_try = false) {
      auto connection = take_idle();
      const bool reused = connection != nullptr;
      if (!connection) {
        auto connected = co_await connect();
        if (!connected) co_return connected.error();
        connection = std::move(*connected);
      }
      BeastParser parser;
      parser.body_limit(options_.response_body_limit);
      if (message.method() == bhttp::verb::head) parser.skip(true);
      auto ec = co_await connection->exchange(message, parser, options_.request_timeout);
      if (!ec) {
        const bool keep_alive = parser.get().keep_alive();
        auto response = to_response(parser.release());
        if (keep_alive) give_back(std::move(connection));
        co_return response;
      }
      connection->close();
      // A server may close an idle kept-alive connection just as we reuse it; the request then
      // never reached it, so one more try on a fresh connection is safe.
      if (!(first_try && reused && !parser.got_some() && ec != beast::error::timeout)) {
        co_return exchange_failure(ec, origin_);
      }
    }
  }

  void close_idle() {
    for (auto& connection : idle_)
      connection->close();
    idle_.clear();
  }

  const Url& origin() const { return origin_; }

 private:
  BeastRequest to_beast(ClientRequest&& request) const {
    BeastRequest message{bhttp::string_to_verb(to_string(request.method)), request.target, 11};
    message.set(bhttp::field::host,
                origin_.port == (origin_.tls ? 443 : 80)
                    ? bracketed(origin_.host)
                    : fmt::format("{}:{}", bracketed(origin_.host), origin_.port));
    message.set(bhttp::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : request.headers.all())
      message.set(name, value);
    message.body() = std::move(request.body);
    message.keep_alive(true);
    message.prepare_payload();
    return message;
  }

  std::unique_ptr<Connection> take_idle() {
    const auto now = core::Clock::now();
    while (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (now - connection->idle_since < options_.idle_timeout) return connection;
      connection->close();
    }
    return nullptr;
  }

  void give_back(std::unique_ptr<Connection> connection) {
    if (idle_.size() >= options_.max_idle_connections) {
      connection->close();
      return;
    }
    connection->idle_since = core::Clock::now();
    idle_.push_back(std::move(connection));
  }

  asio::awaitable<core::Result<std::unique_ptr<Connection>>> connect() {
    tcp::resolver resolver(executor_);
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(origin_.host, std::to_string(origin_.port), kAsTuple);
    if (resolve_ec)
      co_return failure("resolve", fmt::format("resolve {}", origin_.host), resolve_ec);
    if (!ssl_) {
      auto connection = std::make_unique<StreamConnection<PlainStream>>(executor_);
      if (auto error = co_await open(connection->stream(), endpoints)) co_return *error;
      co_return std::unique_ptr<Connection>(std::move(connection));
    }
    auto connection = std::make_unique<StreamConnection<TlsStream>>(executor_, *ssl_);
    auto& stream = connection->stream();
    if (auto error = co_await open(beast::get_lowest_layer(stream), endpoints)) co_return *error;
    verify_server(stream, origin_.host);
    beast::get_lowest_layer(stream).expires_after(options_.connect_timeout);
    auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client, kAsTuple);
    if (handshake_ec) {
      co_return failure("tls", fmt::format("TLS handshake with {}", origin_.origin()),
                        handshake_ec);
    }
    co_return std::unique_ptr<Connection>(std::move(connection));
  }

  asio::awaitable<std::optional<core::Error>> open(PlainStream& stream,
                                                   const tcp::resolver::results_type& endpoints) {
    stream.expires_after(options_.connect_timeout);
    auto [ec, endpoint] = co_await stream.async_connect(endpoints, kAsTuple);
    if (ec) {
      co_return failure(ec == beast::error::timeout ? "timeout" : "connect",
                        fmt::format("connect to {}", origin_.origin()), ec);
    }
    beast::error_code ignored_because_nodelay_is_only_an_optimisation;
    stream.socket().set_option(tcp::no_delay(true),
                               ignored_because_nodelay_is_only_an_optimisation);
    co_return std::nullopt;
  }

  asio::any_io_executor executor_;
  Url origin_;
  ClientOptions options_;
  std::optional<ssl::context> ssl_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

Client::Client(asio::any_io_executor executor, Url origin, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(origin), std::move(options))) {}

Client::~Client() = default;

asio::awaitable<core::Result<ClientResponse>> Client::send(ClientRequest request) {
  return impl_->send(std::move(request));
}

void Client::close_idle() {
  impl_->close_idle();
}

const Url& Client::origin() const {
  return impl_->origin();
}

}  // namespace sentinel::http
