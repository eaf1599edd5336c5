#pragma once
// The text a sample's name and labels may hold: valid UTF-8 without NUL. A protobuf string must
// be UTF-8, and PostgreSQL keeps no NUL in text, so anything else would fail every store
// transaction it travelled in. The agent's parsers, the gateway and the worker all check it.

#include <optional>
#include <string>
#include <string_view>

#include "proto/sentinel.pb.h"

namespace sentinel::proto {

// Empty when `text` may be stored; otherwise what is wrong with it ("a NUL byte", "invalid
// UTF-8"), to be named in an error.
std::string_view text_problem(std::string_view text);

// `text` with each NUL byte and each byte of an invalid UTF-8 sequence replaced by U+FFFD (as it
// is, without a copy, when it has none): for names the agent takes from the system (a mount
// point in Latin-1), whose samples it keeps.
std::string storable_text(std::string text);

// Why `metric`'s name or one of its labels cannot be stored, or nullopt when all can.
std::optional<std::string> metric_text_problem(const v1::Metric& metric);

}  // namespace sentinel::proto
