#pragma once
// A PostgreSQL cluster of one test's own (initdb in the scratch directory, a free port), for
// tests that stop and restart PostgreSQL without disturbing the shared cluster other tests
// use. Removed on destruction.

#include <string>

namespace bl::test {

class PrivatePostgres {
 public:
  PrivatePostgres();  // initdb and start; check ok()
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  bool ok() const { return ok_; }
  int port() const { return port_; }
  std::string url(const std::string& database = "postgres") const;
  bool stop_fast();  // pg_ctl stop -m fast: sessions are cut, committed data stays
  bool start();

 private:
  bool pg_ctl(const std::string& args);
  std::string dir_;
  int port_ = 0;
  bool ok_ = false;
};

}  // namespace bl::test
