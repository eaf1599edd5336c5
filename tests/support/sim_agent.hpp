#pragma once
// Acts as an agent toward a gateway: builds batches and signs envelopes exactly as src/agent
// does (sentinel::proto signing), so that tests can push genuine, forged, stale or replayed
// requests at a real gateway.

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/core/unix_time.hpp"

#include "proto/sentinel.pb.h"
#include "support/http_client.hpp"

namespace sentinel::test {

// An enrolled agent that signs its requests the way src/agent does.
struct SimAgent {
  std::string agent_id;
  std::string key_id;
  std::string secret;

  v1::Batch batch(std::uint64_t batch_id, int metrics = 3) const;
  v1::SignedBatch sign(const v1::Batch& batch, std::int64_t sent_at_ms = core::unix_ms()) const;
  v1::SignedHeartbeat heartbeat(const v1::HostFacts& facts) const;
};

// The body of POST /v1/push holding `batches`.
std::string push_body(const std::vector<v1::SignedBatch>& batches);

// The code of a JSON error body ({"error": {"code": ...}}), or "" when there is none.
std::string error_code(const HttpReply& reply);

}  // namespace sentinel::test
