// Durable pull consumers: redelivery, sharing, info, and binding to an existing durable.

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "bus_harness.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using bus::PublishStatus;
using test::BusHarness;
using test::TestStream;

namespace {

void publish_n(BusHarness& harness, const TestStream& stream, int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i)
    ids.push_back(fmt::format("a:{}", i));
  for (const auto& result : harness.publish_all(stream.subject("a"), ids))
    REQUIRE(result.status == PublishStatus::kAccepted);
}

}  // namespace

TEST_CASE("a nak redelivers after its delay, a term never") {
  TestStream stream(test::shared_nats_url());
  BusHarness harness(stream.settings());
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  publish_n(harness, stream, 2);
  auto consumer = harness.consumer(stream.durable("ingest"));
  auto first = harness.fetch(*consumer, 2, 2s);
  REQUIRE(first.size() == 2);
  const auto nak_at = core::Clock::now();
  first[0]->nak(300ms);
  first[1]->term();
  auto again = harness.fetch(*consumer, 2, 5s);
  REQUIRE(again.size() == 1);
  CHECK(core::Clock::now() - nak_at >= 250ms);  // the server's clock, give or take
  CHECK(again[0]->message_id() == first[0]->message_id());
  CHECK(again[0]->delivery_count() == 2);
  again[0]->ack();
  CHECK(harness.fetch(*consumer, 2, 1s).empty());
}

TEST_CASE("a delivery not acked within ack_wait comes again") {
  TestStream stream(test::shared_nats_url());
  BusHarness harness(stream.settings());
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  publish_n(harness, stream, 1);
  auto options = stream.durable("ingest");
  options.ack_wait = 500ms;
  auto consumer = harness.consumer(options);
  auto first = harness.fetch(*consumer, 1, 2s);
  REQUIRE(first.size() == 1);
  auto again = harness.fetch(*consumer, 1, 5s);
  REQUIRE(again.size() == 1);
  CHECK(again[0]->delivery_count() == 2);
  CHECK(again[0]->stream_sequence() == first[0]->stream_sequence());
  CHECK(harness.info(*consumer).redelivered == 1);
  again[0]->ack();
}

TEST_CASE("two fetchers of one durable get disjoint messages that together are all") {
  TestStream stream(test::shared_nats_url());
  BusHarness harness(stream.settings());
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  constexpr int kMessages = 100;
  publish_n(harness, stream, kMessages);
  auto one = harness.consumer(stream.durable("ingest"));
  auto two = harness.consumer(stream.durable("ingest"));
  std::mutex mutex;
  std::vector<std::string> seen;
  auto drain = [&](bus::Consumer& consumer) {
    test::eventually([&] {
      for (auto& delivery : harness.fetch(consumer, 7, 200ms)) {
        std::lock_guard lock(mutex);
        seen.emplace_back(delivery->message_id());
        delivery->ack();
      }
      std::lock_guard lock(mutex);
      return seen.size() >= kMessages;
    });
  };
  std::thread first([&] { drain(*one); });
  std::thread second([&] { drain(*two); });
  first.join();
  second.join();
  CHECK(seen.size() == kMessages);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == kMessages);
}

TEST_CASE("consumer info counts what is pending and what awaits an ack") {
  TestStream stream(test::shared_nats_url());
  BusHarness harness(stream.settings());
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  publish_n(harness, stream, 5);
  auto consumer = harness.consumer(stream.durable("ingest"));
  CHECK(harness.info(*consumer).pending == 5);
  auto deliveries = harness.fetch(*consumer, 2, 2s);
  REQUIRE(deliveries.size() == 2);
  deliveries[0]->ack();
  CHECK(test::eventually([&] {
    auto info = harness.info(*consumer);
    return info.pending == 3 && info.ack_pending == 1;
  }));
  deliveries[1]->ack();
}

TEST_CASE("a durable that exists is bound to, and resumes where it was") {
  TestStream stream(test::shared_nats_url());
  {
    BusHarness first(stream.settings());
    REQUIRE(test::eventually([&] { return first.ready(); }));
    publish_n(first, stream, 3);
    auto consumer = first.consumer(stream.durable("ingest"));
    auto deliveries = first.fetch(*consumer, 1, 2s);
    REQUIRE(deliveries.size() == 1);
    CHECK(deliveries[0]->message_id() == "a:0");
    deliveries[0]->ack();
    CHECK(test::eventually([&] { return first.info(*consumer).ack_pending == 0; }));
  }
  BusHarness second(stream.settings());
  REQUIRE(test::eventually([&] { return second.ready(); }));
  auto consumer = second.consumer(stream.durable("ingest"));
  auto rest = second.fetch(*consumer, 10, 2s);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0]->message_id() == "a:1");
  CHECK(rest[1]->message_id() == "a:2");
}
