#include "sender.hpp"

#include <charconv>

#include <fmt/format.h>

#include "smtp_client.hpp"

namespace sentinel::notify {

namespace asio = boost::asio;

SendOutcome judge(int status, const http::Headers& headers, const std::string& body) {
  SendOutcome outcome;
  outcome.http_status = status;
  outcome.ok = status >= 200 && status < 300;
  if (outcome.ok) return outcome;
  outcome.error = fmt::format("HTTP {}: {}", status, body.substr(0, 200));
  outcome.retryable = status == 408 || status == 429 || status >= 500;
  if (status == 429) {
    if (auto after = headers.get("Retry-After")) {
      std::int64_t seconds = 0;
      const auto [end, ec] = std::from_chars(after->data(), after->data() + after->size(), seconds);
      if (ec == std::errc() && seconds >= 0) outcome.retry_after = std::chrono::seconds(seconds);
    }
  }
  return outcome;
}

Sender::Sender(asio::any_io_executor executor)
    : executor_(std::move(executor)), smtp_(std::make_unique<SmtpClient>(executor_)) {}

Sender::~Sender() = default;

asio::awaitable<SendOutcome> Sender::send(const std::vector<ChannelRequest>& requests,
                                          core::Duration timeout) {
  SendOutcome outcome{true, true, 0, {}, {}};
  for (const auto& request : requests) {
    outcome = co_await send_one(request, timeout);
    if (!outcome.ok) break;
  }
  co_return outcome;
}

asio::awaitable<SendOutcome> Sender::send_one(const ChannelRequest& request,
                                              core::Duration timeout) {
  if (request.mail) co_return co_await smtp_->send(request, timeout);
  const auto url = http::parse_url(request.url);
  if (!url) co_return SendOutcome{false, false, 0, "not an http(s) URL", {}};
  http::ClientRequest out;
  out.method = http::Method::kPost;
  out.target = url->target;
  out.headers = request.headers;
  out.body = request.body;
  auto response = co_await client(*url, timeout).send(std::move(out));
  if (!response) {
    co_return SendOutcome{
        false, true, 0, response.error().code + ": " + response.error().message, {}};
  }
  co_return judge(response->status, response->headers, response->body);
}

http::Client& Sender::client(const http::Url& url, core::Duration timeout) {
  auto& slot = clients_[fmt::format("{} {}", url.origin(), timeout.count())];
  if (!slot) {
    http::ClientOptions options;
    options.connect_timeout = std::min(timeout, options.connect_timeout);
    options.request_timeout = timeout;
    slot = std::make_unique<http::Client>(executor_, url, options);
  }
  return *slot;
}

}  // namespace sentinel::notify
