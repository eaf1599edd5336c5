#pragma once
// The REST API of the alerting: /api/v1/rules (CRUD; file rules are read-only), /api/v1/alerts
// (transition log with filters and pages, or the active instances), acknowledgement, and
// /api/v1/silences. Handlers work on the store; the leader picks changes up at once when they are
// made on its process, else at its next refresh.

#include <atomic>
#include <functional>

#include "sentinel/http/router.hpp"
#include "sentinel/store/store.hpp"

namespace sentinel::alert {

class AlertApi {
 public:
  // `store` is called per request: the store exists only once its component has started.
  AlertApi(std::function<store::Store&()> store, std::atomic<bool>& refresh_requested)
      : store_(std::move(store)), refresh_requested_(refresh_requested) {}

  void add_routes(http::Router& router);

 private:
  boost::asio::awaitable<http::Response> list_rules(http::Request& request);
  boost::asio::awaitable<http::Response> get_rule(http::Request& request);
  boost::asio::awaitable<http::Response> create_rule(http::Request& request);
  boost::asio::awaitable<http::Response> update_rule(http::Request& request);
  boost::asio::awaitable<http::Response> delete_rule(http::Request& request);
  boost::asio::awaitable<http::Response> list_alerts(http::Request& request);
  boost::asio::awaitable<http::Response> acknowledge(http::Request& request);
  boost::asio::awaitable<http::Response> list_silences(http::Request& request);
  boost::asio::awaitable<http::Response> create_silence(http::Request& request);
  boost::asio::awaitable<http::Response> expire_silence(http::Request& request);

  std::function<store::Store&()> store_;
  std::atomic<bool>& refresh_requested_;
};

}  // namespace sentinel::alert
