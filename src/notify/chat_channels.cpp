// Channels that post a human-readable message: Slack, Discord, Microsoft Teams, Telegram, ntfy
// and Gotify.

#include <fmt/format.h>

#include "channel_support.hpp"
#include "channels.hpp"

namespace sentinel::notify {
namespace {

class SlackChannel final : public Channel {
 public:
  std::string_view type() const override { return "slack"; }
  std::vector<std::string_view> secret_keys() const override { return {"url"}; }
  std::optional<std::string> check(const Settings& s) const override { return require(s, {"url"}); }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    nlohmann::json body = {{"text", m.title()},
                           {"attachments",
                            {{{"color", fmt::format("#{:06X}", colour(m))},
                              {"title", m.title()},
                              {"text", m.summary()}}}}};
    if (auto channel = setting(s, "channel"); !channel.empty()) body["channel"] = channel;
    return {json_post(setting(s, "url"), body)};
  }
};

class DiscordChannel final : public Channel {
 public:
  std::string_view type() const override { return "discord"; }
  std::vector<std::string_view> secret_keys() const override { return {"url"}; }
  std::optional<std::string> check(const Settings& s) const override { return require(s, {"url"}); }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    return {json_post(
        setting(s, "url"),
        {{"content", m.title()},
         {"embeds",
          {{{"title", m.title()}, {"description", m.summary()}, {"color", colour(m)}}}}})};
  }
};

class TeamsChannel final : public Channel {
 public:
  std::string_view type() const override { return "teams"; }
  std::vector<std::string_view> secret_keys() const override { return {"url"}; }
  std::optional<std::string> check(const Settings& s) const override { return require(s, {"url"}); }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    return {json_post(setting(s, "url"), {{"@type", "MessageCard"},
                                          {"@context", "https://schema.org/extensions"},
                                          {"summary", m.title()},
                                          {"themeColor", fmt::format("{:06X}", colour(m))},
                                          {"title", m.title()},
                                          {"text", m.summary()}})};
  }
};

class TelegramChannel final : public Channel {
 public:
  std::string_view type() const override { return "telegram"; }
  std::vector<std::string_view> secret_keys() const override { return {"bot_token"}; }
  std::optional<std::string> check(const Settings& s) const override {
    return require(s, {"bot_token", "chat_id"});
  }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    const auto api = setting(s, "api_url", "https://api.telegram.org");
    return {json_post(join_url(api, "bot" + setting(s, "bot_token") + "/sendMessage"),
                      {{"chat_id", setting(s, "chat_id")},
                       {"text", m.title() + "\n" + m.summary()},
                       {"disable_web_page_preview", true}})};
  }
};

class NtfyChannel final : public Channel {
 public:
  std::string_view type() const override { return "ntfy"; }
  std::vector<std::string_view> secret_keys() const override { return {"token"}; }
  std::optional<std::string> check(const Settings& s) const override {
    return require(s, {"topic"});
  }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    const bool firing = m.status() == "firing";
    auto request = json_post(setting(s, "url", "https://ntfy.sh"),
                             {{"topic", setting(s, "topic")},
                              {"title", m.title()},
                              {"message", m.summary()},
                              {"priority", firing ? 4 : 2},
                              {"tags", {firing ? "rotating_light" : "white_check_mark"}}});
    if (auto token = setting(s, "token"); !token.empty())
      request.headers.set("Authorization", "Bearer " + token);
    return {request};
  }
};

class GotifyChannel final : public Channel {
 public:
  std::string_view type() const override { return "gotify"; }
  std::vector<std::string_view> secret_keys() const override { return {"token"}; }
  std::optional<std::string> check(const Settings& s) const override {
    return require(s, {"url", "token"});
  }
  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    auto request = json_post(join_url(setting(s, "url"), "message"),
                             {{"title", m.title()},
                              {"message", m.summary()},
                              {"priority", m.status() == "firing" ? 8 : 2}});
    request.headers.set("X-Gotify-Key", setting(s, "token"));
    return {request};
  }
};

}  // namespace

void add_chat_channels(std::vector<std::unique_ptr<Channel>>& out) {
  out.push_back(std::make_unique<SlackChannel>());
  out.push_back(std::make_unique<DiscordChannel>());
  out.push_back(std::make_unique<TeamsChannel>());
  out.push_back(std::make_unique<TelegramChannel>());
  out.push_back(std::make_unique<NtfyChannel>());
  out.push_back(std::make_unique<GotifyChannel>());
}

}  // namespace sentinel::notify
