#include "support/webhook_receiver.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/http/message.hpp"

namespace sentinel::test {

namespace asio = boost::asio;

WebhookReceiver::WebhookReceiver() {
  auto record = [this](http::Request& request) {
    Received r{request.path, {}, request.body};
    for (const auto& [name, value] : request.headers.all()) {
      std::string lower;
      for (char c : name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[lower] = value;
    }
    std::lock_guard lock(mutex_);
    received_.push_back(std::move(r));
  };
  auto& router = server_.router();
  router.add(http::Method::kPost, "/ok",
             [record](http::Request& request) -> asio::awaitable<http::Response> {
               record(request);
               co_return http::text_response(200, "ok");
             });
  router.add(http::Method::kPost, "/fail",
             [record](http::Request& request) -> asio::awaitable<http::Response> {
               record(request);
               co_return http::error_response(500, "broken", "the receiver is broken");
             });
  router.add(http::Method::kPost, "/busy",
             [this, record](http::Request& request) -> asio::awaitable<http::Response> {
               record(request);
               if (busy_answers_++ > 0) co_return http::text_response(200, "ok");
               auto response = http::error_response(429, "busy", "slow down");
               response.headers.set("Retry-After", "1");
               co_return response;
             });
  router.add(http::Method::kPost, "/hang",
             [record](http::Request& request) -> asio::awaitable<http::Response> {
               record(request);
               asio::steady_timer timer(co_await asio::this_coro::executor,
                                        std::chrono::seconds(5));
               co_await timer.async_wait(asio::use_awaitable);
               co_return http::text_response(200, "late");
             });
  server_.start();
}

WebhookReceiver::~WebhookReceiver() {
  server_.stop();
}

std::vector<WebhookReceiver::Received> WebhookReceiver::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t WebhookReceiver::count(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(received_.begin(), received_.end(),
                                                [&](const Received& r) { return r.path == path; }));
}

}  // namespace sentinel::test
