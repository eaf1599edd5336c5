#pragma once
// Making JetStream match the configuration: the stream and the durable consumers. These calls
// block on request/reply round trips, so they run on the bus's blocking pool. Each one is
// idempotent and safe while other processes do the same: it creates what is missing, updates
// the settings that JetStream can change in place, and never deletes or purges anything; a
// setting that cannot be changed in place is an error that says so.

#include <string>

#include "sentinel/bus/bus_component.hpp"

#include "nats_handles.hpp"

namespace sentinel::bus {

enum class SetupOutcome { kUnchanged, kCreated, kUpdated };

core::Result<SetupOutcome> ensure_stream(jsCtx* js, const StreamSettings& settings);
core::Result<SetupOutcome> ensure_consumer(jsCtx* js, const std::string& stream,
                                           const ConsumerOptions& options);

// A failed nats.c call as an error value; transient unless the server refused it (a missing
// stream excepted: the bus creates it again).
core::Error nats_failure(std::string_view what, natsStatus status, jsErrCode code);

}  // namespace sentinel::bus
