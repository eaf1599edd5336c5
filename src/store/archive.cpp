#include "archive.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/crypto.hpp"

namespace sentinel::store::archive {
namespace {

// Ordered, so that "type" leads every line.
using Json = nlohmann::ordered_json;

// Why a line is refused, before the reader adds its number.
class LineError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// JSON has no NaN or infinities; samples may (a counter's rate over nothing): they travel as
// the strings Prometheus writes for them.
Json number_json(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return value;
}

std::optional<double> number_from(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

Json optional_json(const std::optional<std::int64_t>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// Reads the fields of one record; a missing or mistyped field throws a LineError naming it.
class Fields {
 public:
  explicit Fields(const Json& object) : object_(object) {}

  std::string text(const char* name) const {
    const auto& value = get(name);
    if (!value.is_string()) throw wrong(name, "a string");
    return value.get<std::string>();
  }
  std::int64_t int64(const char* name) const { return int64_of(get(name), name); }
  std::optional<std::int64_t> optional_int64(const char* name) const {
    const auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) return std::nullopt;
    return int64_of(*it, name);
  }
  double number(const char* name) const {
    if (auto value = number_from(get(name))) return *value;
    throw wrong(name, "a number");
  }
  bool boolean(const char* name) const {
    const auto& value = get(name);
    if (!value.is_boolean()) throw wrong(name, "true or false");
    return value.get<bool>();
  }
  StringMap string_map(const char* name) const {
    const auto& value = get(name);
    if (!value.is_object()) throw wrong(name, "an object of strings");
    StringMap map;
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) throw wrong(name, "an object of strings");
      map.emplace(key, item.get<std::string>());
    }
    return map;
  }
  std::vector<std::string> strings(const char* name) const {
    const auto& value = get(name);
    if (!value.is_array()) throw wrong(name, "an array of strings");
    std::vector<std::string> out;
    for (const auto& item : value) {
      if (!item.is_string()) throw wrong(name, "an array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  const Json& array(const char* name) const {
    const auto& value = get(name);
    if (!value.is_array()) throw wrong(name, "an array");
    return value;
  }

 private:
  const Json& get(const char* name) const {
    const auto it = object_.find(name);
    if (it == object_.end()) throw LineError(fmt::format("field \"{}\" is missing", name));
    return *it;
  }
  static LineError wrong(const char* name, const char* expected) {
    return LineError(fmt::format("field \"{}\" must be {}", name, expected));
  }
  static std::int64_t int64_of(const Json& value, const char* name) {
    if (!value.is_number_integer() ||
        (value.is_number_unsigned() &&
         value.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())))
      throw wrong(name, "an integer");
    return value.get<std::int64_t>();
  }

  const Json& object_;
};

// Encoders, one per record type; each object starts with its "type".

Json encode(const Agent& a) {
  const auto& f = a.facts;
  return {{"type", "agent"},
          {"id", a.id},
          {"name", a.name},
          {"hostname", a.hostname},
          {"hardware_id", a.hardware_id},
          {"labels", a.labels},
          {"enabled", a.enabled},
          {"created_at", a.created_at},
          {"last_seen", optional_json(a.last_seen)},
          {"facts_at", optional_json(a.facts_at)},
          {"facts",
           {{"os", f.os},
            {"kernel", f.kernel},
            {"agent_version", f.agent_version},
            {"cpu_percent", number_json(f.cpu_percent)},
            {"memory_percent", number_json(f.memory_percent)},
            {"disk_percent", number_json(f.disk_percent)},
            {"load1", number_json(f.load1)},
            {"load5", number_json(f.load5)},
            {"load15", number_json(f.load15)},
            {"uptime_seconds", f.uptime_seconds},
            {"cpu_count", f.cpu_count},
            {"wal_backlog_batches", f.wal_backlog_batches},
            {"wal_backlog_bytes", f.wal_backlog_bytes}}}};
}

Json encode(const AgentKey& k) {
  return {{"type", "agent_key"},        {"agent_id", k.agent_id},
          {"key_id", k.key_id},         {"sealed_secret", k.sealed_secret},
          {"created_at", k.created_at}, {"retires_at", optional_json(k.retires_at)}};
}

Json encode(const Hashed<BootstrapToken>& h) {
  const auto& t = h.token;
  return {{"type", "bootstrap_token"},
          {"id", t.id},
          {"hash", h.hash},
          {"name", t.name},
          {"uses_left", t.uses_left},
          {"expires_at", t.expires_at},
          {"created_at", t.created_at},
          {"revoked_at", optional_json(t.revoked_at)}};
}

Json encode(const Hashed<ApiToken>& h) {
  const auto& t = h.token;
  return {{"type", "api_token"},
          {"id", t.id},
          {"hash", h.hash},
          {"name", t.name},
          {"role", t.role},
          {"expires_at", optional_json(t.expires_at)},
          {"created_at", t.created_at},
          {"revoked_at", optional_json(t.revoked_at)},
          {"last_used_at", optional_json(t.last_used_at)}};
}

Json encode(const AlertRuleRow& r) {
  return {{"type", "alert_rule"},
          {"id", r.id},
          {"name", r.name},
          {"source", r.source},
          {"definition", r.definition},
          {"enabled", r.enabled},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at}};
}

Json encode(const SilenceRow& s) {
  return {{"type", "silence"},          {"id", s.id},
          {"matchers", s.matchers},     {"starts_at", s.starts_at},
          {"ends_at", s.ends_at},       {"comment", s.comment},
          {"created_by", s.created_by}, {"created_at", s.created_at}};
}

Json encode(const NotifierRow& n) {
  return {{"type", "notifier"},
          {"id", n.id},
          {"name", n.name},
          {"notifier_type", n.type},
          {"settings", n.settings},
          {"sealed_secrets", core::to_base64url(n.sealed_secrets)},
          {"send_resolved", n.send_resolved},
          {"group_wait_ms", n.group_wait_ms},
          {"repeat_interval_ms", n.repeat_interval_ms},
          {"enabled", n.enabled},
          {"created_at", n.created_at},
          {"updated_at", n.updated_at}};
}

Json encode(const AlertInstanceRow& r) {
  return {{"type", "alert_instance"},
          {"fingerprint", r.fingerprint},
          {"rule_id", r.rule_id},
          {"rule_name", r.rule_name},
          {"agent_id", r.agent_id},
          {"labels", r.labels},
          {"annotations", r.annotations},
          {"severity", r.severity},
          {"state", r.state},
          {"value", number_json(r.value)},
          {"pending_since", r.pending_since},
          {"firing_since", r.firing_since},
          {"last_breach", r.last_breach},
          {"resolved_at", r.resolved_at},
          {"last_notified_at", r.last_notified_at},
          {"acked_at", optional_json(r.acked_at)},
          {"acked_by", r.acked_by},
          {"ack_note", r.ack_note},
          {"updated_at", r.updated_at}};
}

Json encode(const ProcessedBatches& b) {
  return {{"type", "processed_batches"}, {"agent_id", b.agent_id}, {"batch_ids", b.batch_ids}};
}

Json encode(const SeriesInfo& s) {
  return {{"type", "series"},
          {"id", s.id},
          {"agent_id", s.agent_id},
          {"name", s.name},
          {"labels", s.labels}};
}

Json encode(const SeriesSamples& s) {
  Json points = Json::array();
  for (const auto& point : s.points)
    points.push_back(Json::array({point.time, number_json(point.value)}));
  return {{"type", "samples"}, {"series", s.series_id}, {"points", std::move(points)}};
}

// Decoders, one per record type, reading what the encoder above wrote.

Agent decode_agent(const Fields& in, const Json& object) {
  Agent a;
  a.id = in.text("id");
  a.name = in.text("name");
  a.hostname = in.text("hostname");
  a.hardware_id = in.text("hardware_id");
  a.labels = in.string_map("labels");
  a.enabled = in.boolean("enabled");
  a.created_at = in.int64("created_at");
  a.last_seen = in.optional_int64("last_seen");
  a.facts_at = in.optional_int64("facts_at");
  const auto facts_it = object.find("facts");
  if (facts_it == object.end() || !facts_it->is_object())
    throw LineError("field \"facts\" must be an object");
  const Fields facts(*facts_it);
  auto& f = a.facts;
  f.os = facts.text("os");
  f.kernel = facts.text("kernel");
  f.agent_version = facts.text("agent_version");
  f.cpu_percent = facts.number("cpu_percent");
  f.memory_percent = facts.number("memory_percent");
  f.disk_percent = facts.number("disk_percent");
  f.load1 = facts.number("load1");
  f.load5 = facts.number("load5");
  f.load15 = facts.number("load15");
  f.uptime_seconds = facts.int64("uptime_seconds");
  f.cpu_count = static_cast<std::int32_t>(facts.int64("cpu_count"));
  f.wal_backlog_batches = facts.int64("wal_backlog_batches");
  f.wal_backlog_bytes = facts.int64("wal_backlog_bytes");
  return a;
}

AgentKey decode_agent_key(const Fields& in) {
  return {in.text("agent_id"), in.text("key_id"), in.text("sealed_secret"), in.int64("created_at"),
          in.optional_int64("retires_at")};
}

Hashed<BootstrapToken> decode_bootstrap_token(const Fields& in) {
  BootstrapToken t{in.text("id"),          in.text("name"),        in.int64("uses_left"),
                   in.int64("expires_at"), in.int64("created_at"), in.optional_int64("revoked_at")};
  return {std::move(t), in.text("hash")};
}

Hashed<ApiToken> decode_api_token(const Fields& in) {
  ApiToken t{in.text("id"),
             in.text("name"),
             in.text("role"),
             in.optional_int64("expires_at"),
             in.int64("created_at"),
             in.optional_int64("revoked_at"),
             in.optional_int64("last_used_at")};
  return {std::move(t), in.text("hash")};
}

AlertRuleRow decode_alert_rule(const Fields& in) {
  return {in.text("id"),         in.text("name"),       in.text("source"),
          in.text("definition"), in.boolean("enabled"), in.int64("created_at"),
          in.int64("updated_at")};
}

SilenceRow decode_silence(const Fields& in) {
  return {in.text("id"),      in.strings("matchers"), in.int64("starts_at"), in.int64("ends_at"),
          in.text("comment"), in.text("created_by"),  in.int64("created_at")};
}

// Notifiers' sealed secrets are bytes, which JSON strings cannot hold: they travel as base64url.
std::string sealed_bytes(const std::string& text) {
  auto bytes = core::from_base64url(text);
  if (!bytes) throw LineError("field \"sealed_secrets\" must be base64url");
  return std::move(*bytes);
}

NotifierRow decode_notifier(const Fields& in) {
  return {in.text("id"),
          in.text("name"),
          in.text("notifier_type"),
          in.text("settings"),
          sealed_bytes(in.text("sealed_secrets")),
          in.boolean("send_resolved"),
          in.int64("group_wait_ms"),
          in.int64("repeat_interval_ms"),
          in.boolean("enabled"),
          in.int64("created_at"),
          in.int64("updated_at")};
}

AlertInstanceRow decode_alert_instance(const Fields& in) {
  AlertInstanceRow r;
  r.fingerprint = in.text("fingerprint");
  r.rule_id = in.text("rule_id");
  r.rule_name = in.text("rule_name");
  r.agent_id = in.text("agent_id");
  r.labels = in.string_map("labels");
  r.annotations = in.string_map("annotations");
  r.severity = in.text("severity");
  r.state = in.text("state");
  r.value = in.number("value");
  r.pending_since = in.int64("pending_since");
  r.firing_since = in.int64("firing_since");
  r.last_breach = in.int64("last_breach");
  r.resolved_at = in.int64("resolved_at");
  r.last_notified_at = in.int64("last_notified_at");
  r.acked_at = in.optional_int64("acked_at");
  r.acked_by = in.text("acked_by");
  r.ack_note = in.text("ack_note");
  r.updated_at = in.int64("updated_at");
  return r;
}

ProcessedBatches decode_processed_batches(const Fields& in) {
  ProcessedBatches b;
  b.agent_id = in.text("agent_id");
  for (const auto& id : in.array("batch_ids")) {
    if (!id.is_number_unsigned()) throw LineError("field \"batch_ids\" must hold batch ids");
    b.batch_ids.push_back(id.get<std::uint64_t>());
  }
  return b;
}

SeriesInfo decode_series(const Fields& in) {
  return {in.int64("id"), in.text("agent_id"), in.text("name"), in.string_map("labels")};
}

SeriesSamples decode_samples(const Fields& in) {
  SeriesSamples s;
  s.series_id = in.int64("series");
  for (const auto& point : in.array("points")) {
    std::optional<double> value;
    if (point.is_array() && point.size() == 2 && point[0].is_number_integer())
      value = number_from(point[1]);
    if (!value) throw LineError("field \"points\" must hold [time, value] pairs");
    s.points.push_back({point[0].get<std::int64_t>(), *value});
  }
  return s;
}

Record decode(std::string_view type, const Json& object) {
  const Fields in(object);
  if (type == "agent") return decode_agent(in, object);
  if (type == "agent_key") return decode_agent_key(in);
  if (type == "bootstrap_token") return decode_bootstrap_token(in);
  if (type == "api_token") return decode_api_token(in);
  if (type == "alert_rule") return decode_alert_rule(in);
  if (type == "silence") return decode_silence(in);
  if (type == "notifier") return decode_notifier(in);
  if (type == "alert_instance") return decode_alert_instance(in);
  if (type == "processed_batches") return decode_processed_batches(in);
  if (type == "series") return decode_series(in);
  if (type == "samples") return decode_samples(in);
  throw LineError(fmt::format("unknown record type \"{}\"", type));
}

std::string_view type_of(const Json& encoded) {
  return encoded.front().get_ref<const std::string&>();
}

std::int64_t rows_of(const Record& record) {
  if (const auto* samples = std::get_if<SeriesSamples>(&record))
    return static_cast<std::int64_t>(samples->points.size());
  if (const auto* batches = std::get_if<ProcessedBatches>(&record))
    return static_cast<std::int64_t>(batches->batch_ids.size());
  return 1;
}

Json parse_object(const std::string& line) {
  auto object = Json::parse(line, nullptr, false);
  if (object.is_discarded() || !object.is_object())
    throw LineError("not a JSON object (is the archive corrupted?)");
  return object;
}

Header decode_header(const std::string& line) {
  const auto object = parse_object(line);
  const Fields in(object);
  const auto format_it = object.find("format");
  if (format_it == object.end() || *format_it != std::string(kFormat))
    throw LineError(fmt::format("not a {} (its first line names no such format)", kFormat));
  Header header;
  header.version = static_cast<int>(in.int64("version"));
  if (header.version < 1 || header.version > kVersion) {
    throw LineError(fmt::format(
        "archive version {} is not one this sentineld reads (1 to {}): import it with the "
        "sentineld version that wrote it ({}) or a newer one",
        header.version, kVersion, object.value("sentineld", std::string("unknown"))));
  }
  header.sentineld = in.text("sentineld");
  header.backend = in.text("backend");
  header.exported_at = in.int64("exported_at");
  header.since = in.optional_int64("since");
  return header;
}

}  // namespace

ArchiveError::ArchiveError(std::size_t line, const std::string& what)
    : std::runtime_error(fmt::format("line {}: {}", line, what)) {}

Writer::Writer(std::ostream& out, const Header& header) : out_(out) {
  write_line(Json{{"format", std::string(kFormat)},
                  {"version", header.version},
                  {"sentineld", header.sentineld},
                  {"backend", header.backend},
                  {"exported_at", header.exported_at},
                  {"since", optional_json(header.since)}}
                 .dump());
}

void Writer::write(const Record& record) {
  const auto encoded = std::visit([](const auto& value) { return encode(value); }, record);
  write_line(encoded.dump());
  auto [it, added] = counts_.try_emplace(std::string(type_of(encoded)), 0);
  it->second += rows_of(record);
}

void Writer::finish() {
  write_line(Json{{"type", "end"}, {"counts", counts_}}.dump());
  out_.flush();
  if (!out_) throw std::runtime_error("writing the archive failed");
}

void Writer::write_line(const std::string& line) {
  out_ << line << '\n';
  if (!out_) throw std::runtime_error("writing the archive failed");
}

Reader::Reader(std::istream& in) : in_(in) {
  const auto line = read_line();
  if (!line) throw ArchiveError(1, "the archive is empty");
  try {
    header_ = decode_header(*line);
  } catch (const LineError& e) {
    throw ArchiveError(line_, e.what());
  }
}

std::optional<Record> Reader::next() {
  if (ended_) return std::nullopt;
  const auto line = read_line();
  if (!line) {
    throw ArchiveError(line_ + 1,
                       "the archive ends without its \"end\" line: it is truncated (was the "
                       "export interrupted?)");
  }
  try {
    const auto object = parse_object(*line);
    const auto type_it = object.find("type");
    if (type_it == object.end() || !type_it->is_string())
      throw LineError("field \"type\" is missing");
    const auto& type = type_it->get_ref<const std::string&>();
    if (type == "end") {
      check_end(*line);
      return std::nullopt;
    }
    auto record = decode(type, object);
    if (const auto* series = std::get_if<SeriesInfo>(&record)) series_.insert(series->id);
    if (const auto* samples = std::get_if<SeriesSamples>(&record);
        samples && !series_.contains(samples->series_id)) {
      throw LineError(
          fmt::format("samples of series {}, which no line before declares", samples->series_id));
    }
    counts_[type] += rows_of(record);
    return record;
  } catch (const LineError& e) {
    throw ArchiveError(line_, e.what());
  }
}

std::optional<std::string> Reader::read_line() {
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  ++line_;
  return line;
}

void Reader::check_end(const std::string& line) {
  const auto object = parse_object(line);
  const auto counts_it = object.find("counts");
  if (counts_it == object.end() || !counts_it->is_object())
    throw LineError("field \"counts\" must be an object");
  Counts declared;
  for (const auto& [type, rows] : counts_it->items()) {
    if (!rows.is_number_integer()) throw LineError("field \"counts\" must hold integers");
    if (rows.get<std::int64_t>() != 0) declared[type] = rows.get<std::int64_t>();
  }
  Counts actual;
  for (const auto& [type, rows] : counts_) {
    if (rows != 0) actual[type] = rows;
  }
  if (declared != actual) {
    throw LineError(fmt::format("the end line's counts ({}) differ from the lines before it ({})",
                                Json(declared).dump(), Json(actual).dump()));
  }
  ended_ = true;
  if (read_line()) throw ArchiveError(line_, "a line after the \"end\" line");
}

}  // namespace sentinel::store::archive
