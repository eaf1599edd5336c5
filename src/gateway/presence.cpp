#include "presence.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::gateway {

std::string_view agent_status(const store::Agent& agent, std::int64_t now,
                              const Gateway::Config& config) {
  if (!agent.enabled) return "disabled";
  if (!agent.last_seen) return "offline";
  const auto age = now - *agent.last_seen;
  if (age <= config.stale_after.count()) return "online";
  if (age <= config.offline_after.count()) return "stale";
  return "offline";
}

boost::asio::awaitable<core::Result<std::vector<store::Agent>>> load_fleet(store::Store& store) {
  co_return co_await store.run(
      [](store::Session& session) {
        std::vector<store::Agent> fleet;
        store::PageRequest page{.limit = 1000, .cursor = {}};
        do {
          auto found = session.agents().list({}, page);
          std::move(found.agents.begin(), found.agents.end(), std::back_inserter(fleet));
          page.cursor = found.next_cursor;
        } while (!page.cursor.empty());
        return fleet;
      },
      store::Access::kRead);
}

boost::asio::awaitable<void> PresenceMonitor::run() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    auto fleet = co_await load_fleet(services_.store);
    if (fleet) update(*fleet);
    timer.expires_after(services_.config.presence_interval);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

void PresenceMonitor::update(const std::vector<store::Agent>& fleet) {
  const auto now = core::unix_ms();
  std::map<std::string, double> counts{
      {"online", 0}, {"stale", 0}, {"offline", 0}, {"disabled", 0}};
  std::map<std::string, std::string, std::less<>> current;
  for (const auto& agent : fleet) {
    const std::string status(agent_status(agent, now, services_.config));
    counts[status] += 1;
    auto previous = last_.find(agent.id);
    const bool changed = previous == last_.end() ? !first_ : previous->second != status;
    // The first pass after start only learns the fleet: nothing changed that anyone saw.
    if (changed && status != "disabled") {
      services_.events.publish("agent_" + status, {{"agent_id", agent.id},
                                                   {"name", agent.name},
                                                   {"last_seen", agent.last_seen.value_or(0)}});
    }
    current.emplace(agent.id, status);
  }
  for (const auto& [status, count] : counts)
    services_.metrics.agents.with({status}).set(count);
  last_ = std::move(current);
  first_ = false;
}

}  // namespace sentinel::gateway
