// sentineld: one binary, several roles. The roles and the components they run are in roles.cpp.

#include "sentinel/cli/cli.hpp"

#include "roles.hpp"

extern char** environ;

int main(int argc, char** argv) {
  const auto catalog = sentinel::app::make_catalog();
  const sentinel::cli::Program program{catalog, sentinel::app::roles(), sentinel::app::ready_text};
  return sentinel::cli::run(program, argc, argv, environ);
}
