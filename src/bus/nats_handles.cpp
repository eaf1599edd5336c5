#include "nats_handles.hpp"

namespace sentinel::bus {

std::string nats_error(natsStatus status) {
  const char* last = nats_GetLastError(nullptr);
  std::string_view detail = last != nullptr ? last : "";
  if (detail.starts_with('(')) {
    if (auto end = detail.find("): "); end != std::string_view::npos) detail.remove_prefix(end + 3);
  }
  return detail.empty() ? natsStatus_GetText(status) : std::string(detail);
}

}  // namespace sentinel::bus
