#pragma once
// nats.c connection options from the `bus` section: servers, credentials, TLS and a name.
// Callbacks are the connection's business (nats_connection.cpp).

#include "sentinel/bus/bus_component.hpp"

#include "nats_handles.hpp"

namespace sentinel::bus {

// Throws std::runtime_error naming the key when nats.c refuses a setting (a seed or certificate
// file it cannot load).
OptionsHandle make_nats_options(const BusComponent::Config& config);

}  // namespace sentinel::bus
