#pragma once
// Include/exclude glob patterns (fnmatch(3), so `*` also matches `/`) for the label values a
// collector reports: mount points, devices, interfaces.

#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agent/config.hpp"

namespace sentinel::agent {

class NameFilter {
 public:
  NameFilter() = default;
  explicit NameFilter(const CollectorSettings& settings)
      : NameFilter(settings.include, settings.exclude) {}
  NameFilter(std::vector<std::string> include, std::vector<std::string> exclude)
      : include_(std::move(include)), exclude_(std::move(exclude)) {}

  // An empty include list accepts every name; an exclude match always refuses.
  bool accepts(std::string_view name) const;

 private:
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
};

}  // namespace sentinel::agent
