#pragma once
// The rules file: YAML with a list `rules:` of rules in the form parse_rule() reads. It is loaded
// when the alert component starts and again on reload (SIGHUP); its rules are read-only in the
// API (source "file", id "file:<name>").

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "sentinel/alert/rule.hpp"

namespace sentinel::alert {

// Every problem of the file, each naming the file, the line and the field:
// "rules.yml:14: rules[2].threshold: expected a number".
struct RulesFileErrors {
  std::vector<std::string> errors;
};

std::variant<std::vector<Rule>, RulesFileErrors> load_rules_file(const std::filesystem::path& file);
// The same from text already read; `origin` names it in errors.
std::variant<std::vector<Rule>, RulesFileErrors> parse_rules_yaml(const std::string& text,
                                                                  const std::string& origin);

}  // namespace sentinel::alert
