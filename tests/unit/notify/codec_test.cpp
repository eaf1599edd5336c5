#include <catch2/catch.hpp>

#include "notifier_codec.hpp"

using namespace sentinel;
using namespace sentinel::notify;
using nlohmann::json;

namespace {

store::NotifierRow made(const NotifierCodec& codec, const json& body,
                        const store::NotifierRow* before = nullptr) {
  auto parsed = codec.from_request(body, "ntf_1", before, 1000);
  if (auto* errors = std::get_if<std::vector<alert::RuleError>>(&parsed)) {
    for (const auto& e : *errors)
      UNSCOPED_INFO(e.to_string());
  }
  REQUIRE(std::holds_alternative<store::NotifierRow>(parsed));
  return std::get<store::NotifierRow>(parsed);
}

}  // namespace

TEST_CASE("codec: secrets are sealed at rest, masked when shown, opened to send") {
  const NotifierCodec codec("master-key-for-tests");
  const auto row =
      made(codec, {{"name", "ops"},
                   {"type", "slack"},
                   {"settings", {{"url", "https://hooks.slack.com/T/B/X"}, {"channel", "#ops"}}}});
  CHECK(row.settings.find("hooks.slack.com") == std::string::npos);
  CHECK(row.sealed_secrets.find("hooks.slack.com") == std::string::npos);
  const auto shown = codec.to_json(row);
  CHECK(shown["settings"]["url"] == "***");
  CHECK(shown["settings"]["channel"] == "#ops");
  CHECK(codec.settings(row)->at("url") == "https://hooks.slack.com/T/B/X");
  // Another master key cannot open them.
  CHECK_FALSE(NotifierCodec("another-key").settings(row));
  // Sealed to its id: copied to another notifier, they do not open.
  auto moved = row;
  moved.id = "ntf_2";
  CHECK_FALSE(codec.settings(moved));
}

TEST_CASE("codec: an update keeps secrets it repeats masked or leaves out") {
  const NotifierCodec codec("master-key-for-tests");
  const auto row = made(codec, {{"name", "hook"},
                                {"type", "webhook"},
                                {"settings", {{"url", "http://a"}, {"hmac_secret", "s1"}}}});
  const auto masked =
      made(codec, {{"settings", {{"url", "http://b"}, {"hmac_secret", "***"}}}}, &row);
  CHECK(codec.settings(masked)->at("hmac_secret") == "s1");
  CHECK(codec.settings(masked)->at("url") == "http://b");
  const auto changed = made(codec, {{"settings", {{"hmac_secret", "s2"}}}}, &row);
  CHECK(codec.settings(changed)->at("hmac_secret") == "s2");
  CHECK(changed.name == "hook");
}

TEST_CASE("codec: errors name the field") {
  const NotifierCodec codec("master-key-for-tests");
  auto errors_of = [&](const json& body) {
    auto parsed = codec.from_request(body, "ntf_1", nullptr, 0);
    REQUIRE(std::holds_alternative<std::vector<alert::RuleError>>(parsed));
    std::vector<std::string> fields;
    for (const auto& e : std::get<std::vector<alert::RuleError>>(parsed))
      fields.push_back(e.field);
    return fields;
  };
  CHECK(errors_of({{"name", "x"}, {"type", "fax"}}) == std::vector<std::string>{"type"});
  CHECK(errors_of({{"name", "x"}, {"type", "slack"}, {"settings", json::object()}}) ==
        std::vector<std::string>{"settings"});
  CHECK(errors_of({{"type", "webhook"}, {"settings", {{"url", "http://x"}}}, {"colour", 1}}) ==
        std::vector<std::string>{"colour", "name"});
  // Without a master key, secrets cannot be stored.
  const NotifierCodec keyless("");
  auto parsed = keyless.from_request(
      {{"name", "x"}, {"type", "slack"}, {"settings", {{"url", "u"}}}}, "ntf_1", nullptr, 0);
  CHECK(std::holds_alternative<std::vector<alert::RuleError>>(parsed));
}
