#pragma once
// A throwaway PostgreSQL cluster of a test's own, for tests that stop and restart the server
// (the shared one from scripts/services.sh must stay up for everyone else). initdb runs once;
// stop() or crash() and start() then take the server down and bring it back on the same port
// and data directory.

#include <string>

#include "support/temp_dir.hpp"

namespace sentinel::test {

class PostgresCluster {
 public:
  PostgresCluster();  // initdb and start, on a free loopback port
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  void start();
  void stop();  // a fast shutdown: sessions are terminated
  // An immediate shutdown: every server process quits at once without a checkpoint, as after a
  // crash, and start() runs crash recovery. (A kill -9 of the postmaster alone would leave its
  // backends holding the shared memory, and the next start would refuse to run.)
  void crash();
  // SIGSTOP / SIGCONT to the postmaster and every backend: the server holds its connections
  // but answers nothing.
  void pause();
  void resume();
  std::string url() const;  // postgresql://postgres@127.0.0.1:PORT/postgres

 private:
  // Runs a PostgreSQL program to its end, as the postgres user when we are root (initdb and
  // pg_ctl refuse root); throws with its output when it fails.
  void run(std::vector<std::string> args) const;

  TempDir dir_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace sentinel::test
