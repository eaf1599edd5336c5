#pragma once
// A tiny SMTP server on 127.0.0.1 port 0 with a thread of its own, for the email channel's tests:
// it speaks enough RFC 5321 (EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT), records
// every command line and every mail, and can be told to answer a command with an error or to
// stop answering.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sentinel::test {

struct SmtpSinkOptions {
  // With a certificate and key: offers STARTTLS, or with implicit_tls speaks TLS from the start.
  std::filesystem::path cert;
  std::filesystem::path key;
  bool implicit_tls = false;
  // With a username: offers AUTH with these mechanisms and requires it before MAIL.
  std::string username;
  std::string password;
  std::string auth_mechanisms = "PLAIN LOGIN";
  // The command ("EHLO", "MAIL", "RCPT", "DATA", "." for the end of the data) answered with
  // fail_reply ("451 4.3.0 try later") instead of success.
  std::string fail_command;
  std::string fail_reply;
  // RCPT TO one of these addresses is answered with the reply given ("550 5.1.1 no such user")
  // and the address is not a recipient.
  std::map<std::string, std::string> refused_recipients;
  // The command the sink never answers ("CONNECT": it sends no greeting at all).
  std::string hang_command;
};

struct SmtpCommand {
  std::string line;  // as received, without CRLF
  bool tls = false;  // whether it came over TLS
};

struct SmtpMail {
  std::string from;
  std::vector<std::string> recipients;
  std::string data;  // the message after removing the dot-stuffing, with CRLF line endings
  bool tls = false;
  std::string auth_username;  // empty without AUTH
  std::string auth_password;
};

class SmtpSink {
 public:
  explicit SmtpSink(SmtpSinkOptions options = {});
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  std::uint16_t port() const;
  std::string smarthost() const;  // "127.0.0.1:PORT"
  std::vector<SmtpCommand> commands() const;
  std::vector<SmtpMail> mails() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::test
