#pragma once
// Owning handles for nats.c objects, and the text of a nats.c failure.

#include <memory>
#include <string>

#include <nats/nats.h>

namespace sentinel::bus {

template <auto Destroy>
struct NatsDeleter {
  template <class T>
  void operator()(T* object) const {
    Destroy(object);
  }
};

using OptionsHandle = std::unique_ptr<natsOptions, NatsDeleter<natsOptions_Destroy>>;
using ConnectionHandle = std::unique_ptr<natsConnection, NatsDeleter<natsConnection_Destroy>>;
using JetStreamHandle = std::unique_ptr<jsCtx, NatsDeleter<jsCtx_Destroy>>;
using MessageHandle = std::unique_ptr<natsMsg, NatsDeleter<natsMsg_Destroy>>;
using SubscriptionHandle = std::unique_ptr<natsSubscription, NatsDeleter<natsSubscription_Destroy>>;
using StreamInfoHandle = std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo_Destroy>>;
using ConsumerInfoHandle = std::unique_ptr<jsConsumerInfo, NatsDeleter<jsConsumerInfo_Destroy>>;

// The text of the failure of the last nats.c call on this thread, without the library's
// "(file.c:123): " prefix; the status's name ("Timeout") when there is none.
std::string nats_error(natsStatus status);

}  // namespace sentinel::bus
