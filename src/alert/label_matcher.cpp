#include <array>
#include <cctype>
#include <utility>

#include "sentinel/alert/rule.hpp"

namespace sentinel::alert {
namespace {

// Longest operators first, so that `!=` is not read as `!` then `=`.
constexpr std::array<std::pair<std::string_view, LabelMatcher::Op>, 4> kOps = {{
    {"=~", LabelMatcher::Op::kRegex},
    {"!~", LabelMatcher::Op::kNotRegex},
    {"!=", LabelMatcher::Op::kNe},
    {"=", LabelMatcher::Op::kEq},
}};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  return text;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The value between double quotes, with \" and \\ unescaped; quotes are optional.
std::optional<std::string> unquote(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') {
    if (text.find('"') != std::string_view::npos) return std::nullopt;
    return std::string(text);
  }
  std::string out;
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\' && i + 2 < text.size()) ++i;
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

std::optional<LabelMatcher> LabelMatcher::parse(std::string_view text) {
  const auto at = text.find_first_of("=!");
  if (at == std::string_view::npos) return std::nullopt;
  for (const auto& [symbol, op] : kOps) {
    if (text.substr(at, symbol.size()) != symbol) continue;
    LabelMatcher matcher;
    matcher.name_ = std::string(trim(text.substr(0, at)));
    auto value = unquote(trim(text.substr(at + symbol.size())));
    if (!valid_label_name(matcher.name_) || !value) return std::nullopt;
    matcher.op_ = op;
    matcher.value_ = std::move(*value);
    if (op == Op::kRegex || op == Op::kNotRegex) {
      try {
        matcher.regex_ = std::regex(matcher.value_, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        return std::nullopt;
      }
    }
    return matcher;
  }
  return std::nullopt;
}

bool LabelMatcher::matches(const Labels& labels) const {
  const auto it = labels.find(name_);
  const std::string& actual = it == labels.end() ? std::string() : it->second;
  switch (op_) {
    case Op::kEq:
      return actual == value_;
    case Op::kNe:
      return actual != value_;
    case Op::kRegex:
      return std::regex_match(actual, regex_);
    case Op::kNotRegex:
      return !std::regex_match(actual, regex_);
  }
  return false;
}

std::string LabelMatcher::to_string() const {
  std::string_view symbol;
  for (const auto& [text, op] : kOps) {
    if (op == op_) symbol = text;
  }
  std::string quoted;
  for (char c : value_) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return name_ + std::string(symbol) + "\"" + quoted + "\"";
}

bool matches_all(const std::vector<LabelMatcher>& matchers, const Labels& labels) {
  for (const auto& matcher : matchers) {
    if (!matcher.matches(labels)) return false;
  }
  return true;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative wildcard matching with one backtrack point: linear for the patterns people write.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool AgentSelector::matches(std::string_view agent_id, std::string_view agent_name,
                            const Labels& agent_labels) const {
  const bool named = glob_match(name, agent_id) || glob_match(name, agent_name);
  return named && matches_all(labels, agent_labels);
}

}  // namespace sentinel::alert
