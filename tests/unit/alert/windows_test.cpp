#include "windows.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::alert;
using namespace std::chrono_literals;

namespace {

std::deque<Sample> series(std::initializer_list<Sample> samples) {
  return samples;
}

}  // namespace

TEST_CASE("windows: aggregations over the window") {
  // Samples at 1..5 s; the window (2 s, 5 s] holds the last three.
  const auto s = series({{1000, 10}, {2000, 20}, {3000, 30}, {4000, 40}, {5000, 60}});
  CHECK(*aggregate(s, Aggregation::kAvg, 5000, 3s) == Approx(130.0 / 3));
  CHECK(*aggregate(s, Aggregation::kMin, 5000, 3s) == 30);
  CHECK(*aggregate(s, Aggregation::kMax, 5000, 3s) == 60);
  CHECK(*aggregate(s, Aggregation::kLast, 5000, 3s) == 60);
  CHECK(*aggregate(s, Aggregation::kCount, 5000, 3s) == 3);
  CHECK(*aggregate(s, Aggregation::kSum, 5000, 3s) == 130);
  CHECK(*aggregate(s, Aggregation::kRate, 5000, 3s) == Approx(15.0));  // (60-30)/2s
  CHECK(*aggregate(s, Aggregation::kAbsent, 5000, 3s) == 0);
  // Samples after `now` are not seen (an evaluation at 3 s).
  CHECK(*aggregate(s, Aggregation::kLast, 3000, 3s) == 30);
}

TEST_CASE("windows: an empty window") {
  const auto s = series({{1000, 10}});
  CHECK_FALSE(aggregate(s, Aggregation::kAvg, 10'000, 5s));
  CHECK(*aggregate(s, Aggregation::kCount, 10'000, 5s) == 0);
  CHECK(*aggregate(s, Aggregation::kAbsent, 10'000, 5s) == 1);
  CHECK_FALSE(aggregate(s, Aggregation::kRate, 1000, 5s));  // one sample has no rate
}

TEST_CASE("windows: rate counts a counter reset as growth") {
  const auto s = series({{0, 100}, {1000, 150}, {2000, 20}, {3000, 50}});
  // +50, reset to 20 (+20), +30: 100 over 3 s.
  CHECK(*aggregate(s, Aggregation::kRate, 3000, 10s) == Approx(100.0 / 3));
}

TEST_CASE("windows: predict_linear projects the trend") {
  // Free bytes falling by 10 per second: 1000 at 0 s, 900 at 10 s; in 100 s from 10 s: 0 - 100.
  const auto s = series({{0, 1000}, {5000, 950}, {10'000, 900}});
  CHECK(*aggregate(s, Aggregation::kPredictLinear, 10'000, 1min, 100s) == Approx(-100));
}

TEST_CASE("windows: samples kept in order, once, and trimmed") {
  Windows w(10s);
  const SeriesKey key{"agt_1", "cpu", {{"cpu", "total"}}};
  w.add(key, {2000, 2});
  w.add(key, {1000, 1});
  w.add(key, {2000, 2});  // redelivered
  w.add({"agt_2", "cpu", {}}, {1000, 5});
  w.add({"agt_1", "mem", {}}, {1000, 5});
  auto cpu = w.of_metric("cpu");
  REQUIRE(cpu.size() == 2);
  const auto& samples = *cpu[0].second;
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].at == 1000);
  CHECK(samples[1].at == 2000);
  CHECK(w.series_count() == 3);
  w.trim(11'500);  // keeps (1.5 s, 11.5 s]
  CHECK(w.series_count() == 1);
  CHECK(w.of_metric("cpu").size() == 1);
  CHECK(w.of_metric("mem").empty());
}
