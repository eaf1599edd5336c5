#include <algorithm>
#include <cctype>

#include "agent/collectors/builtin.hpp"

namespace sentinel::agent {
namespace {

// The states of proc(5), by their letter in /proc/<pid>/stat.
constexpr std::array<std::pair<char, std::string_view>, 8> kStates = {{
    {'R', "running"},
    {'S', "sleeping"},
    {'D', "disk_sleep"},
    {'Z', "zombie"},
    {'T', "stopped"},
    {'t', "tracing_stop"},
    {'I', "idle"},
    {'X', "dead"},
}};

bool is_pid(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

}  // namespace

core::Status ProcessesCollector::collect(CollectContext& context, MetricSink& out) {
  std::map<std::string_view, double> by_state;
  for (const auto& [letter, state] : kStates)
    by_state[state] = 0;
  double total = 0;
  double threads = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(context.proc.root(), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (!is_pid(name)) continue;
    // A process may exit between listing and reading: then it simply is not counted.
    auto text = read_small_file(it->path() / "stat");
    if (!text) continue;
    // The command name may hold spaces and parentheses; the fields after its last ')' do not.
    auto close = text->rfind(')');
    if (close == std::string::npos) continue;
    auto fields = split_fields(std::string_view(*text).substr(close + 1));
    if (fields.size() < 18 || fields[0].size() != 1) continue;
    ++total;
    auto state = std::find_if(kStates.begin(), kStates.end(),
                              [&](const auto& s) { return s.first == fields[0][0]; });
    by_state[state == kStates.end() ? std::string_view("other") : state->second] += 1;
    threads += parse_number<double>(fields[17]).value_or(1);
  }
  if (ec) return unreadable(context.proc.root().string(), ec.message());
  out.gauge("processes_total", {}, total);
  out.gauge("threads_total", {}, threads);
  for (const auto& [state, count] : by_state)
    out.gauge("processes", {{"state", std::string(state)}}, count);
  return core::ok_status();
}

}  // namespace sentinel::agent
