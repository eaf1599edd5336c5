// nats-server going away and coming back: the bus answers "unavailable" meanwhile, says so in
// its readiness, and recovers by itself.

#include <catch2/catch.hpp>

#include "bus_harness.hpp"
#include "support/nats_server.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using bus::PublishStatus;
using test::BusHarness;
using test::TestStream;

namespace {

BusHarness::Settings quick_reconnect(BusHarness::Settings settings) {
  settings["reconnect_wait"] = "50ms";
  settings["reconnect_wait_max"] = "250ms";
  return settings;
}

bool unreachable(BusHarness& harness) {
  auto readiness = harness.component().readiness();
  return !readiness.ready && readiness.reason.starts_with("nats unreachable");
}

}  // namespace

TEST_CASE("with nats-server down a publish is unavailable at once; all recovers by itself") {
  test::NatsServerProcess server;
  TestStream stream(server.url());
  BusHarness harness(quick_reconnect(stream.settings()));
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  REQUIRE(harness.publish(stream.subject("a"), "a:1").status == PublishStatus::kAccepted);

  server.kill();
  REQUIRE(test::eventually([&] { return unreachable(harness); }));
  const auto asked = core::Clock::now();
  auto refused = harness.publish(stream.subject("a"), "a:2");
  CHECK(core::Clock::now() - asked < 500ms);
  CHECK(refused.status == PublishStatus::kUnavailable);
  CHECK_THAT(refused.detail, Catch::StartsWith("nats unreachable"));
  CHECK_THAT(refused.detail, Catch::Contains(server.url()));  // which server it could not reach

  server.start();
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  CHECK(harness.publish(stream.subject("a"), "a:2").status == PublishStatus::kAccepted);
  // What was acked before the crash is still there.
  auto consumer = harness.consumer(stream.durable("ingest"));
  std::size_t fetched = 0;
  CHECK(test::eventually([&] {
    for (auto& delivery : harness.fetch(*consumer, 10, 200ms)) {
      delivery->ack();
      ++fetched;
    }
    return fetched == 2;
  }));
  CHECK_THAT(harness.metrics_text(), Catch::Contains("sentinel_bus_reconnects_total 1"));
}

TEST_CASE("the bus starts while nats-server is down and connects once it is up") {
  test::NatsServerProcess server;
  server.stop();
  TestStream stream(server.url());
  BusHarness harness(quick_reconnect(stream.settings()));
  CHECK(unreachable(harness));
  CHECK(harness.publish(stream.subject("a"), "a:1").status == PublishStatus::kUnavailable);
  auto refused_consumer = harness.run(harness.bus().consumer(stream.durable("ingest")));
  REQUIRE_FALSE(refused_consumer.ok());
  CHECK(refused_consumer.error().transient);

  server.start();
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  CHECK(harness.publish(stream.subject("a"), "a:1").status == PublishStatus::kAccepted);
}

TEST_CASE("credentials are sent, and wrong ones leave the bus unready") {
  test::NatsServerProcess server({"--user", "sentinel", "--pass", "s3cret-pass"});
  TestStream stream(server.url());
  auto good = stream.settings();
  good["auth.user"] = "sentinel";
  good["auth.password"] = "s3cret-pass";
  BusHarness harness(good);
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  CHECK(harness.publish(stream.subject("a"), "a:1").status == PublishStatus::kAccepted);

  auto bad = good;
  bad["auth.password"] = "wrong";
  BusHarness refused(bad);
  CHECK(unreachable(refused));
  CHECK(refused.publish(stream.subject("a"), "a:2").status == PublishStatus::kUnavailable);
}
