#include "support/sim_agent.hpp"

#include <nlohmann/json.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/proto/signing.hpp"

namespace sentinel::test {

v1::Batch SimAgent::batch(std::uint64_t batch_id, int metrics) const {
  v1::Batch batch;
  batch.set_agent_id(agent_id);
  batch.set_batch_id(batch_id);
  batch.set_created_at_ms(core::unix_ms());
  for (int i = 0; i < metrics; ++i) {
    auto* metric = batch.add_metrics();
    metric->set_name("cpu_usage_percent");
    metric->set_type(v1::METRIC_TYPE_GAUGE);
    metric->set_double_value(i * 1.5);
    metric->set_timestamp_ms(core::unix_ms());
    auto* label = metric->add_labels();
    label->set_name("core");
    label->set_value(std::to_string(i));
  }
  return batch;
}

v1::SignedBatch SimAgent::sign(const v1::Batch& batch, std::int64_t sent_at_ms) const {
  v1::SignedBatch envelope;
  envelope.set_agent_id(agent_id);
  envelope.set_batch(batch.SerializeAsString());
  proto::sign_envelope(envelope, key_id, secret, sent_at_ms);
  return envelope;
}

v1::SignedHeartbeat SimAgent::heartbeat(const v1::HostFacts& facts) const {
  v1::Heartbeat heartbeat;
  heartbeat.set_agent_id(agent_id);
  *heartbeat.mutable_facts() = facts;
  v1::SignedHeartbeat envelope;
  envelope.set_agent_id(agent_id);
  envelope.set_heartbeat(heartbeat.SerializeAsString());
  proto::sign_envelope(envelope, key_id, secret, core::unix_ms());
  return envelope;
}

std::string push_body(const std::vector<v1::SignedBatch>& batches) {
  v1::PushRequest push;
  for (const auto& batch : batches)
    *push.add_batches() = batch;
  return push.SerializeAsString();
}

std::string error_code(const HttpReply& reply) {
  auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("error")) return "";
  return parsed["error"].value("code", "");
}

}  // namespace sentinel::test
