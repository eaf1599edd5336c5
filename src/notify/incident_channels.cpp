// Channels that take structured alerts: the generic webhook, PagerDuty Events v2, Opsgenie and
// the Alertmanager API v2. The last three get one request per alert, keyed by its fingerprint,
// so that a resolution closes what its firing opened.

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"

#include "channel_support.hpp"
#include "channels.hpp"

namespace sentinel::notify {
namespace {

nlohmann::json alert_json(const alert::AlertNotification& a) {
  auto json = alert::to_json(a);
  json["starts_at"] = iso8601(a.starts_at);
  json["ends_at"] = a.ends_at != 0 ? nlohmann::json(iso8601(a.ends_at)) : nlohmann::json(nullptr);
  json["notification_id"] = a.notification_id;
  return json;
}

// JSON of the whole group; with `hmac_secret`, X-Sentinel-Signature: sha256=<hex HMAC of body>.
class WebhookChannel final : public Channel {
 public:
  std::string_view type() const override { return "webhook"; }
  std::vector<std::string_view> secret_keys() const override {
    return {"hmac_secret", "bearer_token"};
  }
  std::optional<std::string> check(const Settings& s) const override { return require(s, {"url"}); }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    auto alerts = nlohmann::json::array();
    for (const auto& a : m.alerts)
      alerts.push_back(alert_json(a));
    auto request = json_post(setting(s, "url"), {{"version", "1"},
                                                 {"notifier", m.notifier},
                                                 {"group_key", m.group_key},
                                                 {"status", m.status()},
                                                 {"title", m.title()},
                                                 {"alerts", alerts}});
    if (auto secret = setting(s, "hmac_secret"); !secret.empty()) {
      request.headers.set("X-Sentinel-Signature",
                          "sha256=" + core::to_hex(core::hmac_sha256(secret, request.body)));
    }
    if (auto token = setting(s, "bearer_token"); !token.empty())
      request.headers.set("Authorization", "Bearer " + token);
    return {request};
  }
};

class PagerDutyChannel final : public Channel {
 public:
  std::string_view type() const override { return "pagerduty"; }
  std::vector<std::string_view> secret_keys() const override { return {"routing_key"}; }
  std::optional<std::string> check(const Settings& s) const override {
    return require(s, {"routing_key"});
  }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    const auto url = setting(s, "url", "https://events.pagerduty.com/v2/enqueue");
    std::vector<ChannelRequest> out;
    for (const auto& a : m.alerts) {
      nlohmann::json event = {{"routing_key", setting(s, "routing_key")},
                              {"event_action", a.status == "firing" ? "trigger" : "resolve"},
                              {"dedup_key", a.fingerprint}};
      if (a.status == "firing") {
        const auto summary = a.annotations.find("summary");
        event["payload"] = {
            {"summary", summary != a.annotations.end() ? summary->second : a.rule_name},
            {"source", a.agent_id.empty() ? "sentineld" : a.agent_id},
            {"severity", a.severity == "info" ? "info" : a.severity},
            {"timestamp", iso8601(a.starts_at)},
            {"custom_details", {{"labels", a.labels}, {"value", a.value}}}};
      }
      out.push_back(json_post(url, event));
    }
    return out;
  }
};

class OpsgenieChannel final : public Channel {
 public:
  std::string_view type() const override { return "opsgenie"; }
  std::vector<std::string_view> secret_keys() const override { return {"api_key"}; }
  std::optional<std::string> check(const Settings& s) const override {
    return require(s, {"api_key"});
  }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    const auto base = setting(s, "url", "https://api.opsgenie.com");
    std::vector<ChannelRequest> out;
    for (const auto& a : m.alerts) {
      ChannelRequest request;
      if (a.status == "firing") {
        const auto summary = a.annotations.find("summary");
        request =
            json_post(join_url(base, "v2/alerts"),
                      {{"message", summary != a.annotations.end() ? summary->second : a.rule_name},
                       {"alias", a.fingerprint},
                       {"source", "sentineld"},
                       {"priority", a.severity == "critical"  ? "P1"
                                    : a.severity == "warning" ? "P3"
                                                              : "P5"},
                       {"details", a.labels}});
      } else {
        request = json_post(
            join_url(base, fmt::format("v2/alerts/{}/close?identifierType=alias", a.fingerprint)),
            {{"source", "sentineld"}});
      }
      request.headers.set("Authorization", "GenieKey " + setting(s, "api_key"));
      out.push_back(std::move(request));
    }
    return out;
  }
};

// Alertmanager API v2: POST /api/v2/alerts with the group's alerts; it routes them on.
class AlertmanagerChannel final : public Channel {
 public:
  std::string_view type() const override { return "alertmanager"; }
  std::vector<std::string_view> secret_keys() const override { return {"password"}; }
  std::optional<std::string> check(const Settings& s) const override { return require(s, {"url"}); }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    auto alerts = nlohmann::json::array();
    for (const auto& a : m.alerts) {
      nlohmann::json item = {{"labels", a.labels},
                             {"annotations", a.annotations},
                             {"startsAt", iso8601(a.starts_at)},
                             {"generatorURL", setting(s, "generator_url")}};
      if (a.ends_at != 0) item["endsAt"] = iso8601(a.ends_at);
      alerts.push_back(std::move(item));
    }
    auto request = json_post(join_url(setting(s, "url"), "api/v2/alerts"), alerts);
    if (auto user = setting(s, "username"); !user.empty()) {
      request.headers.set("Authorization", "Basic " + base64(user + ":" + setting(s, "password")));
    }
    return {request};
  }
};

}  // namespace

void add_incident_channels(std::vector<std::unique_ptr<Channel>>& out) {
  out.push_back(std::make_unique<WebhookChannel>());
  out.push_back(std::make_unique<PagerDutyChannel>());
  out.push_back(std::make_unique<OpsgenieChannel>());
  out.push_back(std::make_unique<AlertmanagerChannel>());
}

namespace {

const std::vector<std::unique_ptr<Channel>>& catalogue() {
  static const auto channels = [] {
    std::vector<std::unique_ptr<Channel>> all;
    add_incident_channels(all);
    add_chat_channels(all);
    add_email_channel(all);
    return all;
  }();
  return channels;
}

}  // namespace

const Channel* find_channel(std::string_view type) {
  for (const auto& channel : catalogue()) {
    if (channel->type() == type) return channel.get();
  }
  return nullptr;
}

std::vector<std::string_view> channel_types() {
  std::vector<std::string_view> types;
  for (const auto& channel : catalogue())
    types.push_back(channel->type());
  return types;
}

}  // namespace sentinel::notify
