#include "events.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

namespace sentinel::gateway {
namespace {

namespace asio = boost::asio;
constexpr std::size_t kBacklog = 256;  // events a slow subscriber may fall behind by

}  // namespace

void EventHub::publish(std::string_view type, const nlohmann::json& data) {
  const auto text = fmt::format("event: {}\ndata: {}\n\n", type, data.dump());
  std::lock_guard lock(mutex_);
  std::erase_if(channels_, [](const auto& weak) { return weak.expired(); });
  for (const auto& weak : channels_) {
    if (auto channel = weak.lock()) (void)channel->try_send(boost::system::error_code{}, text);
  }
}

http::BodyStream EventHub::subscribe(const asio::any_io_executor& executor,
                                     std::chrono::milliseconds keepalive) {
  auto channel = std::make_shared<Channel>(executor, kBacklog);
  {
    std::lock_guard lock(mutex_);
    if (closed_) channel->close();
    channels_.push_back(channel);
  }
  auto opened = std::make_shared<bool>(false);
  return [channel, keepalive, opened]() -> asio::awaitable<std::optional<std::string>> {
    using namespace asio::experimental::awaitable_operators;
    // The first chunk goes at once, so the client sees the stream open.
    if (!*opened) {
      *opened = true;
      co_return std::string(": connected\n\n");
    }
    if (!channel->is_open()) co_return std::nullopt;
    asio::steady_timer timer(co_await asio::this_coro::executor, keepalive);
    boost::system::error_code error;
    auto next =
        co_await (channel->async_receive(asio::redirect_error(asio::use_awaitable, error)) ||
                  timer.async_wait(asio::use_awaitable));
    if (next.index() == 1) co_return std::string(": keepalive\n\n");
    if (error) co_return std::nullopt;
    co_return std::move(std::get<0>(next));
  };
}

void EventHub::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (const auto& weak : channels_) {
    if (auto channel = weak.lock()) channel->close();
  }
}

std::size_t EventHub::subscribers() {
  std::lock_guard lock(mutex_);
  std::erase_if(channels_, [](const auto& weak) { return weak.expired(); });
  return channels_.size();
}

}  // namespace sentinel::gateway
