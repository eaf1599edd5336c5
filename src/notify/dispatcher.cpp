#include "dispatcher.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/alert/notification.hpp"
#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::notify {

namespace asio = boost::asio;

namespace {

struct Snapshot {
  std::vector<store::OutboxRow> rows;
  std::vector<store::NotifierRow> notifiers;
};

// What is due, plus the first attempts of the same groups that are not due yet: alerts of one
// rule that fired within group_wait of each other go out together.
Snapshot read_due(store::Session& s, std::int64_t now, std::size_t limit) {
  Snapshot snapshot;
  const auto due = s.outbox().due(now, limit);
  if (due.empty()) return snapshot;
  std::set<std::string> groups;
  for (const auto& row : due)
    groups.insert(row.notifier_id + '\n' + row.group_key);
  std::set<std::int64_t> taken;
  for (const auto& row : due)
    taken.insert(row.id);
  snapshot.rows = due;
  for (const auto& row : s.outbox().pending()) {
    if (row.attempts == 0 && !taken.contains(row.id) &&
        groups.contains(row.notifier_id + '\n' + row.group_key))
      snapshot.rows.push_back(row);
  }
  snapshot.notifiers = s.notifiers().list();
  return snapshot;
}

}  // namespace

NotifyMetrics::NotifyMetrics(core::MetricsRegistry& registry)
    : notifications(registry.counter_family(
          "sentinel_notify_notifications_total",
          "Notification attempts by channel and result (sent, failed, dead).",
          {"channel", "result"})),
      send_seconds(registry.histogram("sentinel_notify_send_duration_seconds",
                                      "Time to deliver one grouped notification.",
                                      core::latency_buckets())),
      dead_letters(registry.gauge("sentinel_notify_dead_letters",
                                  "Notifications in the dead-letter queue.")),
      oldest_pending_seconds(registry.gauge("sentinel_notify_outbox_oldest_age_seconds",
                                            "Age of the oldest notification not yet sent.")),
      leader(registry.gauge("sentinel_notify_leader", "1 while this process sends.")) {}

std::int64_t backoff_ms(int attempts, core::Duration initial, core::Duration max, double jitter) {
  const double grown =
      static_cast<double>(initial.count()) * std::pow(2.0, std::max(attempts - 1, 0));
  const double capped = std::min(grown, static_cast<double>(max.count()));
  return static_cast<std::int64_t>(capped * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0)));
}

Dispatcher::Dispatcher(const NotifyComponent::Config& config, store::Store& store,
                       const NotifierCodec& codec, Sender& sender, NotifyMetrics& metrics,
                       core::Logger log)
    : config_(config),
      store_(store),
      codec_(codec),
      sender_(sender),
      metrics_(metrics),
      log_(std::move(log)),
      random_(std::random_device{}()) {}

asio::awaitable<void> Dispatcher::run(const store::Lease& lease) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::int64_t last_gauges = 0;
  while (lease.held()) {
    const auto now = core::unix_ms();
    const auto handled = co_await poll(now);
    if (now - last_gauges >= 5000) {
      co_await update_gauges(now);
      last_gauges = now;
    }
    if (handled > 0) continue;  // there may be more
    timer.expires_after(config_.poll_interval);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<std::size_t> Dispatcher::poll(std::int64_t now) {
  auto snapshot = co_await store_.run(
      [&](store::Session& s) { return read_due(s, now, config_.batch); }, store::Access::kRead);
  if (!snapshot) {
    log_.error("cannot read the outbox: {}", snapshot.error().message);
    co_return 0;
  }
  std::map<std::string, std::vector<store::OutboxRow>> groups;
  for (auto& row : snapshot->rows)
    groups[row.notifier_id + '\n' + row.group_key].push_back(std::move(row));
  std::vector<std::pair<Outcome, std::string>> outcomes;
  for (auto& [key, rows] : groups) {
    const auto notifier_id = rows.front().notifier_id;
    const auto it = std::find_if(snapshot->notifiers.begin(), snapshot->notifiers.end(),
                                 [&](const auto& n) { return n.id == notifier_id; });
    const auto* notifier = it == snapshot->notifiers.end() ? nullptr : &*it;
    auto outcome = co_await deliver(notifier, std::move(rows));
    outcomes.emplace_back(std::move(outcome), notifier != nullptr ? notifier->type : "unknown");
  }
  const auto settled_at = core::unix_ms();
  auto written = co_await store_.run([&](store::Session& s) {
    s.transaction([&] {
      for (const auto& [outcome, channel] : outcomes)
        settle(s, outcome, channel, settled_at);
    });
    return core::Unit{};
  });
  if (!written) {
    // Sent but not recorded: the rows stay due and go out again. Receivers see a duplicate
    // rather than nothing, which is the outbox's promise (at least once).
    log_.error("cannot record notification attempts: {}", written.error().message);
    co_return 0;
  }
  std::size_t handled = 0;
  for (const auto& [outcome, channel] : outcomes)
    handled += outcome.rows.size();
  co_return handled;
}

asio::awaitable<Dispatcher::Outcome> Dispatcher::deliver(const store::NotifierRow* notifier,
                                                         std::vector<store::OutboxRow> rows) {
  Outcome outcome{std::move(rows), {}, 0};
  if (notifier == nullptr || !notifier->enabled) {
    outcome.send = {
        false,
        false,
        0,
        notifier == nullptr ? "the notifier no longer exists" : "the notifier is disabled",
        {}};
    co_return outcome;
  }
  const auto* channel = find_channel(notifier->type);
  const auto settings = codec_.settings(*notifier);
  if (channel == nullptr || !settings) {
    outcome.send = {false, false, 0, "the notifier's secrets do not open with this master key", {}};
    co_return outcome;
  }
  Message message{notifier->name, outcome.rows.front().group_key, {}};
  for (const auto& row : outcome.rows) {
    if (auto n =
            alert::notification_from_json(nlohmann::json::parse(row.payload, nullptr, false))) {
      n->notification_id = row.id;
      message.alerts.push_back(std::move(*n));
    }
  }
  const auto timeout = settings->contains("timeout_ms")
                           ? core::Duration(settings->value("timeout_ms", std::int64_t{0}))
                           : config_.timeout;
  const auto started = core::Clock::now();
  outcome.send = co_await sender_.send(channel->format(message, *settings), timeout);
  const auto elapsed = core::Clock::now() - started;
  outcome.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  metrics_.send_seconds.observe(std::chrono::duration<double>(elapsed).count());
  co_return outcome;
}

void Dispatcher::settle(store::Session& s, const Outcome& outcome, const std::string& channel,
                        std::int64_t now) {
  auto& outbox = s.outbox();
  const auto& send = outcome.send;
  for (const auto& row : outcome.rows) {
    const int attempt = row.attempts + 1;
    const bool dead = !send.ok && (!send.retryable || attempt >= config_.max_attempts);
    const std::string result = send.ok ? "sent" : dead ? "dead" : "failed";
    outbox.record_attempt({row.id, row.notifier_id, attempt, now, result, send.http_status,
                           send.error, outcome.duration_ms});
    metrics_.notifications.with({channel, result}).inc();
    if (send.ok) {
      outbox.complete(row.id);
    } else if (dead) {
      outbox.reschedule(row.id, attempt, now, send.error);
      outbox.move_to_dead_letters(row.id, send.error, now);
      log_.warn("notification {} to {} dead-lettered after {} attempts: {}", row.id,
                row.notifier_id, attempt, send.error);
    } else {
      const auto delay = send.retry_after
                             ? send.retry_after->count()
                             : backoff_ms(attempt, config_.retry_initial, config_.retry_max,
                                          std::uniform_real_distribution<double>(0, 1)(random_));
      outbox.reschedule(row.id, attempt, now + delay, send.error);
    }
  }
}

asio::awaitable<void> Dispatcher::update_gauges(std::int64_t now) {
  auto counts = co_await store_.run(
      [](store::Session& s) {
        return std::make_pair(s.outbox().dead_letter_count(), s.outbox().oldest_pending());
      },
      store::Access::kRead);
  if (!counts) co_return;
  metrics_.dead_letters.set(static_cast<double>(counts->first));
  metrics_.oldest_pending_seconds.set(
      counts->second ? static_cast<double>(now - *counts->second) / 1000.0 : 0.0);
}

}  // namespace sentinel::notify
