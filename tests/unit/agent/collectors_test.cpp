#include <catch2/catch.hpp>

#include "sentinel/agent/synthetic.hpp"

#include "agent/collectors/builtin.hpp"
#include "agent/collectors/synthetic.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using agent::Labels;

namespace {

const std::filesystem::path kFixtures = SENTINEL_SOURCE_DIR "/tests/fixtures/proc";

struct Collected {
  core::Status status = core::ok_status();
  std::vector<v1::Metric> metrics;

  // The value of the one sample with this name and exactly these labels.
  std::optional<double> value(std::string_view name, Labels labels = {}) const {
    std::sort(labels.begin(), labels.end());
    std::optional<double> found;
    for (const auto& metric : metrics) {
      Labels actual;
      for (const auto& label : metric.labels())
        actual.emplace_back(label.name(), label.value());
      if (metric.name() != name || actual != labels) continue;
      REQUIRE_FALSE(found);
      found = metric.double_value();
    }
    return found;
  }
  v1::MetricType type(std::string_view name) const {
    for (const auto& metric : metrics) {
      if (metric.name() == name) return metric.type();
    }
    return v1::METRIC_TYPE_UNSPECIFIED;
  }
  std::size_t count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(metrics.begin(), metrics.end(),
                                                  [&](const auto& m) { return m.name() == name; }));
  }
};

Collected collect(agent::Collector& collector, const std::filesystem::path& root,
                  std::int64_t now_ms = 1000,
                  const std::map<std::string, std::string>& labels = {}) {
  Collected result;
  agent::ProcFiles proc(root);
  agent::CollectContext context{proc, now_ms};
  agent::MetricSink sink(result.metrics, now_ms, labels);
  result.status = collector.collect(context, sink);
  return result;
}

agent::CollectSettings default_settings() {
  core::ConfigLoader loader({});
  auto section = loader.section("collect");
  return agent::CollectSettings::parse(section);
}

}  // namespace

TEST_CASE("cpu percentages come from the change between two ticks") {
  agent::CpuCollector cpu(true);
  auto first = collect(cpu, kFixtures / "linux-2.6.18");
  REQUIRE(first.status.ok());
  CHECK(first.value("cpu_count") == 2);
  CHECK(first.count("cpu_usage_percent") == 0);  // no previous tick yet

  test::TempDir later;
  later.write("stat",
              "cpu  1100 20 350 5800 50 5 6 17\n"
              "cpu0 650 10 225 2800 35 5 4 8\n"
              "cpu1 450 10 125 3000 15 0 2 9\n");
  auto second = collect(cpu, later.path());
  REQUIRE(second.status.ok());
  // total: user 100, system 50, idle 800, iowait 10, steal 10 = 970 jiffies.
  CHECK(second.value("cpu_usage_percent", {{"cpu", "total"}}) == Approx(100.0 * 160 / 970));
  CHECK(second.value("cpu_mode_percent", {{"cpu", "total"}, {"mode", "user"}}) ==
        Approx(100.0 * 100 / 970));
  CHECK(second.value("cpu_mode_percent", {{"cpu", "total"}, {"mode", "idle"}}) ==
        Approx(100.0 * 800 / 970));
  CHECK(second.value("cpu_mode_percent", {{"cpu", "total"}, {"mode", "steal"}}) ==
        Approx(100.0 * 10 / 970));
  // cpu0: user 50, system 25, idle 400, iowait 5, steal 5 = 485.
  CHECK(second.value("cpu_usage_percent", {{"cpu", "0"}}) == Approx(100.0 * 80 / 485));
  CHECK(second.value("cpu_usage_percent", {{"cpu", "1"}}));

  agent::CpuCollector first_core(true, agent::NameFilter({}, {"1"}));
  REQUIRE(collect(first_core, kFixtures / "linux-2.6.18").status.ok());
  auto filtered = collect(first_core, later.path());
  CHECK(filtered.value("cpu_usage_percent", {{"cpu", "0"}}));
  CHECK_FALSE(filtered.value("cpu_usage_percent", {{"cpu", "1"}}));
  CHECK(second.type("cpu_usage_percent") == v1::METRIC_TYPE_GAUGE);
}

TEST_CASE("cpu guest time is not counted twice and a counter going back skips the tick") {
  agent::CpuCollector cpu(false);
  REQUIRE(collect(cpu, kFixtures / "linux-4.19").status.ok());
  test::TempDir later;
  // Only guest time grew (it is already inside user), and cpu0 went backwards.
  later.write("stat",
              "cpu  20100 100 5000 70900 2000 0 400 500 9999 0\n"
              "cpu0 9000 50 2500 35000 1000 0 200 250 150 0\n");
  auto second = collect(cpu, later.path());
  CHECK(second.value("cpu_usage_percent", {{"cpu", "total"}}) == Approx(10.0));
  CHECK(second.count("cpu_mode_percent") == 8);  // total only: per_core is off
}

TEST_CASE("load averages are read for the three periods") {
  agent::LoadCollector load;
  auto result = collect(load, kFixtures / "linux-6.18");
  CHECK(result.value("load_average", {{"period", "1m"}}) == Approx(2.34));
  CHECK(result.value("load_average", {{"period", "5m"}}) == Approx(4.38));
  CHECK(result.value("load_average", {{"period", "15m"}}) == Approx(3.89));
}

TEST_CASE("memory is read in bytes, with MemAvailable or its estimate on old kernels") {
  agent::MemoryCollector memory;
  auto modern = collect(memory, kFixtures / "linux-6.18");
  CHECK(modern.value("memory_total_bytes") == 24684096.0 * 1024);
  CHECK(modern.value("memory_available_bytes") == 23667700.0 * 1024);
  CHECK(modern.value("memory_used_bytes") == (24684096.0 - 23667700.0) * 1024);
  CHECK(modern.value("memory_used_percent") == Approx(100.0 * (24684096 - 23667700) / 24684096));
  CHECK(modern.value("swap_total_bytes") == 0);
  CHECK(modern.value("swap_used_percent") == 0);

  auto old = collect(memory, kFixtures / "linux-2.6.18");
  CHECK(old.value("memory_available_bytes") == (123456.0 + 65432 + 876543) * 1024);
  CHECK(old.value("swap_used_bytes") == 100000.0 * 1024);
  CHECK(old.value("swap_used_percent") == Approx(100.0 * 100000 / 4194296));
}

TEST_CASE("filesystems: pseudo file systems left out, hidden mounts replaced, names unescaped") {
  auto settings = default_settings();
  settings.rootfs = "/host";
  std::vector<std::string> asked;
  agent::FilesystemCollector filesystems(settings, [&](const std::filesystem::path& path) {
    asked.push_back(path.string());
    struct statvfs fs {};
    fs.f_frsize = 4096;
    fs.f_blocks = path == "/host/run" ? 0 : 1000;
    fs.f_bfree = 400;
    fs.f_bavail = 300;
    fs.f_files = 100;
    fs.f_ffree = 40;
    fs.f_flag = path == "/host/data" ? ST_RDONLY : 0;
    return std::optional(fs);
  });
  auto result = collect(filesystems, kFixtures / "linux-4.19");
  REQUIRE(result.status.ok());
  CHECK(asked ==
        std::vector<std::string>{"/host/", "/host/run", "/host/mnt/my disk", "/host/data"});
  const Labels root = {{"device", "/dev/nvme0n1p1"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
  CHECK(result.value("filesystem_size_bytes", root) == 4096000);
  CHECK(result.value("filesystem_free_bytes", root) == 1638400);
  CHECK(result.value("filesystem_avail_bytes", root) == 1228800);
  CHECK(result.value("filesystem_used_bytes", root) == 2457600);
  CHECK(result.value("filesystem_used_percent", root) == Approx(200.0 / 3));
  CHECK(result.value("filesystem_inodes_used", root) == 60);
  CHECK(result.value("filesystem_readonly", root) == 0);
  const Labels data = {{"device", "/dev/sdc2"}, {"fstype", "ext4"}, {"mountpoint", "/data"}};
  CHECK(result.value("filesystem_readonly", data) == 1);
  CHECK(result.count("filesystem_size_bytes") == 3);  // /run has no blocks
  CHECK(result.value("filesystem_size_bytes",
                     {{"device", "/dev/sdb1"}, {"fstype", "xfs"}, {"mountpoint", "/mnt/my disk"}}));
}

TEST_CASE("disk counters are read from 20-, 18- and 14-field diskstats") {
  auto settings = default_settings();
  agent::DiskIoCollector disks(settings.diskio);

  auto v6 = collect(disks, kFixtures / "linux-6.18");
  const Labels vda = {{"device", "vda"}};
  CHECK(v6.value("disk_reads_total", vda) == 122235);
  CHECK(v6.value("disk_read_bytes_total", vda) == 5423562.0 * 512);
  CHECK(v6.value("disk_written_bytes_total", vda) == 23900800.0 * 512);
  CHECK(v6.value("disk_io_time_seconds_total", vda) == Approx(69.356));
  CHECK(v6.value("disk_flushes_total", vda) == 2273);
  CHECK(v6.value("disk_flush_time_seconds_total", vda) == Approx(0.132));
  CHECK(v6.type("disk_reads_total") == v1::METRIC_TYPE_COUNTER);
  CHECK(v6.type("disk_io_in_progress") == v1::METRIC_TYPE_GAUGE);
  CHECK_FALSE(v6.value("disk_reads_total", {{"device", "loop0"}}));
  CHECK_FALSE(v6.value("disk_reads_total", {{"device", "zram0"}}));

  auto v4 = collect(disks, kFixtures / "linux-4.19");
  const Labels nvme = {{"device", "nvme0n1"}};
  CHECK(v4.value("disk_discards_total", nvme) == 500);
  CHECK(v4.value("disk_discarded_bytes_total", nvme) == 1000000.0 * 512);
  CHECK(v4.value("disk_io_in_progress", nvme) == 3);
  CHECK(v4.count("disk_flushes_total") == 0);
  CHECK(v4.value("disk_reads_total", {{"device", "nvme0n1p1"}}) == 99000);

  auto v2 = collect(disks, kFixtures / "linux-2.6.18");
  CHECK(v2.value("disk_reads_total", {{"device", "sda"}}) == 12345);
  CHECK(v2.value("disk_write_time_seconds_total", {{"device", "sda"}}) == Approx(9.876));
  CHECK(v2.count("disk_discards_total") == 0);
  CHECK(v2.value("disk_reads_total", {{"device", "sda1"}}) == 11000);
  CHECK(v2.value("disk_read_bytes_total", {{"device", "sda1"}}) == 876000.0 * 512);
  CHECK_FALSE(v2.value("disk_reads_total", {{"device", "ram0"}}));
}

TEST_CASE("network counters per interface, with include patterns") {
  agent::NetworkCollector all({});
  auto v6 = collect(all, kFixtures / "linux-6.18");
  CHECK(v6.value("network_receive_bytes_total", {{"interface", "eth0"}}) == 131384218);
  CHECK(v6.value("network_transmit_packets_total", {{"interface", "eth0"}}) == 1189);
  CHECK(v6.value("network_receive_bytes_total", {{"interface", "lo"}}) == 247286);

  agent::NetworkCollector ethernet({true, {"eth*"}, {}});
  auto v2 = collect(ethernet, kFixtures / "linux-2.6.18");
  CHECK(v2.value("network_receive_bytes_total", {{"interface", "eth0"}}) == 4294967296.0);
  CHECK(v2.value("network_receive_drops_total", {{"interface", "eth0"}}) == 3);
  CHECK(v2.value("network_transmit_errors_total", {{"interface", "eth0"}}) == 4);
  CHECK(v2.value("network_transmit_drops_total", {{"interface", "eth0"}}) == 6);
  CHECK_FALSE(v2.value("network_receive_bytes_total", {{"interface", "lo"}}));
}

TEST_CASE("processes are counted by state, threads summed") {
  agent::ProcessesCollector processes;
  auto v4 = collect(processes, kFixtures / "linux-4.19");
  CHECK(v4.value("processes_total") == 3);
  CHECK(v4.value("processes", {{"state", "running"}}) == 1);
  CHECK(v4.value("processes", {{"state", "sleeping"}}) == 1);
  CHECK(v4.value("processes", {{"state", "zombie"}}) == 1);
  CHECK(v4.value("processes", {{"state", "disk_sleep"}}) == 0);
  CHECK(v4.value("threads_total") == 9);

  auto v6 = collect(processes, kFixtures / "linux-6.18");
  CHECK(v6.value("processes_total") == 5);
  CHECK(v6.value("processes", {{"state", "sleeping"}}) == 3);
  CHECK(v6.value("processes", {{"state", "idle"}}) == 2);
}

TEST_CASE("uptime, kernel activity counters and file handles") {
  agent::UptimeCollector uptime;
  auto up = collect(uptime, kFixtures / "linux-6.18");
  CHECK(up.value("system_uptime_seconds") == Approx(6367.90));
  CHECK(up.value("system_boot_time_seconds") == 1795446251);

  agent::ContextSwitchesCollector activity;
  auto counters = collect(activity, kFixtures / "linux-6.18");
  CHECK(counters.value("context_switches_total") == 1413040);
  CHECK(counters.value("interrupts_total") == 1162254);
  CHECK(counters.value("forks_total") == 29991);
  CHECK(counters.type("context_switches_total") == v1::METRIC_TYPE_COUNTER);

  agent::FdsCollector fds;
  auto v6 = collect(fds, kFixtures / "linux-6.18");
  CHECK(v6.value("system_open_fds") == 582);
  CHECK(v6.value("system_max_fds") == 2466193);
  CHECK(collect(fds, kFixtures / "linux-4.19").value("system_max_fds") == 9223372036854775807.0);
}

TEST_CASE("a missing /proc file is an error of that collector only") {
  test::TempDir empty;
  for (auto& collector : agent::make_builtin_collectors(default_settings())) {
    INFO(collector->name());
    auto result = collect(*collector, empty.path());
    if (collector->name() == "processes") {
      CHECK(result.status.ok());
      CHECK(result.value("processes_total") == 0);
    } else {
      REQUIRE_FALSE(result.status.ok());
      CHECK(result.status.error().code == "unreadable");
    }
  }
}

TEST_CASE("static labels are added to every sample, sorted, and never override its own") {
  agent::LoadCollector load;
  auto result =
      collect(load, kFixtures / "linux-6.18", 1234, {{"zone", "a"}, {"period", "x"}, {"dc", "eu"}});
  const auto& metric = result.metrics.front();
  REQUIRE(metric.labels_size() == 3);
  CHECK(metric.labels(0).name() == "dc");
  CHECK(metric.labels(1).name() == "period");
  CHECK(metric.labels(1).value() == "1m");
  CHECK(metric.labels(2).name() == "zone");
  CHECK(metric.timestamp_ms() == 1234);
}

TEST_CASE("the synthetic generator numbers samples at its rate, continuing a sequence") {
  agent::SyntheticCollector synthetic({true, 10, 3}, 41, 0);
  auto first = collect(synthetic, "/nonexistent", 1000);
  REQUIRE(first.metrics.size() == 10);
  for (std::size_t i = 0; i < first.metrics.size(); ++i) {
    const auto& metric = first.metrics[i];
    CHECK(metric.seq() == 42 + i);
    CHECK(metric.name() == "synthetic_value");
    CHECK(metric.double_value() == agent::synthetic_value(metric.seq()));
    CHECK(metric.labels(0).value() == fmt::format("s{}", metric.seq() % 3));
  }
  CHECK(collect(synthetic, "/nonexistent", 1150).metrics.size() == 1);  // 1.5 owed
  CHECK(collect(synthetic, "/nonexistent", 1200).metrics.size() == 1);  // 0.5 + 0.5
  CHECK(synthetic.last_seq() == 53);
  CHECK(agent::synthetic_value(1) == 427799);  // pinned: the chaos suite relies on it
}

TEST_CASE("name filters: include narrows, exclude wins") {
  agent::NameFilter filter({"sd*", "nvme*"}, {"sda1"});
  CHECK(filter.accepts("sda"));
  CHECK_FALSE(filter.accepts("sda1"));
  CHECK(filter.accepts("nvme0n1"));
  CHECK_FALSE(filter.accepts("loop0"));
  CHECK(agent::NameFilter().accepts("anything"));
}

TEST_CASE("a label value that is not UTF-8 text is made so, and its sample kept") {
  // A mount point in Latin-1 (or any name the kernel hands over as bytes): the gateway cannot
  // decode a batch with invalid UTF-8, and PostgreSQL keeps no NUL.
  std::vector<v1::Metric> metrics;
  const std::map<std::string, std::string> no_static_labels;  // the sink keeps a reference
  agent::MetricSink sink(metrics, 1000, no_static_labels);
  sink.gauge("filesystem_free_bytes", {{"mountpoint", "/mnt/\xe9t\xe9"}}, 1);
  sink.gauge("filesystem_free_bytes", {{"mountpoint", std::string("/a\0b", 4)}}, 2);
  REQUIRE(metrics.size() == 2);
  CHECK(metrics[0].labels(0).value() == "/mnt/\xef\xbf\xbdt\xef\xbf\xbd");
  CHECK(metrics[1].labels(0).value() ==
        "/a\xef\xbf\xbd"
        "b");
}
