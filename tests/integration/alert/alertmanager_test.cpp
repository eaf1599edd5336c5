// Our alerts reach a real Alertmanager (Debian's prometheus-alertmanager 0.25) through its API v2
// and it lists them. Without the program the test is skipped (exit 77, ctest SKIP_RETURN_CODE),
// never passed silently.

#define CATCH_CONFIG_RUNNER
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "sentinel/core/unix_time.hpp"

#include "pipeline.hpp"
#include "support/nats_server.hpp"
#include "support/process.hpp"

using namespace sentinel::test;
using nlohmann::json;

namespace {

constexpr int kSkipped = 77;
constexpr const char* kProgram = "/usr/bin/prometheus-alertmanager";

json alertmanager_alerts(std::uint16_t port) {
  try {
    HttpClient client("127.0.0.1", port, std::nullopt, std::chrono::seconds(2));
    const auto reply = client.request("GET", "/api/v2/alerts");
    if (reply.status != 200) return nullptr;
    return json::parse(reply.body, nullptr, false);
  } catch (const std::exception&) {
    return nullptr;  // not listening yet
  }
}

}  // namespace

TEST_CASE("alertmanager: Alertmanager 0.25 receives and lists our alerts") {
  TempDir dir;
  const auto config = dir.write("alertmanager.yml",
                                "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
  const auto port = free_port();
  ChildProcess alertmanager(
      {{kProgram, "--config.file=" + config.string(), "--storage.path=" + (dir / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
       {},
       dir / "alertmanager.log"});
  REQUIRE(
      eventually([&] { return alertmanager_alerts(port).is_array(); }, std::chrono::seconds(20)));

  Pipeline p;
  const auto notifier =
      p.call("POST", "/api/v1/notifiers",
             {{"name", "am"},
              {"type", "alertmanager"},
              {"settings", {{"url", "http://127.0.0.1:" + std::to_string(port)}}}});
  REQUIRE(notifier.status == 201);
  REQUIRE(p.call("POST", "/api/v1/rules",
                 {{"name", "DiskFull"},
                  {"metric", "filesystem_used_percent"},
                  {"aggregation", "last"},
                  {"op", ">="},
                  {"threshold", 90},
                  {"labels", {{"team", "storage"}}},
                  {"annotations", {{"summary", "{{ $labels.mountpoint }} is {{ $value }}% full"}}},
                  {"notifiers", {"am"}}})
              .status == 201);
  p.publish("agt_db1", sentinel::core::unix_ms(),
            {{"filesystem_used_percent", {{"mountpoint", "/var"}}, 95}});

  json listed;
  REQUIRE(eventually(
      [&] {
        listed = alertmanager_alerts(port);
        return listed.is_array() && !listed.empty();
      },
      std::chrono::seconds(20)));
  const auto& alert = listed[0];
  CHECK(alert["labels"]["alertname"] == "DiskFull");
  CHECK(alert["labels"]["team"] == "storage");
  CHECK(alert["labels"]["agent"] == "agt_db1");
  CHECK(alert["annotations"]["summary"] == "/var is 95% full");
  CHECK(alert["status"]["state"] == "active");
}

int main(int argc, char** argv) {
  if (access(kProgram, X_OK) != 0) {
    std::cout << "SKIPPED: " << kProgram
              << " is not installed (apt-get install prometheus-alertmanager)\n";
    return kSkipped;
  }
  return Catch::Session().run(argc, argv);
}
