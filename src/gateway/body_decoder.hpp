#pragma once
// The body of an agent request as protobuf bytes: the content type checked and the
// Content-Encoding undone with a cap on the decompressed size, so that a small bomb cannot
// make the gateway allocate gigabytes.

#include <string>
#include <variant>

#include "sentinel/http/message.hpp"

namespace sentinel::gateway {

// The decompressed body, or the error response to send (413, 415, 400).
std::variant<std::string, http::Response> decode_body(const http::Request& request,
                                                      std::size_t max_bytes);

}  // namespace sentinel::gateway
