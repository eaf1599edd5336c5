#include "agent/identity/credentials.hpp"

#include <fmt/format.h>

#include "sentinel/proto/signing.hpp"

namespace sentinel::agent {

core::Status Credentials::load() {
  auto loaded = store_.load();
  if (!loaded) return loaded.error();
  identity_ = std::move(*loaded);
  use_previous_ = false;
  return core::ok_status();
}

const AgentKey& Credentials::signing_key(std::int64_t now_ms) {
  if (use_previous_ && !previous_valid(now_ms)) use_previous_ = false;
  return use_previous_ ? *identity_->previous : identity_->current;
}

bool Credentials::previous_valid(std::int64_t now_ms) const {
  return identity_ && identity_->previous && identity_->previous->expires_at_ms > now_ms;
}

core::Status Credentials::enroll(const v1::EnrollResponse& response) {
  identity_ =
      Identity{response.agent_id(), {response.key_id(), response.secret(), 0}, std::nullopt};
  use_previous_ = false;
  if (auto saved = save(); !saved) return saved;
  if (auto forgotten = store_.forget_enrollment(); !forgotten) {
    log_.warn("enrolled, but the enrolment id stays: {}", forgotten.error().message);
  }
  return core::ok_status();
}

core::Status Credentials::rotate(const v1::KeyRotation& rotation, const AgentKey& signed_with) {
  if (!identity_ || rotation.key_id().empty() || rotation.key_id() == identity_->current.key_id) {
    return core::ok_status();
  }
  auto secret =
      proto::open_rotated_secret(signed_with.secret, rotation.key_id(), rotation.sealed_secret());
  if (!secret) {
    return core::Error{"bad_rotation",
                       fmt::format("the rotation to key {} does not open with key {}",
                                   rotation.key_id(), signed_with.key_id)};
  }
  AgentKey previous = identity_->current;
  previous.expires_at_ms = rotation.previous_key_expires_at_ms();
  identity_->previous = std::move(previous);
  identity_->current = AgentKey{rotation.key_id(), std::move(*secret), 0};
  use_previous_ = false;
  log_.info("switched to key {} (the previous key stays valid until {} ms)", rotation.key_id(),
            rotation.previous_key_expires_at_ms());
  return save();
}

void Credentials::refused(const AgentKey& refused, std::int64_t now_ms) {
  if (!identity_) return;
  const auto before = *identity_;
  if (auto reloaded = load(); !reloaded) {
    log_.error("cannot re-read the agent identity: {}", reloaded.error().message);
    identity_ = before;
  }
  if (*identity_ != before) {
    log_.warn("the agent identity file changed; using it");
    return;
  }
  use_previous_ = refused == identity_->current && previous_valid(now_ms);
  if (use_previous_) {
    log_.warn("the gateway refused key {}; falling back to key {} during its grace period",
              refused.key_id, identity_->previous->key_id);
  }
}

core::Status Credentials::save() {
  auto saved = store_.save(*identity_);
  if (!saved) log_.error("cannot save the agent identity: {}", saved.error().message);
  return saved;
}

}  // namespace sentinel::agent
