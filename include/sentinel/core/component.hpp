#pragma once
// Components, after userver's: a component has a name that is also its config section, a typed
// `Config` parsed once at start-up, and a constructor that asks the context for the components it
// depends on. Constructors do no I/O; `start()` begins listening, connecting and timers, and
// `stop()` drains by a deadline. The registry (registry.hpp) orders all of it.
//
// A component class provides:
//   static constexpr std::string_view kName = "http";
//   struct Config { ...; static Config parse(core::ConfigSection&); };
//   Component(const Config&, core::ComponentContext&);
//   optionally: void reload(const Config&);   // SIGHUP, for the settings it can change live

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/app_config.hpp"
#include "sentinel/core/log.hpp"

namespace boost::asio {
class io_context;
}

namespace sentinel::core {

class MetricsRegistry;

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

struct Readiness {
  bool ready = true;
  std::string reason;  // why not, shown by /readyz
};

struct ComponentStatus {
  std::string name;
  Readiness readiness;
};

class Component {
 public:
  virtual ~Component() = default;

  // Begins I/O. Throws on failure; the registry then stops the components already started.
  virtual void start() {}
  // Before any component stops (in reverse start order): stop taking work from outside (the HTTP
  // server: new connections) and let the work in flight finish, by `deadline`, while the
  // components it needs still run. Called on the main thread, like stop().
  virtual void drain(Deadline deadline) { (void)deadline; }
  // Stops taking new work and drains what is in flight, returning by `deadline`. Called on the
  // main thread, never on an event-loop thread, so it may block until its tasks finish.
  virtual void stop(Deadline deadline) { (void)deadline; }
  // Called from any thread (e.g. by /readyz): implementations read atomics only.
  virtual Readiness readiness() const { return {}; }
};

class ComponentContext {
 public:
  // The component named T::kName, created first if need be; asking for one records a dependency:
  // it starts before the asker and stops after it.
  template <class T>
  T& get() {
    return dynamic_cast<T&>(resolve(T::kName));
  }
  // The component T when the running role includes it, without creating it.
  template <class T>
  T* find() {
    return dynamic_cast<T*>(lookup(T::kName));
  }

  virtual boost::asio::io_context& io() = 0;
  virtual Logger logger(std::string_view name) = 0;
  virtual LogSink& log_sink() = 0;
  virtual MetricsRegistry& metrics() = 0;
  virtual const ProcessConfig& process() const = 0;
  // Readiness of every component; callable from any thread while the component set lives.
  virtual std::vector<ComponentStatus> readiness() const = 0;

 protected:
  ~ComponentContext() = default;
  virtual Component& resolve(std::string_view name) = 0;
  virtual Component* lookup(std::string_view name) = 0;
};

}  // namespace sentinel::core
