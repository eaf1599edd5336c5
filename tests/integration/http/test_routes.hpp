#pragma once
// A component that adds routes exercising the server: echo, slow, streaming, failing, small body.

#include <atomic>

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
  // /slow answers 503 when it ends after this component has stopped, as a route whose
  // component has gone would.
  void stop(core::Deadline) override { stopped_ = true; }

 private:
  std::atomic<bool> stopped_{false};
};

core::ComponentCatalog http_test_catalog();

}  // namespace sentinel::test
