#include <string>
#include <vector>

#include "transfer.hpp"

namespace sentinel::store {
namespace {

// Sample times beyond any a store holds: the bounds of an export without --since. (PostgreSQL
// cannot convert the int64 extremes to timestamps.)
constexpr std::int64_t kBeginning = -62'135'596'800'000;  // 0001-01-01
constexpr std::int64_t kFarFuture = 253'402'300'800'000;  // 10000-01-01
// Rows per page read and per samples / processed_batches line.
constexpr std::size_t kPage = 1000;

class Exporter {
 public:
  Exporter(Session& session, archive::Writer& out, const ExportOptions& options)
      : session_(session), out_(out), options_(options) {}

  void run() {
    const auto agents = export_agents();
    for (const auto& id : agents) {
      for (auto& key : session_.credentials().valid_keys(id, options_.now))
        out_.write(std::move(key));
    }
    export_all(session_.credentials().hashed_bootstrap_tokens());
    export_all(session_.credentials().hashed_api_tokens());
    export_all(session_.alerts().list_rules());
    export_all(session_.silences().list(std::nullopt));
    export_all(session_.notifiers().list());
    export_all(session_.alerts().list_instances());
    export_processed_batches();
    for (const auto& id : agents)
      export_series(id);
  }

 private:
  // Writes every agent; returns their ids.
  std::vector<std::string> export_agents() {
    std::vector<std::string> ids;
    PageRequest page{kPage, ""};
    do {
      auto result = session_.agents().list({}, page);
      for (auto& agent : result.agents) {
        ids.push_back(agent.id);
        out_.write(std::move(agent));
      }
      page.cursor = result.next_cursor;
    } while (!page.cursor.empty());
    return ids;
  }

  template <class Row>
  void export_all(std::vector<Row> rows) {
    for (auto& row : rows)
      out_.write(std::move(row));
  }

  // One line per run of keys of one agent, at most kPage keys long.
  void export_processed_batches() {
    std::optional<BatchKey> after;
    archive::ProcessedBatches line;
    for (;;) {
      const auto keys =
          session_.samples().processed_batches(options_.since.value_or(kBeginning), after, kPage);
      for (const auto& key : keys) {
        if (key.agent_id != line.agent_id || line.batch_ids.size() == kPage) flush(line);
        line.agent_id = key.agent_id;
        line.batch_ids.push_back(key.batch_id);
      }
      if (keys.size() < kPage) break;
      after = keys.back();
    }
    flush(line);
  }

  void flush(archive::ProcessedBatches& line) {
    if (!line.batch_ids.empty()) out_.write(line);
    line.batch_ids.clear();
  }

  // The agent's series, each followed by its samples in lines of kPage points.
  void export_series(const std::string& agent_id) {
    for (auto& series : session_.metric_queries().series(agent_id, std::nullopt)) {
      const std::int64_t ids[] = {series.id};
      out_.write(std::move(series));
      std::optional<RawCursor> after;
      for (;;) {
        const auto points = session_.metric_queries().raw(ids, options_.since.value_or(kBeginning),
                                                          kFarFuture, after, kPage);
        if (points.empty()) break;
        archive::SeriesSamples line{ids[0], {}};
        line.points.reserve(points.size());
        for (const auto& point : points)
          line.points.push_back({point.time, point.value});
        out_.write(std::move(line));
        if (points.size() < kPage) break;
        after = RawCursor{points.back().time, points.back().series_id};
      }
    }
  }

  Session& session_;
  archive::Writer& out_;
  const ExportOptions& options_;
};

}  // namespace

void export_archive(Session& session, archive::Writer& out, const ExportOptions& options) {
  Exporter(session, out, options).run();
}

}  // namespace sentinel::store
