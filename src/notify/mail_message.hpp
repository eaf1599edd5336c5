#pragma once
// An Internet message (RFC 5322, MIME) as the email channel writes it: a UTF-8 text/plain body,
// CRLF line endings, no line over 998 octets, and header text outside ASCII as RFC 2047
// encoded-words. Transport concerns (dot-stuffing) belong to the SMTP client.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::notify {

// An address with an optional display name, as in "Sentinel Alerts <alerts@example.com>".
struct Mailbox {
  std::string display_name;  // may be empty
  std::string address;       // something@domain, nothing that could end an SMTP command
};

// "alerts@example.com", "Sentinel <alerts@example.com>" or "\"Ops, EU\" <ops@example.com>";
// nullopt when the address is not one or the name holds a control character.
std::optional<Mailbox> parse_mailbox(std::string_view text);

// As a header writes it: the bare address, or the name (quoted when it holds a special
// character, RFC 2047 encoded outside ASCII) and the address in angle brackets.
std::string format_mailbox(const Mailbox& mailbox);

struct MailHeaders {
  Mailbox from;
  std::vector<Mailbox> to;
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
