#include "sentinel/core/config_types.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::core;
using namespace std::chrono_literals;

TEST_CASE("durations parse with units and compound forms") {
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("5m") == 5min);
  CHECK(parse_duration("1h30m") == 90min);
  CHECK(parse_duration("7d") == std::chrono::hours(24 * 7));
  CHECK(parse_duration("0") == 0ms);
  for (auto bad : {"", "30", "s", "5 m", "1.5s", "-1s", "3x", "99999999999999999999d"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("durations print in the form they parse from") {
  CHECK(format_duration(90min) == "1h30m");
  CHECK(format_duration(1500ms) == "1s500ms");
  CHECK(format_duration(0ms) == "0s");
  for (Duration d : std::vector<Duration>{1ms, 61s, 25h, 7000ms}) {
    CHECK(parse_duration(format_duration(d)) == d);
  }
}

TEST_CASE("sizes parse in decimal and binary units") {
  CHECK(parse_byte_size("16MiB")->bytes == 16ULL << 20);
  CHECK(parse_byte_size("1GB")->bytes == 1'000'000'000ULL);
  CHECK(parse_byte_size("512")->bytes == 512);
  CHECK(parse_byte_size("4 KiB")->bytes == 4096);
  for (auto bad : {"", "MiB", "16Mib", "1.5GiB", "-1", "16MiBs"}) {
    INFO(bad);
    CHECK_FALSE(parse_byte_size(bad));
  }
  CHECK(format_byte_size(ByteSize{16ULL << 20}) == "16MiB");
  CHECK(format_byte_size(ByteSize{1000}) == "1000B");
}

TEST_CASE("a URL's password is masked, the rest of it kept") {
  CHECK(mask_url_password("nats://user:s3cr3t@nats-1:4222") == "nats://user:***@nats-1:4222");
  CHECK(mask_url_password("postgres://app:p@ss@db/metrics?sslmode=require") ==
        "postgres://app:***@db/metrics?sslmode=require");
  CHECK(mask_url_password("nats://token@nats-1:4222") == "nats://token@nats-1:4222");
  CHECK(mask_url_password("nats://nats-1:4222/x@y") == "nats://nats-1:4222/x@y");
  CHECK(mask_url_password("inproc") == "inproc");
}

TEST_CASE("a URL's password is masked, and only the password") {
  CHECK(mask_url_password("postgresql://sentinel:s3cret@db:5432/sentinel") ==
        "postgresql://sentinel:***@db:5432/sentinel");
  CHECK(mask_url_password("postgres://u:p@ss@db/x") == "postgres://u:***@db/x");
  CHECK(mask_url_password("postgres://u:@db/x") == "postgres://u:***@db/x");
  CHECK(mask_url_password("postgres://sentinel@db/x?sslmode=require&password=s3cret") ==
        "postgres://sentinel@db/x?sslmode=require&password=***");
  CHECK(mask_url_password("postgres://db/x?password=a&password=b") ==
        "postgres://db/x?password=***&password=***");
  for (std::string plain : {"postgres://sentinel@db/x", "postgres://db/x?user=a@b", "",
                            "sqlite:///var/lib/s.db", "postgres://db/x?passwords=1"}) {
    CHECK(mask_url_password(plain) == plain);
  }
}
