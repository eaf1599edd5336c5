#include "sentinel/bus/bus_component.hpp"

#include <boost/asio/io_context.hpp>

#include "bus_metrics.hpp"
#include "inproc_bus.hpp"
#include "jetstream_bus.hpp"

namespace sentinel::bus {
namespace {

std::unique_ptr<BusBackend> make_backend(const BusComponent::Config& config,
                                         core::ComponentContext& context) {
  BusMetrics metrics(context.metrics());
  if (config.in_process()) {
    InprocSettings settings{config.inproc_queue_size, config.stream.duplicate_window,
                            config.publish_timeout};
    return std::make_unique<InprocBus>(settings, context.io(), metrics);
  }
  return std::make_unique<JetStreamBus>(config, context.io(), metrics, context.logger("bus"));
}

}  // namespace

BusComponent::BusComponent(const Config& config, core::ComponentContext& context)
    : backend_(make_backend(config, context)) {}

BusComponent::~BusComponent() = default;

Bus& BusComponent::bus() {
  return *backend_;
}

void BusComponent::start() {
  backend_->start();
}

void BusComponent::stop(core::Deadline deadline) {
  backend_->stop(deadline);
}

core::Readiness BusComponent::readiness() const {
  return backend_->readiness();
}

}  // namespace sentinel::bus
