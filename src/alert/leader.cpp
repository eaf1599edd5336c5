#include "leader.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/alert/notification.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/store/session.hpp"

#include "batches.hpp"

namespace sentinel::alert {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kAgentPage = 1000;

asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

// A new leader's windows start empty and fill from the stream: for the longest window (at most
// kLongestWarmUp) it neither lets missing data breach nor resolves what it has not seen yet.
constexpr std::int64_t kLongestWarmUp = 10 * 60 * 1000;

std::int64_t warm_up_ms(const std::vector<Rule>& rules) {
  std::int64_t longest = 0;
  for (const auto& rule : rules) {
    const auto span = rule.kind == RuleKind::kAgentOffline ? rule.offline_after : rule.window;
    longest = std::max<std::int64_t>(longest, span.count());
  }
  return std::min(longest, kLongestWarmUp);
}

core::Duration retention_for(const std::vector<Rule>& rules) {
  core::Duration longest = std::chrono::minutes(1);
  for (const auto& rule : rules)
    longest = std::max(longest, rule.window);
  return longest + std::chrono::minutes(1);
}

store::AlertRuleRow to_row(const Rule& rule, std::int64_t now) {
  return {rule.id,
          rule.name,
          std::string(to_string(rule.source)),
          rule_to_json(rule).dump(),
          rule.enabled,
          now,
          now};
}

// What the store holds besides instances, read in one job.
struct Snapshot {
  std::vector<store::AlertRuleRow> rules;
  std::vector<store::Agent> agents;
  std::vector<store::SilenceRow> silences;
  std::vector<store::NotifierRow> notifiers;
  std::vector<store::AlertInstanceRow> instances;  // for acknowledgements made meanwhile
};

Snapshot read_snapshot(store::Session& s, std::int64_t now) {
  Snapshot snapshot;
  snapshot.rules = s.alerts().list_rules();
  store::PageRequest page{kAgentPage, ""};
  do {
    auto agents = s.agents().list({}, page);
    for (auto& agent : agents.agents)
      snapshot.agents.push_back(std::move(agent));
    page.cursor = agents.next_cursor;
  } while (!page.cursor.empty());
  snapshot.silences = s.silences().list(now);
  snapshot.notifiers = s.notifiers().list();
  snapshot.instances = s.alerts().list_instances();
  return snapshot;
}

}  // namespace

AlertMetrics::AlertMetrics(core::MetricsRegistry& registry)
    : evaluations(registry.counter("sentinel_alert_evaluations_total",
                                   "Evaluations of every rule by the alert leader.")),
      evaluation_failures(registry.counter(
          "sentinel_alert_evaluation_failures_total",
          "Evaluations whose changes could not be committed (retried at the next one).")),
      evaluation_seconds(registry.histogram("sentinel_alert_evaluation_duration_seconds",
                                            "Time to evaluate every rule and commit the changes.",
                                            core::latency_buckets())),
      instances(registry.gauge_family("sentinel_alert_instances",
                                      "Alert instances by state, as the leader sees them.",
                                      {"state"})),
      leader(registry.gauge("sentinel_alert_leader", "1 while this process evaluates the rules.")),
      samples(registry.counter("sentinel_alert_samples_total",
                               "Samples the alert leader read from the bus.")),
      series(registry.gauge("sentinel_alert_series", "Series held in the rolling windows.")),
      rules(registry.gauge("sentinel_alert_rules", "Enabled alert rules.")) {}

Leader::Leader(const AlertComponent::Config& config, store::Store& store, bus::Bus& bus,
               SharedState& shared, AlertMetrics& metrics, core::Logger log)
    : config_(config),
      store_(store),
      bus_(bus),
      shared_(shared),
      metrics_(metrics),
      log_(std::move(log)) {}

asio::awaitable<void> Leader::run(const store::Lease& lease) {
  co_await rebuild();
  bus::ConsumerOptions options;
  options.durable_name = config_.consumer;
  // Acked only after the next evaluation: an in-process publisher must not wait for that.
  options.confirms_publish = false;
  auto consumer = co_await bus_.consumer(std::move(options));
  if (!consumer) throw std::runtime_error("alert consumer: " + consumer.error().message);
  const auto interval = config_.evaluation_interval.count();
  std::int64_t next_evaluation = 0;
  std::int64_t last_evaluation = 0;
  while (lease.held()) {
    const auto now = core::unix_ms();
    if (now - last_refresh_ >= config_.refresh_interval.count() ||
        shared_.refresh_requested.exchange(false))
      co_await refresh(now);
    const bool due = now >= next_evaluation;
    if (due || (!unacked_.empty() && now - last_evaluation >= config_.min_evaluation_gap.count())) {
      co_await evaluate(now);
      last_evaluation = now;
      if (due) next_evaluation = now + interval;
    }
    auto wait = next_evaluation - core::unix_ms();
    if (!unacked_.empty()) wait = std::min(wait, config_.min_evaluation_gap.count());
    co_await consume(**consumer, std::chrono::milliseconds(std::max<std::int64_t>(wait, 1)));
  }
  log_.warn("lost the alerting lease; standing by");
}

asio::awaitable<void> Leader::rebuild() {
  if (!co_await load_instances()) throw std::runtime_error("cannot load alert instances");
  windows_.clear();
  seen_.clear();
  const auto now = core::unix_ms();
  if (!co_await refresh(now)) throw std::runtime_error("cannot read the alert rules");
  warm_until_ = now + warm_up_ms(rules_);
  log_.info("leading the alert evaluation: {} rules, {} instances restored", rules_.size(),
            engine_.instances().size());
}

asio::awaitable<bool> Leader::load_instances() {
  auto instances = co_await store_.run(
      [](store::Session& s) { return s.alerts().list_instances(); }, store::Access::kRead);
  if (!instances) {
    log_.error("cannot load alert instances: {}", instances.error().message);
    co_return false;
  }
  engine_.load(std::move(*instances));
  instances_unsure_ = false;
  co_return true;
}

asio::awaitable<bool> Leader::refresh(std::int64_t now) {
  last_refresh_ = now;
  if (shared_.file_rules_changed) {
    std::vector<store::AlertRuleRow> rows;
    for (const auto& rule : shared_.file_rules)
      rows.push_back(to_row(rule, now));
    auto written = co_await store_.run([&](store::Session& s) {
      s.transaction([&] { s.alerts().replace_file_rules(rows); });
      return core::Unit{};
    });
    if (written)
      shared_.file_rules_changed = false;
    else
      log_.error("cannot store the rules file's rules: {}", written.error().message);
  }
  auto snapshot = co_await store_.run([&](store::Session& s) { return read_snapshot(s, now); },
                                      store::Access::kRead);
  if (!snapshot) {
    log_.error("cannot read rules, agents and silences: {}", snapshot.error().message);
    co_return false;
  }
  rules_.clear();
  for (const auto& row : snapshot->rules) {
    auto parsed = parse_rule(nlohmann::json::parse(row.definition, nullptr, false));
    if (auto* rule = std::get_if<Rule>(&parsed)) {
      rule->id = row.id;
      rule->enabled = row.enabled;
      rules_.push_back(std::move(*rule));
    } else {
      log_.error("stored rule {} ({}) is not valid and is skipped", row.id, row.name);
    }
  }
  windows_.set_retention(retention_for(rules_));
  agents_.clear();
  for (const auto& agent : snapshot->agents) {
    if (!agent.enabled) continue;
    const auto seen = seen_.find(agent.id);
    agents_.push_back({agent.id, agent.name, agent.labels,
                       std::max(agent.last_seen.value_or(0),
                                seen == seen_.end() ? std::int64_t{0} : seen->second)});
  }
  silences_.clear();
  for (const auto& row : snapshot->silences) {
    ActiveSilence silence{row.id, {}, row.starts_at, row.ends_at};
    for (const auto& text : row.matchers) {
      if (auto matcher = LabelMatcher::parse(text)) silence.matchers.push_back(std::move(*matcher));
    }
    silences_.push_back(std::move(silence));
  }
  for (const auto& row : snapshot->instances) {
    if (row.acked_at) engine_.merge_acknowledgement(row);
  }
  notifiers_.clear();
  for (const auto& row : snapshot->notifiers)
    notifiers_.push_back({row.id, row.name, row.send_resolved, row.group_wait_ms, row.enabled});
  metrics_.rules.set(static_cast<double>(
      std::count_if(rules_.begin(), rules_.end(), [](const Rule& r) { return r.enabled; })));
  co_return true;
}

asio::awaitable<void> Leader::consume(bus::Consumer& consumer, std::chrono::milliseconds wait) {
  auto fetched = co_await consumer.fetch(config_.fetch_batch, wait);
  if (!fetched) {
    log_.warn("alert consumer: {}", fetched.error().message);
    co_await pause(wait);
    co_return;
  }
  for (auto& delivery : *fetched) {
    const auto added = ingest_batch(delivery->payload(), windows_, seen_);
    if (!added) {
      log_.error("message {} on {} is not a batch; dropped", delivery->message_id(),
                 delivery->subject());
      delivery->term();
      continue;
    }
    metrics_.samples.inc(static_cast<double>(*added));
    unacked_.push_back(std::move(delivery));
  }
  // The agents' freshest times, for offline rules, without waiting for the next refresh.
  for (auto& agent : agents_) {
    const auto seen = seen_.find(agent.id);
    if (seen != seen_.end()) agent.last_seen = std::max(agent.last_seen, seen->second);
  }
}

asio::awaitable<bool> Leader::evaluate(std::int64_t now) {
  const auto started = core::Clock::now();
  // Evaluating from what the store holds keeps a transition that did commit from being
  // recorded, and notified, twice.
  if (instances_unsure_ && !co_await load_instances()) co_return false;
  windows_.trim(now);
  const auto pass = [&] {
    return engine_.evaluate(
        {now, &rules_, &windows_, &agents_, &silences_, &notifiers_, warm_until_});
  };
  auto changes = pass();
  if (!changes.unknown_notifiers.empty() && last_refresh_ < now) {
    // The notifier may have just been made through the API of another process: read again
    // rather than record a transition that nobody is told of.
    if (co_await refresh(now)) changes = pass();
  }
  for (const auto& name : changes.unknown_notifiers)
    log_.warn(
        "a rule names notifier {}, which is not in the store (or could not be read): its "
        "transitions are not sent there",
        name);
  if (!changes.empty()) {
    auto committed = co_await store_.run([&](store::Session& s) {
      s.transaction([&] {
        auto& alerts = s.alerts();
        for (const auto& fingerprint : changes.deleted)
          alerts.delete_instance(fingerprint);
        for (const auto& row : changes.put)
          alerts.put_instance(row);
        for (const auto& event : changes.events)
          alerts.append_event(event);
        for (const auto& row : changes.outbox)
          s.outbox().enqueue(row);
      });
      return core::Unit{};
    });
    if (!committed) {
      metrics_.evaluation_failures.inc();
      log_.error("alert evaluation not committed, retrying: {}", committed.error().message);
      instances_unsure_ = true;
      co_return false;
    }
    engine_.apply(changes);
  }
  settle_consumed();
  metrics_.evaluations.inc();
  metrics_.evaluation_seconds.observe(
      std::chrono::duration<double>(core::Clock::now() - started).count());
  update_gauges();
  co_return true;
}

void Leader::settle_consumed() {
  for (auto& delivery : unacked_)
    delivery->ack();
  unacked_.clear();
}

void Leader::update_gauges() {
  for (auto state : {AlertState::kPending, AlertState::kFiring, AlertState::kResolved})
    metrics_.instances.with({std::string(to_string(state))})
        .set(static_cast<double>(engine_.count(state)));
  metrics_.series.set(static_cast<double>(windows_.series_count()));
}

}  // namespace sentinel::alert
