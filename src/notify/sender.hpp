#pragma once
// The one sender every channel shares: POSTs a channel's requests over http::Client (a client per
// origin, kept alive), or hands a mail to its smarthost over SMTP (smtp_client.hpp), each with
// the notifier's timeout, and judges the answer.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "sentinel/http/client.hpp"

#include "channel.hpp"

namespace sentinel::notify {

struct SendOutcome {
  bool ok = false;
  bool retryable = true;  // false: retrying cannot help (400, 401, 404, a bad URL)
  int http_status = 0;
  std::string error;
  std::optional<std::chrono::milliseconds> retry_after;  // from a 429's Retry-After
};

class SmtpClient;

class Sender {
 public:
  explicit Sender(boost::asio::any_io_executor executor);
  ~Sender();

  // Sends the requests in order and stops at the first failure. Call from one strand.
  boost::asio::awaitable<SendOutcome> send(const std::vector<ChannelRequest>& requests,
                                           core::Duration timeout);

 private:
  boost::asio::awaitable<SendOutcome> send_one(const ChannelRequest& request,
                                               core::Duration timeout);
  http::Client& client(const http::Url& url, core::Duration timeout);

  boost::asio::any_io_executor executor_;
  std::map<std::string, std::unique_ptr<http::Client>> clients_;  // by origin and timeout
  std::unique_ptr<SmtpClient> smtp_;
};

// How an HTTP answer is judged: 2xx sent; 408, 429 and 5xx retried; other 4xx given up.
SendOutcome judge(int status, const http::Headers& headers, const std::string& body);

}  // namespace sentinel::notify
