#include "sentinel/worker/query_api.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/json.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/session.hpp"

#include "leader_duties.hpp"
#include "query_params.hpp"

namespace sentinel::worker {
namespace {

using nlohmann::json;
using store::Session;

constexpr std::size_t kExportPage = 5'000;

// The store could not answer: 503, the client may retry.
class StoreFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

json bucket_json(const store::Bucket& b) {
  return {{"t", b.start}, {"avg", b.avg}, {"min", b.min}, {"max", b.max}, {"count", b.count}};
}

// Buckets of several series merged into one per start: count-weighted average.
class BucketMerger {
 public:
  void add(const store::Bucket& b) {
    auto [it, fresh] = merged_.try_emplace(b.start, Sum{b.min, b.max});
    auto& sum = it->second;
    sum.total += b.avg * static_cast<double>(b.count);
    sum.count += b.count;
    sum.min = std::min(sum.min, b.min);
    sum.max = std::max(sum.max, b.max);
  }
  json points() const {
    auto out = json::array();
    for (const auto& [start, s] : merged_) {
      out.push_back(
          bucket_json({start, s.total / static_cast<double>(s.count), s.min, s.max, s.count}));
    }
    return out;
  }

 private:
  struct Sum {
    double min;
    double max;
    double total = 0;
    std::int64_t count = 0;
  };
  std::map<std::int64_t, Sum> merged_;
};

// percentile_cont: linear interpolation between the closest ranks.
double percentile(const std::vector<double>& sorted, double p) {
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const auto above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - static_cast<double>(below));
}

struct ExportState {
  ExportState(store::Store& s, core::Logger l) : store(&s), log(std::move(l)) {}
  store::Store* store;
  core::Logger log;
  std::unordered_map<std::int64_t, store::SeriesInfo> series;
  std::vector<std::int64_t> ids;
  std::int64_t from = 0;
  std::int64_t to = 0;
  bool csv = true;
  std::size_t remaining = 0;
  std::optional<store::RawCursor> after;
  bool started = false;
};

std::string export_row(const ExportState& state, const store::RawPoint& point) {
  const auto& info = state.series.at(point.series_id);
  if (state.csv) {
    return fmt::format("{},{},{},{},{}\r\n", point.time, csv_field(info.agent_id),
                       csv_field(info.name), csv_field(json(info.labels).dump()),
                       fmt::format("{}", point.value));
  }
  json row = {{"time", point.time},
              {"agent_id", info.agent_id},
              {"name", info.name},
              {"labels", info.labels},
              {"value", point.value}};
  return row.dump() + "\n";
}

// The next piece of an export: a page of rows, or nullopt at the end.
boost::asio::awaitable<std::optional<std::string>> next_chunk(std::shared_ptr<ExportState> state) {
  std::string chunk;
  if (!state->started) {
    state->started = true;
    if (state->csv) chunk = "time_ms,agent_id,name,labels,value\r\n";
  }
  if (state->remaining == 0 || state->ids.empty()) {
    if (chunk.empty()) co_return std::nullopt;
    co_return chunk;
  }
  const auto limit = std::min(kExportPage, state->remaining);
  auto& s = *state;
  auto page = co_await state->store->run(
      [&](Session& session) {
        return session.metric_queries().raw(s.ids, s.from, s.to, s.after, limit);
      },
      store::Access::kRead);
  if (!page) {
    // The status line is gone already: end the body early and say so in the log.
    state->log.warn("export ended early: {}", page.error().message);
    state->remaining = 0;
    co_return chunk.empty() ? std::nullopt : std::optional<std::string>(chunk);
  }
  for (const auto& point : *page)
    chunk += export_row(*state, point);
  state->remaining = page->size() < limit ? 0 : state->remaining - page->size();
  if (!page->empty()) state->after = store::RawCursor{page->back().time, page->back().series_id};
  if (chunk.empty()) co_return std::nullopt;
  co_return chunk;
}

}  // namespace

class QueryRoutes {
 public:
  QueryRoutes(const QueryApi::Config& config, store::Store& store, core::Logger log)
      : config_(config), store_(store), log_(std::move(log)) {}

  void install(http::Router& router) {
    add(router, "/api/v1/agents/{id}/metrics", &QueryRoutes::agent_metrics,
        "Metric names of an agent with their last value and last seen time");
    add(router, "/api/v1/query/range", &QueryRoutes::range,
        "avg/min/max/count per step of one metric of an agent");
    add(router, "/api/v1/query/latest", &QueryRoutes::latest,
        "The latest value of each series of an agent");
    add(router, "/api/v1/query/compare", &QueryRoutes::compare,
        "One metric of several agents, per step");
    add(router, "/api/v1/query/percentiles", &QueryRoutes::percentiles,
        "Percentiles of the raw samples of a metric over a range");
    add(router, "/api/v1/export", &QueryRoutes::export_samples,
        "Raw samples as CSV or JSON lines, streamed");
  }

 private:
  using Method = boost::asio::awaitable<http::Response> (QueryRoutes::*)(const http::Request&);

  void add(http::Router& router, std::string pattern, Method method, std::string summary) {
    http::RouteOptions options;
    options.role = "viewer";
    options.summary = std::move(summary);
    router.add(
        http::Method::kGet, std::move(pattern),
        [this, method](http::Request& request) { return answer(method, request); },
        std::move(options));
  }

  // Bad parameters become 400s and store failures 503s, in one place.
  boost::asio::awaitable<http::Response> answer(Method method, const http::Request& request) {
    try {
      co_return co_await (this->*method)(request);
    } catch (const BadRequest& e) {
      co_return http::error_response(400, "invalid_parameter", e.what());
    } catch (const StoreFailure& e) {
      co_return http::error_response(503, "store_unavailable", e.what());
    }
  }

  // Runs `work` on a store reader; a failure becomes StoreFailure.
  template <class Work>
  auto read(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work, Session&>> {
    auto result = co_await store_.run(std::move(work), store::Access::kRead);
    if (!result) {
      log_.warn("query failed: {}", result.error().message);
      throw StoreFailure("the store cannot answer now: " + result.error().message);
    }
    co_return std::move(*result);
  }

  // The agent's series that `filter` selects.
  static std::vector<store::SeriesInfo> matching(Session& session, const std::string& agent,
                                                 const SeriesFilter& filter) {
    std::optional<std::string_view> name;
    if (filter.metric) name = *filter.metric;
    auto all = session.metric_queries().series(agent, name);
    std::erase_if(
        all, [&](const store::SeriesInfo& s) { return !labels_match(s.labels, filter.labels); });
    return all;
  }

  std::int64_t since() const { return core::unix_ms() - config_.latest_lookback.count(); }

  boost::asio::awaitable<http::Response> agent_metrics(const http::Request& request) {
    const std::string agent(request.param("id"));
    const auto from = since();
    struct Found {
      bool known = false;
      std::vector<store::SeriesInfo> series;
      std::vector<store::LatestValue> latest;
    };
    auto found = co_await read([&](Session& session) {
      Found f;
      f.known = session.agents().get(agent).has_value();
      f.series = session.metric_queries().series(agent, std::nullopt);
      std::vector<std::int64_t> ids;
      for (const auto& s : f.series)
        ids.push_back(s.id);
      f.latest = session.metric_queries().latest(ids, from);
      return f;
    });
    if (!found.known && found.series.empty())
      co_return http::error_response(404, "not_found", fmt::format("no agent {}", agent));
    std::unordered_map<std::int64_t, const store::LatestValue*> latest;
    for (const auto& value : found.latest)
      latest[value.series_id] = &value;
    std::map<std::string, json> metrics;
    for (const auto& s : found.series) {
      auto& entry = metrics[s.name];
      if (entry.is_null())
        entry = {{"name", s.name}, {"series", 0}, {"value", nullptr}, {"last_seen", nullptr}};
      entry["series"] = entry["series"].get<int>() + 1;
      auto it = latest.find(s.id);
      if (it == latest.end()) continue;
      if (entry["last_seen"].is_null() ||
          entry["last_seen"].get<std::int64_t>() < it->second->time) {
        entry["last_seen"] = it->second->time;
        entry["value"] = it->second->value;
      }
    }
    json out = {{"agent_id", agent}, {"metrics", json::array()}};
    for (auto& [name, entry] : metrics)
      out["metrics"].push_back(std::move(entry));
    co_return http::json_response(200, out);
  }

  boost::asio::awaitable<http::Response> range(const http::Request& request) {
    QueryParams q(request);
    const auto agent = q.required("agent");
    const auto filter = q.series(true);
    const auto r = q.bucketed_range(config_.max_points);
    using Rows = std::vector<std::pair<store::SeriesInfo, std::vector<store::Bucket>>>;
    auto rows = co_await read([&](Session& session) {
      Rows rows;
      for (auto& s : matching(session, agent, filter)) {
        auto buckets =
            session.metric_queries().buckets(s.id, r.resolution, r.range.from, r.range.to, r.step);
        rows.emplace_back(std::move(s), std::move(buckets));
      }
      return rows;
    });
    json series = json::array();
    for (const auto& [info, buckets] : rows) {
      json points = json::array();
      for (const auto& b : buckets)
        points.push_back(bucket_json(b));
      series.push_back({{"labels", info.labels}, {"points", std::move(points)}});
    }
    co_return http::json_response(200, {{"agent_id", agent},
                                        {"metric", *filter.metric},
                                        {"resolution", store::to_string(r.resolution)},
                                        {"step_ms", r.step},
                                        {"series", std::move(series)}});
  }

  boost::asio::awaitable<http::Response> latest(const http::Request& request) {
    QueryParams q(request);
    const auto agent = q.required("agent");
    const auto filter = q.series(false);
    const auto from = since();
    using Rows = std::pair<std::vector<store::SeriesInfo>, std::vector<store::LatestValue>>;
    auto rows = co_await read([&](Session& session) {
      Rows rows;
      rows.first = matching(session, agent, filter);
      std::vector<std::int64_t> ids;
      for (const auto& s : rows.first)
        ids.push_back(s.id);
      rows.second = session.metric_queries().latest(ids, from);
      return rows;
    });
    std::unordered_map<std::int64_t, const store::SeriesInfo*> by_id;
    for (const auto& s : rows.first)
      by_id[s.id] = &s;
    json values = json::array();
    for (const auto& value : rows.second) {
      const auto& info = *by_id.at(value.series_id);
      values.push_back({{"name", info.name},
                        {"labels", info.labels},
                        {"time", value.time},
                        {"value", value.value}});
    }
    co_return http::json_response(200, {{"agent_id", agent}, {"values", std::move(values)}});
  }

  boost::asio::awaitable<http::Response> compare(const http::Request& request) {
    QueryParams q(request);
    const auto agents = q.list("agents", config_.max_compare_agents);
    const auto filter = q.series(true);
    const auto r = q.bucketed_range(config_.max_points);
    auto merged = co_await read([&](Session& session) {
      std::vector<BucketMerger> merged(agents.size());
      for (std::size_t i = 0; i < agents.size(); ++i) {
        for (const auto& s : matching(session, agents[i], filter)) {
          for (const auto& b : session.metric_queries().buckets(s.id, r.resolution, r.range.from,
                                                                r.range.to, r.step))
            merged[i].add(b);
        }
      }
      return merged;
    });
    json series = json::array();
    for (std::size_t i = 0; i < agents.size(); ++i)
      series.push_back({{"agent_id", agents[i]}, {"points", merged[i].points()}});
    co_return http::json_response(200, {{"metric", *filter.metric},
                                        {"resolution", store::to_string(r.resolution)},
                                        {"step_ms", r.step},
                                        {"series", std::move(series)}});
  }

  boost::asio::awaitable<http::Response> percentiles(const http::Request& request) {
    QueryParams q(request);
    const auto agent = q.required("agent");
    const auto filter = q.series(true);
    const auto span = q.range();
    std::vector<double> wanted{50, 90, 95, 99};
    if (q.optional("p")) {
      wanted.clear();
      for (const auto& item : q.list("p", 20)) {
        auto value = parse_percentile(item);
        if (!value) throw BadRequest("parameter p: expected percentiles above 0 and up to 100");
        wanted.push_back(*value);
      }
    }
    const auto cap = config_.max_percentile_samples;
    auto points = co_await read([&](Session& session) {
      std::vector<std::int64_t> ids;
      for (const auto& s : matching(session, agent, filter))
        ids.push_back(s.id);
      return session.metric_queries().raw(ids, span.from, span.to, std::nullopt, cap + 1);
    });
    if (points.size() > cap) {
      throw BadRequest(fmt::format(
          "parameters from and to: the range holds more than {} samples; narrow it", cap));
    }
    std::vector<double> values;
    for (const auto& point : points)
      values.push_back(point.value);
    std::sort(values.begin(), values.end());
    json out = json::object();
    for (double p : wanted)
      out[fmt::format("p{}", p)] = values.empty() ? json(nullptr) : json(percentile(values, p));
    co_return http::json_response(200, {{"agent_id", agent},
                                        {"metric", *filter.metric},
                                        {"samples", values.size()},
                                        {"percentiles", std::move(out)}});
  }

  boost::asio::awaitable<http::Response> export_samples(const http::Request& request) {
    QueryParams q(request);
    const auto agent = q.required("agent");
    const auto filter = q.series(false);
    const auto span = q.range();
    const auto format = q.optional("format").value_or("csv");
    if (format != "csv" && format != "jsonl")
      throw BadRequest("parameter format: expected csv or jsonl");
    auto state = std::make_shared<ExportState>(store_, log_);
    state->from = span.from;
    state->to = span.to;
    state->csv = format == "csv";
    state->remaining = q.count("limit", config_.export_row_limit, config_.export_row_limit);
    auto series = co_await read([&](Session& session) { return matching(session, agent, filter); });
    for (auto& s : series) {
      state->ids.push_back(s.id);
      state->series.emplace(s.id, std::move(s));
    }
    http::Response response;
    response.headers.set("Content-Type",
                         state->csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
    response.headers.set("Content-Disposition",
                         fmt::format("attachment; filename=\"samples.{}\"", format));
    response.stream = [state] { return next_chunk(state); };
    co_return response;
  }

  const QueryApi::Config& config_;
  store::Store& store_;
  core::Logger log_;
};

QueryApi::Config QueryApi::Config::parse(core::ConfigSection& section) {
  Config config;
  section.read("max_points", config.max_points, core::Range<std::size_t>{10, 1'000'000});
  section.read("max_compare_agents", config.max_compare_agents, core::Range<std::size_t>{1, 1000});
  section.read("max_percentile_samples", config.max_percentile_samples,
               core::Range<std::size_t>{1000, 100'000'000});
  section.read("export_row_limit", config.export_row_limit,
               core::Range<std::size_t>{1, 1'000'000'000});
  section.read("latest_lookback", config.latest_lookback,
               core::Range<core::Duration>{std::chrono::minutes(1), std::chrono::days(3650)});
  return config;
}

QueryApi::QueryApi(const Config& config, core::ComponentContext& context)
    : config_(config),
      routes_(std::make_unique<QueryRoutes>(config_, context.get<store::StoreComponent>().store(),
                                            context.logger("query"))) {
  routes_->install(context.get<http::Server>().router());
}

QueryApi::~QueryApi() = default;

}  // namespace sentinel::worker
