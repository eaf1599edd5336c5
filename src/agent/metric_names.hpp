#pragma once
// The Prometheus rules for metric and label names, which every sample the agent sends follows.

#include <algorithm>
#include <cctype>
#include <string_view>

namespace sentinel::agent {

// [a-zA-Z_][a-zA-Z0-9_]*
inline bool valid_label_name(std::string_view name) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(), word);
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
inline bool valid_metric_name(std::string_view name) {
  auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
  };
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(), word);
}

}  // namespace sentinel::agent
