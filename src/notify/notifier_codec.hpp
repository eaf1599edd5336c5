#pragma once
// Notifiers as the API sees them and as the store keeps them: the settings a request gives are
// split by the channel's secret keys; the secrets are sealed (AES-256-GCM under a key derived
// from the master key, bound to the notifier's id) and shown as "***" in every answer.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sentinel/alert/rule.hpp"
#include "sentinel/core/crypto.hpp"
#include "sentinel/store/alerting.hpp"

#include "channel.hpp"

namespace sentinel::notify {

inline constexpr std::string_view kMask = "***";

class NotifierCodec {
 public:
  // An empty master key can store notifiers without secrets only.
  explicit NotifierCodec(const std::string& master_key);

  // A notifier from an API body (create: `before` unset; update: the stored one, whose secrets
  // stay where the body omits them or repeats the mask). Errors name their field.
  std::variant<store::NotifierRow, std::vector<alert::RuleError>> from_request(
      const nlohmann::json& body, std::string id, const store::NotifierRow* before,
      std::int64_t now) const;
  // The notifier as the API shows it, secrets masked.
  nlohmann::json to_json(const store::NotifierRow& row) const;
  // Settings with the secrets opened, for sending; nullopt when they do not open (another
  // master key).
  std::optional<Settings> settings(const store::NotifierRow& row) const;

 private:
  std::optional<core::SealingKey> key_;
};

}  // namespace sentinel::notify
