#pragma once
// The parsed form of a configuration file, independent of yaml-cpp, and the state one load of the
// configuration accumulates (errors, warnings, the effective values for `config print`).

#include <list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/config.hpp"

namespace sentinel::core {

struct ConfigEntry;

struct ConfigNode {
  enum class Kind { kNull, kScalar, kMap, kList };
  Kind kind = Kind::kNull;
  std::string scalar;
  std::list<ConfigEntry> map;  // std::list: references stay valid while siblings are added
  std::list<ConfigNode> list;
  std::string origin;         // "sentineld.yml:12"
  mutable bool used = false;  // read by some section; unused keys are typos

  const ConfigNode* find(std::string_view key) const;
  ConfigNode& entry(std::string_view key);  // finds or appends a map entry
};

struct ConfigEntry {
  std::string key;
  ConfigNode node;
};

// Parses YAML text into a tree; throws ConfigErrors naming `origin` on a syntax error.
ConfigNode parse_yaml(const std::string& text, const std::string& origin);
std::string render_yaml(const ConfigNode& node);

class ConfigState {
 public:
  explicit ConfigState(ConfigInputs inputs);

  const ConfigInputs& inputs() const { return inputs_; }
  const ConfigNode& file_root() const { return file_root_; }
  void set_file_root(ConfigNode root) { file_root_ = std::move(root); }
  ConfigNode& effective_root() { return effective_root_; }
  Mode mode() const { return mode_; }
  void set_mode(Mode mode) { mode_ = mode; }

  // Values read through a mask are shown masked in errors too.
  void set_mask(std::string key, ConfigSection::Mask mask) { masks_[std::move(key)] = mask; }
  std::string shown(const std::string& key, std::string value) const {
    auto it = masks_.find(key);
    return it == masks_.end() ? value : it->second(value);
  }

  void add_error(ConfigError error) { errors_.push_back(std::move(error)); }
  void add_warning(ConfigError warning) { warnings_.push_back(std::move(warning)); }
  std::vector<ConfigError>& errors() { return errors_; }
  const std::vector<ConfigError>& warnings() const { return warnings_; }

 private:
  ConfigInputs inputs_;
  ConfigNode file_root_;
  ConfigNode effective_root_;
  Mode mode_ = Mode::kDev;
  std::vector<ConfigError> errors_;
  std::vector<ConfigError> warnings_;
  std::map<std::string, ConfigSection::Mask> masks_;
};

// "http.tls.cert" -> "SENTINEL_HTTP_TLS_CERT"; list indices are not addressable from the
// environment, so a path with one has no variable.
std::string environment_name(std::string_view dotted_key);

}  // namespace sentinel::core
