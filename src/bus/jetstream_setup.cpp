#include "jetstream_setup.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace sentinel::bus {
namespace {

int64_t nanoseconds(core::Duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

core::Error cannot_change(std::string_view what, std::string_view setting) {
  return core::Error{"conflict",
                     fmt::format("{} has {}: that cannot be changed in place; change it by hand "
                                 "(e.g. with the nats CLI) or configure another name",
                                 what, setting),
                     false};
}

bool has_subject(const jsStreamConfig& config, std::string_view subject) {
  return std::any_of(config.Subjects, config.Subjects + config.SubjectsLen,
                     [&](const char* s) { return subject == s; });
}

void apply(const StreamSettings& settings, jsStreamConfig& config) {
  config.MaxAge = nanoseconds(settings.max_age);
  config.MaxBytes = settings.max_bytes;
  config.Duplicates = nanoseconds(settings.duplicate_window);
  config.Replicas = settings.replicas;
}

bool has_subjects(const jsStreamConfig& config, const std::vector<std::string>& subjects) {
  return std::all_of(subjects.begin(), subjects.end(),
                     [&](const std::string& s) { return has_subject(config, s); });
}

bool differs(const StreamSettings& settings, const jsStreamConfig& config) {
  return config.MaxAge != nanoseconds(settings.max_age) || config.MaxBytes != settings.max_bytes ||
         config.Duplicates != nanoseconds(settings.duplicate_window) ||
         config.Replicas != settings.replicas || !has_subjects(config, settings.subjects);
}

std::vector<const char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<const char*> pointers;
  for (const auto& s : strings)
    pointers.push_back(s.c_str());
  return pointers;
}

core::Result<StreamInfoHandle> stream_info(jsCtx* js, const std::string& name) {
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  const natsStatus status = js_GetStreamInfo(&info, js, name.c_str(), nullptr, &code);
  if (status == NATS_OK) return StreamInfoHandle(info);
  if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr)
    return core::Error{"not_found", fmt::format("no stream {}", name), false};
  return nats_failure(fmt::format("reading stream {}", name), status, code);
}

core::Result<SetupOutcome> create_stream(jsCtx* js, const StreamSettings& settings) {
  auto subjects = c_strings(settings.subjects);
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = settings.name.c_str();
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Storage = js_FileStorage;
  config.Retention = js_LimitsPolicy;
  apply(settings, config);
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  const natsStatus status = js_AddStream(&info, js, &config, nullptr, &code);
  StreamInfoHandle owned(info);
  if (status == NATS_OK) return SetupOutcome::kCreated;
  // Another process created it first, with other settings: compare and update below.
  if (code == JSStreamNameExistErr) return SetupOutcome::kUnchanged;
  return nats_failure(fmt::format("creating stream {}", settings.name), status, code);
}

core::Result<SetupOutcome> update_stream(jsCtx* js, const StreamSettings& settings,
                                         const jsStreamConfig& existing) {
  const std::string what = fmt::format("stream {}", settings.name);
  if (existing.Storage != js_FileStorage) return cannot_change(what, "memory storage, not file");
  if (existing.Retention != js_LimitsPolicy)
    return cannot_change(what, "a retention policy other than limits");
  if (!differs(settings, existing)) return SetupOutcome::kUnchanged;
  jsStreamConfig config = existing;
  apply(settings, config);
  // Subjects are only ever added: others may be there on purpose.
  std::vector<const char*> subjects(existing.Subjects, existing.Subjects + existing.SubjectsLen);
  for (const auto& subject : settings.subjects) {
    if (!has_subject(existing, subject)) subjects.push_back(subject.c_str());
  }
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  const natsStatus status = js_UpdateStream(&info, js, &config, nullptr, &code);
  StreamInfoHandle owned(info);
  if (status != NATS_OK) return nats_failure(fmt::format("updating {}", what), status, code);
  return SetupOutcome::kUpdated;
}

void apply(const ConsumerOptions& options, jsConsumerConfig& config) {
  config.AckWait = nanoseconds(options.ack_wait);
  config.MaxDeliver = options.max_deliver;
  config.MaxAckPending = options.max_ack_pending;
}

core::Result<ConsumerInfoHandle> consumer_info(jsCtx* js, const std::string& stream,
                                               const std::string& durable) {
  jsConsumerInfo* info = nullptr;
  jsErrCode code{};
  const natsStatus status =
      js_GetConsumerInfo(&info, js, stream.c_str(), durable.c_str(), nullptr, &code);
  if (status == NATS_OK) return ConsumerInfoHandle(info);
  if (status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr)
    return core::Error{"not_found", fmt::format("no consumer {} on stream {}", durable, stream),
                       false};
  return nats_failure(fmt::format("reading consumer {}", durable), status, code);
}

core::Result<SetupOutcome> create_consumer(jsCtx* js, const std::string& stream,
                                           const ConsumerOptions& options) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = options.durable_name.c_str();
  config.AckPolicy = js_AckExplicit;
  config.DeliverPolicy = js_DeliverAll;
  config.FilterSubject = options.filter_subject.c_str();
  apply(options, config);
  jsConsumerInfo* info = nullptr;
  jsErrCode code{};
  const natsStatus status = js_AddConsumer(&info, js, stream.c_str(), &config, nullptr, &code);
  ConsumerInfoHandle owned(info);
  if (status == NATS_OK) return SetupOutcome::kCreated;
  if (code == JSConsumerNameExistErr) return SetupOutcome::kUnchanged;  // raced; compare below
  return nats_failure(fmt::format("creating consumer {}", options.durable_name), status, code);
}

core::Result<SetupOutcome> update_consumer(jsCtx* js, const std::string& stream,
                                           const ConsumerOptions& options,
                                           const jsConsumerConfig& existing) {
  const auto what = fmt::format("consumer {}", options.durable_name);
  if (existing.AckPolicy != js_AckExplicit)
    return cannot_change(what, "an ack policy other than explicit");
  if (options.filter_subject != (existing.FilterSubject != nullptr ? existing.FilterSubject : ""))
    return cannot_change(what, fmt::format("filter subject \"{}\"", existing.FilterSubject));
  if (existing.AckWait == nanoseconds(options.ack_wait) &&
      existing.MaxDeliver == options.max_deliver &&
      existing.MaxAckPending == options.max_ack_pending) {
    return SetupOutcome::kUnchanged;
  }
  jsConsumerConfig config = existing;
  apply(options, config);
  jsConsumerInfo* info = nullptr;
  jsErrCode code{};
  const natsStatus status = js_UpdateConsumer(&info, js, stream.c_str(), &config, nullptr, &code);
  ConsumerInfoHandle owned(info);
  if (status != NATS_OK) return nats_failure(fmt::format("updating {}", what), status, code);
  return SetupOutcome::kUpdated;
}

}  // namespace

core::Error nats_failure(std::string_view what, natsStatus status, jsErrCode code) {
  // An API error code means the server answered and refused, which retrying will not change;
  // except a missing stream, which the bus (re)creates as soon as it can.
  const bool transient = code == 0 || code == JSStreamNotFoundErr;
  return core::Error{transient ? "unavailable" : "conflict",
                     fmt::format("{}: {}", what, nats_error(status)), transient};
}

core::Result<SetupOutcome> ensure_stream(jsCtx* js, const StreamSettings& settings) {
  auto info = stream_info(js, settings.name);
  if (!info && info.error().code == "not_found") {
    auto created = create_stream(js, settings);
    if (!created || *created == SetupOutcome::kCreated) return created;
    info = stream_info(js, settings.name);
  }
  if (!info) return info.error();
  return update_stream(js, settings, *(*info)->Config);
}

core::Result<SetupOutcome> ensure_consumer(jsCtx* js, const std::string& stream,
                                           const ConsumerOptions& options) {
  auto info = consumer_info(js, stream, options.durable_name);
  if (!info && info.error().code == "not_found") {
    auto created = create_consumer(js, stream, options);
    if (!created || *created == SetupOutcome::kCreated) return created;
    info = consumer_info(js, stream, options.durable_name);
  }
  if (!info) return info.error();
  return update_consumer(js, stream, options, *(*info)->Config);
}

}  // namespace sentinel::bus
