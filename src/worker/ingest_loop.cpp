#include "ingest_loop.hpp"

#include <algorithm>
#include <variant>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/store/session.hpp"

#include "leader_duties.hpp"

namespace sentinel::worker {
namespace {

double seconds_since(core::Clock::time_point start) {
  return std::chrono::duration<double>(core::Clock::now() - start).count();
}

}  // namespace

boost::asio::awaitable<void> IngestLoop::run() {
  while (!c_.stopping.load()) {
    auto fetched = co_await consumer_.fetch(c_.config.fetch_batch, c_.config.fetch_wait);
    if (!fetched) {
      // The bus is unreachable: the messages wait in the stream; try again shortly.
      c_.log.warn("fetch failed: {}", fetched.error().message);
      co_await pause(c_.config.nak_delay);
      continue;
    }
    if (fetched->empty()) continue;
    c_.metrics.fetched.inc(static_cast<double>(fetched->size()));
    co_await handle(*fetched);
  }
}

boost::asio::awaitable<void> IngestLoop::handle(bus::Deliveries& deliveries) {
  const auto now = core::unix_ms();
  const SampleWindow window{
      c_.config.retention.samples_ms > 0 ? c_.config.retention.samples_ms : std::int64_t{1} << 62,
      store::kDayMs};
  std::vector<store::IngestBatch> batches;
  std::vector<bus::Delivery*> decoded;
  std::vector<Poison> poison;
  for (auto& delivery : deliveries) {
    auto result = decode_batch(delivery->subject(), delivery->payload(), now, window);
    if (auto* error = std::get_if<std::string>(&result)) {
      poison.push_back({delivery.get(), std::move(*error)});
      continue;
    }
    auto& ok = std::get<Decoded>(result);
    c_.metrics.samples_dropped.inc(static_cast<double>(ok.dropped));
    batches.push_back(std::move(ok.batch));
    decoded.push_back(delivery.get());
  }
  // Decoding is deterministic, so a redelivery could never fix these: dead-letter them now
  // rather than hold the rest of the stream back for max_deliver rounds.
  if (!poison.empty()) co_await dead_letter(poison);
  if (!batches.empty()) co_await store(batches, decoded);
}

boost::asio::awaitable<void> IngestLoop::store(std::vector<store::IngestBatch>& batches,
                                               std::vector<bus::Delivery*>& deliveries) {
  const auto started = core::Clock::now();
  const auto now = core::unix_ms();
  auto report = co_await c_.store.run([&](store::Session& session) {
    return store::ingest_batches(session, c_.cache, batches, now);
  });
  if (report) {
    c_.metrics.ingested(*report, seconds_since(started));
    for (auto* delivery : deliveries)
      delivery->ack();
    c_.metrics.acked.inc(static_cast<double>(deliveries.size()));
    co_return;
  }
  const auto& error = report.error();
  if (!error.transient && batches.size() > 1) {
    // One batch the store refuses fails its whole group at every delivery, and the others
    // would reach the dead letters with it: stored one at a time, only that one fails.
    c_.log.warn("storing {} batches failed ({}); storing them one at a time", batches.size(),
                error.message);
    for (std::size_t i = 0; i < batches.size(); ++i) {
      std::vector<store::IngestBatch> one{std::move(batches[i])};
      std::vector<bus::Delivery*> its{deliveries[i]};
      co_await store(one, its);
    }
    co_return;
  }
  c_.log.warn("storing {} batches failed, nothing acked: {}", batches.size(), error.message);
  // A failure that is not transient and persists until the last delivery would block the stream
  // forever: those messages go to the dead-letter table; the others come again later.
  std::vector<Poison> exhausted;
  for (auto* delivery : deliveries) {
    if (!error.transient &&
        delivery->delivery_count() >= static_cast<std::uint64_t>(c_.config.max_deliver)) {
      exhausted.push_back({delivery, "store: " + error.message});
    } else {
      nak(*delivery);
    }
  }
  if (!exhausted.empty()) co_await dead_letter(exhausted);
}

boost::asio::awaitable<void> IngestLoop::dead_letter(std::vector<Poison>& poison) {
  const auto now = core::unix_ms();
  auto stored = co_await c_.store.run([&](store::Session& session) {
    session.transaction([&] {
      for (const auto& p : poison) {
        session.samples().dead_letter(
            {std::string(p.delivery->subject()), std::string(p.delivery->message_id()),
             p.delivery->delivery_count(), p.reason, std::string(p.delivery->payload()), now});
      }
    });
    return core::Unit{};
  });
  for (const auto& p : poison) {
    if (stored) {
      c_.log.warn("dead-lettered message {} on {}: {}", p.delivery->message_id(),
                  p.delivery->subject(), p.reason);
      p.delivery->term();
      c_.metrics.dead_lettered.inc();
    } else {
      nak(*p.delivery);
    }
  }
}

void IngestLoop::nak(bus::Delivery& delivery) {
  // Backoff grows with each delivery so that a database outage is not hammered.
  const auto shift = std::clamp<std::uint64_t>(delivery.delivery_count(), 1, 16) - 1;
  const auto delay =
      std::min(c_.config.nak_delay * (std::int64_t{1} << shift), c_.config.nak_delay_max);
  delivery.nak(delay);
  c_.metrics.naked.inc();
}

boost::asio::awaitable<void> IngestLoop::pause(core::Duration delay) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(delay);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

}  // namespace sentinel::worker
