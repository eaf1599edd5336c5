#include "support/local_server.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "sentinel/core/registry.hpp"
#include "sentinel/core/runtime.hpp"

namespace sentinel::test {

struct LocalHttpServer::State {
  explicit State(ServerSettings settings)
      : sink(std::make_shared<core::LogSink>(core::LogLevel::kError, core::LogFormat::kText)),
        runtime(2, core::Logger(sink, "test-server")) {
    catalog.add<http::Server>();
    core::ConfigInputs inputs;
    inputs.flags = std::move(settings);
    inputs.flags.try_emplace("http.listen", "127.0.0.1:0");
    config = core::parse_config(catalog, inputs, std::filesystem::temp_directory_path());
    components = std::make_unique<core::ComponentSet>(catalog, config,
                                                      core::Services{runtime.io(), sink, metrics});
    const std::string names[] = {"http"};
    components->create(names);
  }

  http::Server& server() { return *components->find<http::Server>(); }

  std::shared_ptr<core::LogSink> sink;
  core::MetricsRegistry metrics;
  core::Runtime runtime;
  core::ComponentCatalog catalog;
  core::ParsedConfig config;
  std::unique_ptr<core::ComponentSet> components;
  bool running = false;
};

LocalHttpServer::LocalHttpServer(ServerSettings settings)
    : state_(std::make_unique<State>(std::move(settings))) {}

LocalHttpServer::~LocalHttpServer() {
  stop();
}

http::Router& LocalHttpServer::router() {
  return state_->server().router();
}

void LocalHttpServer::start() {
  state_->runtime.start();
  state_->components->start(core::Clock::now() + std::chrono::seconds(10));
  state_->running = true;
}

void LocalHttpServer::stop() {
  if (!state_->running) return;
  state_->running = false;
  state_->components->stop(core::Clock::now() + std::chrono::seconds(10));
  state_->runtime.shutdown();
}

http::Endpoint LocalHttpServer::endpoint() const {
  return state_->server().endpoint();
}

std::string LocalHttpServer::url() const {
  return fmt::format("{}://{}", state_->server().tls() ? "https" : "http", endpoint().to_string());
}

core::MetricsRegistry& LocalHttpServer::metrics() {
  return state_->metrics;
}

}  // namespace sentinel::test
