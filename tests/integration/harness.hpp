// Runs the real ll2d binary: commands to completion, or a server on an
// ephemeral loopback port that tests speak HTTP to.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../unit/test_util.hpp"

namespace ll2::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Whether the suite runs against PostgreSQL: LL2D_TEST_POSTGRES holds the URL
// of a server's maintenance database (postgresql://user@host:port/postgres).
// Then every `--db FILE` the tests pass to ll2d names a new database of its
// own on that server instead, so the same tests run on both backends; tests
// of SQLite files themselves skip (LL2D_SQLITE_ONLY).
bool postgres_backend();
// The database a test's `--db` value stands for on the backend in use.
std::string backend_db(const std::string& db);
// Everything a database holds, for comparing before and after: the SQLite
// file's bytes, or every PostgreSQL table's rows.
std::string database_contents(const std::string& db);
// The first column of a query's first row on a test's database; -1 when
// there is none (no database, no such table).
int64_t query_int64(const std::string& db, const std::string& sql);
// Makes `to` a copy of the database `from` (nothing may be using `from`).
void copy_database(const std::string& from, const std::string& to);
#define LL2D_SQLITE_ONLY()                                                            \
  do {                                                                                \
    if (::ll2::test::postgres_backend()) GTEST_SKIP() << "tests SQLite files itself"; \
  } while (0)

// Runs `ll2d args...` and waits for it (bounded by `timeout_seconds`).
CommandResult run_ll2d(const std::vector<std::string>& args, int timeout_seconds = 120);
// The golden record, docking event 609 as LL2 serves it in detailed mode.
std::string golden_text();
// `ll2d import --db DB` of the golden record.
CommandResult import_golden(const std::string& db);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class Server {
 public:
  // Starts `ll2d serve --db DB --port 0 extra...` and waits for its startup line.
  Server(const std::string& db, const std::vector<std::string>& extra = {});
  // The same, run through `launcher` (e.g. {"prlimit", "--nofile=1024:1024"}),
  // which must exec ll2d in its own process so pid() is ll2d's.
  Server(const std::string& db, const std::vector<std::string>& extra,
         const std::vector<std::string>& launcher);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const { return port_; }
  // What it printed on stdout when it started ("ll2d: serving ... on URL").
  const std::string& startup_line() const { return startup_line_; }
  pid_t pid() const { return pid_; }
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {}) const;
  HttpResponse get(const std::string& target,
                   const std::map<std::string, std::string>& headers = {}) const {
    return request("GET", target, headers);
  }
  // Sends SIGTERM and returns the exit status.
  int stop();
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string startup_line_;
  TempDir dir_;
};

}  // namespace ll2::test
