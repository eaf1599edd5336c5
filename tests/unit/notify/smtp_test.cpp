// The SMTP client against a local SMTP sink: STARTTLS, implicit TLS, AUTH, the envelope and the
// data as the server receives them, and how failures are judged.

#include <chrono>
#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "channel.hpp"
#include "sender.hpp"
#include "support/dev_certs.hpp"
#include "support/smtp_sink.hpp"

using namespace sentinel;
using namespace sentinel::notify;
using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr const char* kPassword = "s3cret-pass";

Message message() {
  alert::AlertNotification a;
  a.fingerprint = "fp1";
  a.rule_id = "rul_1";
  a.rule_name = "DiskFull";
  a.agent_id = "agt_1";
  a.status = "firing";
  a.severity = "warning";
  a.labels = {{"alertname", "DiskFull"}, {"agent", "agt_1"}};
  // A line of just "." would end the DATA early unless it is dot-stuffed.
  a.annotations = {{"summary", "disk full"}, {"description", "one\n.hidden\n.\nafter"}};
  a.starts_at = 1'700'000'000'000;
  return {"mail", "rul_1/ntf_1", {a}};
}

json settings(const test::SmtpSink& sink, json extra = json::object()) {
  json s = {{"smarthost", sink.smarthost()},
            {"from", "alerts@example.com"},
            {"to", {"ops@example.com", "oncall@example.org"}}};
  s.update(extra);
  return s;
}

std::vector<ChannelRequest> requests(const json& settings) {
  const auto* channel = find_channel("email");
  REQUIRE_FALSE(channel->check(settings));
  return channel->format(message(), settings);
}

SendOutcome deliver(const std::vector<ChannelRequest>& requests,
                    core::Duration timeout = std::chrono::seconds(10)) {
  asio::io_context io;
  Sender sender(io.get_executor());
  auto outcome = asio::co_spawn(io, sender.send(requests, timeout), asio::use_future);
  io.run();
  return outcome.get();
}

std::vector<std::string> verbs(const test::SmtpSink& sink, bool tls) {
  std::vector<std::string> out;
  for (const auto& command : sink.commands()) {
    if (command.tls == tls) out.push_back(command.line.substr(0, command.line.find(' ')));
  }
  return out;
}

}  // namespace

TEST_CASE("smtp: a mail to two recipients arrives over STARTTLS, envelope and data intact") {
  test::DevCertificates certs;
  test::SmtpSink sink({.cert = certs / "server.crt", .key = certs / "server.key"});
  const auto sent = requests(settings(sink, {{"tls_ca", (certs / "ca.crt").string()}}));
  const auto outcome = deliver(sent);
  INFO(outcome.error);
  REQUIRE(outcome.ok);

  const auto mails = sink.mails();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].tls);
  CHECK(mails[0].from == "alerts@example.com");
  CHECK(mails[0].recipients == std::vector<std::string>{"ops@example.com", "oncall@example.org"});
  // The server, once it removed the dot-stuffing, holds exactly the message the channel wrote.
  CHECK(mails[0].data == sent[0].body);
  CHECK_THAT(mails[0].data,
             Catch::Contains("\r\n  description = one\r\n.hidden\r\n.\r\nafter\r\n"));
  CHECK_THAT(mails[0].data, Catch::Contains("\r\nSubject: [FIRING:1] DiskFull\r\n"));
  // In clear only the greeting's EHLO and STARTTLS; the envelope went over TLS.
  CHECK(verbs(sink, false) == std::vector<std::string>{"EHLO", "STARTTLS"});
  CHECK(verbs(sink, true) ==
        std::vector<std::string>{"EHLO", "MAIL", "RCPT", "RCPT", "DATA", ".", "QUIT"});
}

TEST_CASE("smtp: a server without STARTTLS is refused and nothing is sent in clear") {
  test::SmtpSink sink;
  const auto outcome =
      deliver(requests(settings(sink, {{"username", "bot"}, {"password", kPassword}})));
  CHECK_FALSE(outcome.ok);
  CHECK_FALSE(outcome.retryable);
  CHECK_THAT(outcome.error, Catch::StartsWith("STARTTLS: the server does not offer it"));
  CHECK(verbs(sink, false) == std::vector<std::string>{"EHLO"});
  CHECK(sink.mails().empty());
}

TEST_CASE("smtp: AUTH PLAIN, or LOGIN when only that is offered, carries the credentials") {
  test::DevCertificates certs;
  for (const char* mechanisms : {"LOGIN PLAIN", "LOGIN"}) {
    INFO(mechanisms);
    test::SmtpSink sink({.cert = certs / "server.crt",
                         .key = certs / "server.key",
                         .username = "bot",
                         .password = kPassword,
                         .auth_mechanisms = mechanisms});
    const auto outcome = deliver(requests(settings(
        sink,
        {{"tls_ca", (certs / "ca.crt").string()}, {"username", "bot"}, {"password", kPassword}})));
    INFO(outcome.error);
    REQUIRE(outcome.ok);
    const auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].auth_username == "bot");
    CHECK(mails[0].auth_password == kPassword);
    CHECK(verbs(sink, false) == std::vector<std::string>{"EHLO", "STARTTLS"});  // AUTH over TLS
  }

  // A wrong password: permanent, and the error names the step, never the secret.
  test::SmtpSink strict({.cert = certs / "server.crt",
                         .key = certs / "server.key",
                         .username = "bot",
                         .password = "another"});
  const auto refused = deliver(requests(settings(
      strict,
      {{"tls_ca", (certs / "ca.crt").string()}, {"username", "bot"}, {"password", kPassword}})));
  CHECK_FALSE(refused.ok);
  CHECK_FALSE(refused.retryable);
  CHECK(refused.error == "AUTH PLAIN: 535 5.7.8 authentication failed");
}

TEST_CASE("smtp: 4xx is retryable, 5xx is not, and the error names command and reply") {
  SECTION("451 at RCPT") {
    test::SmtpSink sink({.fail_command = "RCPT", .fail_reply = "451 4.3.0 try again later"});
    const auto outcome = deliver(requests(settings(sink, {{"tls", "none"}})));
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.retryable);
    CHECK(outcome.error == "RCPT TO:<ops@example.com>: 451 4.3.0 try again later");
    CHECK(sink.mails().empty());
  }
  SECTION("550 at the end of the data") {
    test::SmtpSink sink({.fail_command = ".", .fail_reply = "550 5.7.1 rejected as spam"});
    const auto outcome = deliver(requests(settings(sink, {{"tls", "none"}})));
    CHECK_FALSE(outcome.ok);
    CHECK_FALSE(outcome.retryable);
    CHECK(outcome.error == "DATA (end of message): 550 5.7.1 rejected as spam");
  }
  SECTION("nobody listening") {
    std::string smarthost;
    {
      test::SmtpSink gone;
      smarthost = gone.smarthost();
    }
    const auto outcome = deliver(requests({{"smarthost", smarthost},
                                           {"tls", "none"},
                                           {"from", "a@example.com"},
                                           {"to", {"b@example.com"}}}));
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.retryable);
    CHECK_THAT(outcome.error, Catch::StartsWith("connect to 127.0.0.1:"));
  }
}

TEST_CASE("smtp: a recipient refused for good is dropped, the others still get the mail") {
  SECTION("one of two refused with 550: sent to the other, the refusal reported") {
    test::SmtpSink sink({.refused_recipients = {{"ops@example.com", "550 5.1.1 no such user"}}});
    const auto outcome = deliver(requests(settings(sink, {{"tls", "none"}})));
    CHECK(outcome.ok);
    CHECK(outcome.error ==
          "not delivered to 1 of 2 recipients: RCPT TO:<ops@example.com>: 550 5.1.1 no such user");
    REQUIRE(sink.mails().size() == 1);
    CHECK(sink.mails()[0].recipients == std::vector<std::string>{"oncall@example.org"});
  }
  SECTION("every recipient refused: not retryable, no DATA") {
    test::SmtpSink sink({.refused_recipients = {{"ops@example.com", "550 5.1.1 no such user"},
                                                {"oncall@example.org", "553 5.1.3 bad address"}}});
    const auto outcome = deliver(requests(settings(sink, {{"tls", "none"}})));
    CHECK_FALSE(outcome.ok);
    CHECK_FALSE(outcome.retryable);
    CHECK_THAT(outcome.error, Catch::StartsWith("not delivered to 2 of 2 recipients"));
    CHECK(sink.mails().empty());
    CHECK(verbs(sink, false) == std::vector<std::string>{"EHLO", "MAIL", "RCPT", "RCPT"});
  }
  SECTION("one refused for now (451): the whole mail waits for a retry, nobody has it yet") {
    test::SmtpSink sink({.refused_recipients = {{"oncall@example.org", "451 4.7.1 greylisted"}}});
    const auto outcome = deliver(requests(settings(sink, {{"tls", "none"}})));
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.retryable);
    CHECK(outcome.error == "RCPT TO:<oncall@example.org>: 451 4.7.1 greylisted");
    CHECK(sink.mails().empty());
  }
}

TEST_CASE("smtp: a server that never answers times out within the notifier's timeout") {
  for (const char* where : {"CONNECT", "DATA"}) {
    INFO(where);
    test::SmtpSink sink({.hang_command = where});
    const auto started = std::chrono::steady_clock::now();
    const auto outcome =
        deliver(requests(settings(sink, {{"tls", "none"}})), std::chrono::milliseconds(300));
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.retryable);
    CHECK_THAT(outcome.error, Catch::EndsWith(": timeout"));
    CHECK(took < std::chrono::seconds(3));
    CHECK(sink.mails().empty());
  }
}

TEST_CASE("smtp: implicit TLS, and certificates checked unless tls_skip_verify") {
  test::DevCertificates certs;
  test::SmtpSink sink(
      {.cert = certs / "server.crt", .key = certs / "server.key", .implicit_tls = true});
  auto implicit = settings(sink, {{"tls", "implicit"}, {"tls_ca", (certs / "ca.crt").string()}});
  const auto outcome = deliver(requests(implicit));
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  REQUIRE(sink.mails().size() == 1);
  CHECK(verbs(sink, false).empty());

  implicit["tls_ca"] = (certs / "untrusted-ca.crt").string();
  const auto untrusted = deliver(requests(implicit));
  CHECK_FALSE(untrusted.ok);
  CHECK_THAT(untrusted.error, Catch::StartsWith("TLS handshake with 127.0.0.1"));
  CHECK(sink.mails().size() == 1);

  implicit["tls_skip_verify"] = true;
  CHECK(deliver(requests(implicit)).ok);
  CHECK(sink.mails().size() == 2);
}
