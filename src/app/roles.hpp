#pragma once
#include <map>
#include <string>
#include <vector>

#include "sentinel/core/registry.hpp"

namespace sentinel::app {

// Every component this binary knows.
core::ComponentCatalog make_catalog();
// Role name -> components. `all` is the union, so shared components exist once.
std::map<std::string, std::vector<std::string>> roles();
// The ready file's text: the HTTP server's bound address.
std::string ready_text(core::ComponentContext& context);

}  // namespace sentinel::app
