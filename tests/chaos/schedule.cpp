#include "schedule.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>

namespace sentinel::chaos {
namespace {

using std::chrono::milliseconds;

// What a schedule step draws first: a kill of one class of component, a pause, a cut.
enum class Step { kKillAgent, kKillGateway, kKillWorker, kKillNats, kKillPostgres, kPause, kCut };
constexpr int kSteps = 7;

// The seeded choices. libstdc++'s distributions are deterministic, so a seed replays the same
// schedule with the same build.
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : random_(seed) {}
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
  }
  const std::string& one_of(const std::vector<std::string>& names) {
    return names.at(static_cast<std::size_t>(between(0, std::ssize(names) - 1)));
  }
  std::mt19937_64& engine() { return random_; }

 private:
  std::mt19937_64 random_;
};

std::vector<Step> steps(Draw& draw, int count) {
  std::vector<Step> order;
  for (int i = 0; i < kSteps; ++i)
    order.push_back(static_cast<Step>(i));
  std::shuffle(order.begin(), order.end(), draw.engine());
  while (std::ssize(order) < count)
    order.push_back(static_cast<Step>(draw.between(0, kSteps - 1)));
  order.resize(static_cast<std::size_t>(count));
  return order;
}

std::vector<std::string> everyone(const Targets& targets) {
  std::vector<std::string> names = targets.agents;
  names.insert(names.end(), targets.gateways.begin(), targets.gateways.end());
  names.insert(names.end(), targets.workers.begin(), targets.workers.end());
  names.push_back(targets.nats);
  names.push_back(targets.postgres);
  return names;
}

Fault fault(Step step, Draw& draw, const Targets& targets) {
  switch (step) {
    case Step::kKillAgent:
      return {{}, FaultKind::kKill, draw.one_of(targets.agents), {}};
    case Step::kKillGateway:
      return {{}, FaultKind::kKill, draw.one_of(targets.gateways), {}};
    case Step::kKillWorker:
      return {{}, FaultKind::kKill, draw.one_of(targets.workers), {}};
    case Step::kKillNats:
      return {{}, FaultKind::kKill, targets.nats, {}};
    case Step::kKillPostgres:
      return {{}, FaultKind::kKill, targets.postgres, {}};
    case Step::kPause:
      return {{}, FaultKind::kPause, draw.one_of(everyone(targets)), {}};
    case Step::kCut:
      return {{}, FaultKind::kNetworkCut, "network", {}};
  }
  return {};
}

}  // namespace

std::vector<Fault> make_schedule(std::uint64_t seed, int count, milliseconds length,
                                 const Targets& targets) {
  Draw draw(seed);
  std::vector<Fault> faults;
  if (count <= 0) return faults;
  const auto slot = length.count() / count;
  for (const auto step : steps(draw, count)) {
    auto next = fault(step, draw, targets);
    // A fault lasts at most half its slot, so that the system runs unharmed for a while
    // between two faults and a kill's restart is not still going when the next one comes.
    // A pause or a cut lasts at least a second, longer than an agent's collection interval.
    const auto longest = std::max<std::int64_t>(slot / 2, 200);
    const std::int64_t shortest = next.kind == FaultKind::kKill ? 300 : 1000;
    next.duration = milliseconds(draw.between(std::min(shortest, longest), longest));
    next.at = milliseconds(slot * std::ssize(faults) + draw.between(0, slot / 4));
    faults.push_back(std::move(next));
  }
  return faults;
}

std::string describe(const Fault& fault) {
  const auto seconds = [](milliseconds time) { return static_cast<double>(time.count()) / 1000; };
  switch (fault.kind) {
    case FaultKind::kKill:
      return fmt::format("+{:.1f}s kill -9 {}, down {:.1f}s", seconds(fault.at), fault.target,
                         seconds(fault.duration));
    case FaultKind::kPause:
      return fmt::format("+{:.1f}s SIGSTOP {} for {:.1f}s", seconds(fault.at), fault.target,
                         seconds(fault.duration));
    case FaultKind::kNetworkCut:
      return fmt::format("+{:.1f}s network cut between agents and gateways for {:.1f}s",
                         seconds(fault.at), seconds(fault.duration));
  }
  return {};
}

}  // namespace sentinel::chaos
