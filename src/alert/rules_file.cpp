#include "sentinel/alert/rules_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace sentinel::alert {
namespace {

// YAML scalars are untyped: a plain `90` is a number, `true` a boolean, a quoted "90" a string,
// as a YAML 1.2 core-schema reader would type them.
nlohmann::json scalar_to_json(const YAML::Node& node) {
  const auto& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted
  if (text == "true" || text == "false") return text == "true";
  if (text == "null" || text == "~") return nullptr;
  if (!text.empty()) {
    char* end = nullptr;
    errno = 0;
    const double number = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size() && errno == 0) return number;
  }
  return text;
}

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      auto list = nlohmann::json::array();
      for (const auto& item : node)
        list.push_back(to_json(item));
      return list;
    }
    case YAML::NodeType::Map: {
      auto object = nlohmann::json::object();
      for (const auto& entry : node)
        object[entry.first.as<std::string>()] = to_json(entry.second);
      return object;
    }
    default:
      return nullptr;
  }
}

void parse_entry(const YAML::Node& node, std::size_t index, const std::string& origin,
                 std::vector<Rule>& rules, RulesFileErrors& errors) {
  const auto where = fmt::format("{}:{}: rules[{}]", origin, node.Mark().line + 1, index);
  const auto body = to_json(node);
  if (body.is_object() && (body.contains("id") || body.contains("source"))) {
    errors.errors.push_back(where + ": id and source are set by sentineld, not in a rules file");
    return;
  }
  auto parsed = parse_rule(body);
  if (auto* problems = std::get_if<std::vector<RuleError>>(&parsed)) {
    for (const auto& problem : *problems)
      errors.errors.push_back(fmt::format("{}.{}: {}", where, problem.field, problem.message));
    return;
  }
  auto rule = std::get<Rule>(std::move(parsed));
  rule.id = "file:" + rule.name;
  rule.source = RuleSource::kFile;
  rules.push_back(std::move(rule));
}

}  // namespace

std::variant<std::vector<Rule>, RulesFileErrors> parse_rules_yaml(const std::string& text,
                                                                  const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return RulesFileErrors{{fmt::format("{}:{}: {}", origin, e.mark.line + 1, e.msg)}};
  }
  if (root.IsNull()) return std::vector<Rule>{};
  if (!root.IsMap() || !root["rules"] || !root["rules"].IsSequence() || root.size() != 1)
    return RulesFileErrors{{origin + ": expected a map with one key, rules: [ ... ]"}};
  std::vector<Rule> rules;
  RulesFileErrors errors;
  std::size_t index = 0;
  for (const auto& node : root["rules"])
    parse_entry(node, index++, origin, rules, errors);
  std::set<std::string> names;
  for (const auto& rule : rules) {
    if (!names.insert(rule.name).second)
      errors.errors.push_back(fmt::format("{}: rule name '{}' appears twice", origin, rule.name));
  }
  if (!errors.errors.empty()) return errors;
  return rules;
}

std::variant<std::vector<Rule>, RulesFileErrors> load_rules_file(
    const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return RulesFileErrors{{file.string() + ": cannot be read"}};
  std::stringstream text;
  text << in.rdbuf();
  return parse_rules_yaml(text.str(), file.string());
}

}  // namespace sentinel::alert
