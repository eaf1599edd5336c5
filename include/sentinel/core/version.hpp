#pragma once
#include <string_view>

namespace sentinel::core {

// The release version and the commit the binary was configured from.
std::string_view version();
std::string_view git_commit();

}  // namespace sentinel::core
