// The email channel through the API and the outbox: a notifier made over HTTP delivers to a local
// SMTP sink, its password sealed and masked; an SMTP refusal ends in the DLQ with the server's
// reply and never the password in the log.

#include <catch2/catch.hpp>

#include "sentinel/core/unix_time.hpp"

#include "pipeline.hpp"
#include "support/smtp_sink.hpp"

using namespace sentinel;
using namespace sentinel::test;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "smtp-password-never-shown";

std::string make_email_notifier(Pipeline& p, const SmtpSink& sink) {
  // tls: none for a relay on loopback, so the test needs no certificates; the SMTP client's own
  // tests cover STARTTLS and implicit TLS.
  const auto reply = p.call("POST", "/api/v1/notifiers",
                            {{"name", "mail"},
                             {"type", "email"},
                             {"settings",
                              {{"smarthost", sink.smarthost()},
                               {"tls", "none"},
                               {"username", "bot"},
                               {"password", kPassword},
                               {"from", "alerts@example.com"},
                               {"to", {"ops@example.com", "dev@example.com"}}}}});
  REQUIRE(reply.status == 201);
  return reply.body["id"];
}

}  // namespace

TEST_CASE("email e2e: the test endpoint mails through SMTP, the password masked") {
  SmtpSink sink({.username = "bot", .password = kPassword});
  Pipeline p;
  const auto notifier = make_email_notifier(p, sink);

  const auto shown = p.call("GET", "/api/v1/notifiers/" + notifier);
  CHECK(shown.body["settings"]["password"] == "***");
  CHECK(shown.body["settings"]["to"] == json({"ops@example.com", "dev@example.com"}));
  CHECK(p.call("POST", "/api/v1/notifiers",
               {{"name", "bad"}, {"type", "email"}, {"settings", {{"smarthost", "x"}}}})
            .body.dump()
            .find("from must be") != std::string::npos);

  const auto reply = p.call("POST", "/api/v1/notifiers/" + notifier + "/test");
  CHECK(reply.status == 200);
  const auto mails = sink.mails();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].recipients == std::vector<std::string>{"ops@example.com", "dev@example.com"});
  CHECK(mails[0].auth_password == kPassword);  // opened from its sealed form to send
  CHECK_THAT(mails[0].data, Catch::Contains("Subject: [FIRING:1] SentinelTestNotification\r\n"));
}

TEST_CASE("email e2e: a 451 is retried, then dead-lettered with the reply, no password logged") {
  SmtpSink sink({.username = "bot",
                 .password = kPassword,
                 .fail_command = "RCPT",
                 .fail_reply = "451 4.7.1 greylisted, try later"});
  Pipeline p;
  const auto notifier = make_email_notifier(p, sink);
  REQUIRE(p.call("POST", "/api/v1/rules",
                 {{"name", "HighCpu"},
                  {"metric", "cpu_usage_percent"},
                  {"aggregation", "last"},
                  {"window", "1m"},
                  {"op", ">"},
                  {"threshold", 90},
                  {"notifiers", {notifier}}})
              .status == 201);
  p.publish("agt_mail", core::unix_ms(), {{"cpu_usage_percent", {{"cpu", "total"}}, 97}});

  // max_attempts 3: three tries, each as far as the refused recipient, then a dead letter.
  REQUIRE(eventually(
      [&] { return p.call("GET", "/api/v1/notifications/dlq").body["dead_letters"].size() == 1; },
      std::chrono::seconds(15)));
  const auto dead = p.call("GET", "/api/v1/notifications/dlq").body["dead_letters"][0];
  CHECK(dead["attempts"] == 3);
  CHECK(dead["last_error"] == "RCPT TO:<ops@example.com>: 451 4.7.1 greylisted, try later");
  std::size_t rcpts = 0;
  for (const auto& command : sink.commands())
    rcpts += command.line.starts_with("RCPT TO:") ? 1 : 0;
  CHECK(rcpts == 3);
  CHECK(sink.mails().empty());
  for (const auto& line : p.harness().log_lines())
    CHECK(line.find(kPassword) == std::string::npos);
}
