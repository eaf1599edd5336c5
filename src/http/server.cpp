#include "sentinel/http/server.hpp"

#include <charconv>
#include <map>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "sentinel/core/task_group.hpp"

#include "dispatcher.hpp"
#include "session.hpp"
#include "tls_context.hpp"

namespace sentinel::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Written to a connection over the limit: a clear answer is kinder than a reset.
std::string overloaded_reply() {
  const auto body =
      error_response(503, "overloaded", "too many open connections; retry later").body;
  return fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
      "Connection: close\r\nContent-Length: {}\r\n\r\n{}",
      body.size(), body);
}

}  // namespace

std::string Endpoint::to_string() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) return std::nullopt;
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  unsigned port = 0;
  auto digits = text.substr(colon + 1);
  auto [end, parse_ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (parse_ec != std::errc() || end != digits.data() + digits.size() || port > 65535)
    return std::nullopt;
  return Endpoint{host, static_cast<std::uint16_t>(port)};
}

Server::Config Server::Config::parse(core::ConfigSection& section) {
  using namespace std::chrono_literals;
  Config config;
  std::string listen = config.listen.to_string();
  section.read("listen", listen);
  if (auto endpoint = parse_endpoint(listen)) {
    config.listen = *endpoint;
  } else {
    section.fail("listen", "an address and port like 127.0.0.1:8080 or [::]:8443");
  }
  section.read("max_connections", config.max_connections, core::Range<std::size_t>{1, 1'000'000});
  section.read("header_limit", config.header_limit, core::Range<core::ByteSize>{{1024}, {1 << 20}});
  section.read("body_limit", config.body_limit, core::Range<core::ByteSize>{{1024}, {1ULL << 30}});
  section.read("request_timeout", config.request_timeout, core::Range<core::Duration>{100ms, 1h});
  section.read("idle_timeout", config.idle_timeout, core::Range<core::Duration>{1s, 1h});
  std::vector<std::string> proxies;
  section.read("trusted_proxies", proxies);
  for (const auto& text : proxies) {
    if (auto cidr = Cidr::parse(text)) {
      config.trusted_proxies.push_back(*cidr);
    } else {
      section.fail("trusted_proxies",
                   fmt::format("CIDRs like 10.0.0.0/8 or fd00::/8 (not \"{}\")", text));
    }
  }
  section.read("metrics_public", config.metrics_public);
  auto tls = section.child("tls");
  tls.read("cert", config.tls.cert);
  tls.read("key", config.tls.key);
  tls.read("client_ca", config.tls.client_ca);
  if (config.tls.cert.empty() != config.tls.key.empty()) {
    tls.fail(config.tls.cert.empty() ? "cert" : "key", "tls.cert and tls.key to be set together");
  }
  if (!config.tls.client_ca.empty() && config.tls.cert.empty()) {
    tls.fail("client_ca", "tls.cert and tls.key as well: mTLS needs TLS");
  }
  for (auto [key, path] : {std::pair{"cert", &config.tls.cert}, std::pair{"key", &config.tls.key},
                           std::pair{"client_ca", &config.tls.client_ca}}) {
    std::error_code ec;
    if (!path->empty() && !std::filesystem::is_regular_file(*path, ec))
      tls.fail(key, "a readable file");
  }
  return config;
}

class Server::Impl {
 public:
  Impl(const Config& config, const Router& router, const std::vector<Filter>& filters,
       core::ComponentContext& context)
      : config_(config),
        io_(context.io()),
        log_(context.logger("http")),
        metrics_(context.metrics()),
        dispatcher_(router, filters, metrics_, log_),
        strand_(asio::make_strand(io_)),
        acceptor_(strand_),
        tasks_(log_),
        settings_{config.header_limit.bytes, config.body_limit.bytes,  config.request_timeout,
                  config.idle_timeout,       &config_.trusted_proxies, &stopping_} {}

  void start() {
    if (config_.tls.enabled()) ssl_.emplace(make_server_tls_context(config_.tls));
    tcp::endpoint endpoint(asio::ip::make_address(config_.listen.host), config_.listen.port);
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error(
          fmt::format("cannot listen on {}: {}", config_.listen.to_string(), ec.message()));
    }
    bound_ = Endpoint{config_.listen.host, acceptor_.local_endpoint().port()};
    listening_ = true;
    tasks_.spawn(strand_, accept_loop(), "http accept");
    log_.info("listening on {}{}", bound_.to_string(),
              ssl_ ? (config_.tls.client_ca.empty() ? " (TLS)" : " (mTLS)") : "");
  }

  // While every other component still runs: no new connections or requests, and the requests
  // being handled finish (streamed bodies, such as server-sent events, go on until stop()).
  void drain(core::Deadline deadline) {
    refuse_new_requests();
    if (!dispatcher_.wait_until_idle(deadline)) {
      log_.warn("requests still in flight at the end of the drain");
    }
  }

  void stop(core::Deadline deadline) {
    refuse_new_requests();
    // Requests in flight get half the time to finish by themselves, then are cancelled.
    const auto soft = core::Clock::now() + (deadline - core::Clock::now()) / 2;
    if (!tasks_.wait(soft)) {
      log_.warn("{} connections still busy; cancelling them", tasks_.size());
      tasks_.cancel();
      tasks_.wait(deadline);
    }
  }

  bool listening() const { return listening_; }
  Endpoint endpoint() const { return bound_; }

 private:
  // Closes the listening socket and the connections waiting for a request; a connection busy
  // with one closes after its answer.
  void refuse_new_requests() {
    stopping_ = true;
    listening_ = false;
    asio::post(strand_, [this] {
      boost::system::error_code ignored_because_closing_twice_is_harmless;
      acceptor_.close(ignored_because_closing_twice_is_harmless);
    });
    std::lock_guard lock(mutex_);
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) {
        asio::post(session->executor(), [session] { session->close_if_idle(); });
      }
    }
  }

  // Counts a connection and keeps its session findable for a drain for as long as the session
  // lives, however the session ends.
  class OpenConnection {
   public:
    explicit OpenConnection(Impl& impl) : impl_(impl), id_(impl.next_session_id_++) {
      ++impl_.open_;
      impl_.metrics_.connections_open().add(1);
    }
    ~OpenConnection() {
      {
        std::lock_guard lock(impl_.mutex_);
        impl_.sessions_.erase(id_);
      }
      --impl_.open_;
      impl_.metrics_.connections_open().add(-1);
    }
    OpenConnection(const OpenConnection&) = delete;
    OpenConnection& operator=(const OpenConnection&) = delete;

    void track(std::shared_ptr<SessionHandle> session) {
      std::lock_guard lock(impl_.mutex_);
      impl_.sessions_.emplace(id_, std::move(session));
    }

   private:
    Impl& impl_;
    std::uint64_t id_;
  };

  asio::awaitable<void> accept_loop() {
    for (;;) {
      // Each connection runs on a strand of its own.
      auto session = asio::make_strand(io_);
      auto [ec, socket] = co_await acceptor_.async_accept(session, kAsTuple);
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      if (ec) {
        // Out of descriptors, most likely: pause so that the loop does not spin on the error.
        log_.warn("accept failed: {}", ec.message());
        metrics_.connection_error("accept");
        asio::steady_timer pause(strand_, std::chrono::milliseconds(50));
        co_await pause.async_wait(kAsTuple);
        continue;
      }
      if (open_.load() >= config_.max_connections) {
        metrics_.connection_error("max_connections");
        tasks_.spawn(session, refuse(std::move(socket)), "http refuse");
        continue;
      }
      tasks_.spawn(session, serve(std::move(socket)), "http session");
    }
  }

  asio::awaitable<void> refuse(tcp::socket socket) {
    if (!ssl_) co_await asio::async_write(socket, asio::buffer(overloaded_), kAsTuple);
    boost::system::error_code ignored_because_the_peer_may_have_left;
    socket.shutdown(tcp::socket::shutdown_both, ignored_because_the_peer_may_have_left);
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    OpenConnection connection(*this);
    co_await run_session(std::move(socket), ssl_ ? &*ssl_ : nullptr, settings_, dispatcher_,
                         metrics_,
                         [&connection](auto session) { connection.track(std::move(session)); });
  }

  const Config& config_;
  asio::io_context& io_;
  core::Logger log_;
  ServerMetrics metrics_;
  Dispatcher dispatcher_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> ssl_;
  core::TaskGroup tasks_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::uint64_t> next_session_id_{1};
  SessionSettings settings_;
  const std::string overloaded_ = overloaded_reply();
  Endpoint bound_;
  std::mutex mutex_;
  std::map<std::uint64_t, std::weak_ptr<SessionHandle>> sessions_;
};

Server::Server(const Config& config, core::ComponentContext& context)
    : config_(config), impl_(std::make_unique<Impl>(config_, router_, filters_, context)) {
  add_builtin_routes(context);
}

Server::~Server() = default;

void Server::add_filter(Filter filter) {
  filters_.push_back(std::move(filter));
}

void Server::start() {
  impl_->start();
}

void Server::drain(core::Deadline deadline) {
  impl_->drain(deadline);
}

void Server::stop(core::Deadline deadline) {
  impl_->stop(deadline);
}

core::Readiness Server::readiness() const {
  return impl_->listening() ? core::Readiness{} : core::Readiness{false, "not listening"};
}

Endpoint Server::endpoint() const {
  return impl_->endpoint();
}

}  // namespace sentinel::http
