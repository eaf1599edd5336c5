#pragma once
// Parsers for what exec plugins print: the Prometheus text exposition format (0.0.4) and JSON
// lines. Bad lines are reported, never thrown; good lines around them still count.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.hpp"

namespace sentinel::agent {

struct ParsedSample {
  std::string name;
  Labels labels;
  v1::MetricType type = v1::METRIC_TYPE_GAUGE;
  double value = 0;
  std::int64_t timestamp_ms = 0;  // 0: the time of the run
};

struct ParseProblem {
  std::size_t line = 0;  // 1-based
  std::string reason;    // "invalid_line" or "unsupported_type", the metric's reason label
  std::string message;
};

struct ParsedOutput {
  std::vector<ParsedSample> samples;
  std::vector<ParseProblem> problems;
};

// Lines `name{label="value",...} value [timestamp_ms]`, `# TYPE name counter|gauge|untyped` and
// `# HELP`; untyped samples are gauges. Histograms and summaries are not supported: their lines
// are reported as "unsupported_type".
ParsedOutput parse_prometheus_text(std::string_view text);

// One JSON object per line: {"name": "...", "labels": {...}, "value": 1.5, "type": "gauge" |
// "counter", "timestamp_ms": 1700000000000}; labels, type and timestamp_ms are optional.
ParsedOutput parse_json_lines(std::string_view text);

}  // namespace sentinel::agent
