// `ll2d serve` with a database that is slow to answer: the engine runs on
// database threads apart from the I/O threads, so a read that waits holds up
// no other connection; a full queue is answered 503; SIGTERM drains. The
// database is made slow for as long as a test wants by holding a lock on it,
// so nothing here depends on how fast the machine is.
#include <unistd.h>
#include <csignal>

#include <libpq-fe.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <thread>

#include "harness.hpp"
#include "raw_client.hpp"

using namespace ll2::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kUnavailable =
    R"({"detail":"Service temporarily unavailable, try again later."})";
constexpr const char* kSlowList = "/2.3.0/docking_events/?limit=5&mode=detailed";

// These tests hold requests on the database: nothing may answer them from
// memory instead (the response cache, the list indexes).
std::vector<std::string> db_only(std::vector<std::string> args) {
  args.insert(args.end(), {"--response-cache-memory", "0", "--list-index-memory", "0"});
  return args;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

using Conn = RawConnection;

// A GET of `target` on a connection to the server on `port`.
bool send_get(Conn& c, const std::string& target, uint16_t port) {
  return c.send(get_request(target, "127.0.0.1:" + std::to_string(port)));
}

std::optional<RawResponse> fetch(uint16_t port, const std::string& target,
                                 std::chrono::milliseconds timeout) {
  Conn c(port);
  if (!c.connected() || !send_get(c, target, port)) return std::nullopt;
  return c.read_response(timeout);
}

// Holds the database so that ll2d's reads wait until release(). On SQLite an
// exclusive lock (the file is out of WAL mode, where readers never wait, and
// served --read-only, which leaves it so); on PostgreSQL an ACCESS EXCLUSIVE
// lock on the table the docking-event reads start from.
class DatabaseLock {
 public:
  explicit DatabaseLock(const std::string& db) {
    if (postgres_backend()) {
      pg_ = PQconnectdb(backend_db(db).c_str());
      PGresult* r = PQexec(pg_, "BEGIN; LOCK TABLE docking_event IN ACCESS EXCLUSIVE MODE");
      held_ = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
    } else {
      sqlite3_open_v2(db.c_str(), &sqlite_, SQLITE_OPEN_READWRITE, nullptr);
      sqlite3_busy_timeout(sqlite_, 10000);
      held_ = sqlite3_exec(sqlite_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
  }
  ~DatabaseLock() { release(); }
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;

  bool held() const { return held_; }
  void release() {
    if (pg_ != nullptr) {
      PQclear(PQexec(pg_, "COMMIT"));
      PQfinish(pg_);
      pg_ = nullptr;
    }
    if (sqlite_ != nullptr) {
      sqlite3_exec(sqlite_, "COMMIT", nullptr, nullptr, nullptr);
      sqlite3_close(sqlite_);
      sqlite_ = nullptr;
    }
    held_ = false;
  }

 private:
  PGconn* pg_ = nullptr;
  sqlite3* sqlite_ = nullptr;
  bool held_ = false;
};

// Whether the process has exited (a zombie until the harness reaps it).
bool exited(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || stat.substr(paren + 2, 1) == "Z";
}

bool wait_exited(pid_t pid, std::chrono::milliseconds timeout) {
  for (const auto until = Clock::now() + timeout; Clock::now() < until;) {
    if (exited(pid)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return exited(pid);
}

// SQLite connections a process holds on the file `path` (each keeps it open).
size_t open_handles(pid_t pid, const std::string& path) {
  std::error_code ec;
  const auto file = std::filesystem::canonical(path, ec);
  size_t n = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    if (std::filesystem::read_symlink(entry.path(), link_ec) == file && !link_ec) ++n;
  }
  return n;
}

// A database thread opens its connection with its first request. Opening
// one while a test holds the SQLite file's lock fails at once instead of
// waiting, so every thread's is opened first: concurrent requests until the
// server holds one per thread. (On PostgreSQL connecting reads no locked table.)
void open_every_connection(const Server& server, const std::string& db, size_t threads) {
  if (postgres_backend()) return;
  for (int round = 0; round < 200 && open_handles(server.pid(), db) < threads; ++round) {
    std::vector<std::thread> clients;
    for (size_t i = 0; i < 2 * threads; ++i)
      clients.emplace_back([&server] { server.get(kSlowList); });
    for (auto& c : clients) c.join();
  }
  ASSERT_GE(open_handles(server.pid(), db), threads);
}

// Waits until the server has read the request just sent on `c`, so that it
// is being handled (its read waiting on the lock, or queued behind those
// that do) before the next step; a wait on what the server did, not a guess
// at how long it takes.
void let_it_start(const Conn& c, uint16_t port) {
  ASSERT_TRUE(wait_until_read(c, port, 30s)) << "the server did not read the request";
}

// 60 generated docking events, served from a copy per test.
class Workers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    const auto g =
        run_ll2d({"generate", "--events", "60", "--seed", "7", "--out", dir->file("gen"), "--db",
                  dir->file("db.sqlite3"), "--only", "docking_events", "--quiet"},
                 300);
    ASSERT_EQ(g.exit_code, 0) << g.err;
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  // A copy a DatabaseLock can make wait (on SQLite: in rollback-journal mode).
  static std::string lockable_db(const std::string& name) {
    std::string db = dir->file(name);
    copy_database(dir->file("db.sqlite3"), db);
    if (!postgres_backend()) {
      sqlite3* h = nullptr;
      sqlite3_open(db.c_str(), &h);
      EXPECT_EQ(sqlite3_exec(h, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr),
                SQLITE_OK);
      sqlite3_close(h);
    }
    return db;
  }
  static TempDir* dir;
};
TempDir* Workers::dir = nullptr;

}  // namespace

// On the old transport the engine ran on the I/O thread: with one I/O thread
// a read waiting on the database answered nothing else, not even the
// stylesheet, until it finished.
TEST_F(Workers, ASlowDatabaseReadHoldsUpNoOtherConnection) {
  const std::string db = lockable_db("slow.sqlite3");
  Server server(db, db_only({"--read-only", "--threads", "1", "--db-threads", "2",
                             "--query-timeout-ms", "0"}));
  const uint16_t port = server.port();
  const auto reference = server.get(kSlowList);
  ASSERT_EQ(reference.status, 200);
  const auto root = server.get("/2.3.0/");
  ASSERT_EQ(root.status, 200);
  open_every_connection(server, db, 2);

  DatabaseLock lock(db);
  ASSERT_TRUE(lock.held());
  Conn first(port);
  ASSERT_TRUE(send_get(first, kSlowList, port));
  let_it_start(first, port);

  // With one of two database threads waiting: a new connection is accepted
  // and answered, from the I/O thread (the stylesheet, a CORS preflight) and
  // from the other database thread (the API root, which reads no rows).
  const auto css = fetch(port, "/static/ll2d.css", 5s);
  ASSERT_TRUE(css.has_value()) << "the stylesheet waited for the database";
  EXPECT_EQ(css->status, 200);
  {
    Conn preflight(port);
    ASSERT_TRUE(
        preflight.send("OPTIONS /2.3.0/launches/ HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
                       "https://a.example\r\nAccess-Control-Request-Method: GET\r\n\r\n"));
    const auto r = preflight.read_response(5s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(header(*r, "access-control-allow-origin"), "*");
  }
  const auto root_now = fetch(port, "/2.3.0/", 5s);
  ASSERT_TRUE(root_now.has_value()) << "the API root waited for the database";
  EXPECT_EQ(root_now->status, 200);
  EXPECT_EQ(root_now->body, root.body);

  // Both database threads waiting: the API root now waits its turn in the
  // queue, while the I/O thread still answers what needs no database.
  Conn second(port);
  ASSERT_TRUE(send_get(second, kSlowList, port));
  let_it_start(second, port);
  Conn queued(port);
  ASSERT_TRUE(send_get(queued, "/2.3.0/", port));
  EXPECT_FALSE(queued.readable(300ms));
  const auto css_again = fetch(port, "/static/ll2d.css", 5s);
  ASSERT_TRUE(css_again.has_value());
  EXPECT_EQ(css_again->status, 200);
  EXPECT_FALSE(first.readable(0ms)) << "the lock did not hold the read";

  // Once the database answers, so does everyone, in full.
  lock.release();
  for (Conn* c : {&first, &second}) {
    const auto r = c->read_response(20s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, reference.body);
  }
  const auto r = queued.read_response(20s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, root.body);
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(Workers, AFullQueueIsAnswered503WithRetryAfter) {
  const std::string db = lockable_db("queue.sqlite3");
  // One database thread and one place in the queue: two requests are held.
  Server server(db, db_only({"--read-only", "--threads", "1", "--db-threads", "1",
                             "--max-queued-requests", "1", "--query-timeout-ms", "0"}));
  const uint16_t port = server.port();
  ASSERT_EQ(server.get(kSlowList).status, 200);

  DatabaseLock lock(db);
  ASSERT_TRUE(lock.held());
  std::vector<std::unique_ptr<Conn>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<Conn>(port));
    ASSERT_TRUE(send_get(*held.back(), kSlowList, port));
    let_it_start(*held.back(), port);
  }
  // The third is told at once to come back, whatever it asks for.
  for (const char* target : {kSlowList, "/2.3.0/", "/health_check/"}) {
    const auto busy = fetch(port, target, 5s);
    ASSERT_TRUE(busy.has_value()) << target;
    EXPECT_EQ(busy->status, 503) << target;
    EXPECT_EQ(header(*busy, "retry-after"), "1");
    EXPECT_EQ(header(*busy, "content-type"), "application/json");
    EXPECT_EQ(header(*busy, "connection"), "close");
    EXPECT_EQ(busy->body, kUnavailable);
  }
  // What needs no database thread is still answered.
  const auto css = fetch(port, "/static/ll2d.css", 5s);
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(css->status, 200);

  // The two held are answered once the database is, and there is room again.
  lock.release();
  for (auto& c : held) {
    const auto r = c->read_response(20s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(server.get("/2.3.0/").status, 200);
  EXPECT_TRUE(contains(server.stderr_text(), "status=503"));
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(Workers, SigtermAnswersTheRequestsInFlightThenExitsZero) {
  const std::string db = lockable_db("drain.sqlite3");
  Server server(db, db_only({"--read-only", "--threads", "1", "--db-threads", "1",
                             "--query-timeout-ms", "0", "--drain-timeout", "30"}));
  const uint16_t port = server.port();
  const auto reference = server.get(kSlowList);
  ASSERT_EQ(reference.status, 200);

  // An idle keep-alive connection, one that has connected but sent nothing,
  // and one whose request waits on the database.
  Conn idle(port);
  ASSERT_TRUE(send_get(idle, "/2.3.0/", port));
  const auto first = idle.read_response(5s);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->status, 200);
  Conn silent(port);
  ASSERT_TRUE(silent.connected());
  DatabaseLock lock(db);
  ASSERT_TRUE(lock.held());
  Conn busy(port);
  ASSERT_TRUE(send_get(busy, kSlowList, port));
  let_it_start(busy, port);

  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  // Idle connections close at once (well before the 30 s drain timeout; the
  // waits only bound a hang); no new connection is accepted.
  EXPECT_TRUE(idle.wait_closed(10s));
  EXPECT_TRUE(silent.wait_closed(10s));
  int refused = 0;
  for (const auto until = Clock::now() + 10s; Clock::now() < until && refused == 0;) {
    Conn late(port);
    if (!late.connected()) refused = late.error();
    if (refused == 0) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(refused, ECONNREFUSED);
  // The request in flight is still being answered.
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(busy.readable(0ms));
  EXPECT_FALSE(exited(server.pid()));

  lock.release();
  const auto r = busy.read_response(20s);
  ASSERT_TRUE(r.has_value()) << server.stderr_text();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, reference.body);
  EXPECT_EQ(header(*r, "connection"), "close");
  EXPECT_TRUE(busy.wait_closed(5s));
  ASSERT_TRUE(wait_exited(server.pid(), 10s));
  EXPECT_EQ(server.stop(), 0);  // reaps it: the exit status of the drain
  const std::string log = server.stderr_text();
  EXPECT_TRUE(
      std::regex_search(log, std::regex(R"(signal 15, draining: no new connections; \d+ open)")))
      << log;
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(drained in \d+ ms, exiting)"))) << log;
  EXPECT_TRUE(contains(log, "status=200 bytes=" + std::to_string(reference.body.size())));
}

TEST_F(Workers, TheDrainTimeoutCutsWhatIsStillRunning) {
  const std::string db = lockable_db("cut.sqlite3");
  Server server(db, db_only({"--read-only", "--threads", "1", "--db-threads", "1",
                             "--query-timeout-ms", "0", "--drain-timeout", "1"}));
  const uint16_t port = server.port();
  ASSERT_EQ(server.get(kSlowList).status, 200);
  DatabaseLock lock(db);
  ASSERT_TRUE(lock.held());
  Conn busy(port);
  ASSERT_TRUE(send_get(busy, kSlowList, port));
  let_it_start(busy, port);

  const auto signalled = Clock::now();
  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  // Cut after a second, though its read still waits; no response.
  ASSERT_TRUE(busy.wait_closed(10s));
  EXPECT_GE(Clock::now() - signalled, 900ms);
  EXPECT_FALSE(busy.read_response(1s).has_value());
  // The process exits once the read it cannot abandon ends.
  lock.release();
  ASSERT_TRUE(wait_exited(server.pid(), 20s));
  EXPECT_EQ(server.stop(), 0);
  const std::string log = server.stderr_text();
  EXPECT_TRUE(
      std::regex_search(log, std::regex(R"(drain timeout after \d+ ms: cut 1 connection,)")))
      << log;
}

TEST_F(Workers, OptionsAndTheirDefaults) {
  const auto help = run_ll2d({"serve", "--help"});
  EXPECT_TRUE(std::regex_search(help.out, std::regex(R"(--db-threads INT:NONNEGATIVE=0\b)")))
      << help.out;
  EXPECT_TRUE(std::regex_search(help.out, std::regex(R"(--max-queued-requests UINT=0\b)")));
  EXPECT_TRUE(std::regex_search(help.out, std::regex(R"(--drain-timeout INT:NONNEGATIVE=10\b)")));
  const std::string db = dir->file("db.sqlite3");
  EXPECT_NE(run_ll2d({"serve", "--db", db, "--db-threads", "-1"}).exit_code, 0);
  EXPECT_NE(run_ll2d({"serve", "--db", db, "--drain-timeout", "-1"}).exit_code, 0);
  // A signal with nothing in flight: out at once.
  Server server(db, db_only({"--db-threads", "3", "--max-queued-requests", "5"}));
  EXPECT_EQ(server.get("/2.3.0/").status, 200);
  const auto stopped = Clock::now();
  EXPECT_EQ(server.stop(), 0);
  EXPECT_LT(Clock::now() - stopped, 2s);
}
