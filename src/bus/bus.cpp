#include "sentinel/bus/bus.hpp"

#include <fmt/format.h>

namespace sentinel::bus {

std::string metrics_subject(std::string_view agent_id) {
  return fmt::format("sentinel.metrics.{}", agent_id);
}

}  // namespace sentinel::bus
