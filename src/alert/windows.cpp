#include "windows.hpp"

#include <algorithm>
#include <limits>

namespace sentinel::alert {
namespace {

// Counter increase with resets (a restart sets the counter back to 0) counted as new growth.
double increase(std::deque<Sample>::const_iterator first, std::deque<Sample>::const_iterator end) {
  double total = 0;
  for (auto it = std::next(first); it != end; ++it) {
    const double delta = it->value - std::prev(it)->value;
    total += delta >= 0 ? delta : it->value;
  }
  return total;
}

// Least-squares line through the samples, evaluated `ahead` ms after `now`, as PromQL's
// predict_linear does.
double predict(std::deque<Sample>::const_iterator first, std::deque<Sample>::const_iterator end,
               std::int64_t now, double ahead_ms) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (auto it = first; it != end; ++it) {
    const double x = static_cast<double>(it->at - now);  // relative, to keep precision
    n += 1;
    sx += x;
    sy += it->value;
    sxx += x * x;
    sxy += x * it->value;
  }
  const double denominator = n * sxx - sx * sx;
  if (denominator == 0) return sy / n;
  const double slope = (n * sxy - sx * sy) / denominator;
  const double intercept = (sy - slope * sx) / n;
  return intercept + slope * ahead_ms;
}

}  // namespace

std::optional<double> aggregate(const std::deque<Sample>& samples, Aggregation aggregation,
                                std::int64_t now, core::Duration window,
                                core::Duration predict_ahead) {
  const auto first =
      std::upper_bound(samples.begin(), samples.end(), now - window.count(),
                       [](std::int64_t start, const Sample& sample) { return start < sample.at; });
  const auto end = std::upper_bound(first, samples.end(), now,
                                    [](std::int64_t at, const Sample& s) { return at < s.at; });
  const auto count = static_cast<double>(std::distance(first, end));
  if (aggregation == Aggregation::kAbsent) return count == 0 ? 1.0 : 0.0;
  if (aggregation == Aggregation::kCount) return count;
  if (count == 0) return std::nullopt;
  switch (aggregation) {
    case Aggregation::kAvg:
    case Aggregation::kSum: {
      double sum = 0;
      for (auto it = first; it != end; ++it)
        sum += it->value;
      return aggregation == Aggregation::kSum ? sum : sum / count;
    }
    case Aggregation::kMin:
      return std::min_element(first, end, [](auto& a, auto& b) { return a.value < b.value; })
          ->value;
    case Aggregation::kMax:
      return std::max_element(first, end, [](auto& a, auto& b) { return a.value < b.value; })
          ->value;
    case Aggregation::kLast:
      return std::prev(end)->value;
    case Aggregation::kRate: {
      if (count < 2) return std::nullopt;
      const double seconds = static_cast<double>(std::prev(end)->at - first->at) / 1000.0;
      return seconds > 0 ? std::optional(increase(first, end) / seconds) : std::nullopt;
    }
    case Aggregation::kPredictLinear:
      if (count < 2) return std::nullopt;
      return predict(first, end, now, static_cast<double>(predict_ahead.count()));
    default:
      return std::nullopt;
  }
}

void Windows::add(const SeriesKey& key, Sample sample) {
  auto& samples = series_[key.metric][key];
  // Batches arrive mostly in order: append in O(1), insert in place otherwise.
  auto at = std::lower_bound(samples.begin(), samples.end(), sample.at,
                             [](const Sample& s, std::int64_t t) { return s.at < t; });
  if (at != samples.end() && at->at == sample.at) {
    at->value = sample.value;  // the same sample delivered again
    return;
  }
  samples.insert(at, sample);
}

void Windows::trim(std::int64_t now) {
  const auto oldest = now - retention_.count();
  for (auto metric = series_.begin(); metric != series_.end();) {
    auto& of_metric = metric->second;
    for (auto it = of_metric.begin(); it != of_metric.end();) {
      auto& samples = it->second;
      while (!samples.empty() && samples.front().at < oldest)
        samples.pop_front();
      it = samples.empty() ? of_metric.erase(it) : std::next(it);
    }
    metric = of_metric.empty() ? series_.erase(metric) : std::next(metric);
  }
}

std::vector<std::pair<const SeriesKey*, const std::deque<Sample>*>> Windows::of_metric(
    const std::string& metric) const {
  std::vector<std::pair<const SeriesKey*, const std::deque<Sample>*>> out;
  const auto it = series_.find(metric);
  if (it == series_.end()) return out;
  for (const auto& [key, samples] : it->second)
    out.emplace_back(&key, &samples);
  return out;
}

std::size_t Windows::series_count() const {
  std::size_t n = 0;
  for (const auto& [metric, of_metric] : series_)
    n += of_metric.size();
  return n;
}

}  // namespace sentinel::alert
