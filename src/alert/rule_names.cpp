#include "sentinel/alert/rule.hpp"

namespace sentinel::alert {

std::string_view to_string(RuleKind kind) {
  switch (kind) {
    case RuleKind::kThreshold:
      return "threshold";
    case RuleKind::kAgentOffline:
      return "agent_offline";
    case RuleKind::kNoData:
      return "no_data";
  }
  return "threshold";
}

std::string_view to_string(Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::kAvg:
      return "avg";
    case Aggregation::kMin:
      return "min";
    case Aggregation::kMax:
      return "max";
    case Aggregation::kLast:
      return "last";
    case Aggregation::kCount:
      return "count";
    case Aggregation::kSum:
      return "sum";
    case Aggregation::kRate:
      return "rate";
    case Aggregation::kAbsent:
      return "absent";
    case Aggregation::kPredictLinear:
      return "predict_linear";
  }
  return "avg";
}

std::string_view to_string(Comparator comparator) {
  switch (comparator) {
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kEq:
      return "==";
    case Comparator::kNe:
      return "!=";
  }
  return ">";
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "warning";
}

std::string_view to_string(RuleSource source) {
  return source == RuleSource::kFile ? "file" : "api";
}

std::optional<Severity> severity_from_string(std::string_view text) {
  for (auto severity : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    if (to_string(severity) == text) return severity;
  }
  return std::nullopt;
}

bool compare(Comparator comparator, double value, double threshold) {
  switch (comparator) {
    case Comparator::kGt:
      return value > threshold;
    case Comparator::kGe:
      return value >= threshold;
    case Comparator::kLt:
      return value < threshold;
    case Comparator::kLe:
      return value <= threshold;
    case Comparator::kEq:
      return value == threshold;
    case Comparator::kNe:
      return value != threshold;
  }
  return false;
}

}  // namespace sentinel::alert
