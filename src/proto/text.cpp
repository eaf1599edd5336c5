#include "sentinel/proto/text.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace sentinel::proto {
namespace {

constexpr std::string_view kInvalidUtf8 = "invalid UTF-8";

// The length of the UTF-8 sequence that starts with `lead`, the code point bits it carries and
// the smallest code point that needs this length (anything below is an overlong form).
struct Lead {
  std::size_t length;
  std::uint32_t bits;
  std::uint32_t minimum;
};

std::optional<Lead> read_lead(unsigned char lead) {
  if ((lead & 0xE0) == 0xC0) return Lead{2, lead & 0x1Fu, 0x80};
  if ((lead & 0xF0) == 0xE0) return Lead{3, lead & 0x0Fu, 0x800};
  if ((lead & 0xF8) == 0xF0) return Lead{4, lead & 0x07u, 0x10000};
  return std::nullopt;
}

// The length of the valid UTF-8 sequence without NUL at the start of `text`, or 0.
std::size_t valid_sequence(std::string_view text) {
  const auto byte = static_cast<unsigned char>(text.front());
  if (byte == 0) return 0;
  if (byte < 0x80) return 1;
  const auto lead = read_lead(byte);
  if (!lead || lead->length > text.size()) return 0;
  std::uint32_t code_point = lead->bits;
  for (std::size_t k = 1; k < lead->length; ++k) {
    const auto next = static_cast<unsigned char>(text[k]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3Fu);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (code_point < lead->minimum || code_point > 0x10FFFF || surrogate) return 0;
  return lead->length;
}

}  // namespace

std::string_view text_problem(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    // ASCII without NUL, nearly every byte of names and labels, in one comparison.
    if (static_cast<unsigned char>(text[i]) - 1u < 0x7Fu) {
      ++i;
      continue;
    }
    const auto length = valid_sequence(text.substr(i));
    if (length == 0) return text[i] == '\0' ? "a NUL byte" : kInvalidUtf8;
    i += length;
  }
  return {};
}

std::string storable_text(std::string text) {
  if (text_problem(text).empty()) return text;
  constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD
  const std::string_view view(text);
  std::string out;
  out.reserve(view.size());
  for (std::size_t i = 0; i < view.size();) {
    const auto length = valid_sequence(view.substr(i));
    out.append(length > 0 ? view.substr(i, length) : kReplacement);
    i += std::max<std::size_t>(length, 1);
  }
  return out;
}

std::optional<std::string> metric_text_problem(const v1::Metric& metric) {
  // The offending text itself stays out of the message: it is what cannot be stored or logged.
  if (auto why = text_problem(metric.name()); !why.empty())
    return fmt::format("a metric name holds {}", why);
  for (const auto& label : metric.labels()) {
    if (auto why = text_problem(label.name()); !why.empty())
      return fmt::format("metric {}: a label name holds {}", metric.name(), why);
    if (auto why = text_problem(label.value()); !why.empty())
      return fmt::format("metric {}: label {} holds {}", metric.name(), label.name(), why);
  }
  return std::nullopt;
}

}  // namespace sentinel::proto
