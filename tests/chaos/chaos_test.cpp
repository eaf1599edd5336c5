// The chaos suite (docs/reliability.md): real processes on loopback under a seeded schedule of
// kill -9, SIGSTOP and network cuts while agents generate numbered samples; at the end every
// sample an agent's WAL acknowledged must be in PostgreSQL exactly once, and every alert
// transition notified once.
//
// SENTINEL_CHAOS_SEED (default random), SENTINEL_CHAOS_FAULTS (10), SENTINEL_CHAOS_SECONDS
// (6 per fault) and SENTINEL_CHAOS_AGENTS (3) choose the run; the seed and schedule are printed
// first, so that a failing run can be repeated.

#include <cstdlib>
#include <optional>
#include <random>
#include <regex>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accounting.hpp"
#include "schedule.hpp"
#include "support/agent_wal.hpp"
#include "system.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct RunOptions {
  std::uint64_t seed = 0;
  int faults = 10;
  std::chrono::milliseconds length{};
  chaos::SystemOptions system;
};

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::stoull(value) : fallback;
}

RunOptions run_options() {
  RunOptions options;
  options.seed = env_number("SENTINEL_CHAOS_SEED", std::random_device{}());
  options.faults = static_cast<int>(env_number("SENTINEL_CHAOS_FAULTS", 10));
  options.length = std::chrono::seconds(
      env_number("SENTINEL_CHAOS_SECONDS", 6 * static_cast<std::uint64_t>(options.faults)));
  options.system.agents = static_cast<int>(env_number("SENTINEL_CHAOS_AGENTS", 3));
  return options;
}

double seconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Sleeps until `when` (a fault's start or end is a point of the schedule, not a condition),
// starting again meanwhile whatever ended on its own.
void run_until(Clock::time_point when, chaos::ChaosSystem& system) {
  while (Clock::now() < when) {
    system.supervise();
    std::this_thread::sleep_for(std::min<Clock::duration>(when - Clock::now(), 250ms));
  }
}

// Applies one fault for its duration, then lets the target run again.
void inject(const chaos::Fault& fault, chaos::ChaosSystem& system) {
  const auto end = Clock::now() + fault.duration;
  switch (fault.kind) {
    case chaos::FaultKind::kKill: {
      auto& target = system.component(fault.target);
      target.kill();
      std::this_thread::sleep_until(end);
      target.start();
      break;
    }
    case chaos::FaultKind::kPause: {
      auto& target = system.component(fault.target);
      target.pause();
      std::this_thread::sleep_until(end);
      target.resume();
      break;
    }
    case chaos::FaultKind::kNetworkCut:
      system.proxy().cut();
      std::this_thread::sleep_until(end);
      system.proxy().restore();
      break;
  }
}

void run_load(const RunOptions& options, const std::vector<chaos::Fault>& schedule,
              chaos::ChaosSystem& system) {
  const auto start = Clock::now();
  for (const auto& fault : schedule) {
    run_until(start + fault.at, system);
    const auto late = Clock::now() - start - fault.at;
    if (late > 500ms) {
      fmt::print("  late: {} started {:.1f}s late\n", chaos::describe(fault), seconds(late));
      std::fflush(stdout);
    }
    inject(fault, system);
  }
  run_until(start + options.length, system);
}

std::filesystem::path wal_dir(const chaos::Daemon& agent) {
  return agent.dir() / "data" / "agent" / "wal";
}

// The workers' consumer has nothing left to deliver or to have acknowledged.
bool bus_drained(chaos::ChaosSystem& system) {
  static const std::regex pending(R"(sentinel_worker_consumer_(ack_)?pending (\d+))");
  for (const auto& worker : system.workers()) {
    const auto metrics = worker->metrics();
    int zeros = 0;
    for (std::sregex_iterator it(metrics.begin(), metrics.end(), pending), end; it != end; ++it)
      zeros += (*it)[2] == "0" ? 1 : 0;
    if (zeros == 2) return true;
  }
  return false;
}

// Ends the load with a network cut, so that the agents hold unacknowledged samples, and a
// last kill -9 of every agent; then restarts them without their generator until their WALs
// hold nothing unacknowledged. Returns each agent's WAL then and now.
std::map<std::string, chaos::AgentWal> drain(chaos::ChaosSystem& system) {
  constexpr auto kCut = 3s;
  system.proxy().cut();
  std::this_thread::sleep_for(kCut);
  std::map<std::string, chaos::AgentWal> wals;
  for (const auto& agent : system.agents()) {
    agent->kill();
    const auto wal = test::inspect_wal(wal_dir(*agent));
    wals[agent->name()] = {wal.unacked, wal.acked_tag};
  }
  system.proxy().restore();
  const auto restarted = Clock::now();
  for (const auto& agent : system.agents()) {
    auto env = agent->env();
    for (const auto& [key, value] : test::drain_only_env())
      env[key] = value;
    agent->set_env(env);
    agent->start();
  }
  const bool drained = test::eventually(
      [&] {
        system.supervise();
        bool all = true;
        for (const auto& agent : system.agents()) {
          const auto wal = test::inspect_wal(wal_dir(*agent));
          wals[agent->name()].acked_tag = wal.acked_tag;
          wals[agent->name()].unacked = wal.unacked;
          all = all && wal.readable && wal.unacked == 0;
        }
        return all;
      },
      180s);
  fmt::print("drain: {} after {:.1f}s\n", drained ? "every WAL acknowledged" : "WALs NOT DRAINED",
             seconds(Clock::now() - restarted));
  for (const auto& agent : system.agents()) {
    const bool stopped = agent->stop();
    if (!stopped) fmt::print("  {} did not exit 0 on SIGTERM\n", agent->name());
    CHECK(stopped);
  }
  CHECK(drained);
  return wals;
}

// Waits until the workers stored what the agents' WALs acknowledged, then judges every agent.
std::vector<chaos::Verdict> verdicts(chaos::ChaosSystem& system,
                                     const std::map<std::string, chaos::AgentWal>& wals) {
  const auto stored_enough = [&] {
    const auto stored = chaos::stored_per_agent(system.store_url());
    for (const auto& [agent, wal] : wals) {
      const auto it = stored.find(agent);
      if (it == stored.end() || it->second.count < static_cast<std::int64_t>(wal.acked_tag))
        return false;
    }
    return true;
  };
  const auto waited = Clock::now();
  const bool settled = test::eventually(
      [&] {
        system.supervise();
        return stored_enough() && bus_drained(system);
      },
      180s);
  fmt::print("stored: {} after {:.1f}s\n",
             settled ? "the acknowledged samples, bus drained" : "NOT SETTLED",
             seconds(Clock::now() - waited));
  CHECK(settled);
  const auto stored = chaos::stored_per_agent(system.store_url());
  std::vector<chaos::Verdict> verdicts;
  for (const auto& [agent, wal] : wals) {
    const auto it = stored.find(agent);
    verdicts.push_back(chaos::judge(
        agent, wal, it == stored.end() ? chaos::StoredSamples{} : it->second,
        [&, agent = agent] { return chaos::stored_values(system.store_url(), agent); }));
  }
  return verdicts;
}

// Waits until every transition's notification has left the outbox (the workers keep running:
// alerts still resolve as the windows empty), then judges the last look.
chaos::NotificationCheck notifications(chaos::ChaosSystem& system) {
  const auto received = [&] {
    std::vector<std::string> bodies;
    for (const auto& request : system.receiver().received())
      bodies.push_back(request.body);
    return chaos::deliveries_in(bodies);
  };
  chaos::NotificationCheck check;
  const auto waited = Clock::now();
  test::eventually(
      [&] {
        system.supervise();
        check = chaos::check_notifications(system.store_url(), received);
        return check.ok() && check.pending == 0;
      },
      60s);
  fmt::print("notified: last look after {:.1f}s\n", seconds(Clock::now() - waited));
  return check;
}

// The value of an unlabelled gauge in a /metrics text; nullopt when it is not there.
std::optional<double> gauge(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stod(metrics.substr(at + name.size() + 2));
}

// The worker whose `leader_gauge` says it leads, or null while none does.
chaos::Daemon* leader(chaos::ChaosSystem& system, const std::string& leader_gauge) {
  for (const auto& worker : system.workers()) {
    if (gauge(worker->metrics(), leader_gauge) == 1.0) return worker.get();
  }
  return nullptr;
}

}  // namespace

TEST_CASE("chaos: every acknowledged sample is stored exactly once through kills, pauses and cuts",
          "[chaos]") {
  const auto options = run_options();
  chaos::ChaosSystem system(options.system);
  const auto schedule =
      chaos::make_schedule(options.seed, options.faults, options.length, system.targets());
  // Few lines, so that a CI log's excerpt around the failure shows the verdicts too.
  std::vector<std::string> faults;
  for (const auto& fault : schedule)
    faults.push_back(chaos::describe(fault));
  fmt::print(
      "chaos: seed {} ({} faults over {}s, {} agents at {}/s): {}; then a cut, kill -9 of every "
      "agent and a drain-only restart\n",
      options.seed, options.faults, options.length.count() / 1000, options.system.agents,
      options.system.rate, fmt::join(faults, "; "));
  std::fflush(stdout);

  run_load(options, schedule, system);
  const auto wals = drain(system);
  bool all_ok = true;
  for (const auto& verdict : verdicts(system, wals)) {
    fmt::print("  {}\n", verdict.describe());
    all_ok = all_ok && verdict.ok();
    CHECK(verdict.ok());
  }
  const auto alerts = chaos::alert_history(system.store_url());
  fmt::print("  {}\n", alerts.describe());
  CHECK(alerts.ok());
  CHECK(alerts.firings > 0);  // the rule fires within seconds: none means alerting never ran
  all_ok = all_ok && alerts.ok();
  const auto sent = notifications(system);
  fmt::print("  {}\n", sent.describe());
  CHECK(sent.ok());
  CHECK(sent.pending == 0);
  CHECK(sent.received > 0);
  all_ok = all_ok && sent.ok() && sent.pending == 0;
  fmt::print("chaos: {} (seed {})\n",
             all_ok ? "PASS" : "FAIL: loss, duplicate, double alert or notification", options.seed);
  CHECK(wals.size() == static_cast<std::size_t>(options.system.agents));
}

// The leader failover of the alerting and of the notify sender, each on its own: kill -9 the
// worker that leads while the rule keeps firing and resolving, and the other one must go on
// from the saved state, notifying every transition once.
TEST_CASE(
    "chaos: killing the alerting or the notify leader neither doubles nor drops a notification",
    "[chaos]") {
  chaos::ChaosSystem system({.agents = 1});
  const auto received = [&] { return system.receiver().received().size(); };
  for (const std::string leader_gauge : {"sentinel_alert_leader", "sentinel_notify_leader"}) {
    const auto before = received();
    REQUIRE(test::eventually([&] { return received() >= before + 2; }, 60s));
    chaos::Daemon* killed = nullptr;
    REQUIRE(test::eventually(
        [&] {
          killed = leader(system, leader_gauge);
          return killed != nullptr;
        },
        30s));
    fmt::print("kill -9 {} ({} 1)\n", killed->name(), leader_gauge);
    std::fflush(stdout);
    killed->kill();
    // Transitions the other worker evaluated and sent, the killed one being gone.
    const auto at_kill = received();
    CHECK(test::eventually([&] { return received() >= at_kill + 2; }, 60s));
    killed->start();
  }
  for (const auto& agent : system.agents())
    CHECK(agent->stop());
  const auto sent = notifications(system);
  fmt::print("{}\n{}\n", sent.describe(), chaos::alert_history(system.store_url()).describe());
  CHECK(sent.ok());
  CHECK(sent.pending == 0);
  CHECK(chaos::alert_history(system.store_url()).ok());
}
