#include "sentinel/core/metrics.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::core;

TEST_CASE("counters and gauges render in the text format with escaped labels") {
  MetricsRegistry registry;
  auto& requests = registry.counter_family("sentinel_http_requests_total", "Requests served.",
                                           {"route", "code"});
  requests.with({"/healthz", "200"}).inc();
  requests.with({"/healthz", "200"}).inc(2);
  requests.with({"/a\"b\\c\nd", "404"}).inc();
  registry.gauge("sentinel_http_connections_open", "Open connections.").set(3);

  CHECK(registry.render() ==
        "# HELP sentinel_http_connections_open Open connections.\n"
        "# TYPE sentinel_http_connections_open gauge\n"
        "sentinel_http_connections_open 3\n"
        "# HELP sentinel_http_requests_total Requests served.\n"
        "# TYPE sentinel_http_requests_total counter\n"
        "sentinel_http_requests_total{route=\"/a\\\"b\\\\c\\nd\",code=\"404\"} 1\n"
        "sentinel_http_requests_total{route=\"/healthz\",code=\"200\"} 3\n");
}

TEST_CASE("histograms render cumulative buckets, sum and count") {
  MetricsRegistry registry;
  auto& latency = registry.histogram("sentinel_x_seconds", "Latency.", {0.1, 1});
  latency.observe(0.05);
  latency.observe(0.1);
  latency.observe(0.5);
  latency.observe(7);
  CHECK(registry.render() ==
        "# HELP sentinel_x_seconds Latency.\n"
        "# TYPE sentinel_x_seconds histogram\n"
        "sentinel_x_seconds_bucket{le=\"0.1\"} 2\n"
        "sentinel_x_seconds_bucket{le=\"1\"} 3\n"
        "sentinel_x_seconds_bucket{le=\"+Inf\"} 4\n"
        "sentinel_x_seconds_sum 7.65\n"
        "sentinel_x_seconds_count 4\n");
}

TEST_CASE("registering a name twice returns the same family or refuses a different shape") {
  MetricsRegistry registry;
  auto& a = registry.counter_family("c_total", "help", {"x"});
  auto& b = registry.counter_family("c_total", "help", {"x"});
  CHECK(&a == &b);
  CHECK_THROWS_AS(registry.counter_family("c_total", "help", {"y"}), std::logic_error);
  CHECK_THROWS_AS(registry.gauge_family("c_total", "help", {"x"}), std::logic_error);
  CHECK_THROWS_AS(a.with({"1", "2"}), std::logic_error);
}

TEST_CASE("collectors run at render time until their handle is gone") {
  MetricsRegistry registry;
  auto& gauge = registry.gauge("g", "help");
  int calls = 0;
  {
    auto handle = registry.on_collect([&] { gauge.set(++calls); });
    CHECK_THAT(registry.render(), Catch::Contains("g 1\n"));
  }
  registry.render();
  CHECK(calls == 1);
}

TEST_CASE("process metrics report this process") {
  MetricsRegistry registry;
  ProcessMetrics process(registry);
  auto text = registry.render();
  CHECK_THAT(text, Catch::Contains("# TYPE process_cpu_seconds_total counter"));
  CHECK_THAT(text, Catch::Contains("process_resident_memory_bytes "));
  CHECK(registry.gauge("process_open_fds", "").value() >= 3);
  CHECK(registry.gauge("process_start_time_seconds", "").value() > 1.6e9);
  CHECK(registry.gauge("process_resident_memory_bytes", "").value() > 1e6);
}
