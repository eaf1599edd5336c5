#include "sentinel/proto/text.hpp"

#include <string>

#include <catch2/catch.hpp>

using sentinel::proto::storable_text;
using sentinel::proto::text_problem;

TEST_CASE("text_problem: UTF-8 without NUL passes; NUL and every kind of bad UTF-8 are named") {
  CHECK(text_problem("").empty());
  CHECK(text_problem("eth0 /var/lib").empty());
  CHECK(text_problem("Zürich, 東京, 🙂").empty());
  CHECK(text_problem(std::string("a\0b", 3)) == "a NUL byte");
  for (const char* bad : {"\xff", "\x80", "\xc3", "\xc3(", "\xc0\xaf", "\xe0\x80\xaf",
                          "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80"}) {
    INFO(bad);
    CHECK(text_problem(bad) == "invalid UTF-8");
  }
}

TEST_CASE("storable_text: each NUL and each byte of a bad sequence becomes U+FFFD") {
  CHECK(storable_text("Zürich") == "Zürich");
  CHECK(storable_text("/mnt/\xe9t\xe9") == "/mnt/\uFFFDt\uFFFD");
  CHECK(storable_text(std::string("a\0b", 3)) == "a\uFFFDb");
  CHECK(storable_text("\xc3") == "\uFFFD");
  CHECK(text_problem(storable_text("\xed\xa0\x80\xff")).empty());
}
