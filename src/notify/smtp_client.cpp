#include "smtp_client.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <strings.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sentinel/core/component.hpp"
#include "sentinel/http/client_tls.hpp"

#include "channel_support.hpp"

namespace sentinel::notify {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxReplyBytes = 64 * 1024;  // a reply longer than this is not SMTP
constexpr auto kQuitGrace = std::chrono::seconds(1);
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // the text after "250-" / "250 "
  std::string last() const { return fmt::format("{} {}", code, lines.empty() ? "" : lines.back()); }
};

SendOutcome failure(bool retryable, std::string error) {
  return SendOutcome{false, retryable, 0, std::move(error), {}};
}

// The server name the EHLO gives: the host's name when it looks fully qualified, else the
// address literal of our end of the connection, which RFC 5321 allows when no name fits.
std::string ehlo_name(const tcp::endpoint& local) {
  boost::system::error_code ec;
  const auto name = asio::ip::host_name(ec);
  if (!ec && name.find('.') != std::string::npos) return name;
  const auto address = local.address();
  return address.is_v6() ? "[IPv6:" + address.to_string() + "]" : "[" + address.to_string() + "]";
}

// One mail over one connection, with one deadline for everything.
class Conversation {
 public:
  Conversation(asio::any_io_executor executor, const MailEnvelope& envelope,
               const http::HostPort& server, core::Clock::time_point deadline)
      : envelope_(envelope),
        server_(server),
        deadline_(deadline),
        plain_(std::in_place, executor) {}

  ~Conversation() {
    boost::system::error_code ignored_because_the_server_may_have_left;
    lowest().socket().close(ignored_because_the_server_may_have_left);
  }

  asio::awaitable<SendOutcome> run(ssl::context* implicit_tls, ssl::context* starttls,
                                   std::string_view message) {
    if (auto failed = co_await connect()) co_return *failed;
    if (implicit_tls != nullptr) {
      if (auto failed = co_await secure(*implicit_tls)) co_return *failed;
    }
    if (auto failed = co_await step("greeting", {}, 2)) co_return *failed;
    if (auto failed = co_await hello()) co_return *failed;
    if (starttls != nullptr) {
      if (auto failed = co_await start_tls(*starttls)) co_return *failed;
    }
    if (!envelope_.username.empty()) {
      if (auto failed = co_await authenticate()) co_return *failed;
    }
    if (auto failed = co_await transfer(message)) co_return *failed;
    // The mail is accepted: a QUIT that fails changes nothing, and one the server is slow to
    // answer must not hold the other notifications for the rest of the timeout.
    deadline_ = std::min(deadline_, core::Clock::now() + kQuitGrace);
    co_await step("QUIT", "QUIT", 2);
    co_return SendOutcome{true, true, 0, refused_summary(), {}};
  }

 private:
  template <class Operation>
  auto with_stream(Operation&& operation) {
    return tls_ ? operation(*tls_) : operation(*plain_);
  }

  PlainStream& lowest() { return tls_ ? tls_->next_layer() : *plain_; }

  asio::awaitable<std::optional<SendOutcome>> connect() {
    tcp::resolver resolver(plain_->get_executor());
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(server_.host, std::to_string(server_.port), kAsTuple);
    if (resolve_ec)
      co_return failure(true, fmt::format("resolve {}: {}", server_.host, resolve_ec.message()));
    plain_->expires_at(deadline_);
    auto [ec, endpoint] = co_await plain_->async_connect(endpoints, kAsTuple);
    if (ec)
      co_return failure(
          true, fmt::format("connect to {}:{}: {}", server_.host, server_.port, ec.message()));
    co_return std::nullopt;
  }

  // The TLS handshake on the connection as it is: at once (implicit) or after STARTTLS.
  asio::awaitable<std::optional<SendOutcome>> secure(ssl::context& context) {
    auto plain = std::move(*plain_);
    plain_.reset();
    tls_.emplace(std::move(plain), context);
    if (envelope_.tls_skip_verify) {
      http::set_server_name(tls_->native_handle(), server_.host);
      tls_->set_verify_mode(ssl::verify_none);
    } else {
      http::verify_server(*tls_, server_.host);
    }
    lowest().expires_at(deadline_);
    auto [ec] = co_await tls_->async_handshake(ssl::stream_base::client, kAsTuple);
    if (ec)
      co_return failure(true, fmt::format("TLS handshake with {}: {}", server_.host, ec.message()));
    co_return std::nullopt;
  }

  asio::awaitable<std::optional<SendOutcome>> hello() {
    boost::system::error_code ec;
    const auto local = lowest().socket().local_endpoint(ec);
    if (ec) co_return failure(true, "EHLO: connection: " + ec.message());
    if (auto failed = co_await step("EHLO", "EHLO " + ehlo_name(local), 2)) co_return failed;
    extensions_.assign(reply_.lines.begin() + (reply_.lines.empty() ? 0 : 1), reply_.lines.end());
    co_return std::nullopt;
  }

  asio::awaitable<std::optional<SendOutcome>> start_tls(ssl::context& context) {
    if (!offers("STARTTLS")) {
      co_return failure(false,
                        "STARTTLS: the server does not offer it; nothing is sent in clear (set "
                        "tls: none for a local relay)");
    }
    if (auto failed = co_await step("STARTTLS", "STARTTLS", 2)) co_return failed;
    // Anything read past the reply came before the handshake: an attacker's injected commands.
    if (!buffer_.empty()) co_return failure(false, "STARTTLS: the server sent data before TLS");
    if (auto failed = co_await secure(context)) co_return failed;
    co_return co_await hello();
  }

  asio::awaitable<std::optional<SendOutcome>> authenticate() {
    const auto& user = envelope_.username;
    const auto& password = envelope_.password;
    if (offers_auth("PLAIN")) {
      co_return co_await step(
          "AUTH PLAIN", "AUTH PLAIN " + base64(std::string(1, '\0') + user + '\0' + password), 2);
    }
    if (!offers_auth("LOGIN"))
      co_return failure(false, "AUTH: the server offers neither PLAIN nor LOGIN");
    if (auto failed = co_await step("AUTH LOGIN", "AUTH LOGIN", 3)) co_return failed;
    if (auto failed = co_await step("AUTH LOGIN (username)", base64(user), 3)) co_return failed;
    co_return co_await step("AUTH LOGIN (password)", base64(password), 2);
  }

  asio::awaitable<std::optional<SendOutcome>> transfer(std::string_view message) {
    auto mail = fmt::format("MAIL FROM:<{}>", envelope_.from);
    if (offers("8BITMIME")) mail += " BODY=8BITMIME";
    if (auto failed = co_await step(mail, mail, 2)) co_return failed;
    for (const auto& recipient : envelope_.recipients) {
      const auto rcpt = fmt::format("RCPT TO:<{}>", recipient);
      auto failed = co_await step(rcpt, rcpt, 2);
      if (!failed) continue;
      // Nobody has the mail before DATA, so a temporary refusal retries it for everyone without
      // a duplicate; a permanent one (a mistyped address) drops that recipient only, rather than
      // keeping the mail from all the others.
      if (failed->retryable) co_return failed;
      refused_.push_back(std::move(failed->error));
    }
    if (refused_.size() == envelope_.recipients.size()) co_return failure(false, refused_summary());
    if (auto failed = co_await step("DATA", "DATA", 3)) co_return failed;
    co_return co_await step("DATA (end of message)", smtp_data(message), 2, false);
  }

  // Sends `command` (none for the greeting) and reads the reply; a failure unless its code is
  // of class `expected` (2: done, 3: go on).
  asio::awaitable<std::optional<SendOutcome>> step(std::string_view name, std::string command,
                                                   int expected, bool add_crlf = true) {
    if (!command.empty()) {
      if (add_crlf) command += "\r\n";
      lowest().expires_at(deadline_);
      auto [ec, written] = co_await with_stream(
          [&](auto& stream) { return asio::async_write(stream, asio::buffer(command), kAsTuple); });
      if (ec) co_return failure(true, fmt::format("{}: {}", name, describe(ec)));
    }
    if (auto error = co_await read_reply())
      co_return failure(true, fmt::format("{}: {}", name, *error));
    if (reply_.code / 100 == expected) co_return std::nullopt;
    co_return failure(reply_.code / 100 != 5, fmt::format("{}: {}", name, reply_.last()));
  }

  // Reads one reply, single or multi-line ("250-a", "250 b"), into reply_; the error otherwise.
  asio::awaitable<std::optional<std::string>> read_reply() {
    reply_ = {};
    for (;;) {
      lowest().expires_at(deadline_);
      auto [ec, length] = co_await with_stream([&](auto& stream) {
        return asio::async_read_until(stream, asio::dynamic_buffer(buffer_, kMaxReplyBytes), "\r\n",
                                      kAsTuple);
      });
      if (ec) co_return describe(ec);
      const std::string line = buffer_.substr(0, length - 2);
      buffer_.erase(0, length);
      int code = 0;
      const auto [end, parse_ec] =
          std::from_chars(line.data(), line.data() + std::min<std::size_t>(line.size(), 3), code);
      if (parse_ec != std::errc() || end != line.data() + 3 || code < 200 || code > 599 ||
          (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        co_return fmt::format("not an SMTP reply: {}", line.substr(0, 200));
      }
      reply_.code = code;
      reply_.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
      if (line.size() == 3 || line[3] == ' ') co_return std::nullopt;
    }
  }

  bool offers(std::string_view keyword) const {
    for (const auto& line : extensions_) {
      if (line.size() >= keyword.size() &&
          strncasecmp(line.c_str(), keyword.data(), keyword.size()) == 0 &&
          (line.size() == keyword.size() || line[keyword.size()] == ' ')) {
        return true;
      }
    }
    return false;
  }

  // "AUTH PLAIN LOGIN", or the "AUTH=LOGIN" of older servers.
  bool offers_auth(std::string_view mechanism) const {
    for (const auto& line : extensions_) {
      if (line.size() < 5 || strncasecmp(line.c_str(), "AUTH", 4) != 0) continue;
      if (line[4] != ' ' && line[4] != '=') continue;
      std::string upper;
      for (char c : line.substr(5))
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if ((" " + upper + " ").find(" " + std::string(mechanism) + " ") != std::string::npos)
        return true;
    }
    return false;
  }

  // The error an accepted mail still reports, for notification_history: who did not get it.
  std::string refused_summary() const {
    if (refused_.empty()) return {};
    return fmt::format("not delivered to {} of {} recipients: {}", refused_.size(),
                       envelope_.recipients.size(), fmt::join(refused_, "; "));
  }

  static std::string describe(const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) return "timeout";
    return "connection: " + ec.message();
  }

  const MailEnvelope& envelope_;
  const http::HostPort& server_;
  core::Clock::time_point deadline_;
  std::optional<PlainStream> plain_;
  std::optional<TlsStream> tls_;
  std::string buffer_;
  Reply reply_;
  std::vector<std::string> extensions_;  // the EHLO reply's lines after the first
  std::vector<std::string> refused_;     // "RCPT TO:<a>: 550 ..." per recipient refused for good
};

// "smtp://host:port" or "smtps://host:port": the server and whether TLS starts at once.
std::optional<std::pair<http::HostPort, bool>> parse_smtp_url(std::string_view url) {
  bool implicit = false;
  if (url.starts_with("smtps://")) {
    implicit = true;
    url.remove_prefix(8);
  } else if (url.starts_with("smtp://")) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  auto server = http::parse_host_port(url, implicit ? 465 : 587);
  if (!server) return std::nullopt;
  return std::pair{*server, implicit};
}

}  // namespace

std::string smtp_data(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (line_start && c == '.') out += '.';
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) out += '\r';
    out += c;
    line_start = c == '\n';
  }
  if (!line_start) out += "\r\n";
  return out + ".\r\n";
}

asio::awaitable<SendOutcome> SmtpClient::send(const ChannelRequest& request,
                                              core::Duration timeout) {
  const auto target = parse_smtp_url(request.url);
  if (!target || !request.mail) co_return failure(false, "not an smtp(s) URL with an envelope");
  const auto& [server, implicit] = *target;
  const auto& envelope = *request.mail;
  ssl::context* context = nullptr;
  if (implicit || envelope.starttls) {
    try {
      context = &tls_context(envelope.tls_ca);
    } catch (const std::exception& e) {
      co_return failure(false, fmt::format("tls_ca: {}", e.what()));
    }
  }
  Conversation conversation(executor_, envelope, server, core::Clock::now() + timeout);
  co_return co_await conversation.run(implicit ? context : nullptr, implicit ? nullptr : context,
                                      request.body);
}

ssl::context& SmtpClient::tls_context(const std::string& ca_file) {
  auto it = contexts_.find(ca_file);
  if (it == contexts_.end())
    it = contexts_.emplace(ca_file, http::make_client_tls_context({ca_file, {}, {}})).first;
  return it->second;
}

}  // namespace sentinel::notify
