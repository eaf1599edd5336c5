#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/store/ingest.hpp"

#include "transfer.hpp"

namespace sentinel::store {
namespace {

// Samples written per statement batch, so that memory stays bounded within a transaction.
constexpr std::size_t kSampleBatch = 10'000;
constexpr std::int64_t kRollupChunk = 10'000;

class Importer {
 public:
  Importer(Session& session, std::int64_t now) : session_(session), now_(now) {}

  // Writes one record (samples are buffered until flush()); returns the rows it counts for.
  std::size_t apply(archive::Record& record) {
    return std::visit([this](auto& value) { return put(value); }, record);
  }

  // Writes the buffered samples.
  void flush() {
    if (samples_.empty()) return;
    session_.samples().prepare_days(std::vector<std::int64_t>(days_.begin(), days_.end()));
    const std::vector<std::pair<std::string, std::int64_t>> buckets(buckets_.begin(),
                                                                    buckets_.end());
    report_.samples_added +=
        static_cast<std::int64_t>(session_.samples().append_missing(samples_, buckets));
    samples_.clear();
    buckets_.clear();
    days_.clear();
  }

  // The rollups of what was imported, as the worker's leader would compute them.
  void refresh_rollups() {
    for (;;) {
      RollupReport rollups;
      session_.transaction(
          [&] { rollups = session_.samples().refresh_rollups(kRollupChunk, now_); });
      report_.rollup_entries += rollups.queued;
      if (rollups.queued < kRollupChunk) break;
    }
  }

  ImportReport& report() { return report_; }

 private:
  std::size_t put(const Agent& agent) {
    return one([&] { session_.agents().put(agent); });
  }
  std::size_t put(const AgentKey& key) {
    return one([&] { session_.credentials().put_key(key); });
  }
  std::size_t put(const Hashed<BootstrapToken>& token) {
    return one([&] { session_.credentials().put_bootstrap_token(token); });
  }
  std::size_t put(const Hashed<ApiToken>& token) {
    return one([&] { session_.credentials().put_api_token(token); });
  }
  std::size_t put(const AlertRuleRow& rule) {
    return one([&] { session_.alerts().put_rule(rule); });
  }
  std::size_t put(const SilenceRow& silence) {
    return one([&] { session_.silences().put(silence); });
  }
  std::size_t put(const NotifierRow& notifier) {
    return one([&] { session_.notifiers().put(notifier); });
  }
  std::size_t put(const AlertInstanceRow& instance) {
    return one([&] {
      // put_instance leaves acknowledgements to acknowledge(), as evaluations must.
      session_.alerts().put_instance(instance);
      if (instance.acked_at) {
        session_.alerts().acknowledge(instance.fingerprint, instance.acked_by, instance.ack_note,
                                      *instance.acked_at);
      }
    });
  }

  // Keys already recorded stay as they are; new ones count from the import, so the
  // destination's retention keeps them as long as it keeps any batch key.
  std::size_t put(const archive::ProcessedBatches& batches) {
    std::vector<BatchKey> keys;
    for (auto id : batches.batch_ids)
      keys.push_back({batches.agent_id, id});
    session_.samples().claim_batches(keys, now_);
    return keys.size();
  }

  // The destination numbers its series itself: remember the id each archived one got.
  std::size_t put(const SeriesInfo& series) {
    const SeriesKey key{series.agent_id, series.name, series.labels};
    const auto ids = session_.samples().resolve_series({&key, 1});
    series_[series.id] = {ids.front(), series.agent_id};
    return 1;
  }

  std::size_t put(const archive::SeriesSamples& line) {
    const auto& [id, agent_id] = series_.at(line.series_id);  // the reader checked it exists
    for (const auto& point : line.points) {
      samples_.push_back({id, point.time, point.value});
      buckets_.emplace(agent_id, floor_to(point.time, k5mMs));
      days_.insert(floor_to(point.time, kDayMs) / kDayMs);
      if (samples_.size() >= kSampleBatch) flush();
    }
    return line.points.size();
  }

  template <class Write>
  static std::size_t one(Write write) {
    write();
    return 1;
  }

  Session& session_;
  std::int64_t now_;
  ImportReport report_;
  std::map<std::int64_t, std::pair<std::int64_t, std::string>> series_;  // archived -> stored
  std::vector<Sample> samples_;
  std::set<std::pair<std::string, std::int64_t>> buckets_;
  std::set<std::int64_t> days_;
};

}  // namespace

ImportReport import_archive(Session& session, archive::Reader& in, std::int64_t now,
                            std::size_t rows_per_transaction) {
  Importer importer(session, now);
  for (bool more = true; more;) {
    session.transaction([&] {
      for (std::size_t rows = 0; rows < rows_per_transaction;) {
        auto record = in.next();
        if (!record) {
          more = false;
          break;
        }
        rows += importer.apply(*record);
      }
      importer.flush();
    });
  }
  importer.refresh_rollups();
  auto report = std::move(importer.report());
  report.rows = in.counts();
  return report;
}

}  // namespace sentinel::store
