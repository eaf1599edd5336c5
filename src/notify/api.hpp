#pragma once
// /api/v1/notifiers (CRUD, secrets masked; POST /{id}/test really sends) and
// /api/v1/notifications/dlq (list, replay, drop).

#include <functional>

#include "sentinel/http/router.hpp"
#include "sentinel/store/store.hpp"

#include "notifier_codec.hpp"

namespace sentinel::notify {

class NotifyApi {
 public:
  NotifyApi(std::function<store::Store&()> store, const NotifierCodec& codec,
            core::Duration timeout)
      : store_(std::move(store)), codec_(codec), timeout_(timeout) {}

  void add_routes(http::Router& router);

 private:
  boost::asio::awaitable<http::Response> list(http::Request& request);
  boost::asio::awaitable<http::Response> get(http::Request& request);
  boost::asio::awaitable<http::Response> put(http::Request& request, bool create);
  boost::asio::awaitable<http::Response> remove(http::Request& request);
  boost::asio::awaitable<http::Response> test(http::Request& request);
  boost::asio::awaitable<http::Response> list_dead(http::Request& request);
  boost::asio::awaitable<http::Response> replay(http::Request& request);
  boost::asio::awaitable<http::Response> drop(http::Request& request);

  std::function<store::Store&()> store_;
  const NotifierCodec& codec_;
  core::Duration timeout_;
};

}  // namespace sentinel::notify
