// The email channel's settings and the message it writes (RFC 5322, MIME, RFC 2047).

#include <catch2/catch.hpp>

#include "sentinel/core/crypto.hpp"

#include "channel.hpp"
#include "channel_support.hpp"
#include "mail_message.hpp"
#include "sample_message.hpp"
#include "smtp_client.hpp"

using namespace sentinel;
using namespace sentinel::notify;
using nlohmann::json;
using sentinel::test::high_cpu_message;

namespace {

const json kSettings = {{"smarthost", "mail.example.com"},
                        {"from", "alerts@example.com"},
                        {"to", {"ops@example.com", "oncall@example.org"}},
                        {"subject_prefix", "[prod]"}};

std::optional<std::string> problem(json changes) {
  auto settings = kSettings;
  settings.update(changes);
  for (auto it = changes.begin(); it != changes.end(); ++it) {
    if (it->is_null()) settings.erase(it.key());
  }
  return find_channel("email")->check(settings);
}

// The header block of a message, up to the blank line.
std::string headers_of(const std::string& mail) {
  return mail.substr(0, mail.find("\r\n\r\n") + 2);
}

}  // namespace

TEST_CASE("email: check names the bad key") {
  CHECK_FALSE(problem(json::object()));
  CHECK(problem({{"smarthost", nullptr}}) == "smarthost is required");
  CHECK(problem({{"smarthost", "mail:99999"}}) == "smarthost must be host:port");
  CHECK(problem({{"tls", "ssl"}}) == "tls must be starttls, implicit or none");
  CHECK_THAT(*problem({{"from", "not an address"}}), Catch::StartsWith("from must be"));
  CHECK_THAT(*problem({{"to", "ops@example.com"}}), Catch::StartsWith("to must be a list"));
  CHECK_THAT(*problem({{"to", json::array()}}), Catch::StartsWith("to must be a list"));
  CHECK(problem({{"to", {"ok@example.com", "a@b>\r\nRCPT TO:<x@y"}}}) ==
        "to: \"a@b>\r\nRCPT TO:<x@y\" is not an address");
  CHECK(problem({{"username", "u"}}) == "password is required with username");
  CHECK(problem({{"tls_skip_verify", "yes"}}) == "tls_skip_verify must be true or false");
  CHECK(problem({{"tls_ca", 3}}) == "tls_ca must be a string");
  CHECK(find_channel("email")->secret_keys() == std::vector<std::string_view>{"password"});
}

TEST_CASE("email: one mail with the envelope, the headers and the alert's details") {
  const auto requests = find_channel("email")->format(high_cpu_message(), kSettings);
  REQUIRE(requests.size() == 1);
  const auto& r = requests[0];
  CHECK(r.url == "smtp://mail.example.com:587");
  REQUIRE(r.mail);
  CHECK(r.mail->from == "alerts@example.com");
  CHECK(r.mail->recipients == std::vector<std::string>{"ops@example.com", "oncall@example.org"});
  CHECK(r.mail->starttls);
  CHECK_FALSE(r.mail->tls_skip_verify);

  const auto headers = headers_of(r.body);
  CHECK_THAT(headers, Catch::Contains("\r\nFrom: alerts@example.com\r\n"));
  CHECK_THAT(headers, Catch::Contains("\r\nTo: ops@example.com,\r\n oncall@example.org\r\n"));
  CHECK_THAT(headers, Catch::Contains("\r\nSubject: [prod] [FIRING:1] HighCpu\r\n"));
  CHECK_THAT(headers, Catch::Contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"));
  CHECK_THAT(headers, Catch::Contains("\r\nMIME-Version: 1.0\r\n"));
  CHECK_THAT(headers, Catch::Matches("Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} "
                                     "\\d{2}:\\d{2}:\\d{2} \\+0000\r\nMessage-ID: "
                                     "<[0-9a-f]{24}\\.\\d+@example\\.com>\r\n[\\s\\S]*"));
  CHECK_THAT(r.body, Catch::Contains("agt_1 CPU at 97%\r\n"));
  CHECK_THAT(r.body,
             Catch::Contains("\r\nLabels:\r\n  agent = agt_1\r\n  alertname = HighCpu\r\n"));
  CHECK_THAT(r.body, Catch::Contains("\r\n  summary = agt_1 CPU at 97%\r\n"));
  CHECK_THAT(r.body, Catch::Contains("Started: 2023-11-14T22:13:20.000Z\r\n"));
  for (std::size_t i = r.body.find('\n'); i != std::string::npos; i = r.body.find('\n', i + 1)) {
    REQUIRE(r.body[i - 1] == '\r');
  }

  auto implicit = kSettings;
  implicit["tls"] = "implicit";
  implicit["smarthost"] = "[::1]";
  implicit["username"] = "bot";
  implicit["password"] = "pw";
  const auto tls = find_channel("email")->format(high_cpu_message(), implicit).at(0);
  CHECK(tls.url == "smtps://[::1]:465");
  CHECK(tls.mail->username == "bot");
  CHECK(tls.mail->password == "pw");
  implicit["tls"] = "none";
  implicit["smarthost"] = "relay:2525";
  const auto plain = find_channel("email")->format(high_cpu_message(), implicit).at(0);
  CHECK(plain.url == "smtp://relay:2525");
  CHECK_FALSE(plain.mail->starttls);
}

TEST_CASE("email: addresses may carry display names; the envelope gets the bare address") {
  auto settings = kSettings;
  settings["from"] = "Sentinel Alerts <alerts@example.com>";
  settings["to"] = {"\"Ops, EU\" <ops@example.com>", "oncall@example.org", "Zoë <zoe@example.org>"};
  CHECK_FALSE(find_channel("email")->check(settings));
  const auto r = find_channel("email")->format(high_cpu_message(), settings).at(0);
  CHECK(r.mail->from == "alerts@example.com");
  CHECK(r.mail->recipients ==
        std::vector<std::string>{"ops@example.com", "oncall@example.org", "zoe@example.org"});
  const auto headers = headers_of(r.body);
  CHECK_THAT(headers, Catch::Contains("\r\nFrom: Sentinel Alerts <alerts@example.com>\r\n"));
  CHECK_THAT(headers, Catch::Contains("\r\nTo: \"Ops, EU\" <ops@example.com>,\r\n "
                                      "oncall@example.org,\r\n =?UTF-8?B?Wm/Dqw==?= "
                                      "<zoe@example.org>\r\n"));
  // A message id names the sender's domain, never a display name.
  CHECK_THAT(headers, Catch::Matches("[\\s\\S]*Message-ID: <[0-9a-f.]+@example\\.com>[\\s\\S]*"));
}

TEST_CASE("email: mailboxes parse and print as RFC 5322 wants") {
  CHECK(parse_mailbox(" alerts@example.com ")->address == "alerts@example.com");
  const auto named = parse_mailbox("\"A \\\"B\\\" C\" <a@example.com>");
  REQUIRE(named);
  CHECK(named->display_name == "A \"B\" C");
  CHECK(format_mailbox(*named) == "\"A \\\"B\\\" C\" <a@example.com>");
  CHECK(format_mailbox({"J. Smith", "j@example.com"}) == "\"J. Smith\" <j@example.com>");
  CHECK(format_mailbox({"=?x?=", "j@example.com"}) == "\"=?x?=\" <j@example.com>");
  CHECK(format_mailbox({"", "j@example.com"}) == "j@example.com");
  // Nothing that could end a header line or an SMTP command gets through.
  CHECK_FALSE(parse_mailbox("Evil\r\nBcc: x@y.z <a@example.com>"));
  CHECK_FALSE(parse_mailbox("Name <not an address>"));
  CHECK_FALSE(parse_mailbox("Name <a@b>\r\nRCPT TO:<x@y>"));
  CHECK_FALSE(parse_mailbox("<>"));
}

TEST_CASE("email: non-ASCII header text is RFC 2047 encoded, folded, and never split") {
  CHECK(encode_header_text("[FIRING:1] HighCpu") == "[FIRING:1] HighCpu");
  CHECK(encode_header_text("Überlast") == "=?UTF-8?B?" + base64("Überlast") + "?=");

  std::string long_subject;
  for (int i = 0; i < 40; ++i)
    long_subject += "Überlast✓ ";
  const auto encoded = encode_header_text(long_subject);
  std::string decoded;
  std::size_t at = 0;
  while (at < encoded.size()) {
    auto end = encoded.find("\r\n ", at);
    if (end == std::string::npos) end = encoded.size();
    const auto word = encoded.substr(at, end - at);
    CHECK(word.size() <= 75);
    REQUIRE(word.starts_with("=?UTF-8?B?"));
    REQUIRE(word.ends_with("?="));
    auto text = word.substr(10, word.size() - 12);
    for (auto& c : text)
      c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (text.ends_with('='))
      text.pop_back();
    const auto bytes = core::from_base64url(text).value();
    // Each word holds whole characters: it does not start inside a UTF-8 sequence.
    CHECK((static_cast<unsigned char>(bytes.front()) & 0xC0) != 0x80);
    decoded += bytes;
    at = end + 3;
  }
  CHECK(decoded == long_subject);

  // A newline in a rule name cannot start a header of its own.
  auto m = high_cpu_message();
  m.alerts[0].rule_name = "Evil\r\nBcc: victim@example.com";
  const auto mail = find_channel("email")->format(m, kSettings).at(0).body;
  CHECK_THAT(headers_of(mail), !Catch::Contains("\r\nBcc:"));
}

TEST_CASE("email: lines are CRLF and at most 998 octets, cut between characters") {
  const std::string long_line = std::string(997, 'a') + "ü" + std::string(1500, 'b');
  const auto text = crlf_lines("first\n" + long_line + "\r\nlast");
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    const auto end = text.find("\r\n", at);
    REQUIRE(end != std::string::npos);
    lines.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "first");
  CHECK(lines[1] == std::string(997, 'a'));  // "ü" is two octets: it moves to the next line
  CHECK(lines[2].size() == 998);
  CHECK(lines[1] + lines[2] + lines[3] == long_line);
  CHECK(lines[4] == "last");
  CHECK(mail_date(1'700'000'000'000) == "Tue, 14 Nov 2023 22:13:20 +0000");
}

TEST_CASE("smtp: the DATA payload is dot-stuffed and terminated") {
  CHECK(smtp_data(".a\r\nb\n..c\r\n.") == "..a\r\nb\r\n...c\r\n..\r\n.\r\n");
  CHECK(smtp_data("Subject: x\r\n\r\nbody\r\n") == "Subject: x\r\n\r\nbody\r\n.\r\n");
}
