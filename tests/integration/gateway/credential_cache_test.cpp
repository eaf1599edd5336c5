// The gateway's credential caches against a change made while a lookup was under way: the
// lookup read before the change, the change invalidated the cache, then the lookup's answer
// arrived. That answer must not go back into the cache.
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "sentinel/store/session.hpp"

#include "backends.hpp"
#include "key_ring.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A store in front of another that answers only on release(): the work has run in the database,
// the caller has not heard back yet. Everything runs on the test's own io_context.
class LateAnswers final : public store::Store {
 public:
  LateAnswers(store::Store& inner, asio::io_context& io) : inner_(inner), io_(io) {}

  store::Backend backend() const override { return inner_.backend(); }
  core::Readiness readiness() const override { return inner_.readiness(); }
  void hold() { holding_ = true; }
  std::size_t held() const { return held_.size(); }
  void release() {
    holding_ = false;
    for (auto& job : held_)
      job.deliver();
    held_.clear();
  }

 protected:
  void submit(store::Access access, store::StoreJob job) override {
    asio::co_spawn(io_, forward(access, std::move(job)), asio::detached);
  }
  std::unique_ptr<store::Lease> acquire_lease(const std::string&) override {
    throw store::StoreError("unsupported", "no leases here", false);
  }

 private:
  asio::awaitable<void> forward(store::Access access, store::StoreJob job) {
    co_await inner_.run(
        [&job](store::Session& session) {
          job.run(session);
          return core::Unit{};
        },
        access);
    if (holding_)
      held_.push_back(std::move(job));
    else
      job.deliver();
  }

  store::Store& inner_;
  asio::io_context& io_;
  bool holding_ = false;
  std::vector<store::StoreJob> held_;
};

// Starts a lookup of `id`; `keys` gets the answer.
void look_up(asio::io_context& io, gateway::KeyRing& ring, const std::string& id,
             std::optional<gateway::AgentKeys>& keys) {
  asio::co_spawn(
      io,
      [&ring, &id, &keys]() -> asio::awaitable<void> {
        auto found = co_await ring.get(id);
        if (found) keys = *found;
      },
      asio::detached);
}

// Runs `io` until `done`, within the test's usual deadline.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  return sentinel::test::eventually([&] {
    io.poll();
    return done();
  });
}

}  // namespace

TEST_CASE("key ring: an agent disabled during a lookup is not cached as enabled") {
  store::test::SqliteBackend backend;
  auto db = backend.open();
  const auto agent = store::test::test_agent("raced");
  store::test::create_agent(*db, agent);
  asio::io_context io;
  auto work = asio::make_work_guard(io);  // poll() between the steps must not stop it
  LateAnswers store(db->backend(), io);
  gateway::KeyRing ring(store, "a master key for the test", 1h);
  store.hold();
  std::optional<gateway::AgentKeys> before;
  look_up(io, ring, agent.id, before);
  REQUIRE(run_until(io, [&] { return store.held() == 1; }));
  auto disabled = db->run([&](store::Session& session) {
    return session.agents().update(agent.id, {.enabled = false});
  });
  REQUIRE(disabled);
  ring.invalidate(agent.id);
  store.release();
  REQUIRE(run_until(io, [&] { return before.has_value(); }));
  CHECK(before->enabled);  // read before the change: right for the request that asked

  std::optional<gateway::AgentKeys> after;
  look_up(io, ring, agent.id, after);
  REQUIRE(run_until(io, [&] { return after.has_value(); }));
  CHECK(after->exists);
  CHECK_FALSE(after->enabled);
}
