#pragma once
// The message the channel tests format: one critical HighCpu alert of agt_1 at 97%, firing or
// resolved, for the notifier "ops".

#include <string>

#include "channel.hpp"

namespace sentinel::test {

inline notify::Message high_cpu_message(const std::string& status = "firing") {
  alert::AlertNotification a;
  a.fingerprint = "fp1";
  a.rule_id = "rul_1";
  a.rule_name = "HighCpu";
  a.agent_id = "agt_1";
  a.status = status;
  a.severity = "critical";
  a.value = 97;
  a.labels = {{"alertname", "HighCpu"}, {"agent", "agt_1"}};
  a.annotations = {{"summary", "agt_1 CPU at 97%"}};
  a.starts_at = 1'700'000'000'000;
  a.notification_id = 42;
  if (status == "resolved") a.ends_at = 1'700'000'060'000;
  return {"ops", "rul_1/ntf_1", {a}};
}

}  // namespace sentinel::test
