#pragma once
// Typed configuration read from one YAML file, the environment and command-line flags.
//
// Each component owns a section named after it and parses it once, at start-up, into a plain
// struct (its `Config`). Values are looked up by precedence: flag > environment
// (`SENTINEL_<SECTION>_<KEY>`) > file > the field's default. Errors are collected, not thrown one
// at a time, so a user sees every problem of a file at once; `ConfigLoader::finish()` then also
// reports keys nobody read (typos) and throws them all together.

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/core/config_types.hpp"

namespace sentinel::core {

struct ConfigError {
  std::string origin;    // "sentineld.yml:12", "environment SENTINEL_HTTP_LISTEN", "flag --listen"
  std::string key;       // dotted path, "http.tls.cert"
  std::string value;     // the offending text, empty when missing
  std::string expected;  // what would have been accepted
  std::string to_string() const;
};

class ConfigErrors : public std::runtime_error {
 public:
  explicit ConfigErrors(std::vector<ConfigError> errors);
  const std::vector<ConfigError>& errors() const { return errors_; }

 private:
  std::vector<ConfigError> errors_;
};

enum class Mode { kDev, kProd };

// How a secret is judged. Keys that sentineld itself generates (master keys, signing keys) must be
// strong; credentials of someone else's system (a NATS password) are only masked.
enum class SecretKind { kOwned, kExternal };

template <class T>
struct Range {
  T min;
  T max;
};

struct ConfigNode;
class ConfigState;

// A view of one map in the configuration ("http", "http.tls", "agent.exec[2]"). A `read` leaves
// the field's default in place when the key is absent, and records an error (without throwing)
// when the value does not convert or is out of bounds.
class ConfigSection {
 public:
  // `node` is the file's map for this section (null when the file has none); `effective`
  // receives every value read, for `config print`.
  ConfigSection(ConfigState& state, std::string path, const ConfigNode* node,
                ConfigNode& effective);

  void read(std::string_view key, bool& value);
  void read(std::string_view key, std::string& value);
  void read(std::string_view key, std::filesystem::path& value);
  void read(std::string_view key, std::vector<std::string>& value);
  void read(std::string_view key, std::map<std::string, std::string>& value);
  void read(std::string_view key, double& value, Range<double> bounds);
  void read(std::string_view key, std::int64_t& value, Range<std::int64_t> bounds);
  void read(std::string_view key, Duration& value, Range<Duration> bounds);
  void read(std::string_view key, ByteSize& value, Range<ByteSize> bounds);
  void read(std::string_view key, Secret& value, SecretKind kind, bool required);
  // A string of which part is secret, such as the password in a database URL: `config print`
  // and error messages show `mask(value)` instead of the value.
  using Mask = std::string (*)(std::string_view);
  void read(std::string_view key, std::string& value, Mask mask);
  void read(std::string_view key, std::vector<std::string>& value, Mask mask);

  template <class T>
  requires(std::integral<T> && !std::same_as<T, bool>) void read(std::string_view key, T& value,
                                                                 Range<T> bounds) {
    std::int64_t wide = static_cast<std::int64_t>(value);
    read(key, wide,
         Range<std::int64_t>{static_cast<std::int64_t>(bounds.min),
                             static_cast<std::int64_t>(bounds.max)});
    value = static_cast<T>(wide);
  }

  // Reads a string that must be one of `choices`, mapped to its value.
  template <class E>
  void read_enum(std::string_view key, E& value,
                 std::initializer_list<std::pair<std::string_view, E>> choices) {
    std::string text;
    for (const auto& [name, choice] : choices) {
      if (choice == value) text = name;
    }
    std::vector<std::string> names;
    for (const auto& [name, choice] : choices)
      names.emplace_back(name);
    read_choice(key, text, names);
    for (const auto& [name, choice] : choices) {
      if (name == text) value = choice;
    }
  }

  bool has(std::string_view key) const;
  ConfigSection child(std::string_view key);
  // A list of maps (exec plugins, notifiers); each element is a section of its own.
  std::vector<ConfigSection> list(std::string_view key);
  // Records an error for `key` found by the component's own checks ("tls.key is required when
  // tls.cert is set").
  void fail(std::string_view key, std::string_view expected);

  Mode mode() const;
  const std::string& path() const { return path_; }

 private:
  struct Found;
  Found find(std::string_view key) const;
  void read_choice(std::string_view key, std::string& value, const std::vector<std::string>& names);
  template <class T, class Parse>
  void read_scalar(std::string_view key, T& value, std::string_view expected, Parse parse);
  std::string full_key(std::string_view key) const;

  void record(std::string_view key, std::string rendered);

  ConfigState* state_;
  std::string path_;
  const ConfigNode* node_;
  ConfigNode* effective_;
};

struct ConfigInputs {
  std::filesystem::path file;                      // may not exist when `file_required` is false
  bool file_required = false;                      // true when the user named the file explicitly
  std::map<std::string, std::string> environment;  // a snapshot of SENTINEL_* variables
  std::map<std::string, std::string> flags;        // dotted key -> value, e.g. "http.listen"
  std::map<std::string, std::string> flag_names;   // dotted key -> "--listen", for messages
};

// Owns one load of the configuration: parse every section, then `finish()`.
class ConfigLoader {
 public:
  explicit ConfigLoader(ConfigInputs inputs);  // throws ConfigErrors for an unreadable file
  ~ConfigLoader();
  ConfigLoader(const ConfigLoader&) = delete;
  ConfigLoader& operator=(const ConfigLoader&) = delete;

  ConfigSection root();
  ConfigSection section(std::string_view name);
  Mode mode() const;

  // Throws ConfigErrors with everything collected, including unknown sections and keys.
  void finish();
  // Problems that are fatal in prod mode but only warnings in dev mode (weak secrets).
  const std::vector<ConfigError>& warnings() const;
  // The effective configuration as YAML, secrets masked.
  std::string render() const;

 private:
  std::unique_ptr<ConfigState> state_;
};

// Reads SENTINEL_* variables from the process environment.
std::map<std::string, std::string> sentinel_environment(char** envp);

}  // namespace sentinel::core
