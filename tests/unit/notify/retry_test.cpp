#include <catch2/catch.hpp>

#include "dispatcher.hpp"
#include "sender.hpp"

using namespace sentinel;
using namespace sentinel::notify;
using namespace std::chrono_literals;

TEST_CASE("retry: backoff doubles, is capped, and jitters within half of it") {
  CHECK(backoff_ms(1, 1s, 5min, 1.0) == 1000);
  CHECK(backoff_ms(2, 1s, 5min, 1.0) == 2000);
  CHECK(backoff_ms(4, 1s, 5min, 1.0) == 8000);
  CHECK(backoff_ms(30, 1s, 5min, 1.0) == 300'000);
  CHECK(backoff_ms(4, 1s, 5min, 0.0) == 4000);
  CHECK(backoff_ms(4, 1s, 5min, 0.5) == 6000);
}

TEST_CASE("retry: answers are judged") {
  http::Headers none;
  CHECK(judge(200, none, "").ok);
  CHECK(judge(202, none, "").ok);
  const auto server = judge(503, none, "down");
  CHECK_FALSE(server.ok);
  CHECK(server.retryable);
  CHECK(server.error == "HTTP 503: down");
  CHECK_FALSE(judge(404, none, "").retryable);
  CHECK_FALSE(judge(401, none, "").retryable);
  CHECK(judge(408, none, "").retryable);
  http::Headers after;
  after.set("Retry-After", "7");
  const auto busy = judge(429, after, "");
  CHECK(busy.retryable);
  CHECK(busy.retry_after == 7s);
}
