#include "sentinel/core/config.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/ranges.h>

#include "config_tree.hpp"

namespace sentinel::core {
namespace {

constexpr std::size_t kMinSecretLength = 32;

// Values that appear in documentation and example files, and the usual defaults people type.
constexpr std::array kKnownWeakSecrets = {"changeme", "change-me", "secret",    "password",
                                          "admin",    "sentinel",  "sentineld", "default",
                                          "example",  "test",      "token",     "12345678"};
constexpr std::string_view kExampleSecretMarker = "REPLACE-ME";

std::optional<bool> parse_bool(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return std::nullopt;
}

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string render(bool v) {
  return v ? "true" : "false";
}
std::string render(const std::string& v) {
  return v;
}
std::string render(const std::filesystem::path& v) {
  return v.string();
}
std::string render(std::int64_t v) {
  return std::to_string(v);
}
std::string render(double v) {
  return fmt::format("{}", v);
}
std::string render(Duration v) {
  return format_duration(v);
}
std::string render(ByteSize v) {
  return format_byte_size(v);
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    auto pos = text.find(separator);
    auto part = text.substr(0, pos);
    if (!part.empty()) parts.emplace_back(part);
    if (pos == std::string_view::npos) break;
    text.remove_prefix(pos + 1);
  }
  return parts;
}

void mark_used(const ConfigNode& node) {
  node.used = true;
  for (const auto& e : node.map)
    mark_used(e.node);
  for (const auto& item : node.list)
    mark_used(item);
}

void collect_unused(const ConfigNode& node, const std::string& path,
                    std::vector<ConfigError>& errors) {
  for (const auto& e : node.map) {
    auto key = path.empty() ? e.key : path + "." + e.key;
    if (!e.node.used) {
      errors.push_back({e.node.origin, key, "",
                        path.empty() ? "a known section or key (this one is unknown)"
                                     : "a known key (this one is unknown)"});
    } else {
      collect_unused(e.node, key, errors);
    }
  }
  std::size_t index = 0;
  for (const auto& item : node.list) {
    collect_unused(item, fmt::format("{}[{}]", path, index++), errors);
  }
}

std::string weakness(const std::string& value) {
  if (value.find(kExampleSecretMarker) != std::string::npos) {
    return "a real secret, not the example file's placeholder";
  }
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  for (std::string_view known : kKnownWeakSecrets) {
    if (lower == known) return "a secret that is not a well-known default";
  }
  if (value.size() < kMinSecretLength) {
    return fmt::format("a secret of at least {} bytes (openssl rand -hex 32)", kMinSecretLength);
  }
  if (std::all_of(value.begin(), value.end(), [&](char c) { return c == value.front(); })) {
    return "a secret that is not one repeated character";
  }
  return {};
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string where = key.empty() ? origin : fmt::format("{}: {}", origin, key);
  if (value.empty()) return fmt::format("{}: expected {}", where, expected);
  return fmt::format("{}: \"{}\" is invalid: expected {}", where, value, expected);
}

ConfigErrors::ConfigErrors(std::vector<ConfigError> errors)
    : std::runtime_error([&] {
        std::vector<std::string> lines;
        for (const auto& e : errors)
          lines.push_back(e.to_string());
        return fmt::format("{}", fmt::join(lines, "\n"));
      }()),
      errors_(std::move(errors)) {}

struct ConfigSection::Found {
  const ConfigNode* node = nullptr;  // set when the value comes from the file
  std::optional<std::string> raw;    // set when it comes from a flag or the environment
  std::string origin;
  bool present() const { return node != nullptr || raw.has_value(); }
};

ConfigSection::ConfigSection(ConfigState& state, std::string path, const ConfigNode* node,
                             ConfigNode& effective)
    : state_(&state), path_(std::move(path)), node_(node), effective_(&effective) {
  effective_->kind = ConfigNode::Kind::kMap;
}

std::string ConfigSection::full_key(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

ConfigSection::Found ConfigSection::find(std::string_view key) const {
  // The file's node counts as used even when a flag or variable overrides it: it is a known key.
  // A value's own children (a map of labels) are part of the value, so they count too.
  const ConfigNode* file = node_ != nullptr ? node_->find(key) : nullptr;
  if (file != nullptr) mark_used(*file);
  const auto full = full_key(key);
  const auto& inputs = state_->inputs();
  if (auto it = inputs.flags.find(full); it != inputs.flags.end()) {
    auto name = inputs.flag_names.find(full);
    return {nullptr, it->second,
            fmt::format("flag {}", name == inputs.flag_names.end() ? full : name->second)};
  }
  if (auto name = environment_name(full); !name.empty()) {
    if (auto it = inputs.environment.find(name); it != inputs.environment.end()) {
      return {nullptr, it->second, fmt::format("environment {}", name)};
    }
  }
  if (file != nullptr && file->kind != ConfigNode::Kind::kNull) {
    return {file, std::nullopt, file->origin};
  }
  return {};
}

void ConfigSection::record(std::string_view key, std::string rendered) {
  auto& node = effective_->entry(key);
  node.kind = ConfigNode::Kind::kScalar;
  node.scalar = std::move(rendered);
}

template <class T, class Parse>
void ConfigSection::read_scalar(std::string_view key, T& value, std::string_view expected,
                                Parse parse) {
  const Found found = find(key);
  if (found.present()) {
    if (found.node != nullptr && found.node->kind != ConfigNode::Kind::kScalar) {
      state_->add_error({found.origin, full_key(key), "", std::string(expected)});
    } else {
      const std::string& text = found.node != nullptr ? found.node->scalar : *found.raw;
      if (auto parsed = parse(text)) {
        value = *parsed;
      } else {
        state_->add_error({found.origin, full_key(key), text, std::string(expected)});
      }
    }
  }
  record(key, render(value));
}

void ConfigSection::read(std::string_view key, bool& value) {
  read_scalar(key, value, "true or false", parse_bool);
}

void ConfigSection::read(std::string_view key, std::string& value) {
  read_scalar(key, value, "a string", [](const std::string& t) { return std::optional(t); });
}

void ConfigSection::read(std::string_view key, std::filesystem::path& value) {
  read_scalar(key, value, "a path",
              [](const std::string& t) { return std::optional(std::filesystem::path(t)); });
}

void ConfigSection::read(std::string_view key, double& value, Range<double> bounds) {
  auto expected = fmt::format("a number between {} and {}", bounds.min, bounds.max);
  read_scalar(key, value, expected, [&](const std::string& t) -> std::optional<double> {
    auto v = parse_number<double>(t);
    if (!v || *v < bounds.min || *v > bounds.max) return std::nullopt;
    return v;
  });
}

void ConfigSection::read(std::string_view key, std::int64_t& value, Range<std::int64_t> bounds) {
  auto expected = fmt::format("an integer between {} and {}", bounds.min, bounds.max);
  read_scalar(key, value, expected, [&](const std::string& t) -> std::optional<std::int64_t> {
    auto v = parse_number<std::int64_t>(t);
    if (!v || *v < bounds.min || *v > bounds.max) return std::nullopt;
    return v;
  });
}

void ConfigSection::read(std::string_view key, Duration& value, Range<Duration> bounds) {
  auto expected = fmt::format("a duration between {} and {} (like 250ms, 30s, 5m, 1h)",
                              format_duration(bounds.min), format_duration(bounds.max));
  read_scalar(key, value, expected, [&](const std::string& t) -> std::optional<Duration> {
    auto v = parse_duration(t);
    if (!v || *v < bounds.min || *v > bounds.max) return std::nullopt;
    return v;
  });
}

void ConfigSection::read(std::string_view key, ByteSize& value, Range<ByteSize> bounds) {
  auto expected = fmt::format("a size between {} and {} (like 512KiB, 16MiB, 1GB)",
                              format_byte_size(bounds.min), format_byte_size(bounds.max));
  read_scalar(key, value, expected, [&](const std::string& t) -> std::optional<ByteSize> {
    auto v = parse_byte_size(t);
    if (!v || *v < bounds.min || *v > bounds.max) return std::nullopt;
    return v;
  });
}

void ConfigSection::read(std::string_view key, std::vector<std::string>& value) {
  const Found found = find(key);
  if (found.raw && found.raw->starts_with('[')) {
    value.clear();
    for (const auto& item : parse_yaml(*found.raw, found.origin).list)
      value.push_back(item.scalar);
  } else if (found.raw) {
    value = split(*found.raw, ',');
  } else if (found.node != nullptr && found.node->kind == ConfigNode::Kind::kScalar) {
    value = {found.node->scalar};
  } else if (found.node != nullptr) {
    value.clear();
    for (const auto& item : found.node->list) {
      if (item.kind != ConfigNode::Kind::kScalar) {
        state_->add_error({item.origin, full_key(key), "", "a list of strings"});
      }
      value.push_back(item.scalar);
    }
    if (found.node->kind != ConfigNode::Kind::kList) {
      state_->add_error({found.origin, full_key(key), "", "a string or a list of strings"});
    }
  }
  auto& node = effective_->entry(key);
  node.kind = ConfigNode::Kind::kList;
  node.list.clear();
  for (const auto& item : value)
    node.list.push_back({ConfigNode::Kind::kScalar, item});
}

void ConfigSection::read(std::string_view key, std::vector<std::string>& value, Mask mask) {
  read(key, value);
  state_->set_mask(full_key(key), mask);
  for (auto& shown : effective_->entry(key).list)
    shown.scalar = mask(shown.scalar);
}

void ConfigSection::read(std::string_view key, std::map<std::string, std::string>& value) {
  const Found found = find(key);
  if (found.raw && !found.raw->starts_with('{')) {
    value.clear();
    for (const auto& pair : split(*found.raw, ',')) {
      auto eq = pair.find('=');
      if (eq == std::string::npos) {
        state_->add_error({found.origin, full_key(key), pair, "key=value pairs, comma-separated"});
        continue;
      }
      value[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
  } else if (found.present()) {
    ConfigNode parsed = found.raw ? parse_yaml(*found.raw, found.origin) : ConfigNode{};
    const ConfigNode& map = found.raw ? parsed : *found.node;
    value.clear();
    for (const auto& e : map.map) {
      if (e.node.kind != ConfigNode::Kind::kScalar) {
        state_->add_error({e.node.origin, full_key(key) + "." + e.key, "", "a string value"});
      }
      value[e.key] = e.node.scalar;
    }
    if (map.kind != ConfigNode::Kind::kMap) {
      state_->add_error({found.origin, full_key(key), "", "a map of strings"});
    }
  }
  auto& node = effective_->entry(key);
  node.kind = ConfigNode::Kind::kMap;
  node.map.clear();
  for (const auto& [k, v] : value)
    node.entry(k) = {ConfigNode::Kind::kScalar, v};
}

void ConfigSection::read(std::string_view key, Secret& value, SecretKind kind, bool required) {
  const Found found = find(key);
  if (found.node != nullptr && found.node->kind != ConfigNode::Kind::kScalar) {
    state_->add_error({found.origin, full_key(key), "", "a secret string"});
  } else if (found.present()) {
    value = Secret(found.node != nullptr ? found.node->scalar : *found.raw);
  }
  record(key, value.empty() ? "" : "***");

  std::string problem;
  if (value.empty() && required) {
    problem = "a secret (it is required; generate one with: openssl rand -hex 32)";
  } else if (!value.empty() && kind == SecretKind::kOwned) {
    problem = weakness(value.reveal());
  }
  if (problem.empty()) return;
  ConfigError issue{found.present() ? found.origin : "configuration", full_key(key), "", problem};
  if (state_->mode() == Mode::kProd) {
    state_->add_error(std::move(issue));
  } else {
    state_->add_warning(std::move(issue));
  }
}

void ConfigSection::read(std::string_view key, std::string& value, Mask mask) {
  read(key, value);
  state_->set_mask(full_key(key), mask);
  record(key, mask(value));
}

void ConfigSection::read_choice(std::string_view key, std::string& value,
                                const std::vector<std::string>& names) {
  auto expected = fmt::format("one of: {}", fmt::join(names, ", "));
  read_scalar(key, value, expected, [&](const std::string& t) -> std::optional<std::string> {
    if (std::find(names.begin(), names.end(), t) == names.end()) return std::nullopt;
    return t;
  });
}

bool ConfigSection::has(std::string_view key) const {
  return node_ != nullptr && node_->find(key) != nullptr;
}

ConfigSection ConfigSection::child(std::string_view key) {
  const ConfigNode* node = node_ != nullptr ? node_->find(key) : nullptr;
  if (node != nullptr) {
    node->used = true;
    if (node->kind != ConfigNode::Kind::kMap && node->kind != ConfigNode::Kind::kNull) {
      state_->add_error({node->origin, full_key(key), "", "a map of settings"});
      node = nullptr;
    }
  }
  return ConfigSection(*state_, full_key(key), node, effective_->entry(key));
}

std::vector<ConfigSection> ConfigSection::list(std::string_view key) {
  auto& effective = effective_->entry(key);
  effective.kind = ConfigNode::Kind::kList;
  effective.list.clear();
  const ConfigNode* node = node_ != nullptr ? node_->find(key) : nullptr;
  if (node == nullptr || node->kind == ConfigNode::Kind::kNull) return {};
  node->used = true;
  if (node->kind != ConfigNode::Kind::kList) {
    state_->add_error({node->origin, full_key(key), "", "a list of maps"});
    return {};
  }
  std::vector<ConfigSection> sections;
  std::size_t index = 0;
  for (const auto& item : node->list) {
    auto path = fmt::format("{}[{}]", full_key(key), index++);
    item.used = true;
    effective.list.push_back({});
    if (item.kind != ConfigNode::Kind::kMap) {
      state_->add_error({item.origin, path, "", "a map of settings"});
      continue;
    }
    sections.emplace_back(*state_, std::move(path), &item, effective.list.back());
  }
  return sections;
}

void ConfigSection::fail(std::string_view key, std::string_view expected) {
  const Found found = find(key);
  std::string value = found.raw.value_or(found.node != nullptr ? found.node->scalar : "");
  state_->add_error({found.present() ? found.origin : "configuration", full_key(key),
                     state_->shown(full_key(key), std::move(value)), std::string(expected)});
}

Mode ConfigSection::mode() const {
  return state_->mode();
}

ConfigLoader::ConfigLoader(ConfigInputs inputs) {
  // SENTINEL_ENV=prod is the conventional spelling; it means the same as `mode: prod`.
  if (auto env = inputs.environment.find("SENTINEL_ENV"); env != inputs.environment.end()) {
    inputs.environment.try_emplace("SENTINEL_MODE", env->second);
  }
  state_ = std::make_unique<ConfigState>(std::move(inputs));
  const auto& file = state_->inputs().file;
  std::ifstream in(file);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    auto root = parse_yaml(text.str(), file.string());
    if (root.kind != ConfigNode::Kind::kMap && root.kind != ConfigNode::Kind::kNull) {
      throw ConfigErrors({{file.string(), "", "", "a map of sections at the top level"}});
    }
    state_->set_file_root(std::move(root));
  } else if (state_->inputs().file_required) {
    throw ConfigErrors({{file.string(), "", "", "a readable configuration file"}});
  }
  Mode mode = Mode::kDev;
  root().read_enum("mode", mode, {{"dev", Mode::kDev}, {"prod", Mode::kProd}});
  state_->set_mode(mode);
}

ConfigLoader::~ConfigLoader() = default;

ConfigSection ConfigLoader::root() {
  return ConfigSection(*state_, "", &state_->file_root(), state_->effective_root());
}

ConfigSection ConfigLoader::section(std::string_view name) {
  return root().child(name);
}

Mode ConfigLoader::mode() const {
  return state_->mode();
}

void ConfigLoader::finish() {
  auto& errors = state_->errors();
  collect_unused(state_->file_root(), "", errors);
  if (!errors.empty()) throw ConfigErrors(errors);
}

const std::vector<ConfigError>& ConfigLoader::warnings() const {
  return state_->warnings();
}

std::string ConfigLoader::render() const {
  return render_yaml(state_->effective_root());
}

std::map<std::string, std::string> sentinel_environment(char** envp) {
  std::map<std::string, std::string> result;
  for (char** entry = envp; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto eq = text.find('=');
    if (eq != std::string_view::npos && text.starts_with("SENTINEL_")) {
      result.emplace(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  return result;
}

}  // namespace sentinel::core
