#include "agent_rows.hpp"

#include <catch2/catch.hpp>

#include "sentinel/store/store.hpp"

using namespace sentinel::store;

TEST_CASE("agent ids are agt_ and 128 random bits in base64url") {
  const auto id = new_agent_id();
  CHECK(id.starts_with("agt_"));
  CHECK(id.size() == 4 + 22);
  CHECK(id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                             4) == std::string::npos);
  CHECK(new_agent_id() != id);
}

TEST_CASE("a search becomes a LIKE pattern with LIKE's wildcards escaped") {
  CHECK(like_pattern("") == "");
  CHECK(like_pattern("web") == "%web%");
  CHECK(like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%");
}

TEST_CASE("cursors round-trip and foreign ones are refused") {
  CHECK(decode_cursor(encode_cursor("agt_x")) == "agt_x");
  CHECK(decode_cursor("") == "");
  for (const auto& bad : std::vector<std::string>{"agt_x", "!!", encode_cursor("x").substr(1)}) {
    try {
      decode_cursor(bad);
      FAIL("accepted " << bad);
    } catch (const StoreError& e) {
      CHECK(e.code() == "invalid_argument");
    }
  }
}

TEST_CASE("labels round-trip through JSON; stored text of another shape is an error") {
  const std::map<std::string, std::string> labels = {{"dc", "eu-1"}, {"quote", "a\"b"}};
  CHECK(labels_from_json(labels_to_json(labels)) == labels);
  CHECK(labels_from_json("{}").empty());
  for (std::string bad : {"[]", "{\"a\": 1}", "not json"}) {
    CHECK_THROWS_AS(labels_from_json(bad), StoreError);
  }
}

TEST_CASE("a page cut from one row too many carries a cursor to the next") {
  std::vector<Agent> rows(3);
  rows[0].id = "a";
  rows[1].id = "b";
  rows[2].id = "c";
  const auto page = make_page(rows, 2);
  CHECK(page.agents.size() == 2);
  CHECK(decode_cursor(page.next_cursor) == "b");
  const auto last = make_page(rows, 3);
  CHECK(last.agents.size() == 3);
  CHECK(last.next_cursor.empty());
}
