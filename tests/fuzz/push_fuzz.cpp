// The gateway's push decoder takes bytes from anyone on the network before any authentication:
// Content-Encoding undone under a cap, the PushRequest parsed, and each batch parsed and checked
// (handle_push, src/gateway/push.cpp). The first input byte picks the encoding, the rest is the
// body. Invariants: nothing crashes, no decoded body exceeds the cap, every refusal is a 4xx,
// and a batch that passes the checks keeps within the limits.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include <google/protobuf/stubs/logging.h>

#include "sentinel/proto/signing.hpp"

#include "gateway/body_decoder.hpp"
#include "gateway/handlers.hpp"
#include "proto/sentinel.pb.h"

using namespace sentinel;

namespace {

constexpr std::size_t kMaxBytes = 1 << 20;  // a small cap, so that bombs are cheap to find
constexpr const char* kEncodings[] = {"identity", "zstd", "gzip", "br"};

void check_batches(const v1::PushRequest& push) {
  const gateway::BatchLimits limits;
  for (const auto& envelope : push.batches()) {
    const auto input = proto::signing_input(envelope);
    if (input.payload.size() != envelope.batch().size()) std::abort();
    v1::Batch batch;
    if (!batch.ParseFromString(envelope.batch())) continue;
    if (gateway::batch_problem(batch, envelope.agent_id(), limits)) continue;
    if (batch.batch_id() == 0 ||
        static_cast<std::size_t>(batch.metrics_size()) > limits.max_metrics) {
      std::abort();
    }
  }
}

}  // namespace

// Protobuf logs every string field with invalid UTF-8; quiet, the fuzzer runs several times faster.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  http::Request request;
  request.headers.set("Content-Type", "application/x-protobuf");
  request.headers.set("Content-Encoding", kEncodings[data[0] % std::size(kEncodings)]);
  request.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto decoded = gateway::decode_body(request, kMaxBytes);
  if (const auto* refused = std::get_if<http::Response>(&decoded)) {
    if (refused->status < 400 || refused->status >= 500) std::abort();
    return 0;
  }
  const auto& body = std::get<std::string>(decoded);
  if (body.size() > kMaxBytes) std::abort();
  v1::PushRequest push;
  if (push.ParseFromString(body)) check_batches(push);
  return 0;
}
