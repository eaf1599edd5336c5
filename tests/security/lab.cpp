#include "lab.hpp"

#include <cstdlib>

#include "backends.hpp"
#include "check.hpp"

namespace sentinel::security {
namespace {

constexpr std::string_view kBusUser = "sentinel";
// The bus password goes in the URL, where `config print` and every log line must mask it.
constexpr std::string_view kBusPassword = "security-suite-bus-password-5f1c9a";

std::unique_ptr<test::NatsServerProcess> password_nats() {
  return std::make_unique<test::NatsServerProcess>(std::vector<std::string>{
      "--user", std::string(kBusUser), "--pass", std::string(kBusPassword)});
}

std::string bus_url(const test::NatsServerProcess& nats) {
  return "nats://" + std::string(kBusUser) + ":" + std::string(kBusPassword) +
         "@127.0.0.1:" + std::to_string(nats.port());
}

std::unique_ptr<Deployment> deploy(DeploymentOptions options) {
  const bool nats = options.bus_url.starts_with("nats://");
  auto deployment = std::make_unique<Deployment>(std::move(options));
  if (nats) deployment->remember_secret(std::string(kBusPassword));
  return deployment;
}

}  // namespace

Lab::Lab() = default;
Lab::~Lab() = default;

Deployment& Lab::main() {
  if (!main_) {
    if (!nats_) nats_ = password_nats();
    main_ = deploy({.role = "all",
                    .bus_url = bus_url(*nats_),
                    .env = {{"SENTINEL_GATEWAY_MAX_REQUEST_BYTES", "1MiB"}}});
  }
  return *main_;
}

Deployment& Lab::postgres() {
  if (!postgres_) {
    const char* dsn = std::getenv("SENTINEL_TEST_PG_DSN");
    expect(dsn != nullptr && *dsn != '\0',
           "SENTINEL_TEST_PG_DSN is not set (scripts/services.sh start prints it)");
    if (!schema_) schema_ = std::make_unique<store::test::PostgresBackend>();
    if (!postgres_nats_) postgres_nats_ = password_nats();
    postgres_ = deploy({.role = "all",
                        .bus_url = bus_url(*postgres_nats_),
                        .store_url = schema_->options().postgres_url});
  }
  return *postgres_;
}

Deployment& Lab::edge() {
  if (!edge_) {
    main();  // shares its nats-server
    const auto& tls = certs();
    edge_ = deploy(
        {.role = "gateway",
         .bus_url = bus_url(*nats_),
         .env = {{"SENTINEL_HTTP_TLS_CERT", (tls / "server.crt").string()},
                 {"SENTINEL_HTTP_TLS_KEY", (tls / "server.key").string()},
                 {"SENTINEL_HTTP_TLS_CLIENT_CA", (tls / "ca.crt").string()},
                 {"SENTINEL_HTTP_TRUSTED_PROXIES", "10.0.0.0/8"},
                 {"SENTINEL_GATEWAY_RATE_LIMIT_IP_RATE", "0.01"},
                 {"SENTINEL_GATEWAY_RATE_LIMIT_IP_BURST", "2"}},
         .tls = test::TlsClientOptions{tls / "ca.crt", tls / "client.crt", tls / "client.key"}});
  }
  return *edge_;
}

Deployment& Lab::worker() {
  if (!worker_) {
    worker_ = deploy({.role = "worker", .bus_url = "inproc"});
  }
  return *worker_;
}

const test::DevCertificates& Lab::certs() {
  if (!certs_) certs_ = std::make_unique<test::DevCertificates>();
  return *certs_;
}

std::string Lab::unique(const std::string& stem) {
  return stem + "-" + std::to_string(++names_);
}

}  // namespace sentinel::security
