#include "support/dev_certs.hpp"

#include <stdexcept>

#include "support/process.hpp"

namespace sentinel::test {

DevCertificates::DevCertificates() {
  std::string output;
  const int status = run_command(
      {"/bin/bash", (source_dir() / "scripts/gen-dev-certs.sh").string(), dir_.path().string()},
      &output);
  if (status != 0) throw std::runtime_error("scripts/gen-dev-certs.sh failed: " + output);
}

}  // namespace sentinel::test
