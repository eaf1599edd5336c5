#include <catch2/catch.hpp>

#include "postgres/errors.hpp"

using sentinel::store::postgres::classify_sqlstate;

TEST_CASE("SQLSTATEs of failures that may pass are transient") {
  for (const char* state : {"08000", "08003", "08006", "08001", "08P01", "40001", "40P01", "57P01",
                            "57P02", "57P03", "53000", "53100", "53200", "53300", ""}) {
    INFO(state);
    CHECK(classify_sqlstate(state).transient);
  }
  CHECK(classify_sqlstate("08006").code == "unavailable");
  CHECK(classify_sqlstate("").code == "unavailable");
  CHECK(classify_sqlstate("57P01").code == "unavailable");
  CHECK(classify_sqlstate("40001").code == "serialization_failure");
  CHECK(classify_sqlstate("40P01").code == "deadlock");
  CHECK(classify_sqlstate("53100").code == "resources");
}

TEST_CASE("other SQLSTATEs are not transient, and a duplicate key is a conflict") {
  for (const char* state :
       {"23505", "23503", "42P01", "42601", "22P02", "57014", "XX000", "40000", "57000", "25P02"}) {
    INFO(state);
    CHECK_FALSE(classify_sqlstate(state).transient);
  }
  CHECK(classify_sqlstate("23505").code == "conflict");
  CHECK(classify_sqlstate("23503").code == "constraint");
  CHECK(classify_sqlstate("57014").code == "timeout");
  CHECK(classify_sqlstate("22P02").code == "invalid_argument");
  CHECK(classify_sqlstate("42P01").code == "database");
}
