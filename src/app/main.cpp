// sentineld: one binary, several roles. The roles and the components they run are in roles.cpp.

#include <google/protobuf/stubs/logging.h>

#include "sentinel/cli/cli.hpp"

#include "roles.hpp"

extern char** environ;

int main(int argc, char** argv) {
  // Protobuf logs to stderr, past our logger, at runtime only about bytes it was given to parse
  // (invalid UTF-8 in a string field), which every caller already refuses: left on, any client
  // could write lines into the log at will (docs/security.md, S20).
  google::protobuf::SetLogHandler(nullptr);
  const auto catalog = sentinel::app::make_catalog();
  const sentinel::cli::Program program{catalog, sentinel::app::roles(), sentinel::app::ready_text};
  return sentinel::cli::run(program, argc, argv, environ);
}
