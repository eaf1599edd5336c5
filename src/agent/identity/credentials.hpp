#pragma once
// The identity in use: which key signs the next request, and how keys change. Enrolment sets it,
// the gateway rotates it (KeyRotation), a 401 makes the agent look again. Every change is saved
// through the IdentityStore before it is used. Not thread-safe: the agent's strand owns it.

#include <optional>

#include "agent/identity/identity_store.hpp"
#include "proto/sentinel.pb.h"

namespace sentinel::agent {

class Credentials {
 public:
  Credentials(IdentityStore store, core::Logger log)
      : store_(std::move(store)), log_(std::move(log)) {}

  // Reads the stored identity, if the agent has enrolled before.
  core::Status load();
  bool enrolled() const { return identity_.has_value(); }
  const std::string& agent_id() const { return identity_->agent_id; }
  const Identity& identity() const { return *identity_; }
  // The key to sign with: the current one, or the previous one while it is still valid after
  // the gateway refused the current one.
  const AgentKey& signing_key(std::int64_t now_ms);

  // The id to enrol with, the same for every attempt until enroll() (IdentityStore).
  core::Result<std::string> enrollment_id() const { return store_.enrollment_id(); }
  core::Status enroll(const v1::EnrollResponse& response);
  // Applies a rotation the gateway sent in answer to a request signed with `signed_with`. A
  // rotation to the key already in use is ignored, so the gateway may repeat it.
  core::Status rotate(const v1::KeyRotation& rotation, const AgentKey& signed_with);
  // The gateway answered 401 to a request signed with `refused`: switch to the other key when
  // it is still valid, and re-read the state file, which an operator may have replaced.
  void refused(const AgentKey& refused, std::int64_t now_ms);

 private:
  bool previous_valid(std::int64_t now_ms) const;
  core::Status save();

  IdentityStore store_;
  core::Logger log_;
  std::optional<Identity> identity_;
  bool use_previous_ = false;
};

}  // namespace sentinel::agent
