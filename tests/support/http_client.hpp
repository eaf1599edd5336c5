#pragma once
// A deliberately simple, blocking HTTP/1.1 client for tests: one connection, kept alive, plain or
// TLS, and raw byte access for requests no real client would send.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace sentinel::test {

struct TlsClientOptions {
  std::filesystem::path ca;    // trust anchor for the server certificate
  std::filesystem::path cert;  // client certificate for mTLS, optional
  std::filesystem::path key;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = false;
  std::string header(const std::string& name) const;
};

class HttpClient {
 public:
  // Connects at once; throws std::runtime_error when the connection or TLS handshake fails.
  HttpClient(std::string host, std::uint16_t port, std::optional<TlsClientOptions> tls = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply request(const std::string& method, const std::string& target, std::string body = {},
                    std::map<std::string, std::string> headers = {});
  // Sends bytes as they are, then reads one response.
  HttpReply raw(const std::string& bytes);
  void send_raw(const std::string& bytes);
  HttpReply read_reply(bool head = false);
  // True once the server has closed the connection (reads return end of stream).
  bool closed_by_peer();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses "127.0.0.1:8080" as written to a ready file.
std::pair<std::string, std::uint16_t> split_host_port(const std::string& address);

}  // namespace sentinel::test
