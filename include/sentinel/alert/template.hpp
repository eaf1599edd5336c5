#pragma once
// Label and annotation templates: text with `{{ $variable }}` placeholders, filled per alert
// instance. Variables: $agent (the agent's id), $agent_name, $value (the evaluated value),
// $threshold, $rule, $severity and $labels.<name> (a label of the series or the agent). A
// template is checked once, when its rule is validated, so rendering never fails.

#include <optional>
#include <string>
#include <string_view>

#include "sentinel/alert/rule.hpp"

namespace sentinel::alert {

struct TemplateContext {
  std::string agent;
  std::string agent_name;
  double value = 0;
  double threshold = 0;
  std::string rule;
  std::string severity;
  Labels labels;
};

// What is wrong with `text` (an unknown variable, an unclosed `{{`), or nullopt.
std::optional<std::string> check_template(std::string_view text);
// `text` with every placeholder replaced; a label the series lacks renders empty.
std::string render_template(std::string_view text, const TemplateContext& context);
// A value as people read it: integers without a fraction, others with at most 2 decimals.
std::string format_value(double value);

}  // namespace sentinel::alert
