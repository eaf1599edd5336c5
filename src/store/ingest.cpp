#include "sentinel/store/ingest.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "sentinel/core/crypto.hpp"
#include "sentinel/store/agents.hpp"

namespace sentinel::store {
namespace {

// The batches' series, resolved to ids through the cache; the misses in one round trip.
class SeriesResolver {
 public:
  SeriesResolver(Session& session, IngestCache& cache, IngestReport& report)
      : session_(session), cache_(cache), report_(report) {}

  // ids[b][p]: the series id of point p of batch b.
  std::vector<std::vector<std::int64_t>> resolve(std::span<const IngestBatch> batches) {
    std::vector<std::vector<std::int64_t>> ids(batches.size());
    std::vector<SeriesKey> missing;
    std::vector<std::string> missing_keys;
    std::unordered_map<std::string, std::size_t> missing_index;  // a series asked for once
    struct Waiting {
      std::size_t batch, point, key;
    };
    std::vector<Waiting> waiting;
    for (std::size_t b = 0; b < batches.size(); ++b) {
      const auto& batch = batches[b];
      ids[b].resize(batch.points.size());
      for (std::size_t p = 0; p < batch.points.size(); ++p) {
        const auto& point = batch.points[p];
        auto key = series_cache_key(batch.key.agent_id, point.name, point.labels);
        if (auto id = cache_.series(key)) {
          ids[b][p] = *id;
          ++report_.cache_hits;
          continue;
        }
        ++report_.cache_misses;
        auto [it, fresh] = missing_index.try_emplace(key, missing.size());
        if (fresh) {
          missing.push_back({batch.key.agent_id, point.name, point.labels});
          missing_keys.push_back(std::move(key));
        }
        waiting.push_back({b, p, it->second});
      }
    }
    if (missing.empty()) return ids;
    const auto found = session_.samples().resolve_series(missing);
    for (const auto& w : waiting)
      ids[w.batch][w.point] = found[w.key];
    // A series created in a transaction that then rolls back is gone, and SQLite gives its id
    // to the next new series: only committed ids may enter the cache.
    session_.after_commit([&cache = cache_, keys = std::move(missing_keys), found] {
      for (std::size_t i = 0; i < found.size(); ++i)
        cache.remember(keys[i], found[i]);
    });
    return ids;
  }

 private:
  Session& session_;
  IngestCache& cache_;
  IngestReport& report_;
};

void prepare_days(Session& session, IngestCache& cache, std::span<const IngestBatch> batches) {
  std::vector<std::int64_t> days;
  for (const auto& batch : batches) {
    for (const auto& point : batch.points) {
      const auto day = floor_to(point.time, kDayMs) / kDayMs;
      if (!cache.day_ready(day) && std::find(days.begin(), days.end(), day) == days.end())
        days.push_back(day);
    }
  }
  if (days.empty()) return;
  session.samples().prepare_days(days);
  session.after_commit([&cache, days] {
    for (auto day : days)
      cache.mark_day(day);
  });
}

void add_bucket(std::vector<std::pair<std::string, std::int64_t>>& buckets,
                const std::string& agent_id, std::int64_t bucket) {
  // Few distinct buckets per group, and the points of a batch mostly share the last one.
  const auto same = [&](const auto& known) {
    return known.second == bucket && known.first == agent_id;
  };
  if (std::find_if(buckets.rbegin(), buckets.rend(), same) == buckets.rend())
    buckets.emplace_back(agent_id, bucket);
}

// A key that appears twice in one group is new at most once.
std::vector<bool> first_claims(std::span<const BatchKey> keys, std::vector<bool> claimed) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = 0; j < i && claimed[i]; ++j) {
      if (keys[j] == keys[i]) claimed[i] = false;
    }
  }
  return claimed;
}

}  // namespace

std::optional<std::int64_t> IngestCache::series(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) return std::nullopt;
  return it->second;
}

void IngestCache::remember(const std::string& key, std::int64_t id) {
  std::lock_guard lock(mutex_);
  if (series_.size() >= max_series_) series_.clear();
  series_.emplace(key, id);
}

bool IngestCache::day_ready(std::int64_t day) const {
  std::lock_guard lock(mutex_);
  return days_.contains(day);
}

void IngestCache::mark_day(std::int64_t day) {
  std::lock_guard lock(mutex_);
  days_.insert(day);
}

std::string series_cache_key(std::string_view agent_id, std::string_view name,
                             const Labels& labels) {
  // NUL cannot occur in the agent id, names or label text the gateway accepts, so the
  // concatenation is unambiguous.
  std::string key;
  key.reserve(agent_id.size() + name.size() + 2 + labels.size() * 16);
  key.append(agent_id).push_back('\0');
  key.append(name).push_back('\0');
  for (const auto& [label, value] : labels) {
    key.append(label).push_back('\0');
    key.append(value).push_back('\0');
  }
  return key;
}

std::int64_t series_hash(const SeriesKey& key) {
  // The agent is a column of its own, so it stays out of the hash: (agent_id, hash) is unique.
  const auto canonical = series_cache_key("", key.name, key.labels);
  const auto digest = core::sha256(canonical);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value = (value << 8) | static_cast<std::uint8_t>(digest[i]);
  std::int64_t hash = 0;
  std::memcpy(&hash, &value, sizeof hash);
  return hash;
}

std::string_view to_string(Resolution resolution) {
  switch (resolution) {
    case Resolution::kRaw:
      return "raw";
    case Resolution::k5m:
      return "5m";
    case Resolution::k1h:
      return "1h";
  }
  return "raw";
}

IngestReport ingest_batches(Session& session, IngestCache& cache,
                            std::span<const IngestBatch> batches, std::int64_t now) {
  IngestReport report;
  auto& samples = session.samples();
  const auto ids = SeriesResolver(session, cache, report).resolve(batches);
  prepare_days(session, cache, batches);

  std::vector<BatchKey> keys;
  for (const auto& batch : batches)
    keys.push_back(batch.key);
  session.transaction([&] {
    const auto fresh = first_claims(keys, samples.claim_batches(keys, now));
    std::vector<Sample> rows;
    std::vector<std::pair<std::string, std::int64_t>> buckets;
    std::vector<std::string> agents;
    for (std::size_t b = 0; b < batches.size(); ++b) {
      if (!fresh[b]) {
        ++report.duplicate_batches;
        continue;
      }
      ++report.stored_batches;
      const auto& batch = batches[b];
      agents.push_back(batch.key.agent_id);
      for (std::size_t p = 0; p < batch.points.size(); ++p) {
        const auto& point = batch.points[p];
        rows.push_back({ids[b][p], point.time, point.value});
        add_bucket(buckets, batch.key.agent_id, floor_to(point.time, k5mMs));
      }
    }
    // In (series, time) order PostgreSQL's COPY inserts the (series_id, ts) index entries of a
    // series one after the other, into the same hot pages, and lays its samples out together.
    std::sort(rows.begin(), rows.end(), [](const Sample& a, const Sample& b) {
      return std::tie(a.series_id, a.time) < std::tie(b.series_id, b.time);
    });
    if (!rows.empty()) samples.append(rows, buckets);
    if (!agents.empty()) session.agents().touch_last_seen(agents, now);
    report.samples = rows.size();
  });
  return report;
}

}  // namespace sentinel::store
