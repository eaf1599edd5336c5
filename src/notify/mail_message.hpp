#pragma once
// An Internet message (RFC 5322, MIME) as the email channel writes it: a UTF-8 text/plain body,
// CRLF line endings, no line over 998 octets, and header text outside ASCII as RFC 2047
// encoded-words. Transport concerns (dot-stuffing) belong to the SMTP client.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::notify {

struct MailHeaders {
  std::string from;
  std::vector<std::string> to;
  std::string subject;  // any UTF-8; control characters become spaces
  std::int64_t date_ms = 0;
  std::string message_id;  // without the angle brackets
};

// The whole message: headers, a blank line and `text` (LF or CRLF line endings, any length).
std::string compose_mail(const MailHeaders& headers, std::string_view text);

// `text` unchanged when it is short printable ASCII, else RFC 2047 "=?UTF-8?B?...?=" words of at
// most 75 characters, folded onto continuation lines, never splitting a UTF-8 sequence.
std::string encode_header_text(std::string_view text);

// "Tue, 14 Nov 2023 22:13:20 +0000" (RFC 5322 section 3.3), in UTC.
std::string mail_date(std::int64_t unix_ms);

// `text` with CRLF line endings, each line cut to at most 998 octets between UTF-8 sequences.
std::string crlf_lines(std::string_view text);

}  // namespace sentinel::notify
