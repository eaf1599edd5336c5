#pragma once
// An independent view of JetStream for the tests, through nats.c directly: what the server
// really holds, whatever the bus believes.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sentinel::test {

struct StreamFacts {
  std::vector<std::string> subjects;
  bool file_storage = false;
  std::int64_t max_age_ns = 0;
  std::int64_t max_bytes = 0;
  std::int64_t duplicate_window_ns = 0;
  std::int64_t replicas = 0;
  std::uint64_t messages = 0;
};

class JetStreamProbe {
 public:
  explicit JetStreamProbe(const std::string& url);
  ~JetStreamProbe();
  JetStreamProbe(const JetStreamProbe&) = delete;
  JetStreamProbe& operator=(const JetStreamProbe&) = delete;

  StreamFacts stream(const std::string& name);
  void create_memory_stream(const std::string& name, const std::string& subject);
  void delete_stream(const std::string& name);

 private:
  friend class StreamCleanup;
  struct Handles;
  std::unique_ptr<Handles> handles_;
};

// Deletes a test's stream when the test ends, however it ends.
class StreamCleanup {
 public:
  StreamCleanup(std::string url, std::string name) : url_(std::move(url)), name_(std::move(name)) {}
  ~StreamCleanup();

 private:
  std::string url_;
  std::string name_;
};

}  // namespace sentinel::test
