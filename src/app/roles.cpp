#include "roles.hpp"

#include <set>

#include "sentinel/agent/agent.hpp"
#include "sentinel/alert/component.hpp"
#include "sentinel/bus/bus_component.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/gateway/gateway.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/notify/component.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/worker/query_api.hpp"
#include "sentinel/worker/worker.hpp"

#include "local_gateway.hpp"

namespace sentinel::app {

core::ComponentCatalog make_catalog() {
  core::ComponentCatalog catalog;
  catalog.add<http::Server>();
  catalog.add<store::StoreComponent>();
  catalog.add<bus::BusComponent>();
  catalog.add<agent::Agent>();
  catalog.add<InProcessGateway>();
  catalog.add<gateway::Auth>();
  catalog.add<gateway::Gateway>();
  catalog.add<worker::Worker>();
  catalog.add<worker::QueryApi>();
  catalog.add<alert::AlertComponent>();
  catalog.add<notify::NotifyComponent>();
  return catalog;
}

std::map<std::string, std::vector<std::string>> roles() {
  std::map<std::string, std::vector<std::string>> roles = {
      {"agent", {"http", "agent"}},
      {"gateway", {"http", "store", "bus", "auth", "gateway", "query"}},
      {"worker", {"http", "store", "bus", "auth", "worker", "alert", "notify"}},
  };
  std::set<std::string> seen;
  // First, so that the agent finds the gateway of its own process (local_gateway.hpp).
  std::vector<std::string> all = {std::string(agent::LocalGateway::kName)};
  for (const auto& [name, components] : roles) {
    for (const auto& component : components) {
      if (seen.insert(component).second) all.push_back(component);
    }
  }
  roles["all"] = std::move(all);
  return roles;
}

std::string ready_text(core::ComponentContext& context) {
  return context.get<http::Server>().endpoint().to_string();
}

}  // namespace sentinel::app
