#include "sentinel/alert/notification.hpp"

namespace sentinel::alert {

nlohmann::json to_json(const AlertNotification& n) {
  return {{"fingerprint", n.fingerprint},
          {"rule_id", n.rule_id},
          {"rule_name", n.rule_name},
          {"agent_id", n.agent_id},
          {"status", n.status},
          {"severity", n.severity},
          {"value", n.value},
          {"labels", n.labels},
          {"annotations", n.annotations},
          {"starts_at", n.starts_at},
          {"ends_at", n.ends_at},
          {"repeat", n.repeat}};
}

std::optional<AlertNotification> notification_from_json(const nlohmann::json& payload) {
  try {
    AlertNotification n;
    n.fingerprint = payload.at("fingerprint").get<std::string>();
    n.rule_id = payload.at("rule_id").get<std::string>();
    n.rule_name = payload.at("rule_name").get<std::string>();
    n.agent_id = payload.at("agent_id").get<std::string>();
    n.status = payload.at("status").get<std::string>();
    n.severity = payload.at("severity").get<std::string>();
    n.value = payload.at("value").get<double>();
    n.labels = payload.at("labels").get<Labels>();
    n.annotations = payload.at("annotations").get<Labels>();
    n.starts_at = payload.at("starts_at").get<std::int64_t>();
    n.ends_at = payload.at("ends_at").get<std::int64_t>();
    n.repeat = payload.value("repeat", false);
    return n;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace sentinel::alert
