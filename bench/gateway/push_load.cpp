// Signed pushes against a gateway, as many agents would send them: each agent enrols once, then
// every push carries one batch of 100 metrics with a fresh batch id, signed at send time. The same
// requests go to the trivial reference server (bench_http_reference) for the ratio, and the same
// samples as Prometheus text to VictoriaMetrics' import API for the ingest benchmarks.
//
// Usage: bench_gateway_load URL SECONDS AGENTS CONCURRENCY BOOTSTRAP_TOKEN|-|victoriametrics
//   "-" skips enrolment and signs with made-up keys (for the reference server);
//   "victoriametrics" posts each batch to /api/v1/import/prometheus instead.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/client.hpp"
#include "sentinel/proto/signing.hpp"

namespace asio = boost::asio;
using namespace sentinel;

namespace {

constexpr int kMetricsPerBatch = 100;

struct Agent {
  std::string id;
  std::string key_id;
  std::string secret;
  std::uint64_t next_batch = 1;
};

struct Totals {
  std::uint64_t accepted = 0;
  std::uint64_t failed = 0;
};

http::ClientRequest protobuf_post(std::string target, std::string body) {
  http::ClientRequest request;
  request.method = http::Method::kPost;
  request.target = std::move(target);
  request.headers.set("Content-Type", "application/x-protobuf");
  request.body = std::move(body);
  return request;
}

asio::awaitable<Agent> enroll(http::Client& client, const std::string& token, int index) {
  v1::EnrollRequest enroll;
  enroll.set_bootstrap_token(token);
  enroll.set_hostname(fmt::format("bench-{}", index));
  enroll.set_hardware_id(fmt::format("bench-hw-{}", index));
  auto request = protobuf_post("/v1/agents/enroll", enroll.SerializeAsString());
  auto response = co_await client.send(std::move(request));
  v1::EnrollResponse enrolled;
  if (!response || response->status != 200 || !enrolled.ParseFromString(response->body)) {
    throw std::runtime_error("enrolment failed");
  }
  co_return Agent{enrolled.agent_id(), enrolled.key_id(), enrolled.secret()};
}

http::ClientRequest signed_push(Agent& agent) {
  v1::Batch batch;
  batch.set_agent_id(agent.id);
  batch.set_batch_id(agent.next_batch++);
  const auto now = core::unix_ms();
  for (int i = 0; i < kMetricsPerBatch; ++i) {
    auto* metric = batch.add_metrics();
    metric->set_name("bench_metric");
    metric->set_type(v1::METRIC_TYPE_GAUGE);
    metric->set_double_value(i);
    metric->set_timestamp_ms(now);
    auto* label = metric->add_labels();
    label->set_name("series");
    label->set_value(std::to_string(i));
  }
  v1::PushRequest push;
  auto* envelope = push.add_batches();
  envelope->set_agent_id(agent.id);
  envelope->set_batch(batch.SerializeAsString());
  proto::sign_envelope(*envelope, agent.key_id, agent.secret, now);
  return protobuf_post("/v1/push", push.SerializeAsString());
}

// The samples of one batch as VictoriaMetrics imports them: one exposition line each, with the
// agent as a label (it has no other notion of a source) and a millisecond timestamp.
http::ClientRequest victoriametrics_import(Agent& agent) {
  ++agent.next_batch;
  const auto now = core::unix_ms();
  std::string body;
  for (int i = 0; i < kMetricsPerBatch; ++i) {
    body += fmt::format("bench_metric{{agent=\"{}\",series=\"{}\"}} {} {}\n", agent.id, i, i, now);
  }
  http::ClientRequest request;
  request.method = http::Method::kPost;
  request.target = "/api/v1/import/prometheus";
  request.headers.set("Content-Type", "text/plain");
  request.body = std::move(body);
  return request;
}

using RequestMaker = http::ClientRequest (*)(Agent&);

asio::awaitable<void> worker(http::Client& client, RequestMaker make, std::vector<Agent>& agents,
                             std::size_t first, std::size_t step,
                             std::chrono::steady_clock::time_point end, Totals& totals) {
  for (std::size_t i = first; std::chrono::steady_clock::now() < end; i += step) {
    auto response = co_await client.send(make(agents[i % agents.size()]));
    if (response && (response->status == 200 || response->status == 204)) {
      ++totals.accepted;
    } else {
      ++totals.failed;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: bench_gateway_load URL SECONDS AGENTS CONCURRENCY "
                 "BOOTSTRAP_TOKEN|-|victoriametrics\n";
    return 2;
  }
  const auto url = http::parse_url(argv[1]);
  const auto seconds = std::atoi(argv[2]);
  const auto agent_count = std::atoi(argv[3]);
  const auto concurrency = std::atoi(argv[4]);
  const std::string token = argv[5];
  const bool enrol = token != "-" && token != "victoriametrics";
  const RequestMaker make = token == "victoriametrics" ? victoriametrics_import : signed_push;
  asio::io_context io;
  http::ClientOptions options;
  options.max_idle_connections = static_cast<std::size_t>(concurrency);
  http::Client client(io.get_executor(), *url, options);
  std::vector<Agent> agents;
  Totals totals;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < agent_count; ++i) {
          if (enrol) {
            agents.push_back(co_await enroll(client, token, i));
          } else {
            agents.push_back({fmt::format("agt_bench{}", i), "key_bench", core::random_bytes(32)});
          }
        }
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        for (int w = 0; w < concurrency; ++w) {
          asio::co_spawn(io, worker(client, make, agents, w, concurrency, end, totals),
                         asio::detached);
        }
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.run();
  fmt::print("pushes_per_second {:.0f}\nsamples_per_second {:.0f}\nfailed {}\n",
             double(totals.accepted) / seconds,
             double(totals.accepted) * kMetricsPerBatch / seconds, totals.failed);
  return totals.accepted > 0 ? 0 : 1;
}
