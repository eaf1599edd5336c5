#pragma once
// A webhook receiver on loopback (the real HTTP server): records every request it gets, for the
// notifier tests and the chaos suite.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/local_server.hpp"

namespace sentinel::test {

// Records what it receives; its routes answer 200 (/ok), 500 (/fail), 429 then 200 (/busy) or
// after 5 s (/hang).
class WebhookReceiver {
 public:
  struct Received {
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
  };

  WebhookReceiver();
  ~WebhookReceiver();
  std::string url(const std::string& path) const { return server_.url() + path; }
  std::vector<Received> received() const;
  std::size_t count(const std::string& path) const;

 private:
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::atomic<int> busy_answers_{0};
  LocalHttpServer server_;
};

}  // namespace sentinel::test
