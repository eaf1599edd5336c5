#pragma once
// Turns a Request into a Response: route, run the filters, call the handler, map a thrown
// exception to a 500, and count it. Knows nothing of sockets.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "sentinel/core/component.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/http/router.hpp"
#include "sentinel/http/server.hpp"

namespace sentinel::http {

// The metric handles of the HTTP server, created once.
class ServerMetrics {
 public:
  explicit ServerMetrics(core::MetricsRegistry& registry);

  void record(std::string_view route, Method method, int status, double seconds);
  void connection_error(std::string_view reason) { errors_.with({std::string(reason)}).inc(); }
  core::Gauge& connections_open() { return connections_open_; }
  core::Gauge& requests_in_flight() { return in_flight_; }

 private:
  core::Family<core::Counter>& requests_;
  core::Family<core::Histogram>& duration_;
  core::Family<core::Counter>& errors_;
  core::Gauge& connections_open_;
  core::Gauge& in_flight_;
};

// The requests being handled: a gauge for /metrics, and a count a drain can wait on.
class RequestsInFlight {
 public:
  explicit RequestsInFlight(core::Gauge& gauge) : gauge_(gauge) {}
  void begin();
  void end();
  // True once none is in flight; false when `deadline` came first.
  bool wait_until_none(core::Deadline deadline);

 private:
  core::Gauge& gauge_;
  std::atomic<std::size_t> count_{0};  // a request takes no lock; only the last one out does
  std::mutex mutex_;
  std::condition_variable none_;
};

class Dispatcher {
 public:
  Dispatcher(const Router& router, const std::vector<Filter>& filters, ServerMetrics& metrics,
             core::Logger log)
      : router_(router),
        filters_(filters),
        metrics_(metrics),
        log_(std::move(log)),
        in_flight_(metrics.requests_in_flight()) {}

  // The body limit of the route `method path` will reach, so the session can apply it before
  // reading the body.
  std::optional<std::size_t> body_limit(Method method, std::string_view path) const;
  boost::asio::awaitable<Response> dispatch(Request& request) const;
  // Counts a response the session wrote itself (a malformed request, a body over the limit).
  void record_rejected(Method method, int status) const;
  // Waits until no request is being handled (a streamed body counts as handled once its
  // headers are ready), or until `deadline`; false then.
  bool wait_until_idle(core::Deadline deadline) const {
    return in_flight_.wait_until_none(deadline);
  }

 private:
  boost::asio::awaitable<Response> run_route(Request& request, const Route& route) const;

  const Router& router_;
  const std::vector<Filter>& filters_;
  ServerMetrics& metrics_;
  core::Logger log_;
  mutable RequestsInFlight in_flight_;
};

// A fresh request id: 16 hex digits.
std::string make_request_id();
// The incoming X-Request-Id when it is short and plain, so ids chain across proxies.
bool acceptable_request_id(std::string_view id);

}  // namespace sentinel::http
