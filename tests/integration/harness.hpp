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

// Runs `ll2d args...` and waits for it (bounded by `timeout_seconds`).
CommandResult run_ll2d(const std::vector<std::string>& args, int timeout_seconds = 120);

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
  TempDir dir_;
};

}  // namespace ll2::test
