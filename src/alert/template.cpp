#include "sentinel/alert/template.hpp"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace sentinel::alert {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";
constexpr std::string_view kLabelsPrefix = "$labels.";

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// The value of `variable` ("$agent", "$labels.mount"), or nullopt when there is no such variable.
std::optional<std::string> lookup(std::string_view variable, const TemplateContext* context) {
  static const TemplateContext kEmpty;
  const auto& c = context != nullptr ? *context : kEmpty;
  if (variable.starts_with(kLabelsPrefix) && variable.size() > kLabelsPrefix.size()) {
    const auto it = c.labels.find(std::string(variable.substr(kLabelsPrefix.size())));
    return it == c.labels.end() ? std::string() : it->second;
  }
  if (variable == "$agent") return c.agent;
  if (variable == "$agent_name") return c.agent_name.empty() ? c.agent : c.agent_name;
  if (variable == "$value") return format_value(c.value);
  if (variable == "$threshold") return format_value(c.threshold);
  if (variable == "$rule") return c.rule;
  if (variable == "$severity") return c.severity;
  return std::nullopt;
}

// Walks `text`, appending literal parts and variable values to `out`; returns the first problem.
std::optional<std::string> expand(std::string_view text, const TemplateContext* context,
                                  std::string& out) {
  while (!text.empty()) {
    const auto open = text.find(kOpen);
    out.append(text.substr(0, open));
    if (open == std::string_view::npos) break;
    const auto close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) return "unclosed '{{'";
    const auto variable = trim(text.substr(open + kOpen.size(), close - open - kOpen.size()));
    auto value = lookup(variable, context);
    if (!value) {
      return fmt::format(
          "unknown variable '{}' (known: $agent, $agent_name, $value, $threshold, "
          "$rule, $severity, $labels.<name>)",
          variable);
    }
    out.append(*value);
    text.remove_prefix(close + kClose.size());
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_template(std::string_view text) {
  std::string ignored;
  return expand(text, nullptr, ignored);
}

std::string render_template(std::string_view text, const TemplateContext& context) {
  std::string out;
  (void)expand(text, &context, out);  // checked when the rule was validated
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  auto text = fmt::format("{:.2f}", value);
  while (text.back() == '0')
    text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace sentinel::alert
