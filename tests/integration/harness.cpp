#include "harness.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <libpq-fe.h>
#include <sqlite3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace ll2::test {

bool postgres_backend() {
  const char* url = std::getenv("LL2D_TEST_POSTGRES");
  return url != nullptr && *url != '\0';
}

std::string backend_db(const std::string& db) {
  if (!postgres_backend() || db.starts_with("postgres")) return db;
  // The same path names the same database for the whole test process.
  const std::string name =
      fmt::format("ll2dt_{:016x}", std::hash<std::string>{}(db) ^ static_cast<size_t>(getpid()));
  static std::mutex mutex;
  static std::set<std::string> created;
  const std::string admin = std::getenv("LL2D_TEST_POSTGRES");
  const std::lock_guard lock(mutex);
  if (created.insert(name).second) {
    PGconn* c = PQconnectdb(admin.c_str());
    PGresult* r = PQexec(c, fmt::format("CREATE DATABASE \"{}\"", name).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    const std::string error = PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    if (!ok) throw std::runtime_error("cannot create the test database " + name + ": " + error);
  }
  const size_t slash = admin.rfind('/');
  return admin.substr(0, slash + 1) + name;
}

std::string database_contents(const std::string& db) {
  if (!postgres_backend()) return read_file(db);
  PGconn* c = PQconnectdb(backend_db(db).c_str());
  std::string out;
  const auto query = [&](const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    std::vector<std::string> values;
    values.reserve(PQntuples(r));
    for (int i = 0; i < PQntuples(r); ++i) values.emplace_back(PQgetvalue(r, i, 0));
    if (PQresultStatus(r) != PGRES_TUPLES_OK) out += "error: " + std::string(PQerrorMessage(c));
    PQclear(r);
    return values;
  };
  // Every table's rows as text, in a fixed order; the generation too, since
  // a write that changed no row still counts as one.
  for (const auto& table : query("SELECT quote_ident(table_name) FROM information_schema.tables "
                                 "WHERE table_schema = current_schema() ORDER BY 1")) {
    out += table + "\n";
    for (const auto& row : query(fmt::format("SELECT t::text FROM {} t ORDER BY 1", table)))
      out += row + "\n";
  }
  PQfinish(c);
  return out;
}

int64_t query_int64(const std::string& db, const std::string& sql) {
  int64_t v = -1;
  if (!postgres_backend()) {
    sqlite3* h = nullptr;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
  }
  PGconn* c = PQconnectdb(backend_db(db).c_str());
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
    v = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
  PQclear(r);
  PQfinish(c);
  return v;
}

void copy_database(const std::string& from, const std::string& to) {
  if (!postgres_backend()) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
    return;
  }
  // A new database made from the other one (which nobody may be using now).
  const std::string source = backend_db(from);
  const std::string target = backend_db(to);
  const std::string admin = std::getenv("LL2D_TEST_POSTGRES");
  PGconn* c = PQconnectdb(admin.c_str());
  const auto name = [](const std::string& url) { return url.substr(url.rfind('/') + 1); };
  std::string error;
  for (const auto& sql :
       {fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", name(target)),
        fmt::format("CREATE DATABASE \"{}\" TEMPLATE \"{}\"", name(target), name(source))}) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && error.empty()) error = PQerrorMessage(c);
    PQclear(r);
  }
  PQfinish(c);
  if (!error.empty()) throw std::runtime_error("cannot copy the test database: " + error);
}

namespace {

pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd,
            const std::vector<std::string>& launcher = {}) {
  std::vector<char*> argv;
  std::vector<std::string> prefix = launcher;
  argv.reserve(prefix.size());
  for (auto& a : prefix) argv.push_back(a.data());
  std::string binary = LL2D_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  // With LL2D_TEST_POSTGRES, every --db is a database on that server.
  for (size_t i = 0; i + 1 < copy.size(); ++i) {
    if (copy[i] == "--db") copy[i + 1] = backend_db(copy[i + 1]);
  }
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    if (launcher.empty())
      execv(binary.c_str(), argv.data());
    else
      execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_for(pid_t pid, int timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

CommandResult run_ll2d(const std::vector<std::string>& args, int timeout_seconds) {
  TempDir dir;
  const int out = open(dir.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = open(dir.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const pid_t pid = spawn(args, out, err);
  close(out);
  close(err);
  CommandResult r;
  r.exit_code = wait_for(pid, timeout_seconds);
  r.out = read_file(dir.file("out"));
  r.err = read_file(dir.file("err"));
  return r;
}

std::string golden_text() {
  return read_file(LL2D_FIXTURES "/docking_event_609_detailed.json");
}

CommandResult import_golden(const std::string& db) {
  return run_ll2d({"import", "--db", db, LL2D_FIXTURES "/docking_event_609_detailed.json"});
}

Server::Server(const std::string& db, const std::vector<std::string>& extra)
    : Server(db, extra, {}) {}

Server::Server(const std::string& db, const std::vector<std::string>& extra,
               const std::vector<std::string>& launcher) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const int err = open(dir_.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> args = {"serve", "--db", db, "--port", "0"};
  // Loopback and two workers unless the test chooses.
  if (std::find(extra.begin(), extra.end(), "--host") == extra.end())
    args.insert(args.end(), {"--host", "127.0.0.1"});
  if (std::find(extra.begin(), extra.end(), "--threads") == extra.end())
    args.insert(args.end(), {"--threads", "2"});
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = spawn(args, pipe_fds[1], err, launcher);
  close(pipe_fds[1]);
  close(err);
  // The startup line names the bound port: "ll2d: serving DB on http://127.0.0.1:PORT/2.3.0/".
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char buf[256];
      const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
  }
  close(pipe_fds[0]);
  const size_t colon = line.rfind(':', line.find("/2.3.0/"));
  if (colon == std::string::npos) {
    stop();
    throw std::runtime_error("ll2d did not start: " + line + read_file(dir_.file("err")));
  }
  port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
  startup_line_ = line.substr(0, line.find('\n'));
}

Server::~Server() {
  stop();
}

int Server::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const int code = wait_for(pid_, 20);
  pid_ = -1;
  return code;
}

std::string Server::stderr_text() const {
  return read_file(dir_.file("err"));
}

HttpResponse Server::request(const std::string& method, const std::string& target,
                             const std::map<std::string, std::string>& headers) const {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(60));
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
  http::request<http::empty_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (const auto& [k, v] : headers) req.set(k, v);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(uint64_t{256} * 1024 * 1024);
  if (method == "HEAD") parser.skip(true);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = res.body();
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

}  // namespace ll2::test
