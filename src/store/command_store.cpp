#include "command_store.hpp"

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "sentinel/core/daemon.hpp"
#include "sentinel/store/command.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::store {

CommandStore::CommandStore(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                           std::filesystem::path default_data_dir)
    : config_(core::parse_config(catalog, std::move(inputs), std::move(default_data_dir))),
      store_config_(&std::any_cast<const StoreComponent::Config&>(config_.components.at("store"))) {
  const auto& store_config = *store_config_;
  auto sink =
      std::make_shared<core::LogSink>(config_.process.log.level, config_.process.log.format);
  parts_ =
      std::make_unique<StoreParts>(registry_, store_options(store_config, config_.process.data_dir),
                                   core::Logger(sink, "store"));
}

CommandStore::~CommandStore() {
  parts_->backend->stop(core::Clock::now() + std::chrono::seconds(10));
}

int store_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                  std::filesystem::path default_data_dir, std::string_view command,
                  const std::function<int(Session&)>& work) {
  return run_store_command(catalog, std::move(inputs), std::move(default_data_dir), command, false,
                           [&](StoreBackend&, Session& session) { return work(session); });
}

int run_store_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                      std::filesystem::path default_data_dir, std::string_view command,
                      bool migrate, const std::function<int(StoreBackend&, Session&)>& work) {
  std::optional<CommandStore> store;
  try {
    store.emplace(catalog, std::move(inputs), std::move(default_data_dir));
  } catch (const core::ConfigErrors& e) {
    return core::report_config_errors(e);
  }
  try {
    auto& backend = store->backend();
    backend.start();
    if (migrate) {
      const auto report = backend.migrate(load_migrations(embedded_migrations(backend.backend())),
                                          MigrateMode::kApply);
      for (const auto& file : report.files)
        fmt::print(stderr, "applied {}\n", file);
    }
    boost::asio::io_context io;
    std::promise<core::Result<int>> done;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          done.set_value(co_await backend.run([&](Session& s) { return work(backend, s); }));
        },
        boost::asio::detached);
    io.run();
    auto result = done.get_future().get();
    if (result) return *result;
    fmt::print(stderr, "sentineld {}: {}\n", command, result.error().message);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sentineld {}: {}\n", command, e.what());
  }
  return 1;
}

}  // namespace sentinel::store
