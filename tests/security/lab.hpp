#pragma once
// The processes the checks run against, each started on first use and kept for the checks
// after it, so that the suite starts a handful of processes rather than one per check.

#include <memory>
#include <optional>

#include "deployment.hpp"
#include "support/dev_certs.hpp"
#include "support/nats_server.hpp"

namespace sentinel::store::test {
class PostgresBackend;
}

namespace sentinel::security {

class Lab {
 public:
  Lab();
  ~Lab();

  // `sentineld --role=all` (gateway, worker, query, notify and a local agent) on nats-server
  // with a password and SQLite; pushes limited to 1 MiB.
  Deployment& main();
  // The same on PostgreSQL (SENTINEL_TEST_PG_DSN, a fresh schema) and a nats-server of its own.
  Deployment& postgres();
  // `sentineld --role=gateway` serving only TLS with mTLS, a strict per-address rate limit, and
  // believing X-Forwarded-For only from 10.0.0.0/8 (not from loopback, where the suite is).
  Deployment& edge();
  // `sentineld --role=worker` (alerting, notifiers) on SQLite and the in-process bus.
  Deployment& worker();
  const test::DevCertificates& certs();

  // A name no other check of this run uses, for agents and tokens.
  std::string unique(const std::string& stem);

 private:
  std::unique_ptr<test::NatsServerProcess> nats_;
  std::unique_ptr<test::NatsServerProcess> postgres_nats_;
  std::unique_ptr<test::DevCertificates> certs_;
  std::unique_ptr<store::test::PostgresBackend> schema_;
  // Last, so that the processes end before their bus, schema and certificates go.
  std::unique_ptr<Deployment> main_, postgres_, edge_, worker_;
  int names_ = 0;
};

}  // namespace sentinel::security
