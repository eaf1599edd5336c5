#pragma once
// The agent role's component (`agent`): collectors and exec plugins write batches to a WAL, an
// exporter drains the WAL to the gateway over signed pushes, and enrolment, heartbeats and key
// rotation keep the agent's identity. src/agent/README.md has the picture and the threading.

#include <memory>

#include "sentinel/agent/config.hpp"
#include "sentinel/core/component.hpp"

namespace sentinel::agent {

class Agent final : public core::Component {
 public:
  static constexpr std::string_view kName = "agent";
  using Config = AgentConfig;

  Agent(const Config& config, core::ComponentContext& context);
  ~Agent() override;

  // Opens the identity and the WAL (errors here stop the start: a locked WAL, a wrong master
  // key), drops privileges if asked, then starts the loops.
  void start() override;
  // Cancels the loops, waits for them, and closes the WAL after a final fsync.
  void stop(core::Deadline deadline) override;
  // Live settings: the bootstrap token, for an agent waiting to enrol.
  void reload(const Config& config);
  // Not ready before enrolment or while the gateway refuses the agent's key.
  core::Readiness readiness() const override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::agent
