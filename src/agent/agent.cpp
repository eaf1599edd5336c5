#include "sentinel/agent/agent.hpp"

#include <atomic>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/agent/local_gateway.hpp"
#include "sentinel/core/task_group.hpp"
#include "sentinel/core/unix_time.hpp"

#include "agent/agent_metrics.hpp"
#include "agent/batch_writer.hpp"
#include "agent/clock.hpp"
#include "agent/collection.hpp"
#include "agent/collectors/builtin.hpp"
#include "agent/collectors/synthetic.hpp"
#include "agent/exporter/exporter.hpp"
#include "agent/identity/presence.hpp"
#include "agent/plugins/plugin_runner.hpp"
#include "agent/privileges.hpp"

namespace sentinel::agent {

namespace asio = boost::asio;

namespace {

template <class T>
T value_or_throw(core::Result<T> result, std::string_view what) {
  if (!result) throw std::runtime_error(fmt::format("{}: {}", what, result.error().message));
  return std::move(result).value();
}

void check(const core::Status& status, std::string_view what) {
  if (!status) throw std::runtime_error(fmt::format("{}: {}", what, status.error().message));
}

}  // namespace

class Agent::Impl {
 public:
  Impl(const AgentConfig& config, core::ComponentContext& context)
      : config_(config),
        process_(context.process()),
        log_(context.logger("agent")),
        metrics_(context.metrics()),
        strand_(asio::make_strand(context.io())),
        tasks_(log_),
        local_(context.find<LocalGateway>()) {}

  void start() {
    const auto state_dir =
        config_.state_dir.empty() ? process_.data_dir / "agent" : config_.state_dir;
    const auto wal_dir = config_.wal_dir.empty() ? state_dir / "wal" : config_.wal_dir;
    open_identity(state_dir);
    wal_ = value_or_throw(
        wal::Wal::open({wal_dir, config_.wal_segment_size.bytes, config_.wal_max_size.bytes,
                        config_.wal_max_age, config_.wal_fsync_always},
                       log_),
        "cannot open the WAL");
    check(drop_privileges(config_.user, {state_dir, wal_dir}, log_), "cannot drop privileges");
    if (local_ != nullptr) {
      config_.gateway_url = local_->url();
      log_.info("pushing to the gateway in this process, {}", config_.gateway_url);
    }
    gateway_.emplace(strand_, config_);
    dead_letters_.emplace(wal_dir / "dead-letter");
    writer_.emplace(*wal_, *credentials_, metrics_,
                    static_cast<std::size_t>(config_.max_batch_metrics));
    exporter_.emplace(
        strand_, *wal_, *gateway_, *credentials_, *dead_letters_, metrics_,
        ExporterOptions{static_cast<std::size_t>(config_.batches_per_request),
                        config_.max_request_size.bytes, config_.retry_initial, config_.retry_max},
        log_);
    collection_.emplace(make_collectors(), config_, *writer_, metrics_, log_);
    presence_.emplace(
        *gateway_, *credentials_, metrics_, config_, [this] { return facts(); },
        [this] { enrolled(); }, log_);
    for (const auto& plugin : config_.exec)
      plugins_.push_back(
          std::make_unique<PluginRunner>(plugin, *writer_, metrics_, config_.labels, log_));
    metrics_.mirror(*wal_);
    enrolled_ = credentials_->enrolled();
    log_.info("WAL {} opened: {} batches waiting, next batch id {}", wal_dir.string(),
              wal_->stats().backlog_records, wal_->next_id());
    spawn_loops();
  }

  void stop(core::Deadline deadline) {
    tasks_.cancel();
    if (!tasks_.wait(deadline)) {
      log_.error("{} agent tasks did not finish by the deadline", tasks_.size());
      return;
    }
    plugins_.clear();
    presence_.reset();
    collection_.reset();
    exporter_.reset();
    writer_.reset();
    gateway_.reset();
    wal_.reset();  // fsyncs and releases the lock
  }

  void reload(const AgentConfig& config) {
    asio::post(strand_,
               [this, token = config.bootstrap_token] { config_.bootstrap_token = token; });
  }

  core::Readiness readiness() const {
    if (!enrolled_) return {false, "not enrolled with the gateway yet"};
    if (unauthorized_) return {false, "the gateway refuses this agent's key"};
    return {};
  }

 private:
  void open_identity(const std::filesystem::path& state_dir) {
    // The daemon fills in a dev master key when none is configured (core::resolve_master_key).
    if (process_.master_key.empty()) {
      throw std::invalid_argument(
          "the agent needs master_key (SENTINEL_MASTER_KEY) to seal its identity");
    }
    credentials_.emplace(IdentityStore(state_dir / "identity", process_.master_key.reveal()), log_);
    check(credentials_->load(), "cannot load the agent identity");
    if (!credentials_->enrolled() && config_.bootstrap_token.empty() && local_ == nullptr) {
      // Not fatal: samples wait in the WAL until a token arrives (a reload picks it up).
      log_.error(
          "this agent has not enrolled yet and has no bootstrap token: set "
          "agent.bootstrap_token or SENTINEL_BOOTSTRAP_TOKEN and reload (SIGHUP)");
    }
  }

  std::vector<std::unique_ptr<Collector>> make_collectors() {
    if (!config_.collect.synthetic.enabled) return make_builtin_collectors(config_.collect);
    std::vector<std::unique_ptr<Collector>> synthetic;
    synthetic.push_back(std::make_unique<SyntheticCollector>(config_.collect.synthetic,
                                                             wal_->last_tag(), core::unix_ms()));
    log_.info("synthetic samples replace the collectors, numbered from {}", wal_->last_tag() + 1);
    return synthetic;
  }

  void spawn_loops() {
    tasks_.spawn(strand_, exporter_->run(), "agent exporter");
    tasks_.spawn(strand_, collection_->run([this] { written(); }), "agent collection");
    tasks_.spawn(strand_, run_presence(), "agent presence");
    for (auto& plugin : plugins_)
      tasks_.spawn(strand_, plugin->run([this] { written(); }), "agent plugin " + plugin->name());
    if (!config_.wal_fsync_always) tasks_.spawn(strand_, group_fsync(), "agent wal fsync");
  }

  asio::awaitable<void> run_presence() {
    if (local_ != nullptr && !credentials_->enrolled() && config_.bootstrap_token.empty()) {
      if (auto token = co_await local_->bootstrap_token()) {
        config_.bootstrap_token = std::move(*token);
      } else {
        log_.error("the gateway in this process gave no bootstrap token: {}",
                   token.error().message);
      }
    }
    co_await presence_->run();
  }

  // Group fsync: what was appended since the last pass becomes durable, hence sendable.
  asio::awaitable<void> group_fsync() {
    asio::steady_timer timer(strand_);
    for (;;) {
      timer.expires_after(config_.wal_fsync_interval);
      co_await timer.async_wait(asio::use_awaitable);
      const auto before = wal_->durable_id();
      if (auto synced = wal_->sync(); !synced)
        log_.error("WAL fsync failed: {}", synced.error().message);
      if (wal_->durable_id() != before) exporter_->notify();
    }
  }

  void written() {
    if (config_.wal_fsync_always) exporter_->notify();
    unauthorized_ = exporter_->unauthorized();
  }

  void enrolled() {
    enrolled_ = true;
    exporter_->notify();
  }

  v1::HostFacts facts() {
    auto facts = collection_->facts();
    const auto stats = wal_->stats();
    facts.set_wal_backlog_batches(stats.backlog_records);
    facts.set_wal_backlog_bytes(stats.backlog_bytes);
    unauthorized_ = exporter_->unauthorized();
    return facts;
  }

  AgentConfig config_;  // a copy: a reload replaces the parsed configuration
  const core::ProcessConfig& process_;
  core::Logger log_;
  AgentMetrics metrics_;
  asio::strand<asio::io_context::executor_type> strand_;
  core::TaskGroup tasks_;
  std::atomic<bool> enrolled_{false};
  std::atomic<bool> unauthorized_{false};
  std::optional<Credentials> credentials_;
  std::unique_ptr<wal::Wal> wal_;
  std::optional<GatewayClient> gateway_;
  std::optional<DeadLetters> dead_letters_;
  std::optional<BatchWriter> writer_;
  std::optional<Exporter> exporter_;
  std::optional<Collection> collection_;
  std::optional<Presence> presence_;
  std::vector<std::unique_ptr<PluginRunner>> plugins_;
  LocalGateway* local_;  // set in --role=all: push to it, enrol with its token
};

Agent::Agent(const Config& config, core::ComponentContext& context)
    : impl_(std::make_unique<Impl>(config, context)) {}

Agent::~Agent() = default;

void Agent::start() {
  impl_->start();
}

void Agent::stop(core::Deadline deadline) {
  impl_->stop(deadline);
}

void Agent::reload(const Config& config) {
  impl_->reload(config);
}

core::Readiness Agent::readiness() const {
  return impl_->readiness();
}

}  // namespace sentinel::agent
