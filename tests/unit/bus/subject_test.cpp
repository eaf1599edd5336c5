#include <catch2/catch.hpp>

#include "inproc_queue.hpp"

using sentinel::bus::subject_matches;

TEST_CASE("subjects match filters token by token, with * and a final >") {
  CHECK(subject_matches("sentinel.metrics.>", "sentinel.metrics.agent-1"));
  CHECK(subject_matches("sentinel.metrics.>", "sentinel.metrics.a.b"));
  CHECK_FALSE(subject_matches("sentinel.metrics.>", "sentinel.metrics"));
  CHECK(subject_matches("sentinel.*.a", "sentinel.metrics.a"));
  CHECK_FALSE(subject_matches("sentinel.*.a", "sentinel.metrics.b"));
  CHECK_FALSE(subject_matches("sentinel.*", "sentinel.metrics.a"));
  CHECK(subject_matches("sentinel.metrics.a", "sentinel.metrics.a"));
  CHECK_FALSE(subject_matches("sentinel.metrics.a", "sentinel.metrics.ab"));
  CHECK_FALSE(subject_matches("sentinel.metrics.a.b", "sentinel.metrics.a"));
}
