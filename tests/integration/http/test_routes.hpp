#pragma once
// A component that adds routes exercising the server: echo, slow, streaming, failing, small body.

#include "sentinel/core/registry.hpp"
#include "sentinel/http/server.hpp"

namespace sentinel::test {

class TestRoutes final : public core::Component {
 public:
  static constexpr std::string_view kName = "test_routes";
  struct Config {
    static Config parse(core::ConfigSection&) { return {}; }
  };
  TestRoutes(const Config&, core::ComponentContext& context);
};

core::ComponentCatalog http_test_catalog();

}  // namespace sentinel::test
