#include "sentinel/core/registry.hpp"

#include <algorithm>

#include <fmt/ranges.h>

namespace sentinel::core {

const ComponentDescriptor* ComponentCatalog::find(std::string_view name) const {
  auto it = std::find_if(descriptors_.begin(), descriptors_.end(),
                         [&](const auto& d) { return d->name() == name; });
  return it == descriptors_.end() ? nullptr : it->get();
}

ParsedConfig parse_config(const ComponentCatalog& catalog, ConfigInputs inputs,
                          std::filesystem::path default_data_dir) {
  ConfigLoader loader(std::move(inputs));
  ParsedConfig parsed;
  parsed.process = ProcessConfig::parse(loader, std::move(default_data_dir));
  for (const auto& descriptor : catalog.all()) {
    auto section = loader.section(descriptor->name());
    parsed.components.emplace(std::string(descriptor->name()), descriptor->parse(section));
  }
  loader.finish();
  parsed.warnings = loader.warnings();
  parsed.effective_yaml = loader.render();
  return parsed;
}

ComponentSet::ComponentSet(const ComponentCatalog& catalog, const ParsedConfig& config,
                           Services services)
    : catalog_(catalog),
      config_(&config),
      services_(std::move(services)),
      log_(services_.log_sink, "core") {}

ComponentSet::~ComponentSet() {
  // Destroy dependents before what they depend on.
  while (!entries_.empty())
    entries_.pop_back();
}

void ComponentSet::create(std::span<const std::string> names) {
  for (const auto& name : names)
    resolve(name);
}

Component& ComponentSet::resolve(std::string_view name) {
  if (auto* existing = lookup(name)) return *existing;
  if (std::find(constructing_.begin(), constructing_.end(), name) != constructing_.end()) {
    throw std::invalid_argument(fmt::format("component dependency cycle: {} -> {}",
                                            fmt::join(constructing_, " -> "), name));
  }
  const auto* descriptor = catalog_.find(name);
  if (descriptor == nullptr) throw std::invalid_argument(fmt::format("unknown component {}", name));
  constructing_.emplace_back(name);
  auto instance = descriptor->create(config_->components.find(name)->second, *this);
  constructing_.pop_back();
  entries_.push_back({std::string(name), descriptor, std::move(instance)});
  return *entries_.back().instance;
}

Component* ComponentSet::lookup(std::string_view name) {
  auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.name == name; });
  return it == entries_.end() ? nullptr : it->instance.get();
}

Logger ComponentSet::logger(std::string_view name) {
  return Logger(services_.log_sink, std::string(name));
}

void ComponentSet::start(Deadline rollback_deadline) {
  for (auto& entry : entries_) {
    try {
      log_.debug("starting {}", entry.name);
      entry.instance->start();
    } catch (const std::exception& e) {
      auto message = fmt::format("{} failed to start: {}", entry.name, e.what());
      log_.error("{}; stopping the {} started before it", message, started_.load());
      stop_started(rollback_deadline);
      throw StartError(message);
    }
    started_.fetch_add(1);
  }
}

bool ComponentSet::stop(Deadline deadline) {
  stop_started(deadline);
  return !stopped_late_;
}

void ComponentSet::stop_started(Deadline deadline) {
  // Drains get half the time: what they let finish must not leave the stops none.
  const auto drained_by = Clock::now() + (deadline - Clock::now()) / 2;
  const bool drained = each_started_in_reverse(
      "drain", [&](std::size_t index) { entries_[index].instance->drain(drained_by); });
  const bool stopped = each_started_in_reverse("stop cleanly", [&](std::size_t index) {
    started_.store(index);
    log_.debug("stopping {}", entries_[index].name);
    entries_[index].instance->stop(deadline);
  });
  stopped_late_ = stopped_late_ || !drained || !stopped || Clock::now() > deadline;
}

bool ComponentSet::each_started_in_reverse(std::string_view action,
                                           const std::function<void(std::size_t)>& step) {
  bool all = true;
  for (auto n = started_.load(); n > 0; --n) {
    try {
      step(n - 1);
    } catch (const std::exception& e) {
      log_.error("{} failed to {}: {}", entries_[n - 1].name, action, e.what());
      all = false;
    }
  }
  return all;
}

std::vector<std::string> ComponentSet::reload(const ParsedConfig& config) {
  std::vector<std::string> reloaded;
  for (auto& entry : entries_) {
    if (entry.descriptor->reload(*entry.instance, config.components.find(entry.name)->second)) {
      reloaded.push_back(entry.name);
    }
  }
  config_ = &config;
  return reloaded;
}

std::vector<std::string> ComponentSet::names() const {
  std::vector<std::string> result;
  for (const auto& entry : entries_)
    result.push_back(entry.name);
  return result;
}

std::vector<ComponentStatus> ComponentSet::readiness() const {
  std::vector<ComponentStatus> statuses;
  const auto started = started_.load();
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    statuses.push_back({entries_[i].name, i < started ? entries_[i].instance->readiness()
                                                      : Readiness{false, "not started"}});
  }
  return statuses;
}

}  // namespace sentinel::core
