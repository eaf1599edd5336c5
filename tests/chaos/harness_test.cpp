// The chaos suite's own parts, without processes: a seed replays its schedule, a short schedule
// has every kind of fault, and the verdict names lost and duplicated samples.

#include <catch2/catch.hpp>

#include "sentinel/agent/synthetic.hpp"

#include "accounting.hpp"
#include "schedule.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

const chaos::Targets kTargets{
    {"agent-1", "agent-2", "agent-3"}, {"gateway-1", "gateway-2"}, {"worker-1", "worker-2"}};

bool has(const std::vector<chaos::Fault>& faults, chaos::FaultKind kind, std::string_view prefix) {
  return std::any_of(faults.begin(), faults.end(), [&](const chaos::Fault& fault) {
    return fault.kind == kind && fault.target.starts_with(prefix);
  });
}

std::vector<double> values(std::initializer_list<std::uint64_t> seqs) {
  std::vector<double> values;
  for (const auto seq : seqs)
    values.push_back(agent::synthetic_value(seq));
  return values;
}

chaos::StoredSamples totals(const std::vector<double>& values) {
  chaos::StoredSamples stored{static_cast<std::int64_t>(values.size()), 0};
  for (const double value : values)
    stored.sum += value;
  return stored;
}

}  // namespace

TEST_CASE("chaos harness: a seed gives the same schedule, with every fault kind in 10 faults",
          "[chaos]") {
  const auto schedule = chaos::make_schedule(42, 10, 60s, kTargets);
  REQUIRE(schedule.size() == 10);
  const auto again = chaos::make_schedule(42, 10, 60s, kTargets);
  for (std::size_t i = 0; i < schedule.size(); ++i)
    CHECK(chaos::describe(schedule[i]) == chaos::describe(again[i]));
  const auto other = chaos::make_schedule(43, 10, 60s, kTargets);
  bool differs = false;
  for (std::size_t i = 0; i < schedule.size(); ++i)
    differs = differs || chaos::describe(schedule[i]) != chaos::describe(other[i]);
  CHECK(differs);

  for (const auto* prefix : {"agent-", "gateway-", "worker-", "nats", "postgres"})
    CHECK(has(schedule, chaos::FaultKind::kKill, prefix));
  CHECK(has(schedule, chaos::FaultKind::kPause, ""));
  CHECK(has(schedule, chaos::FaultKind::kNetworkCut, "network"));
  for (std::size_t i = 1; i < schedule.size(); ++i)
    CHECK(schedule[i - 1].at + schedule[i - 1].duration < schedule[i].at);
}

TEST_CASE("chaos harness: the verdict names lost and duplicated samples", "[chaos]") {
  const chaos::AgentWal wal{2, 3, 6, 0};  // held 2 batches after tag 3, drained to tag 6
  const auto exact = values({1, 2, 3, 4, 5, 6});
  CHECK(chaos::judge("a", wal, totals(exact), [&] { return exact; }).ok());

  // One lost and one stored twice: the count still matches, the checksum does not.
  const auto swapped = values({1, 2, 2, 4, 5, 6});
  const auto verdict = chaos::judge("a", wal, totals(swapped), [&] { return swapped; });
  CHECK_FALSE(verdict.ok());
  CHECK(verdict.missing == std::vector<std::uint64_t>{3});
  CHECK(verdict.duplicated == std::vector<std::uint64_t>{2});
  CHECK(verdict.describe().find("LOST 1 samples: 3") != std::string::npos);

  const auto beyond = values({1, 2, 3, 4, 5, 6, 7});
  CHECK(chaos::judge("a", wal, totals(beyond), [&] { return beyond; }).unexpected ==
        std::vector<std::uint64_t>{7});

  // What the agent held must have come out of its WAL, and nothing may stay unacknowledged.
  CHECK_FALSE(chaos::judge("a", {2, 5, 6, 0}, totals(exact), [&] { return exact; }).ok());
  CHECK_FALSE(chaos::judge("a", {0, 6, 6, 1}, totals(exact), [&] { return exact; }).ok());
}

TEST_CASE("chaos harness: webhook messages give each alert's notification id and transition time",
          "[chaos]") {
  const std::string firing = R"({"alerts": [
      {"notification_id": 7, "fingerprint": "f1", "status": "firing",
       "starts_at": "2023-11-14T22:13:20.250Z", "ends_at": null}]})";
  const std::string resolved = R"({"alerts": [
      {"notification_id": 9, "fingerprint": "f1", "status": "resolved",
       "starts_at": "2023-11-14T22:13:20.250Z", "ends_at": "2023-11-14T22:14:00.000Z"}]})";
  const auto deliveries = chaos::deliveries_in({firing, resolved});
  REQUIRE(deliveries.size() == 2);
  CHECK(deliveries[0].notification_id == 7);
  CHECK(deliveries[0].status == "firing");
  CHECK(deliveries[0].at_ms == 1'700'000'000'250);  // the time the instance started firing
  CHECK(deliveries[1].at_ms == 1'700'000'040'000);  // the time it resolved
  CHECK_THROWS(chaos::deliveries_in({R"({"alerts": [{"status": "firing"}]})"}));
}
