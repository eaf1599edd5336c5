#include "agent/plugins/exposition.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/proto/text.hpp"

#include "agent/collectors/proc_files.hpp"
#include "agent/metric_names.hpp"

namespace sentinel::agent {
namespace {

// A cursor over one line of the text format.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : rest_(line) {}

  std::string_view take_name() {
    auto end = std::find_if(rest_.begin(), rest_.end(), [](char c) {
      return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':');
    });
    auto name = rest_.substr(0, static_cast<std::size_t>(end - rest_.begin()));
    rest_.remove_prefix(name.size());
    return name;
  }
  bool take(char c) {
    skip_spaces();
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }
  // A quoted label value with \\, \" and \n escapes.
  std::optional<std::string> take_quoted() {
    if (!take('"')) return std::nullopt;
    std::string value;
    while (!rest_.empty()) {
      char c = rest_.front();
      rest_.remove_prefix(1);
      if (c == '"') return value;
      if (c == '\\' && !rest_.empty()) {
        c = rest_.front() == 'n' ? '\n' : rest_.front();
        rest_.remove_prefix(1);
      }
      value += c;
    }
    return std::nullopt;
  }
  std::vector<std::string_view> remaining_fields() { return split_fields(rest_); }
  void skip_spaces() {
    while (!rest_.empty() && (rest_.front() == ' ' || rest_.front() == '\t'))
      rest_.remove_prefix(1);
  }

 private:
  std::string_view rest_;
};

std::optional<double> parse_value(std::string_view text) {
  if (text == "+Inf" || text == "Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  if (text == "NaN") return std::nan("");
  return parse_number<double>(text.starts_with('+') ? text.substr(1) : text);
}

// A JSON label value the stores keep as it is (sentinel/proto/text.hpp).
bool storable_label_value(const nlohmann::json& value) {
  return value.is_string() && proto::text_problem(value.get_ref<const std::string&>()).empty();
}

std::optional<Labels> parse_labels(LineReader& reader) {
  Labels labels;
  if (!reader.take('{') || reader.take('}')) return labels;
  for (;;) {
    reader.skip_spaces();
    const std::string name(reader.take_name());
    auto value = reader.take('=') ? reader.take_quoted() : std::nullopt;
    if (!valid_label_name(name) || !value || !proto::text_problem(*value).empty())
      return std::nullopt;
    auto same = [&](const auto& label) { return label.first == name; };
    if (std::any_of(labels.begin(), labels.end(), same)) return std::nullopt;
    labels.emplace_back(name, std::move(*value));
    if (reader.take('}')) return labels;
    if (!reader.take(',')) return std::nullopt;
    if (reader.take('}')) return labels;  // a trailing comma is allowed
  }
}

// The family a sample name belongs to for TYPE lookup: histograms and summaries add suffixes.
std::string_view family_of(std::string_view name,
                           const std::map<std::string, std::string, std::less<>>& types) {
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.ends_with(suffix)) {
      auto base = name.substr(0, name.size() - suffix.size());
      if (types.contains(base)) return base;
    }
  }
  return name;
}

}  // namespace

ParsedOutput parse_prometheus_text(std::string_view text) {
  ParsedOutput out;
  std::map<std::string, std::string, std::less<>> types;
  std::size_t number = 0;
  auto problem = [&](std::string reason, std::string message) {
    out.problems.push_back({number, std::move(reason), std::move(message)});
  };
  for_each_line(text, [&](std::string_view line) {
    ++number;
    auto fields = split_fields(line);
    if (fields.empty()) return;
    if (fields[0].starts_with('#')) {
      if (fields.size() >= 4 && fields[0] == "#" && fields[1] == "TYPE") {
        types[std::string(fields[2])] = std::string(fields[3]);
      }
      return;
    }
    LineReader reader(line);
    reader.skip_spaces();
    const std::string name(reader.take_name());
    auto labels = parse_labels(reader);
    auto rest = reader.remaining_fields();
    if (!valid_metric_name(name) || !labels || rest.empty() || rest.size() > 2) {
      return problem("invalid_line", fmt::format("line {} is not a sample", number));
    }
    auto value = parse_value(rest[0]);
    auto timestamp =
        rest.size() == 2 ? parse_number<std::int64_t>(rest[1]) : std::optional<std::int64_t>(0);
    if (!value || !timestamp)
      return problem("invalid_line", fmt::format("line {}: bad number", number));
    auto type = types.find(family_of(name, types));
    const std::string kind = type == types.end() ? "untyped" : type->second;
    if (kind != "counter" && kind != "gauge" && kind != "untyped") {
      return problem("unsupported_type",
                     fmt::format("line {}: {} samples are not supported", number, kind));
    }
    out.samples.push_back({name, std::move(*labels),
                           kind == "counter" ? v1::METRIC_TYPE_COUNTER : v1::METRIC_TYPE_GAUGE,
                           *value, *timestamp});
  });
  return out;
}

ParsedOutput parse_json_lines(std::string_view text) {
  ParsedOutput out;
  std::size_t number = 0;
  for_each_line(text, [&](std::string_view line) {
    ++number;
    if (split_fields(line).empty()) return;
    auto json = nlohmann::json::parse(line, nullptr, false);
    auto invalid = [&](std::string_view why) {
      out.problems.push_back({number, "invalid_line", fmt::format("line {}: {}", number, why)});
    };
    if (!json.is_object()) return invalid("not a JSON object");
    const auto& name = json.value("name", nlohmann::json());
    const auto& value = json.value("value", nlohmann::json());
    if (!name.is_string() || !valid_metric_name(name.get<std::string>()))
      return invalid("bad name");
    if (!value.is_number()) return invalid("value is not a number");
    ParsedSample sample{name.get<std::string>(), {}, v1::METRIC_TYPE_GAUGE, value.get<double>(), 0};
    const auto type = json.value("type", nlohmann::json("gauge"));  // any JSON type: checked next
    if (type != "gauge" && type != "counter") return invalid("type is not gauge or counter");
    if (type == "counter") sample.type = v1::METRIC_TYPE_COUNTER;
    const auto& labels = json.value("labels", nlohmann::json::object());
    if (!labels.is_object()) return invalid("labels is not an object");
    for (const auto& [key, label] : labels.items()) {
      if (!valid_label_name(key) || !storable_label_value(label)) return invalid("bad label");
      sample.labels.emplace_back(key, label.get<std::string>());
    }
    const auto& timestamp = json.value("timestamp_ms", nlohmann::json(0));
    if (!timestamp.is_number_integer()) return invalid("timestamp_ms is not an integer");
    sample.timestamp_ms = timestamp.get<std::int64_t>();
    out.samples.push_back(std::move(sample));
  });
  return out;
}

}  // namespace sentinel::agent
