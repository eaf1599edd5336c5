#pragma once
// The component `query`: the read API over stored samples, on the HTTP server of the role that
// runs it (the gateway), for the "viewer" role. docs/storage.md lists the routes and the SQL
// behind them.
//
//   GET /api/v1/agents/{id}/metrics   names with last value and last seen
//   GET /api/v1/query/range           avg/min/max/count per step (raw, 5m or 1h data by step)
//   GET /api/v1/query/latest          the latest value of each series of an agent
//   GET /api/v1/query/compare         one metric of several agents, per step
//   GET /api/v1/query/percentiles     percentiles of the raw samples in a range
//   GET /api/v1/export                raw samples as CSV or JSON lines, streamed

#include <chrono>
#include <cstddef>
#include <memory>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/core/registry.hpp"

namespace sentinel::worker {

class QueryRoutes;

class QueryApi final : public core::Component {
 public:
  static constexpr std::string_view kName = "query";

  struct Config {
    std::size_t max_points = 11'000;  // buckets per series in one answer
    std::size_t max_compare_agents = 50;
    std::size_t max_percentile_samples = 1'000'000;
    std::size_t export_row_limit = 1'000'000;  // the most `limit` may ask for, and its default
    core::Duration latest_lookback = std::chrono::hours(24);
    static Config parse(core::ConfigSection& section);
  };

  QueryApi(const Config& config, core::ComponentContext& context);
  ~QueryApi() override;

 private:
  Config config_;
  std::unique_ptr<QueryRoutes> routes_;
};

}  // namespace sentinel::worker
