#pragma once
// What the alerting hands the notifiers: one alert as it is at a transition, the payload of an
// outbox row. The notify subsystem groups several into one message and formats it per channel.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sentinel/alert/rule.hpp"

namespace sentinel::alert {

struct AlertNotification {
  std::string fingerprint;
  std::string rule_id;
  std::string rule_name;
  std::string agent_id;
  std::string status;  // "firing" or "resolved"
  std::string severity;
  double value = 0;
  Labels labels;       // alertname, agent, severity, the rule's labels and the series' labels
  Labels annotations;  // rendered
  std::int64_t starts_at = 0;  // Unix ms
  std::int64_t ends_at = 0;    // 0 while firing
  bool repeat = false;         // a reminder for an alert still firing
  // The outbox row that carries it, set by the sender (0 before): the same on every redelivery,
  // so that a receiver can drop the duplicates at-least-once delivery may bring. Not part of
  // the stored payload.
  std::int64_t notification_id = 0;
  bool operator==(const AlertNotification&) const = default;
};

nlohmann::json to_json(const AlertNotification& n);
// nullopt when `payload` is not an alert notification.
std::optional<AlertNotification> notification_from_json(const nlohmann::json& payload);

}  // namespace sentinel::alert
