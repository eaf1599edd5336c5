#pragma once
// One connection: reads requests with limits and deadlines, hands them to the dispatcher, writes
// the responses, keeps the connection alive while both sides want it.

#include <atomic>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sentinel/http/server.hpp"

#include "dispatcher.hpp"

namespace sentinel::http {

struct SessionSettings {
  std::size_t header_limit;
  std::size_t body_limit;
  core::Duration request_timeout;
  core::Duration idle_timeout;
  const std::vector<Cidr>* trusted_proxies;
  const std::atomic<bool>* stopping;
};

// What the server sees of a session: enough to close it when it is idle during a drain.
class SessionHandle {
 public:
  virtual ~SessionHandle() = default;
  virtual boost::asio::any_io_executor executor() = 0;
  // Runs on executor(): closes the connection unless a request is being served.
  virtual void close_if_idle() = 0;
};

// Runs a session over `socket` until the connection ends; `ssl` is null for plain HTTP.
// `on_open` receives the handle as soon as it exists, for the server's registry.
boost::asio::awaitable<void> run_session(
    boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* ssl,
    const SessionSettings& settings, const Dispatcher& dispatcher, ServerMetrics& metrics,
    std::function<void(std::shared_ptr<SessionHandle>)> on_open);

}  // namespace sentinel::http
