#pragma once
// The life of one alert instance (a rule applied to one series or agent), as pure logic:
//
//   Ok --breach--> Pending --breach held for `for`--> Firing --no breach for keep_firing_for-->
//   Resolved --next evaluation--> Ok (forgotten)
//
// `for` = 0 goes from Ok straight to Firing. A Pending instance whose breach ends goes back to
// Ok without notifying anyone. A Resolved instance that breaches again starts over (Pending, or
// Firing with `for` = 0). Every time comes from the caller, and the whole state is a plain value,
// so state saved in the database and loaded after a restart or failover continues exactly where
// it stopped: no timer restarts, nothing fires twice.

#include <cstdint>
#include <optional>
#include <string_view>

#include "sentinel/core/config_types.hpp"

namespace sentinel::alert {

enum class AlertState { kOk, kPending, kFiring, kResolved };

std::string_view to_string(AlertState state);
std::optional<AlertState> alert_state_from_string(std::string_view text);

// Times are Unix milliseconds; 0 means unset.
struct InstanceState {
  AlertState state = AlertState::kOk;
  std::int64_t pending_since = 0;  // when the current breach began
  std::int64_t firing_since = 0;
  std::int64_t last_breach = 0;  // the latest evaluation that breached (keep_firing_for)
  std::int64_t resolved_at = 0;
  bool operator==(const InstanceState&) const = default;
};

struct Timing {
  core::Duration for_duration{0};
  core::Duration keep_firing_for{0};
};

struct Step {
  InstanceState next;
  bool changed = false;  // next.state differs from the state before
};

// One evaluation at `now`: `breached` says whether the rule's condition holds for the instance.
// Timing is read at each step, so an edited rule's new `for` applies to a pending timer at once.
Step advance(const InstanceState& current, bool breached, std::int64_t now, const Timing& timing);

// Whether a transition into `state` is something to tell people about.
bool notifies(AlertState state);

}  // namespace sentinel::alert
