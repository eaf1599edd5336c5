#include "sentinel/alert/state_machine.hpp"

#include <array>
#include <utility>

namespace sentinel::alert {
namespace {

constexpr std::array<std::pair<std::string_view, AlertState>, 4> kNames = {{
    {"ok", AlertState::kOk},
    {"pending", AlertState::kPending},
    {"firing", AlertState::kFiring},
    {"resolved", AlertState::kResolved},
}};

// A new breach: Pending until `for` has passed, or Firing at once without one.
InstanceState begin_breach(std::int64_t now, const Timing& timing) {
  InstanceState next;
  next.pending_since = now;
  next.last_breach = now;
  if (timing.for_duration.count() == 0) {
    next.state = AlertState::kFiring;
    next.firing_since = now;
  } else {
    next.state = AlertState::kPending;
  }
  return next;
}

InstanceState on_pending(InstanceState s, bool breached, std::int64_t now, const Timing& timing) {
  if (!breached) return InstanceState{};
  s.last_breach = now;
  if (now - s.pending_since >= timing.for_duration.count()) {
    s.state = AlertState::kFiring;
    s.firing_since = now;
  }
  return s;
}

InstanceState on_firing(InstanceState s, bool breached, std::int64_t now, const Timing& timing) {
  if (breached) {
    s.last_breach = now;
    return s;
  }
  if (now - s.last_breach >= timing.keep_firing_for.count()) {
    s.state = AlertState::kResolved;
    s.resolved_at = now;
  }
  return s;
}

}  // namespace

std::string_view to_string(AlertState state) {
  for (const auto& [name, value] : kNames) {
    if (value == state) return name;
  }
  return "ok";
}

std::optional<AlertState> alert_state_from_string(std::string_view text) {
  for (const auto& [name, value] : kNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

Step advance(const InstanceState& current, bool breached, std::int64_t now, const Timing& timing) {
  InstanceState next;
  switch (current.state) {
    case AlertState::kOk:
    case AlertState::kResolved:
      next = breached ? begin_breach(now, timing) : InstanceState{};
      break;
    case AlertState::kPending:
      next = on_pending(current, breached, now, timing);
      break;
    case AlertState::kFiring:
      next = on_firing(current, breached, now, timing);
      break;
  }
  return {next, next.state != current.state};
}

bool notifies(AlertState state) {
  return state == AlertState::kFiring || state == AlertState::kResolved;
}

}  // namespace sentinel::alert
