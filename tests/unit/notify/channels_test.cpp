// Each channel's requests for one message: the URL, the headers and the fields its service reads.

#include <catch2/catch.hpp>

#include "sentinel/core/crypto.hpp"

#include "channel.hpp"
#include "sample_message.hpp"

using namespace sentinel;
using namespace sentinel::notify;
using nlohmann::json;
using sentinel::test::high_cpu_message;

namespace {

std::vector<ChannelRequest> format(std::string_view type, const Settings& settings,
                                   const Message& m = high_cpu_message()) {
  const auto* channel = find_channel(type);
  REQUIRE(channel != nullptr);
  CHECK_FALSE(channel->check(settings));
  return channel->format(m, settings);
}

}  // namespace

TEST_CASE("channels: every type is known and checks its settings") {
  for (auto type : {"webhook", "slack", "discord", "teams", "telegram", "pagerduty", "opsgenie",
                    "ntfy", "gotify", "alertmanager", "email"}) {
    INFO(type);
    const auto* channel = find_channel(type);
    REQUIRE(channel != nullptr);
    CHECK(channel->check(json::object()));  // something is always required
  }
  CHECK(find_channel("carrier-pigeon") == nullptr);
}

TEST_CASE("channels: webhook is signed with HMAC-SHA256 of the body") {
  const auto requests = format("webhook", {{"url", "http://hook/x"}, {"hmac_secret", "s3"}});
  REQUIRE(requests.size() == 1);
  const auto& r = requests[0];
  CHECK(r.url == "http://hook/x");
  CHECK(r.headers.get("X-Sentinel-Signature") ==
        "sha256=" + core::to_hex(core::hmac_sha256("s3", r.body)));
  const auto body = json::parse(r.body);
  CHECK(body["status"] == "firing");
  CHECK(body["alerts"][0]["fingerprint"] == "fp1");
  CHECK(body["alerts"][0]["starts_at"] == "2023-11-14T22:13:20.000Z");
  CHECK(body["alerts"][0]["notification_id"] == 42);  // receivers drop redeliveries by it
}

TEST_CASE("channels: chat services get a title and a summary") {
  const auto slack = json::parse(format("slack", {{"url", "https://hooks.slack.com/x"}})[0].body);
  CHECK(slack["text"] == "[FIRING:1] HighCpu");
  CHECK(slack["attachments"][0]["color"] == "#D00000");
  const auto discord = json::parse(format("discord", {{"url", "https://d/x"}})[0].body);
  CHECK(discord["embeds"][0]["description"].get<std::string>().find("agt_1 CPU at 97%") !=
        std::string::npos);
  const auto teams = json::parse(format("teams", {{"url", "https://t/x"}})[0].body);
  CHECK(teams["@type"] == "MessageCard");
  const auto telegram =
      format("telegram", {{"bot_token", "123:abc"}, {"chat_id", "-100"}, {"api_url", "http://tg"}});
  CHECK(telegram[0].url == "http://tg/bot123:abc/sendMessage");
  CHECK(json::parse(telegram[0].body)["chat_id"] == "-100");
  const auto ntfy = format("ntfy", {{"topic", "alerts"}, {"token", "tk"}});
  CHECK(ntfy[0].url == "https://ntfy.sh");
  CHECK(ntfy[0].headers.get("Authorization") == "Bearer tk");
  const auto gotify = format("gotify", {{"url", "http://g/"}, {"token", "gk"}});
  CHECK(gotify[0].url == "http://g/message");
  CHECK(gotify[0].headers.get("X-Gotify-Key") == "gk");
}

TEST_CASE("channels: incident services get one event per alert, keyed by fingerprint") {
  const auto trigger = format("pagerduty", {{"routing_key", "rk"}});
  const auto event = json::parse(trigger[0].body);
  CHECK(event["event_action"] == "trigger");
  CHECK(event["dedup_key"] == "fp1");
  CHECK(event["payload"]["severity"] == "critical");
  const auto resolve = json::parse(
      format("pagerduty", {{"routing_key", "rk"}}, high_cpu_message("resolved"))[0].body);
  CHECK(resolve["event_action"] == "resolve");

  const auto create = format("opsgenie", {{"api_key", "k"}, {"url", "http://og"}});
  CHECK(create[0].url == "http://og/v2/alerts");
  CHECK(create[0].headers.get("Authorization") == "GenieKey k");
  CHECK(json::parse(create[0].body)["alias"] == "fp1");
  const auto close =
      format("opsgenie", {{"api_key", "k"}, {"url", "http://og"}}, high_cpu_message("resolved"));
  CHECK(close[0].url == "http://og/v2/alerts/fp1/close?identifierType=alias");

  const auto am =
      format("alertmanager", {{"url", "http://am:9093"}, {"username", "u"}, {"password", "p"}},
             high_cpu_message("resolved"));
  CHECK(am[0].url == "http://am:9093/api/v2/alerts");
  CHECK(am[0].headers.get("Authorization") == "Basic dTpw");
  const auto alerts = json::parse(am[0].body);
  CHECK(alerts[0]["labels"]["alertname"] == "HighCpu");
  CHECK(alerts[0]["endsAt"] == "2023-11-14T22:14:20.000Z");
}
