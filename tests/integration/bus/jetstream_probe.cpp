#include "jetstream_probe.hpp"

#include <catch2/catch.hpp>
#include <nats/nats.h>

namespace sentinel::test {

struct JetStreamProbe::Handles {
  // Null when the server cannot be reached.
  static std::unique_ptr<Handles> open(const std::string& url) {
    auto handles = std::make_unique<Handles>();
    if (natsConnection_ConnectTo(&handles->connection, url.c_str()) != NATS_OK ||
        natsConnection_JetStream(&handles->js, handles->connection, nullptr) != NATS_OK) {
      return nullptr;
    }
    return handles;
  }
  ~Handles() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
  }

  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
};

JetStreamProbe::JetStreamProbe(const std::string& url) : handles_(Handles::open(url)) {
  REQUIRE(handles_);
}

JetStreamProbe::~JetStreamProbe() = default;

StreamFacts JetStreamProbe::stream(const std::string& name) {
  jsStreamInfo* info = nullptr;
  REQUIRE(js_GetStreamInfo(&info, handles_->js, name.c_str(), nullptr, nullptr) == NATS_OK);
  const auto& config = *info->Config;
  StreamFacts facts;
  facts.subjects.assign(config.Subjects, config.Subjects + config.SubjectsLen);
  facts.file_storage = config.Storage == js_FileStorage;
  facts.max_age_ns = config.MaxAge;
  facts.max_bytes = config.MaxBytes;
  facts.duplicate_window_ns = config.Duplicates;
  facts.replicas = config.Replicas;
  facts.messages = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return facts;
}

void JetStreamProbe::create_memory_stream(const std::string& name, const std::string& subject) {
  const char* subjects[] = {subject.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name.c_str();
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_MemoryStorage;
  jsStreamInfo* info = nullptr;
  REQUIRE(js_AddStream(&info, handles_->js, &config, nullptr, nullptr) == NATS_OK);
  jsStreamInfo_Destroy(info);
}

void JetStreamProbe::delete_stream(const std::string& name) {
  js_DeleteStream(handles_->js, name.c_str(), nullptr, nullptr);
}

StreamCleanup::~StreamCleanup() {
  // Best effort: a server a test killed on purpose may be gone, and its store with it.
  if (auto handles = JetStreamProbe::Handles::open(url_))
    js_DeleteStream(handles->js, name_.c_str(), nullptr, nullptr);
}

}  // namespace sentinel::test
