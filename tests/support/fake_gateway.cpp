#include "support/fake_gateway.hpp"

#include <algorithm>
#include <zstd.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/proto/signing.hpp"

namespace sentinel::test {
namespace {

namespace asio = boost::asio;

http::Response protobuf(const google::protobuf::Message& message) {
  http::Response response{200, {}, message.SerializeAsString(), {}};
  response.headers.set("Content-Type", "application/x-protobuf");
  return response;
}

std::optional<std::string> body_of(const http::Request& request, bool& compressed) {
  compressed = request.headers.get("Content-Encoding") == "zstd";
  if (!compressed) return request.body;
  const auto size = ZSTD_getFrameContentSize(request.body.data(), request.body.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return std::nullopt;
  std::string out(size, '\0');
  const auto n = ZSTD_decompress(out.data(), out.size(), request.body.data(), request.body.size());
  if (ZSTD_isError(n)) return std::nullopt;
  out.resize(n);
  return out;
}

template <class Method>
http::Handler route(FakeGateway* self, Method method) {
  return [self, method](http::Request& request) -> asio::awaitable<http::Response> {
    co_return (self->*method)(request);
  };
}

}  // namespace

FakeGateway::FakeGateway(ServerSettings settings) : server_(std::move(settings)) {
  server_.router().add(http::Method::kPost, "/v1/push", route(this, &FakeGateway::push));
  server_.router().add(http::Method::kPost, "/v1/heartbeat", route(this, &FakeGateway::heartbeat));
  server_.router().add(http::Method::kPost, "/v1/agents/enroll", route(this, &FakeGateway::enroll));
}

void FakeGateway::script(PushScript script) {
  std::lock_guard lock(mutex_);
  script_ = std::move(script);
}

void FakeGateway::rotate_to(const std::string& key_id) {
  std::lock_guard lock(mutex_);
  pending_rotation_ = key_id;
}

void FakeGateway::add_key(const std::string& key_id, const std::string& secret) {
  std::lock_guard lock(mutex_);
  secrets_[key_id] = secret;
}

http::Response FakeGateway::enroll(const http::Request& request) {
  v1::EnrollRequest enrol;
  if (!enrol.ParseFromString(request.body))
    return http::error_response(400, "malformed_request", "");
  std::lock_guard lock(mutex_);
  if (enrol.bootstrap_token() != kToken) {
    return http::error_response(401, "invalid_bootstrap_token", "unknown token");
  }
  ++enrolments_;
  v1::EnrollResponse response;
  response.set_agent_id(std::string(kAgentId));
  response.set_key_id("key-1");
  response.set_secret(core::random_bytes(32));
  secrets_[response.key_id()] = response.secret();
  return protobuf(response);
}

bool FakeGateway::verified(const std::string& agent_id, const std::string& key_id,
                           bool ok_signature) {
  if (agent_id == kAgentId && secrets_.contains(key_id) && ok_signature) return true;
  ++bad_signatures_;
  return false;
}

http::Response FakeGateway::push(const http::Request& request) {
  bool compressed = false;
  auto body = body_of(request, compressed);
  v1::PushRequest message;
  if (!body || !message.ParseFromString(*body) || message.batches_size() == 0) {
    return http::error_response(400, "malformed_request", "undecodable push");
  }
  std::lock_guard lock(mutex_);
  Push push{{message.batches().begin(), message.batches().end()}, {}, compressed};
  for (const auto& envelope : push.envelopes) {
    auto secret = secrets_.find(envelope.key_id());
    const bool ok_signature =
        secret != secrets_.end() &&
        proto::verify(secret->second, proto::signing_input(envelope), envelope.signature());
    if (!verified(envelope.agent_id(), envelope.key_id(), ok_signature)) {
      return http::error_response(401, "bad_signature", "signature does not verify");
    }
    last_signing_secret_ = secret->second;
    push.batches.emplace_back().ParseFromString(envelope.batch());
  }
  keys_used_.push_back(push.envelopes.front().key_id());
  pushes_.push_back(push);
  if (script_) {
    if (auto scripted = script_(push, pushes_.size() - 1)) {
      if (scripted->status == 200) {
        v1::PushResponse response;
        response.ParseFromString(scripted->body);
        for (const auto& result : response.results()) {
          if (result.status() == v1::BATCH_STATUS_ACCEPTED) accepted_.push_back(result.batch_id());
        }
      }
      return *scripted;
    }
  }
  return default_answer(push);
}

http::Response FakeGateway::default_answer(const Push& push) {
  std::vector<v1::BatchStatus> statuses;
  for (const auto& batch : push.batches) {
    const bool seen =
        std::find(accepted_.begin(), accepted_.end(), batch.batch_id()) != accepted_.end();
    statuses.push_back(seen ? v1::BATCH_STATUS_DUPLICATE : v1::BATCH_STATUS_ACCEPTED);
    if (!seen) accepted_.push_back(batch.batch_id());
  }
  std::optional<v1::KeyRotation> rotation;
  if (pending_rotation_) {
    const auto secret = core::random_bytes(32);
    rotation.emplace();
    rotation->set_key_id(*pending_rotation_);
    rotation->set_sealed_secret(
        proto::seal_rotated_secret(last_signing_secret_, *pending_rotation_, secret));
    rotation->set_previous_key_expires_at_ms(4'000'000'000'000);
    secrets_[*pending_rotation_] = secret;
    pending_rotation_.reset();
  }
  return answer(push, statuses, rotation ? &*rotation : nullptr);
}

http::Response FakeGateway::heartbeat(const http::Request& request) {
  v1::SignedHeartbeat envelope;
  if (!envelope.ParseFromString(request.body))
    return http::error_response(400, "malformed_request", "");
  std::lock_guard lock(mutex_);
  auto secret = secrets_.find(envelope.key_id());
  const bool ok_signature =
      secret != secrets_.end() &&
      proto::verify(secret->second, proto::signing_input(envelope), envelope.signature());
  if (!verified(envelope.agent_id(), envelope.key_id(), ok_signature)) {
    return http::error_response(401, "bad_signature", "signature does not verify");
  }
  heartbeats_.emplace_back().ParseFromString(envelope.heartbeat());
  v1::HeartbeatResponse response;
  response.set_server_time_ms(envelope.sent_at_ms());
  return protobuf(response);
}

http::Response FakeGateway::answer(const Push& push, const std::vector<v1::BatchStatus>& statuses,
                                   const v1::KeyRotation* rotation) {
  v1::PushResponse response;
  for (std::size_t i = 0; i < push.batches.size() && i < statuses.size(); ++i) {
    auto* result = response.add_results();
    result->set_batch_id(push.batches[i].batch_id());
    result->set_status(statuses[i]);
    if (statuses[i] == v1::BATCH_STATUS_REJECTED) result->set_message("too many labels");
  }
  if (rotation) *response.mutable_rotation() = *rotation;
  return protobuf(response);
}

std::vector<std::uint64_t> FakeGateway::accepted_ids() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

std::vector<std::uint64_t> FakeGateway::sent_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::uint64_t> ids;
  for (const auto& push : pushes_) {
    for (const auto& batch : push.batches)
      ids.push_back(batch.batch_id());
  }
  return ids;
}

std::vector<FakeGateway::Push> FakeGateway::pushes() const {
  std::lock_guard lock(mutex_);
  return pushes_;
}

std::vector<v1::Heartbeat> FakeGateway::heartbeats() const {
  std::lock_guard lock(mutex_);
  return heartbeats_;
}

std::size_t FakeGateway::enrolments() const {
  std::lock_guard lock(mutex_);
  return enrolments_;
}

std::size_t FakeGateway::bad_signatures() const {
  std::lock_guard lock(mutex_);
  return bad_signatures_;
}

std::vector<std::string> FakeGateway::keys_used() const {
  std::lock_guard lock(mutex_);
  return keys_used_;
}

}  // namespace sentinel::test
