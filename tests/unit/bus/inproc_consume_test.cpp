// The consuming side of the in-process bus: redelivery, max_deliver, sharing and fan-out.

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/detached.hpp>
#include <catch2/catch.hpp>

#include "inproc_fixture.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using bus::PublishStatus;
using test::InprocFixture;

namespace {

bus::ConsumerOptions durable(std::string name, std::chrono::milliseconds ack_wait = 30s,
                             int max_deliver = 10) {
  bus::ConsumerOptions options;
  options.durable_name = std::move(name);
  options.ack_wait = ack_wait;
  options.max_deliver = max_deliver;
  return options;
}

}  // namespace

TEST_CASE("a nak redelivers after its delay") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest"));
  auto published = f.publish("a:1");
  auto first = f.fetch(*ingest, 10, 1s);
  REQUIRE(first.size() == 1);
  const auto nak_at = core::Clock::now();
  first[0]->nak(100ms);
  CHECK(f.fetch(*ingest, 10, 0ms).empty());
  auto second = f.fetch(*ingest, 10, 5s);
  REQUIRE(second.size() == 1);
  CHECK(core::Clock::now() - nak_at >= 100ms);
  CHECK(second[0]->delivery_count() == 2);
  CHECK(second[0]->stream_sequence() == first[0]->stream_sequence());
  second[0]->ack();
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kAccepted);
}

TEST_CASE("a delivery not settled within the ack wait comes again") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest", 50ms));
  auto published = f.publish("a:1");
  auto first = f.fetch(*ingest, 10, 1s);
  REQUIRE(first.size() == 1);
  auto again = f.fetch(*ingest, 10, 5s);
  REQUIRE(again.size() == 1);
  CHECK(again[0]->delivery_count() == 2);
  auto info = test::spawn(f.io, ingest->info());
  REQUIRE(f.drive([&] { return info->has_value(); }));
  CHECK((*info)->value().redelivered == 1);
  CHECK((*info)->value().ack_pending == 1);
  // The first delivery's late ack still counts, as in JetStream.
  first[0]->ack();
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kAccepted);
}

TEST_CASE("a terminated message is not delivered again") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest", 50ms));
  auto published = f.publish("a:1");
  auto deliveries = f.fetch(*ingest, 10, 1s);
  REQUIRE(deliveries.size() == 1);
  deliveries[0]->term();
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kAccepted);
  CHECK(f.fetch(*ingest, 10, 200ms).empty());  // four ack waits: it would have come back
}

TEST_CASE("after max_deliver deliveries a message is dropped and counted") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest", 30s, 2));
  auto published = f.publish("a:1");
  for (std::uint64_t attempt = 1; attempt <= 2; ++attempt) {
    auto deliveries = f.fetch(*ingest, 10, 1s);
    REQUIRE(deliveries.size() == 1);
    CHECK(deliveries[0]->delivery_count() == attempt);
    deliveries[0]->nak(0ms);
  }
  CHECK(f.fetch(*ingest, 10, 0ms).empty());
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK_THAT(f.metrics_text(), Catch::Contains("sentinel_bus_dropped_total 1"));
}

TEST_CASE("two fetchers of one durable share its messages, each delivered once") {
  InprocFixture f;
  auto one = f.consumer(durable("ingest"));
  auto two = f.consumer(durable("ingest"));
  std::vector<test::Eventual<bus::PublishResult>> published;
  for (int i = 0; i < 10; ++i)
    published.push_back(f.publish(fmt::format("a:{}", i)));
  std::multiset<std::string> seen_by_one, seen_by_two;
  auto take_one = [&](bus::Consumer& consumer, std::multiset<std::string>& seen) {
    for (auto& delivery : f.fetch(consumer, 1, 0ms)) {
      seen.emplace(delivery->message_id());
      delivery->ack();
    }
  };
  for (int round = 0; round < 5; ++round) {
    take_one(*one, seen_by_one);
    take_one(*two, seen_by_two);
  }
  CHECK(seen_by_one.size() == 5);
  CHECK(seen_by_two.size() == 5);
  std::multiset<std::string> all = seen_by_one;
  all.insert(seen_by_two.begin(), seen_by_two.end());
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == 10);
  REQUIRE(f.drive([&] {
    return std::all_of(published.begin(), published.end(), [](auto& p) { return p->has_value(); });
  }));
}

TEST_CASE("consumer info counts pending, ack-pending and redelivered messages") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest"));
  for (int i = 0; i < 5; ++i)
    f.publish(fmt::format("a:{}", i));
  auto deliveries = f.fetch(*ingest, 2, 1s);
  REQUIRE(deliveries.size() == 2);
  deliveries[0]->ack();
  deliveries[1]->nak(1h);
  auto info = test::spawn(f.io, ingest->info());
  REQUIRE(f.drive([&] { return info->has_value(); }));
  REQUIRE((*info)->ok());
  CHECK((*info)->value().pending == 3);
  CHECK((*info)->value().ack_pending == 1);
  CHECK((*info)->value().redelivered == 0);
}

TEST_CASE("a consumer created later still gets the messages not yet settled") {
  InprocFixture f;
  auto first = f.consumer(durable("ingest"));
  auto published = f.publish("a:1");
  auto late = f.consumer(durable("alerting"));
  for (auto* consumer : {first.get(), late.get()}) {
    auto deliveries = f.fetch(*consumer, 10, 1s);
    REQUIRE(deliveries.size() == 1);
    deliveries[0]->ack();
  }
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kAccepted);
}

TEST_CASE("publishers and consumers on several threads lose nothing and double nothing") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest"));
  constexpr int kMessages = 2000;
  std::atomic<int> accepted{0};
  for (int i = 0; i < kMessages; ++i) {
    boost::asio::co_spawn(f.io, f.bus().publish({"sentinel.metrics.a", fmt::format("a:{}", i), ""}),
                          [&](std::exception_ptr, bus::PublishResult result) {
                            if (result.status == PublishStatus::kAccepted) ++accepted;
                          });
  }
  std::mutex mutex;
  std::multiset<std::string> seen;
  std::atomic<bool> stop{false};
  auto fetch_loop = [&]() -> boost::asio::awaitable<void> {
    while (!stop) {
      auto fetched = co_await ingest->fetch(64, 20ms);
      if (!fetched) continue;
      for (auto& delivery : *fetched) {
        std::lock_guard lock(mutex);
        seen.emplace(delivery->message_id());
        delivery->ack();
      }
    }
  };
  for (int i = 0; i < 3; ++i)
    boost::asio::co_spawn(f.io, fetch_loop(), boost::asio::detached);
  f.io.restart();
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&] { f.io.run(); });
  CHECK(test::eventually([&] { return accepted == kMessages; }));
  stop = true;
  for (auto& thread : threads)
    thread.join();
  CHECK(seen.size() == kMessages);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == kMessages);
}
