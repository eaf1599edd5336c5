#pragma once
// A small SMTP client (RFC 5321) for the email channel, on Asio with OpenSSL: one connection per
// mail to the smarthost; EHLO, STARTTLS (RFC 3207) or TLS from the first byte (RFC 8314), AUTH
// PLAIN or LOGIN once the connection is private (or on a plain local relay when so configured),
// then MAIL, RCPT per recipient, DATA and QUIT. Not libcurl: see README.md.
//
// Replies are judged as the dispatcher needs them: 2xx/3xx as expected go on; 4xx and connection
// failures are retryable; 5xx are not. An error names the step (the command without any secret)
// and the server's reply line. Call from one strand.

#include <map>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sentinel/core/config_types.hpp"

#include "channel.hpp"
#include "sender.hpp"

namespace sentinel::notify {

class SmtpClient {
 public:
  explicit SmtpClient(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  // Delivers `request` (an smtp:// or smtps:// url, its mail envelope and the message as body);
  // the whole exchange, connecting included, ends within `timeout`.
  boost::asio::awaitable<SendOutcome> send(const ChannelRequest& request, core::Duration timeout);

 private:
  // One context per CA file, loaded once: the system trust store is slow to read.
  boost::asio::ssl::context& tls_context(const std::string& ca_file);

  boost::asio::any_io_executor executor_;
  std::map<std::string, boost::asio::ssl::context> contexts_;
};

// The DATA payload for `message`: CRLF line endings, a line that starts with "." doubled
// (RFC 5321 section 4.5.2), and the terminating ".".
std::string smtp_data(std::string_view message);

}  // namespace sentinel::notify
