#include "mail_message.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "channel_support.hpp"

namespace sentinel::notify {
namespace {

constexpr std::size_t kMaxLine = 998;            // RFC 5322 section 2.1.1, without the CRLF
constexpr std::size_t kEncodedWordBytes = 45;    // 60 base64 characters: a 72-character word
constexpr std::size_t kPlainSubjectLimit = 900;  // a longer one is folded as encoded-words

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// The length of the longest prefix of `text` of at most `limit` octets that ends between two
// UTF-8 sequences.
std::size_t utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text.size();
  std::size_t end = limit;
  while (end > 0 && is_continuation(static_cast<unsigned char>(text[end])))
    --end;
  return end > 0 ? end : limit;  // not UTF-8 at all: cut anywhere rather than loop forever
}

bool plain_header_text(std::string_view text) {
  if (text.size() > kPlainSubjectLimit) return false;
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  // "=?" would make a reader look for an encoded-word.
  return text.find("=?") == std::string_view::npos;
}

std::string without_controls(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";  // RFC 5322 section 3.2.3

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// A bare address: something@domain, nothing that could end an SMTP command or a header.
bool is_address(std::string_view text) {
  constexpr std::string_view kNotInAddress = "<>()[],;:\\\"";
  const auto at = text.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == text.size()) return false;
  return std::none_of(text.begin(), text.end(), [&](unsigned char c) {
    return c <= 0x20 || c == 0x7F ||
           kNotInAddress.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// A display name as written, its quotes and their escapes removed; nullopt on a control character.
std::optional<std::string> display_name(std::string_view text) {
  std::string name;
  const bool quoted = text.size() >= 2 && text.front() == '"' && text.back() == '"';
  if (quoted) text = text.substr(1, text.size() - 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return std::nullopt;
    if (quoted && c == '\\' && i + 1 < text.size()) ++i;
    name += text[i];
  }
  return name;
}

std::string quoted_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text)
    out += (c == '"' || c == '\\') ? std::string{'\\', c} : std::string{c};
  return out + '"';
}

std::string join(const std::vector<Mailbox>& mailboxes, std::string_view separator) {
  std::string out;
  for (const auto& mailbox : mailboxes)
    out += (out.empty() ? "" : std::string(separator)) + format_mailbox(mailbox);
  return out;
}

}  // namespace

std::optional<Mailbox> parse_mailbox(std::string_view text) {
  text = trimmed(text);
  const auto open = text.rfind('<');
  if (open == std::string_view::npos || !text.ends_with('>')) {
    if (!is_address(text)) return std::nullopt;
    return Mailbox{{}, std::string(text)};
  }
  const auto address = text.substr(open + 1, text.size() - open - 2);
  auto name = display_name(trimmed(text.substr(0, open)));
  if (!name || !is_address(address)) return std::nullopt;
  return Mailbox{std::move(*name), std::string(address)};
}

std::string format_mailbox(const Mailbox& mailbox) {
  if (mailbox.display_name.empty()) return mailbox.address;
  const auto& name = mailbox.display_name;
  const bool ascii =
      std::all_of(name.begin(), name.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7F; });
  std::string phrase = name;
  if (!ascii)
    phrase = encode_header_text(name);
  else if (name.find_first_of(kSpecials) != std::string::npos ||
           name.find("=?") != std::string::npos)
    phrase = quoted_string(name);  // "=?" unquoted would read as the start of an encoded-word
  return phrase + " <" + mailbox.address + ">";
}

std::string encode_header_text(std::string_view text) {
  if (plain_header_text(text)) return std::string(text);
  std::string out;
  while (!text.empty()) {
    const auto length = utf8_prefix(text, kEncodedWordBytes);
    out +=
        fmt::format("{}=?UTF-8?B?{}?=", out.empty() ? "" : "\r\n ", base64(text.substr(0, length)));
    text.remove_prefix(length);
  }
  return out;
}

std::string mail_date(std::int64_t unix_ms) {
  const std::time_t seconds = unix_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Names written out: strftime's %a and %b follow the locale, and mail wants English.
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[utc.tm_wday], utc.tm_mday,
                     kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

std::string crlf_lines(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    do {
      const auto length = utf8_prefix(line, kMaxLine);
      out.append(line.substr(0, length)).append("\r\n");
      line.remove_prefix(length);
    } while (!line.empty());
  }
  return out;
}

std::string compose_mail(const MailHeaders& headers, std::string_view text) {
  std::string out;
  out += "Date: " + mail_date(headers.date_ms) + "\r\n";
  out += "Message-ID: <" + headers.message_id + ">\r\n";
  out += "From: " + format_mailbox(headers.from) + "\r\n";
  out += "To: " + join(headers.to, ",\r\n ") + "\r\n";
  out += "Subject: " + encode_header_text(without_controls(headers.subject)) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  // RFC 3834: auto-responders leave it alone, so no vacation reply loops back to nobody.
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += crlf_lines(text);
  return out;
}

}  // namespace sentinel::notify
