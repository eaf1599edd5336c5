#include <catch2/catch.hpp>

#include "backends.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

TEMPLATE_TEST_CASE("leases: one holder per name until it lets go", "[leases]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto store = backend.open(false);

  auto first = store->try_lead("rollups");
  REQUIRE(first.ok());
  REQUIRE(*first != nullptr);
  CHECK((*first)->held());

  // PostgreSQL: each lease has a connection of its own, so this is another session asking.
  auto refused = store->try_lead("rollups");
  REQUIRE(refused.ok());
  CHECK(*refused == nullptr);

  auto unrelated = store->try_lead("retention");
  REQUIRE(unrelated.ok());
  CHECK(*unrelated != nullptr);

  first->reset();
  auto next = store->try_lead("rollups");
  REQUIRE(next.ok());
  REQUIRE(*next != nullptr);
  CHECK((*next)->held());
}
