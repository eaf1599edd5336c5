#include "support/postgres_cluster.hpp"

#include <csignal>
#include <fstream>
#include <netinet/in.h>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "support/process.hpp"

namespace sentinel::test {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

// A port nobody listens on now. Another process could take it before the server does; the
// server would then fail to start, loudly, which is rare enough for tests.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// The postmaster's pid (the first line of postmaster.pid) and its children's, from /proc.
std::vector<pid_t> server_processes(const std::filesystem::path& data_dir) {
  std::ifstream pid_file(data_dir / "postmaster.pid");
  pid_t postmaster = 0;
  if (!(pid_file >> postmaster)) throw std::runtime_error("the PostgreSQL cluster is not running");
  std::vector<pid_t> pids = {postmaster};
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    char state = 0;
    pid_t parent = 0;
    if (rest >> state >> parent && parent == postmaster)
      pids.push_back(std::stoi(entry.path().filename().string()));
  }
  return pids;
}

}  // namespace

PostgresCluster::PostgresCluster() : port_(free_port()) {
  if (geteuid() == 0) {
    const passwd* postgres = getpwnam("postgres");
    if (postgres == nullptr)
      throw std::runtime_error("running as root, but there is no postgres user");
    if (::chown(dir_.path().c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
      throw std::runtime_error("cannot give the cluster's directory to the postgres user");
    }
  }
  run({std::string(kBin) + "initdb", "-D", (dir_ / "data").string(), "-U", "postgres", "-A",
       "trust", "-E", "UTF8", "--no-locale", "-N"});
  start();
}

PostgresCluster::~PostgresCluster() {
  if (!running_) return;
  try {
    stop();
  } catch (const std::runtime_error& e) {
    // A destructor must not throw; the server may outlive the test, so say so.
    fmt::print(stderr, "cannot stop the test's PostgreSQL cluster: {}\n", e.what());
  }
}

void PostgresCluster::start() {
  run({std::string(kBin) + "pg_ctl", "-D", (dir_ / "data").string(), "-l",
       (dir_ / "postgres.log").string(), "-w", "-o",
       fmt::format("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", port_,
                   dir_.path().string()),
       "start"});
  running_ = true;
}

void PostgresCluster::stop() {
  run({std::string(kBin) + "pg_ctl", "-D", (dir_ / "data").string(), "-m", "fast", "-w", "stop"});
  running_ = false;
}

void PostgresCluster::crash() {
  run({std::string(kBin) + "pg_ctl", "-D", (dir_ / "data").string(), "-m", "immediate", "-w",
       "stop"});
  running_ = false;
}

void PostgresCluster::pause() {
  for (const auto pid : server_processes(dir_ / "data"))
    ::kill(pid, SIGSTOP);
}

void PostgresCluster::resume() {
  for (const auto pid : server_processes(dir_ / "data"))
    ::kill(pid, SIGCONT);
}

std::string PostgresCluster::url() const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", port_);
}

void PostgresCluster::run(std::vector<std::string> args) const {
  if (geteuid() == 0) args.insert(args.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  const auto output = dir_ / "commands.log";
  ChildProcess process({args, {}, output});
  const auto status = process.wait(std::chrono::seconds(60));
  if (status != 0) {
    throw std::runtime_error(fmt::format("{} failed ({}):\n{}", args.back(),
                                         status ? std::to_string(*status) : "timed out",
                                         read_file(output)));
  }
}

}  // namespace sentinel::test
