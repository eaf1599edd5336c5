// TLS to nats-server: the CA verifies the server, the client certificate answers mutual TLS.

#include <catch2/catch.hpp>

#include "bus_harness.hpp"
#include "support/nats_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using bus::PublishStatus;
using test::BusHarness;
using test::TestStream;

namespace {

// Development certificates from the project's own script: a CA, a server and a client pair.
std::filesystem::path make_certificates(const test::TempDir& dir) {
  test::ChildProcess script(
      {{"/bin/bash", SENTINEL_SOURCE_DIR "/scripts/gen-dev-certs.sh", (dir / "certs").string()},
       {},
       dir / "gen-dev-certs.log"});
  REQUIRE(script.wait(60s) == 0);
  return dir / "certs";
}

}  // namespace

TEST_CASE("the bus speaks mutual TLS to a nats-server that requires it") {
  test::TempDir dir;
  const auto certs = make_certificates(dir);
  test::NatsServerProcess server({"--tls", "--tlscert", (certs / "server.crt").string(), "--tlskey",
                                  (certs / "server.key").string(), "--tlsverify", "--tlscacert",
                                  (certs / "ca.crt").string()});
  TestStream stream(server.url());
  auto settings = stream.settings();
  settings["tls.ca"] = (certs / "ca.crt").string();
  settings["tls.cert"] = (certs / "client.crt").string();
  settings["tls.key"] = (certs / "client.key").string();
  BusHarness harness(settings);
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  CHECK(harness.publish(stream.subject("a"), "a:1").status == PublishStatus::kAccepted);

  auto without_client_certificate = stream.settings();
  without_client_certificate["tls.ca"] = (certs / "ca.crt").string();
  BusHarness refused(without_client_certificate);
  CHECK_FALSE(refused.ready());
  CHECK(refused.publish(stream.subject("a"), "a:2").status == PublishStatus::kUnavailable);
}
