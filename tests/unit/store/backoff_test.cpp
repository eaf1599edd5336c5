#include "backoff.hpp"

#include <set>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using sentinel::store::Backoff;

TEST_CASE("backoff doubles up to its maximum, each delay in the upper half of its step") {
  Backoff backoff(100ms, 1s);
  for (auto step : {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms}) {
    const auto delay = backoff.next();
    CHECK(delay >= step / 2);
    CHECK(delay <= step);
  }
  backoff.reset();
  CHECK(backoff.next() <= 100ms);
}

TEST_CASE("backoff delays are spread, not all equal") {
  Backoff backoff(1s, 1s);
  std::set<long> seen;
  for (int i = 0; i < 20; ++i)
    seen.insert(static_cast<long>(backoff.next().count()));
  CHECK(seen.size() > 10);
}
