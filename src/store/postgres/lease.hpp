#pragma once
// Leader election over PostgreSQL: a session-level advisory lock taken on a connection of its
// own (not from the pool, whose connections come and go), held for as long as that connection
// lives. The server releases the lock when the connection dies, so another process can take it;
// a watcher thread checks the connection and the lease reports the loss.

#include <memory>
#include <string>

#include "sentinel/store/store.hpp"

#include "postgres/connection.hpp"

namespace sentinel::store::postgres {

// Null when another session holds `name`; throws StoreError when the database is unreachable.
std::unique_ptr<Lease> try_lease(PgSettings settings, const std::string& name,
                                 core::Duration check_interval, core::Logger log);

}  // namespace sentinel::store::postgres
