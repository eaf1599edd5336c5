#include "agent/collectors/name_filter.hpp"

#include <algorithm>
#include <fnmatch.h>

namespace sentinel::agent {

bool NameFilter::accepts(std::string_view name) const {
  const std::string text(name);
  auto matches = [&](const std::string& pattern) {
    return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
  };
  if (std::any_of(exclude_.begin(), exclude_.end(), matches)) return false;
  return include_.empty() || std::any_of(include_.begin(), include_.end(), matches);
}

}  // namespace sentinel::agent
