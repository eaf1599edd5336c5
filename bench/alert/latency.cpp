// Alert latency of sentineld against Prometheus + Alertmanager, both watching one value in one
// file, for bench/alert/latency.sh (which starts and configures everything else).
//
// The file is a node_exporter textfile (`bench_watched V`): node_exporter serves it to
// Prometheus, and sentineld's agent reads it with an exec plugin (`cat`), so a write reaches
// both at the same instant. Each round waits a random fraction of a second (so the change lands
// at a random phase of both systems' 1 s cycles), writes 1 (atomically, by rename), waits for the
// firing webhook of each system, then writes 0 and waits for both resolutions. It measures:
//   breach-to-webhook   write of 1 -> webhook received, for both systems;
//   sample-to-webhook   the collection timestamp of sentineld's first sample of 1 (from its
//                       export API) -> webhook received.
// Receipt times are taken on arrival of the request, on the same clock as the writes.
//
// Usage: bench_alert_latency RECEIVER_PORT VALUE_FILE SENTINELD_ADDR ADMIN_TOKEN ROUNDS
//   The receiver listens on 127.0.0.1:RECEIVER_PORT: POST /sentinel and /alertmanager.

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/message.hpp"

#include "support/http_client.hpp"
#include "support/local_server.hpp"
#include "support/temp_dir.hpp"

namespace asio = boost::asio;
using namespace sentinel;

namespace {

// Generous: Prometheus needs up to a scrape, an evaluation and a group interval.
constexpr std::int64_t kDeadlineMs = 30'000;
constexpr std::int64_t kCollectionIntervalMs = 1'000;  // the exec plugin's interval

struct Arrival {
  std::string path;
  std::string status;    // "firing" or "resolved", from the body of either system
  std::string agent_id;  // sentineld's, from its webhook body
  std::int64_t at = 0;
};

// Every webhook received, and a wait for the next one of a kind.
class Inbox {
 public:
  void record(Arrival arrival) {
    {
      std::lock_guard lock(mutex_);
      arrivals_.push_back(std::move(arrival));
    }
    changed_.notify_all();
  }

  // The first `status` webhook on `path` received at or after `since`.
  Arrival wait(const std::string& path, const std::string& status, std::int64_t since) {
    std::unique_lock lock(mutex_);
    std::optional<Arrival> found;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDeadlineMs);
    changed_.wait_until(lock, deadline, [&] {
      const auto it = std::find_if(arrivals_.begin(), arrivals_.end(), [&](const Arrival& a) {
        return a.path == path && a.status == status && a.at >= since;
      });
      if (it != arrivals_.end()) found = *it;
      return found.has_value();
    });
    if (!found) throw std::runtime_error(fmt::format("no {} webhook on {} in time", status, path));
    return *found;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Arrival> arrivals_;
};

// Both systems' webhooks carry a top-level "status"; sentineld's alerts also name the agent.
Arrival parse_webhook(const http::Request& request, std::int64_t at) {
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  Arrival arrival{request.path, {}, {}, at};
  if (!body.is_object()) return arrival;
  arrival.status = body.value("status", "");
  const auto alerts = body.value("alerts", nlohmann::json::array());
  if (!alerts.empty() && alerts[0].contains("agent_id"))
    arrival.agent_id = alerts[0].at("agent_id").get<std::string>();
  return arrival;
}

void add_receiver_routes(test::LocalHttpServer& server, Inbox& inbox) {
  for (const char* path : {"/sentinel", "/alertmanager"}) {
    server.router().add(http::Method::kPost, path,
                        [&inbox](http::Request& request) -> asio::awaitable<http::Response> {
                          inbox.record(parse_webhook(request, core::unix_ms()));
                          co_return http::text_response(200, "ok");
                        });
  }
}

// Written whole and renamed into place, so neither reader ever sees half a file.
void write_value(const std::filesystem::path& file, int value) {
  const auto temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << "# TYPE bench_watched gauge\nbench_watched " << value << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, file);
}

// Reads sentineld's stored samples through its API.
class SampleReader {
 public:
  SampleReader(const std::string& address, std::string token)
      : address_(test::split_host_port(address)), token_(std::move(token)) {}

  // The collection timestamp of the first sample of 1 after `after` (Unix ms); polls until the
  // worker has stored it.
  std::int64_t first_breach(const std::string& agent, std::int64_t after) {
    std::optional<std::int64_t> at;
    if (!test::eventually([&] { return (at = find(agent, after)).has_value(); },
                          std::chrono::milliseconds(kDeadlineMs)))
      throw std::runtime_error("sentineld stored no sample of 1 in time");
    return *at;
  }

 private:
  std::optional<std::int64_t> find(const std::string& agent, std::int64_t after) {
    test::HttpClient client(address_.first, address_.second);
    const auto target = fmt::format(
        "/api/v1/export?agent={}&metric=bench_watched&from={:.3f}&to={:.3f}&format=jsonl", agent,
        static_cast<double>(after + 1) / 1000.0,
        static_cast<double>(core::unix_ms() + 60'000) / 1000.0);
    const auto reply = client.request("GET", target, {}, {{"Authorization", "Bearer " + token_}});
    if (reply.status != 200)
      throw std::runtime_error(fmt::format("export answered {}: {}", reply.status, reply.body));
    std::istringstream lines(reply.body);
    for (std::string line; std::getline(lines, line);) {
      const auto row = nlohmann::json::parse(line);
      if (row["value"].get<double>() == 1) return row["time"].get<std::int64_t>();
    }
    return std::nullopt;
  }

  std::pair<std::string, std::uint16_t> address_;
  std::string token_;
};

struct Round {
  std::int64_t ours = 0;         // breach-to-webhook, sentineld
  std::int64_t ours_sample = 0;  // sample-to-webhook, sentineld
  std::int64_t theirs = 0;       // breach-to-webhook, Prometheus + Alertmanager
};

class Rounds {
 public:
  Rounds(Inbox& inbox, SampleReader& samples, std::filesystem::path file)
      : inbox_(inbox), samples_(samples), file_(std::move(file)) {}

  Round run() {
    std::this_thread::sleep_for(std::chrono::milliseconds(phase_(random_)));
    const auto written = core::unix_ms();
    write_value(file_, 1);
    const auto ours = inbox_.wait("/sentinel", "firing", written);
    const auto theirs = inbox_.wait("/alertmanager", "firing", written);
    // A tick just before the write may have read the new value: its sample counts, with its
    // earlier timestamp.
    const auto sample = samples_.first_breach(ours.agent_id, written - kCollectionIntervalMs);
    const auto cleared = core::unix_ms();
    write_value(file_, 0);
    inbox_.wait("/sentinel", "resolved", cleared);
    inbox_.wait("/alertmanager", "resolved", cleared);
    return {ours.at - written, ours.at - sample, theirs.at - written};
  }

 private:
  Inbox& inbox_;
  SampleReader& samples_;
  std::filesystem::path file_;
  std::mt19937 random_{std::random_device{}()};
  std::uniform_int_distribution<int> phase_{0, 999};
};

std::int64_t percentile(std::vector<std::int64_t> values, double p) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

void report(const std::vector<Round>& rounds) {
  std::vector<std::int64_t> ours, ours_sample, theirs;
  for (const auto& r : rounds) {
    ours.push_back(r.ours);
    ours_sample.push_back(r.ours_sample);
    theirs.push_back(r.theirs);
  }
  auto line = [](const char* what, const std::vector<std::int64_t>& values) {
    fmt::print("{:<46} p50 {:>5} ms   p99 {:>5} ms\n", what, percentile(values, 0.5),
               percentile(values, 0.99));
  };
  fmt::print("{} rounds (after one warm-up round)\n", rounds.size());
  line("sample-to-webhook, sentineld (goal p99 < 200):", ours_sample);
  line("breach-to-webhook, sentineld:", ours);
  line("breach-to-webhook, Prometheus + Alertmanager:", theirs);
  fmt::print("ratio sentineld/Prometheus+Alertmanager: p50 {:.2f} (goal <= 0.6), p99 {:.2f}\n",
             static_cast<double>(percentile(ours, 0.5)) / percentile(theirs, 0.5),
             static_cast<double>(percentile(ours, 0.99)) / percentile(theirs, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: bench_alert_latency RECEIVER_PORT VALUE_FILE SENTINELD_ADDR ADMIN_TOKEN "
                 "ROUNDS\n";
    return 2;
  }
  Inbox inbox;
  test::LocalHttpServer receiver({{"http.listen", fmt::format("127.0.0.1:{}", argv[1])}});
  add_receiver_routes(receiver, inbox);
  receiver.start();
  SampleReader samples(argv[3], argv[4]);
  Rounds rounds(inbox, samples, argv[2]);
  // The warm-up round waits until both pipelines run end to end (enrolment, first scrapes).
  rounds.run();
  std::vector<Round> results;
  for (int i = 0; i < std::atoi(argv[5]); ++i) {
    results.push_back(rounds.run());
    std::cerr << fmt::format("round {}: sentineld {} ms (sample {} ms), Prometheus {} ms\n", i + 1,
                             results.back().ours, results.back().ours_sample,
                             results.back().theirs);
  }
  report(results);
  return 0;
}
