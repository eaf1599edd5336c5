#pragma once
// The component registry: a catalog of every component this binary knows, the configuration
// parsed for all of them at once, and the set of instances one role runs.

#include <any>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"

namespace sentinel::core {

class ComponentDescriptor {
 public:
  virtual ~ComponentDescriptor() = default;
  virtual std::string_view name() const = 0;
  virtual std::any parse(ConfigSection& section) const = 0;
  virtual std::unique_ptr<Component> create(const std::any& config,
                                            ComponentContext& context) const = 0;
  // Applies a new config to a running instance; false when the component has no reload.
  virtual bool reload(Component& component, const std::any& config) const = 0;
};

template <class T>
class TypedDescriptor final : public ComponentDescriptor {
 public:
  using Config = typename T::Config;

  std::string_view name() const override { return T::kName; }
  std::any parse(ConfigSection& section) const override { return Config::parse(section); }
  std::unique_ptr<Component> create(const std::any& config,
                                    ComponentContext& context) const override {
    return std::make_unique<T>(std::any_cast<const Config&>(config), context);
  }
  bool reload(Component& component, const std::any& config) const override {
    if constexpr (requires(T & t, const Config& c) { t.reload(c); }) {
      static_cast<T&>(component).reload(std::any_cast<const Config&>(config));
      return true;
    } else {
      return false;
    }
  }
};

// Every component the binary knows, added explicitly by the app (no static self-registration:
// static libraries drop it silently).
class ComponentCatalog {
 public:
  template <class T>
  ComponentCatalog& add() {
    descriptors_.push_back(std::make_unique<TypedDescriptor<T>>());
    return *this;
  }
  const ComponentDescriptor* find(std::string_view name) const;
  const std::vector<std::unique_ptr<ComponentDescriptor>>& all() const { return descriptors_; }

 private:
  std::vector<std::unique_ptr<ComponentDescriptor>> descriptors_;
};

// One load of the configuration, validated as a whole: the process settings and each
// component's typed config, whether or not the role runs that component, so that an error in
// any section is found before anything starts.
struct ParsedConfig {
  ProcessConfig process;
  std::map<std::string, std::any, std::less<>> components;
  std::vector<ConfigError> warnings;
  std::string effective_yaml;  // secrets masked
};

// Throws ConfigErrors listing every problem.
ParsedConfig parse_config(const ComponentCatalog& catalog, ConfigInputs inputs,
                          std::filesystem::path default_data_dir);

class StartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Shared services the app owns and lends to every component.
struct Services {
  boost::asio::io_context& io;
  std::shared_ptr<LogSink> log_sink;
  MetricsRegistry& metrics;
};

// The running components of one role.
class ComponentSet final : public ComponentContext {
 public:
  ComponentSet(const ComponentCatalog& catalog, const ParsedConfig& config, Services services);
  ~ComponentSet();
  ComponentSet(const ComponentSet&) = delete;
  ComponentSet& operator=(const ComponentSet&) = delete;

  // Constructs the named components and, through their constructors, their dependencies.
  // Throws std::invalid_argument for an unknown name or a dependency cycle.
  void create(std::span<const std::string> names);
  // Starts in dependency order; when one fails, stops those started (by `rollback_deadline`) and
  // throws StartError.
  void start(Deadline rollback_deadline);
  // Drains every component, then stops them, each in reverse order (Component::drain). Returns
  // false if some component failed to stop in time, now or when a failed start was rolled back:
  // some task may then still run and use its component.
  bool stop(Deadline deadline);
  // Applies a new configuration to components that support reload; returns their names.
  std::vector<std::string> reload(const ParsedConfig& config);

  std::vector<std::string> names() const;

  boost::asio::io_context& io() override { return services_.io; }
  Logger logger(std::string_view name) override;
  LogSink& log_sink() override { return *services_.log_sink; }
  MetricsRegistry& metrics() override { return services_.metrics; }
  const ProcessConfig& process() const override { return config_->process; }
  std::vector<ComponentStatus> readiness() const override;

 private:
  struct Entry {
    std::string name;
    const ComponentDescriptor* descriptor;
    std::unique_ptr<Component> instance;
  };

  Component& resolve(std::string_view name) override;
  Component* lookup(std::string_view name) override;
  // Drains, then stops the started ones in reverse order; notes a stop that misses `deadline`.
  void stop_started(Deadline deadline);
  // Calls `step` with the index of each started component, the last started first; logs one
  // that throws (it failed to `action`) and returns false then.
  bool each_started_in_reverse(std::string_view action,
                               const std::function<void(std::size_t)>& step);

  const ComponentCatalog& catalog_;
  const ParsedConfig* config_;
  Services services_;
  Logger log_;
  std::vector<Entry> entries_;             // in construction order = dependency order
  std::vector<std::string> constructing_;  // the current chain, to report cycles
  std::atomic<std::size_t> started_{0};
  bool stopped_late_ = false;  // some stop missed its deadline
};

}  // namespace sentinel::core
