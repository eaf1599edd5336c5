// The agent's CPU time and memory at a 1 s interval against prometheus-node-exporter scraped every
// second, both on this machine, measured in one run (docs/BENCHMARKS.md). The agent does its whole
// job: collect, write the WAL (fsync), sign, compress and push to a local fake gateway; the node
// exporter collects and renders on every scrape. The gateway and the scraper run in this process
// and are not counted. Usage: agent_footprint_bench [SECONDS] [SENTINELD] [NODE_EXPORTER]

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include "sentinel/http/client.hpp"

#include "support/fake_gateway.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
namespace asio = boost::asio;

namespace {

struct Usage {
  double cpu_seconds = 0;
  double rss_mib = 0;
  double peak_rss_mib = 0;
};

Usage usage_of(pid_t pid) {
  Usage usage;
  const auto stat = test::read_file(fmt::format("/proc/{}/stat", pid));
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 0; i < 13 && fields >> field; ++i) {
    if (i == 11 || i == 12)
      usage.cpu_seconds += std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) usage.rss_mib = std::stod(line.substr(6)) / 1024;
    if (line.starts_with("VmHWM:")) usage.peak_rss_mib = std::stod(line.substr(6)) / 1024;
  }
  return usage;
}

std::uint16_t free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// GET /metrics once; the body size, or 0 when the scrape failed.
std::size_t scrape(const std::string& url) {
  asio::io_context io;
  http::Client client(io.get_executor(), *http::parse_url(url), {});
  std::size_t size = 0;
  http::ClientRequest request;
  request.target = "/metrics";
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto response = co_await client.send(request);
        if (response && response->status == 200) size = response->body.size();
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.run();
  return size;
}

void print(const char* name, const Usage& start, const Usage& end, double seconds) {
  const double cpu = end.cpu_seconds - start.cpu_seconds;
  std::printf(
      "%-15s cpu %6.2f s (%6.1f s/hour, %5.2f%% of a core)   rss %6.1f MiB (peak %6.1f MiB)\n",
      name, cpu, cpu / seconds * 3600, cpu / seconds * 100, end.rss_mib, end.peak_rss_mib);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 60;
  const std::string sentineld = argc > 2 ? argv[2] : SENTINEL_SENTINELD;
  const std::string node_exporter = argc > 3 ? argv[3] : "/usr/bin/prometheus-node-exporter";
  test::TempDir dir;
  test::FakeGateway gateway;
  gateway.start();
  test::ChildProcess agent(
      {{sentineld, "--role=agent", "--listen=127.0.0.1:0", "--data-dir=" + (dir / "data").string(),
        "--log-level=warn"},
       {{"SENTINEL_AGENT_GATEWAY_URL", gateway.url()},
        {"SENTINEL_AGENT_BOOTSTRAP_TOKEN", std::string(test::FakeGateway::kToken)},
        {"SENTINEL_AGENT_INTERVAL", "1s"},
        {"SENTINEL_MASTER_KEY", "benchmark-master-key-0123456789abcdef"}},
       dir / "agent.log"});
  const auto exporter_url = fmt::format("http://127.0.0.1:{}", free_port());
  test::ChildProcess exporter(
      {{node_exporter, "--web.listen-address=" + exporter_url.substr(7), "--log.level=warn"},
       {},
       dir / "node_exporter.log"});
  // Warm up: the agent has enrolled and pushed, the exporter answers.
  if (!test::eventually([&] { return !gateway.accepted_ids().empty(); },
                        std::chrono::seconds(30)) ||
      !test::eventually([&] { return scrape(exporter_url) > 0; }, std::chrono::seconds(30))) {
    std::fprintf(stderr, "warm-up failed:\n%s\n%s\n", agent.output().c_str(),
                 exporter.output().c_str());
    return 1;
  }
  const auto agent_start = usage_of(agent.pid());
  const auto exporter_start = usage_of(exporter.pid());
  const auto batches_start = gateway.accepted_ids().size();
  std::size_t scrapes = 0, scraped_bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= static_cast<int>(seconds); ++i) {
    const auto bytes = scrape(exporter_url);
    scrapes += bytes > 0 ? 1 : 0;
    scraped_bytes += bytes;
    std::this_thread::sleep_until(start + std::chrono::seconds(i));
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto agent_end = usage_of(agent.pid());
  const auto exporter_end = usage_of(exporter.pid());

  std::printf(
      "%.0f s at a 1 s interval: agent pushed %zu batches, node exporter served %zu scrapes "
      "(%zu KiB each)\n",
      elapsed, gateway.accepted_ids().size() - batches_start, scrapes,
      scrapes ? scraped_bytes / scrapes / 1024 : 0);
  print("sentineld agent", agent_start, agent_end, elapsed);
  print("node_exporter", exporter_start, exporter_end, elapsed);
  std::printf("ratio agent/node_exporter: cpu %.2fx, rss %.2fx (target <= 0.5x on both)\n",
              (agent_end.cpu_seconds - agent_start.cpu_seconds) /
                  (exporter_end.cpu_seconds - exporter_start.cpu_seconds),
              agent_end.rss_mib / exporter_end.rss_mib);
  agent.signal(SIGTERM);
  exporter.signal(SIGTERM);
  agent.wait(std::chrono::seconds(15));
  exporter.wait(std::chrono::seconds(15));
}
