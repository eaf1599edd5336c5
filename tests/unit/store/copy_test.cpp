#include "postgres/copy.hpp"

#include <catch2/catch.hpp>

using sentinel::store::postgres::BinaryCopyWriter;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

}  // namespace

TEST_CASE("binary COPY: the header, then length-prefixed fields in network order, then -1") {
  BinaryCopyWriter writer;
  writer.begin_row(4);
  writer.int8(258);
  writer.null();
  writer.text("ab");
  writer.boolean(true);
  writer.begin_row(3);
  writer.int4(-2);
  writer.float8(1.5);
  writer.timestamptz(946'684'800'001);  // one millisecond after PostgreSQL's epoch
  CHECK(writer.rows() == 2);

  const std::string expected =
      std::string("PGCOPY\n\xff\r\n\0", 11) + bytes({0, 0, 0, 0}) + bytes({0, 0, 0, 0}) +
      bytes({0, 4}) + bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2}) +
      bytes({0xff, 0xff, 0xff, 0xff}) + bytes({0, 0, 0, 2}) + "ab" + bytes({0, 0, 0, 1, 1}) +  //
      bytes({0, 3}) + bytes({0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe}) +
      bytes({0, 0, 0, 8, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}) +
      bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xe8}) +  // 1000 microseconds
      bytes({0xff, 0xff});
  CHECK(writer.finish() == expected);
}

TEST_CASE("binary COPY: jsonb carries its format version before the text") {
  BinaryCopyWriter writer;
  writer.begin_row(1);
  writer.jsonb("{}");
  const auto data = writer.finish();
  CHECK(data.substr(19, 9) == bytes({0, 1, 0, 0, 0, 3, 1, '{', '}'}));
}
