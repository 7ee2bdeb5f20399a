#include "tests/support/private_postgres.hpp"

#include <unistd.h>

#include <cstdlib>

#include "tests/support/test_env.hpp"

namespace bl::test {
namespace {

constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin/";

// PostgreSQL refuses to run as root: as root, its programs run as the "postgres" user.
std::string as_pg(const std::string& command) {
  return getuid() == 0 ? "runuser -u postgres -- " + command : command;
}

}  // namespace

PrivatePostgres::PrivatePostgres() : port_(free_port()) {
  dir_ = scratch_dir() + "/pg-" + std::to_string(port_);  // two runs of one test never share it
  const std::string setup = "rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "' && " +
                            (getuid() == 0 ? "chown postgres '" + dir_ + "' && " : std::string()) +
                            as_pg(std::string(kPgBin) + "initdb -D '" + dir_ +
                                  "/data' -U postgres --auth=trust " + "--no-locale -E UTF8") +
                            " >/dev/null 2>&1 && echo ok";
  if (run_command(setup).find("ok") == std::string::npos) return;
  ok_ = start();
}

PrivatePostgres::~PrivatePostgres() {
  pg_ctl("stop -m immediate");
  run_command("rm -rf '" + dir_ + "'");
}

std::string PrivatePostgres::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

bool PrivatePostgres::pg_ctl(const std::string& args) {
  const std::string cmd = as_pg(std::string(kPgBin) + "pg_ctl -D '" + dir_ + "/data' -w -l '" +
                                dir_ + "/server.log' " + args) +
                          " >/dev/null 2>&1 && echo ok";
  return run_command(cmd).find("ok") != std::string::npos;
}

bool PrivatePostgres::start() {
  return pg_ctl("-o \"-p " + std::to_string(port_) +
                " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir_ +
                " -c fsync=off -c max_connections=200\" start");
}

bool PrivatePostgres::stop_fast() {
  return pg_ctl("stop -m fast");
}

}  // namespace bl::test
