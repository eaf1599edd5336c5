#include "support/smtp_sink.hpp"

#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"

namespace sentinel::test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

std::string upper_verb(const std::string& line) {
  std::string verb = line.substr(0, line.find(' '));
  for (auto& c : verb)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return verb;
}

std::string from_base64(std::string text) {
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  for (auto& c : text)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  return core::from_base64url(text).value_or("<not base64>");
}

// The address between the angle brackets of "MAIL FROM:<a@b> BODY=8BITMIME".
std::string address(const std::string& line) {
  const auto open = line.find('<');
  const auto close = line.find('>', open);
  return open == std::string::npos || close == std::string::npos
             ? std::string()
             : line.substr(open + 1, close - open - 1);
}

}  // namespace

class SmtpSink::Impl {
 public:
  explicit Impl(SmtpSinkOptions options)
      : options_(std::move(options)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    if (!options_.cert.empty()) {
      tls_.emplace(ssl::context::tls_server);
      tls_->use_certificate_chain_file(options_.cert.string());
      tls_->use_private_key_file(options_.key.string(), ssl::context::pem);
    }
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  std::vector<SmtpCommand> commands() const {
    std::lock_guard lock(mutex_);
    return commands_;
  }

  std::vector<SmtpMail> mails() const {
    std::lock_guard lock(mutex_);
    return mails_;
  }

 private:
  // One client's connection: the socket, TLS once started, and what it has said so far.
  struct Session {
    explicit Session(tcp::socket socket, ssl::context* context)
        : plain(std::move(socket)), context(context) {}
    tcp::socket plain;
    ssl::context* context;
    std::optional<ssl::stream<tcp::socket&>> tls;
    std::string buffer;
    SmtpMail mail;
  };

  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
      if (ec) co_return;
      asio::co_spawn(io_,
                     serve(std::make_unique<Session>(std::move(socket), tls_ ? &*tls_ : nullptr)),
                     asio::detached);
    }
  }

  asio::awaitable<void> serve(std::unique_ptr<Session> session) {
    auto& s = *session;
    if (options_.implicit_tls && !co_await handshake(s)) co_return;
    if (options_.hang_command == "CONNECT") {
      co_await hang(s);
      co_return;
    }
    co_await reply(s, "220 sink.test ESMTP ready");
    for (;;) {
      auto line = co_await read_line(s);
      if (!line) co_return;
      record(*line, s.tls.has_value());
      const auto verb = upper_verb(*line);
      if (verb == options_.hang_command) {
        co_await hang(s);
        co_return;
      }
      if (verb == options_.fail_command) {
        co_await reply(s, options_.fail_reply);
      } else if (!co_await answer(s, verb, *line)) {
        co_return;
      }
    }
  }

  // Answers one command; false when the session ends.
  asio::awaitable<bool> answer(Session& s, const std::string& verb, const std::string& line) {
    if (verb == "EHLO") {
      co_await reply(s, ehlo(s));
    } else if (verb == "STARTTLS" && s.context != nullptr && !s.tls) {
      co_await reply(s, "220 2.0.0 go ahead");
      co_return co_await handshake(s);
    } else if (verb == "AUTH") {
      co_await authenticate(s, line);
    } else if (verb == "MAIL") {
      const bool allowed = options_.username.empty() || !s.mail.auth_username.empty();
      if (allowed)
        s.mail = {address(line),       {}, {}, s.tls.has_value(), s.mail.auth_username,
                  s.mail.auth_password};
      co_await reply(s, allowed ? "250 2.1.0 ok" : "530 5.7.0 authentication required");
    } else if (verb == "RCPT") {
      auto to = address(line);
      if (const auto refused = options_.refused_recipients.find(to);
          refused != options_.refused_recipients.end()) {
        co_await reply(s, refused->second);
      } else {
        s.mail.recipients.push_back(std::move(to));
        co_await reply(s, "250 2.1.5 ok");
      }
    } else if (verb == "DATA") {
      co_await data(s);
    } else if (verb == "QUIT") {
      co_await reply(s, "221 2.0.0 bye");
      co_return false;
    } else {
      co_await reply(s, "502 5.5.1 not implemented");
    }
    co_return true;
  }

  std::string ehlo(const Session& s) const {
    std::string out = "250-sink.test\r\n250-8BITMIME\r\n";
    if (s.context != nullptr && !s.tls) out += "250-STARTTLS\r\n";
    if (!options_.username.empty()) out += "250-AUTH " + options_.auth_mechanisms + "\r\n";
    return out + "250 SIZE 10485760";
  }

  asio::awaitable<void> authenticate(Session& s, const std::string& line) {
    std::string username;
    std::string password;
    if (line.starts_with("AUTH PLAIN ")) {
      const auto decoded = from_base64(line.substr(11));  // "\0user\0password"
      const auto split = decoded.find('\0', 1);
      username = decoded.substr(1, split - 1);
      password = split == std::string::npos ? "" : decoded.substr(split + 1);
    } else if (line == "AUTH LOGIN") {
      co_await reply(s, "334 VXNlcm5hbWU6");
      username = from_base64((co_await read_line(s)).value_or(""));
      co_await reply(s, "334 UGFzc3dvcmQ6");
      password = from_base64((co_await read_line(s)).value_or(""));
    }
    const bool ok = username == options_.username && password == options_.password;
    if (ok) {
      s.mail.auth_username = username;
      s.mail.auth_password = password;
    }
    co_await reply(s, ok ? "235 2.7.0 authenticated" : "535 5.7.8 authentication failed");
  }

  asio::awaitable<void> data(Session& s) {
    co_await reply(s, "354 end with <CRLF>.<CRLF>");
    for (;;) {
      auto line = co_await read_line(s);
      if (!line) co_return;
      if (*line == ".") break;
      s.mail.data += (line->starts_with('.') ? line->substr(1) : *line) + "\r\n";
    }
    record(".", s.tls.has_value());
    if (options_.fail_command == ".") {
      co_await reply(s, options_.fail_reply);
      co_return;
    }
    {
      std::lock_guard lock(mutex_);
      mails_.push_back(s.mail);
    }
    co_await reply(s, "250 2.0.0 queued");
  }

  // Reads until the client leaves, answering nothing.
  asio::awaitable<void> hang(Session& s) {
    // Not `while (co_await ...)`: GCC 12 miscompiles a co_await in a loop condition.
    for (;;) {
      const auto line = co_await read_line(s);
      if (!line) co_return;
    }
  }

  asio::awaitable<bool> handshake(Session& s) {
    s.tls.emplace(s.plain, *s.context);
    auto [ec] = co_await s.tls->async_handshake(ssl::stream_base::server, kAsTuple);
    co_return !ec;
  }

  asio::awaitable<std::optional<std::string>> read_line(Session& s) {
    auto buffer = asio::dynamic_buffer(s.buffer);
    auto [ec, length] = s.tls ? co_await asio::async_read_until(*s.tls, buffer, "\r\n", kAsTuple)
                              : co_await asio::async_read_until(s.plain, buffer, "\r\n", kAsTuple);
    if (ec) co_return std::nullopt;
    auto line = s.buffer.substr(0, length - 2);
    s.buffer.erase(0, length);
    co_return line;
  }

  asio::awaitable<void> reply(Session& s, const std::string& text) {
    const auto line = text + "\r\n";
    if (s.tls) {
      co_await asio::async_write(*s.tls, asio::buffer(line), kAsTuple);
    } else {
      co_await asio::async_write(s.plain, asio::buffer(line), kAsTuple);
    }
  }

  void record(const std::string& line, bool tls) {
    std::lock_guard lock(mutex_);
    commands_.push_back({line, tls});
  }

  SmtpSinkOptions options_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<ssl::context> tls_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<SmtpCommand> commands_;
  std::vector<SmtpMail> mails_;
};

SmtpSink::SmtpSink(SmtpSinkOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

SmtpSink::~SmtpSink() = default;

std::uint16_t SmtpSink::port() const {
  return impl_->port();
}

std::string SmtpSink::smarthost() const {
  return fmt::format("127.0.0.1:{}", port());
}

std::vector<SmtpCommand> SmtpSink::commands() const {
  return impl_->commands();
}

std::vector<SmtpMail> SmtpSink::mails() const {
  return impl_->mails();
}

}  // namespace sentinel::test
