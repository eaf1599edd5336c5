#pragma once
// A notification channel turns one message (a group of alerts for one notifier) into the
// requests its service expects: HTTP posts, or one mail for the email channel; one shared sender
// (sender.hpp) delivers them. Every channel is a small formatter class: webhook, slack, discord,
// teams, telegram, pagerduty, opsgenie, ntfy, gotify, alertmanager and email.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sentinel/alert/notification.hpp"
#include "sentinel/http/message.hpp"

namespace sentinel::notify {

// What is sent at once: the alerts of one rule for one notifier, grouped within group_wait.
struct Message {
  std::string notifier;   // its name
  std::string group_key;  // "<rule id>/<notifier id>"
  std::vector<alert::AlertNotification> alerts;
  // "firing" when any alert fires, else "resolved".
  std::string status() const;
  std::string title() const;    // "[FIRING:2] HighCpu"
  std::string summary() const;  // one line per alert
};

// How a mail is handed to the smarthost: the SMTP envelope, the transport's security and the
// credentials. Its request's url is "smtp://host:port" (STARTTLS or plain) or "smtps://host:port"
// (TLS from the first byte).
struct MailEnvelope {
  std::string from;
  std::vector<std::string> recipients;
  bool starttls = true;  // smtp://: refuse a server that does not offer STARTTLS
  std::string username;  // empty: no AUTH
  std::string password;
  std::string tls_ca;  // PEM file; empty: the system's trust store
  bool tls_skip_verify = false;
};

struct ChannelRequest {
  std::string url;
  http::Headers headers;
  std::string body;                  // JSON, or the RFC 5322 message for a mail
  std::optional<MailEnvelope> mail;  // set for smtp:// and smtps:// urls
};

// A notifier's settings with its secrets opened: one JSON object.
using Settings = nlohmann::json;

class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string_view type() const = 0;
  // Keys of the settings that are secrets: sealed at rest, masked in every GET.
  virtual std::vector<std::string_view> secret_keys() const = 0;
  // What is wrong with `settings` (a missing URL), naming the key; nullopt when fine.
  virtual std::optional<std::string> check(const Settings& settings) const = 0;
  virtual std::vector<ChannelRequest> format(const Message& message,
                                             const Settings& settings) const = 0;
};

// The channel for `type`, or null when there is none.
const Channel* find_channel(std::string_view type);
std::vector<std::string_view> channel_types();

}  // namespace sentinel::notify
