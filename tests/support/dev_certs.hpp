#pragma once
// Development TLS material from the project's own scripts/gen-dev-certs.sh (a CA, a server pair
// for 127.0.0.1, a client pair, and an untrusted CA with a client pair of its own), in a
// directory that lives as long as the object.

#include <filesystem>
#include <string_view>

#include "support/temp_dir.hpp"

namespace sentinel::test {

class DevCertificates {
 public:
  DevCertificates();  // throws std::runtime_error when the script fails
  // "ca.crt", "server.key", "untrusted-client.crt", ...
  std::filesystem::path operator/(std::string_view name) const { return dir_ / name; }

 private:
  TempDir dir_;
};

}  // namespace sentinel::test
