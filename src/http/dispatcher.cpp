#include "dispatcher.hpp"

#include <chrono>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace sentinel::http {
namespace {

constexpr std::string_view kUnmatchedRoute = "unmatched";

// Counts a request as in flight for as long as it is handled, however handling ends.
class InFlight {
 public:
  explicit InFlight(RequestsInFlight& requests) : requests_(requests) { requests_.begin(); }
  ~InFlight() { requests_.end(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  RequestsInFlight& requests_;
};

std::string allow_header(const std::vector<Method>& methods) {
  std::vector<std::string_view> names;
  for (auto m : methods)
    names.push_back(to_string(m));
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

ServerMetrics::ServerMetrics(core::MetricsRegistry& registry)
    : requests_(registry.counter_family(
          "sentinel_http_requests_total",
          "HTTP requests answered, by route pattern, method and status code.",
          {"route", "method", "code"})),
      duration_(registry.histogram_family("sentinel_http_request_duration_seconds",
                                          "Time from a request's last byte to its response.",
                                          {"route", "method"}, core::latency_buckets())),
      errors_(registry.counter_family(
          "sentinel_http_connection_errors_total",
          "Connections closed or refused for a reason other than the peer's.", {"reason"})),
      connections_open_(registry.gauge("sentinel_http_connections_open", "Open HTTP connections.")),
      in_flight_(
          registry.gauge("sentinel_http_requests_in_flight", "Requests being handled now.")) {}

void ServerMetrics::record(std::string_view route, Method method, int status, double seconds) {
  std::string method_name(to_string(method));
  requests_.with({std::string(route), method_name, std::to_string(status)}).inc();
  duration_.with({std::string(route), method_name}).observe(seconds);
}

void RequestsInFlight::begin() {
  count_.fetch_add(1);
  gauge_.add(1);
}

void RequestsInFlight::end() {
  gauge_.add(-1);
  if (count_.fetch_sub(1) != 1) return;
  // Taking the lock orders this wake-up after a waiter's check of the count: it cannot be lost.
  { std::lock_guard lock(mutex_); }
  none_.notify_all();
}

bool RequestsInFlight::wait_until_none(core::Deadline deadline) {
  std::unique_lock lock(mutex_);
  return none_.wait_until(lock, deadline, [this] { return count_ == 0; });
}

std::optional<std::size_t> Dispatcher::body_limit(Method method, std::string_view path) const {
  auto match = router_.match(method, path);
  if (match.route == nullptr) return std::nullopt;
  return match.route->options.body_limit;
}

boost::asio::awaitable<Response> Dispatcher::dispatch(Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  InFlight counted(in_flight_);
  auto match = router_.match(request.method, request.path);
  std::string_view route_label = kUnmatchedRoute;
  Response response;
  if (match.route == nullptr && match.allowed.empty()) {
    response =
        error_response(404, "not_found",
                       fmt::format("no route for {} {}", to_string(request.method), request.path));
  } else if (match.route == nullptr) {
    response = error_response(
        405, "method_not_allowed",
        fmt::format("{} does not accept {}", request.path, to_string(request.method)));
    response.headers.set("Allow", allow_header(match.allowed));
  } else {
    route_label = match.route->pattern;
    request.params = std::move(match.params);
    response = co_await run_route(request, *match.route);
  }
  response.headers.set("X-Request-Id", request.request_id);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  metrics_.record(route_label, request.method, response.status, elapsed.count());
  auto log = log_.with("request_id", request.request_id);
  if (response.status >= 500) {
    log.warn("{} {} -> {} from {}", to_string(request.method), request.path, response.status,
             request.client_ip);
  } else {
    log.debug("{} {} -> {} from {}", to_string(request.method), request.path, response.status,
              request.client_ip);
  }
  co_return response;
}

boost::asio::awaitable<Response> Dispatcher::run_route(Request& request, const Route& route) const {
  try {
    for (const auto& filter : filters_) {
      if (auto refused = co_await filter(request, route)) co_return std::move(*refused);
    }
    co_return co_await route.handler(request);
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) throw;  // the server is stopping
    log_.with("request_id", request.request_id)
        .error("{} {} failed: {}", to_string(request.method), request.path, e.what());
  } catch (const std::exception& e) {
    log_.with("request_id", request.request_id)
        .error("{} {} failed: {}", to_string(request.method), request.path, e.what());
  }
  co_return error_response(
      500, "internal",
      fmt::format("internal error; the server log has the details under request id {}",
                  request.request_id));
}

void Dispatcher::record_rejected(Method method, int status) const {
  metrics_.record(kUnmatchedRoute, method, status, 0);
}

std::string make_request_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}", random());
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

}  // namespace sentinel::http
