// The instance state machine, table-driven: each case is a sequence of evaluations (time,
// breached) and the state expected after each.

#include "sentinel/alert/state_machine.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace sentinel::alert;
using namespace std::chrono_literals;

namespace {

struct Tick {
  std::int64_t at;  // ms
  bool breached;
  AlertState expected;
};

struct Case {
  std::string name;
  Timing timing;
  std::vector<Tick> ticks;
};

constexpr auto Ok = AlertState::kOk;
constexpr auto Pending = AlertState::kPending;
constexpr auto Firing = AlertState::kFiring;
constexpr auto Resolved = AlertState::kResolved;

InstanceState run(const Case& c, InstanceState state = {}) {
  for (const auto& tick : c.ticks) {
    INFO(c.name << " at " << tick.at << "ms");
    const auto step = advance(state, tick.breached, tick.at, c.timing);
    CHECK(step.changed == (step.next.state != state.state));
    state = step.next;
    CHECK(to_string(state.state) == to_string(tick.expected));
  }
  return state;
}

}  // namespace

TEST_CASE("state machine: transitions by table") {
  const std::vector<Case> cases = {
      {"for 0 fires at once, resolves, then forgets",
       {0ms, 0ms},
       {{0, false, Ok},
        {1000, true, Firing},
        {2000, true, Firing},
        {3000, false, Resolved},
        {4000, false, Ok}}},
      {"for holds pending until it has passed",
       {3s, 0ms},
       {{0, true, Pending},
        {1000, true, Pending},
        {2999, true, Pending},
        {3000, true, Firing},
        {4000, false, Resolved},
        {5000, false, Ok}}},
      {"a breach that ends while pending never fires",
       {3s, 0ms},
       {{0, true, Pending},
        {1000, true, Pending},
        {2000, false, Ok},
        {3000, true, Pending},
        {5000, true, Pending},
        {6000, true, Firing}}},
      {"flapping faster than for never fires",
       {2s, 0ms},
       {{0, true, Pending},
        {1000, false, Ok},
        {2000, true, Pending},
        {3000, false, Ok},
        {4000, true, Pending},
        {5000, false, Ok}}},
      {"keep_firing_for holds firing through short gaps",
       {0ms, 3s},
       {{0, true, Firing},
        {1000, false, Firing},
        {2000, true, Firing},
        {3000, false, Firing},
        {4000, false, Firing},
        {5000, false, Resolved},
        {6000, false, Ok}}},
      {"flapping with keep_firing_for fires once and stays",
       {0ms, 2s},
       {{0, true, Firing},
        {1000, false, Firing},
        {2000, true, Firing},
        {3000, false, Firing},
        {4000, true, Firing},
        {5000, false, Firing},
        {7000, false, Resolved}}},
      {"a resolved instance that breaches again starts over",
       {2s, 0ms},
       {{0, true, Pending},
        {2000, true, Firing},
        {3000, false, Resolved},
        {4000, true, Pending},
        {5000, true, Pending},
        {6000, true, Firing}}},
      {"resolved then breached with for 0 fires again",
       {0ms, 0ms},
       {{0, true, Firing}, {1000, false, Resolved}, {2000, true, Firing}}},
  };
  for (const auto& c : cases)
    run(c);
}

TEST_CASE("state machine: times recorded on the way") {
  InstanceState s;
  s = advance(s, true, 1000, {2s, 1s}).next;
  CHECK(s.pending_since == 1000);
  s = advance(s, true, 3000, {2s, 1s}).next;
  CHECK(s.state == Firing);
  CHECK(s.firing_since == 3000);
  CHECK(s.pending_since == 1000);
  s = advance(s, false, 3500, {2s, 1s}).next;
  CHECK(s.state == Firing);
  CHECK(s.last_breach == 3000);
  s = advance(s, false, 4000, {2s, 1s}).next;
  CHECK(s.state == Resolved);
  CHECK(s.resolved_at == 4000);
}

TEST_CASE("state machine: a restart continues a pending timer where it stopped") {
  const Timing timing{10s, 0ms};
  auto before = advance({}, true, 0, timing).next;
  before = advance(before, true, 4000, timing).next;
  REQUIRE(before.state == Pending);
  // The state as saved to the database and loaded by another process, 5 s later.
  const InstanceState loaded = before;
  auto after = advance(loaded, true, 9000, timing);
  CHECK(after.next.state == Pending);
  after = advance(after.next, true, 10000, timing);
  CHECK(after.changed);
  CHECK(after.next.state == Firing);
}

TEST_CASE("state machine: a restart does not fire a firing instance again") {
  const Timing timing{0ms, 0ms};
  const auto firing = advance({}, true, 0, timing).next;
  const auto again = advance(firing, true, 60'000, timing);
  CHECK_FALSE(again.changed);
  CHECK(again.next.firing_since == 0);
}

TEST_CASE("state machine: an edited rule's timing applies to the running timer") {
  auto s = advance({}, true, 0, {10min, 0ms}).next;
  s = advance(s, true, 60'000, {10min, 0ms}).next;
  REQUIRE(s.state == Pending);
  // `for` shortened from 10 minutes to 1 minute: the minute already passed counts.
  const auto step = advance(s, true, 61'000, {1min, 0ms});
  CHECK(step.next.state == Firing);
  CHECK(step.next.pending_since == 0);
  // keep_firing_for lengthened while firing: the instance stays.
  const auto kept = advance(step.next, false, 70'000, {1min, 30s});
  CHECK(kept.next.state == Firing);
}

TEST_CASE("state machine: names") {
  for (auto state : {Ok, Pending, Firing, Resolved})
    CHECK(alert_state_from_string(to_string(state)) == state);
  CHECK_FALSE(alert_state_from_string("bogus"));
  CHECK(notifies(Firing));
  CHECK(notifies(Resolved));
  CHECK_FALSE(notifies(Pending));
  CHECK_FALSE(notifies(Ok));
}
