#pragma once
// The chaos suite's fault schedule: a list of faults drawn from a seed, so that a failing run is
// repeated exactly by running again with the seed it printed.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sentinel::chaos {

enum class FaultKind {
  kKill,        // kill -9, down for `duration`, then started again
  kPause,       // SIGSTOP for `duration`, then SIGCONT
  kNetworkCut,  // the proxy between agents and gateways drops and refuses connections
};

struct Fault {
  std::chrono::milliseconds at;  // from the start of the load
  FaultKind kind;
  std::string target;  // a component's name; "network" for a cut
  std::chrono::milliseconds duration;
};

// The components a schedule may pick, by class: each class's kill is a fault kind of its own,
// so that a short schedule kills one of every class before it repeats any.
struct Targets {
  std::vector<std::string> agents, gateways, workers;
  std::string nats = "nats", postgres = "postgres";
};

// `count` faults spread evenly over `length`, each within its own slot, so they never overlap.
// The first ones are a shuffle of every fault kind (a kill of each class, a pause, a cut) so that
// a run of at least that many faults has one of each; the rest are drawn at random.
std::vector<Fault> make_schedule(std::uint64_t seed, int count, std::chrono::milliseconds length,
                                 const Targets& targets);

// "+12.3s kill -9 gateway-2, down 1.2s".
std::string describe(const Fault& fault);

}  // namespace sentinel::chaos
