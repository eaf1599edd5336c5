#pragma once
// JSON shapes of the alerting API, and the answers shared by its handlers.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sentinel/alert/api_support.hpp"
#include "sentinel/alert/rule.hpp"
#include "sentinel/core/result.hpp"
#include "sentinel/http/message.hpp"
#include "sentinel/store/alerting.hpp"

namespace sentinel::alert {

nlohmann::json to_json(const store::AlertInstanceRow& row);
nlohmann::json to_json(const store::AlertEventRow& row);
nlohmann::json to_json(const store::SilenceRow& row);
// The stored rule as the API shows it: its definition with id, source and enabled from the row.
nlohmann::json rule_json(const store::AlertRuleRow& row);

}  // namespace sentinel::alert
