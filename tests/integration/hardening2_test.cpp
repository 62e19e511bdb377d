// `ll2d serve`, `import` and `check` when the database or the request is the
// problem: a query that runs too long, a corrupt file, a file that cannot be
// written, careless input files, and request targets at the edges (an offset
// of 2^63-1, a path starting `//`, conditional requests).
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "harness.hpp"

using namespace ll2::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kServerError = R"({"detail":"A server error occurred."})";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// One integer from a query on a database file (-1 on any failure).

// Overwrites the root page of `table` with garbage, as a failing disk or a
// stray write would. The page is found as an operator would find it.
void corrupt_root_page(const std::string& path, const std::string& table) {
  const int64_t page_size = query_int64(path, "PRAGMA page_size");
  const int64_t root = query_int64(
      path, "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'");
  ASSERT_GT(page_size, 0);
  ASSERT_GT(root, 1);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>((root - 1) * page_size));
  const std::string garbage(static_cast<size_t>(page_size), '\xAB');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  ASSERT_TRUE(f.good());
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string header(const HttpResponse& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

// 3,000 generated events: enough that a search scans for milliseconds.
class Hardening2 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    // The generator keeps the world it built (--db): the same content an
    // import of its pages gives, without writing and reading every page.
    const auto g = run_ll2d({"generate", "--events", "3000", "--seed", "3", "--out",
                             dir->file("gen"), "--db", db(), "--only", "docking_events", "--quiet"},
                            300);
    ASSERT_EQ(g.exit_code, 0) << g.err;
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static std::string db() { return dir->file("db.sqlite3"); }
  // A copy of the database for a test that changes it.
  static std::string copy_of_db(const std::string& name) {
    copy_database(db(), dir->file(name));
    return dir->file(name);
  }
  static std::string first_event_id() {
    return std::to_string(query_int64(db(), "SELECT min(id) FROM docking_event"));
  }
  static TempDir* dir;
};
TempDir* Hardening2::dir = nullptr;

}  // namespace

// ------------------------------------------------------ 2. query time budget

// The budget is spent by count, not by the clock (store/read_budget.hpp): a
// read's 10th statement is past it, whatever the machine's speed. Each ask
// gets that much further: a detail with nothing cached is answered within a
// few dozen asks; the search's 100 deep objects take more than four.
TEST_F(Hardening2, AQueryPastItsTimeBudgetIs503AndTheWorkerGoesOn) {
  const std::string db = copy_of_db("budget.sqlite3");
  // One worker: every request below runs on the connection the deadlines hit.
  Server slow(db, {"--threads", "1", "--query-timeout-ms", "1"},
              {"env", "LL2D_TEST_READ_STATEMENTS=10"});
  Server reference(db, {"--threads", "1"});
  const std::map<std::string, std::string> host{{"Host", "ll2d.test"}};
  const std::string search = "/2.3.0/docking_events/?search=a+e&limit=100&mode=detailed";
  ASSERT_EQ(reference.get(search).status, 200);
  for (int i = 0; i < 3; ++i) {
    const auto r = slow.get(search);
    ASSERT_EQ(r.status, 503) << r.body.substr(0, 200);
    EXPECT_EQ(header(r, "retry-after"), "1");
    EXPECT_EQ(header(r, "content-type"), "application/json");
    EXPECT_EQ(r.body, R"({"detail":"The request took longer than the server's time budget (1 ms); )"
                      R"(narrow it, or try again later."})");
  }
  // The browsable page says the same in HTML.
  const auto page = slow.get(search + "&format=api");
  EXPECT_EQ(page.status, 503);
  EXPECT_TRUE(contains(page.body, "time budget")) << page.body.substr(0, 300);

  // The worker stays healthy: rows read before a deadline stay cached, so
  // asking again gets further each time until the answer comes (each time
  // 10 statements further: a bounded number of times), and it is the same
  // answer as without a budget. No request is ever a 500.
  const auto eventually = [&](const std::string& target) {
    HttpResponse r;
    for (int i = 0; i < 300; ++i) {
      r = slow.get(target, host);
      if (r.status != 503) break;
    }
    return r;
  };
  const std::string detail = "/2.3.0/docking_events/" + first_event_id() + "/";
  const auto answered = eventually(detail);
  ASSERT_EQ(answered.status, 200);
  EXPECT_EQ(answered.body, reference.get(detail, host).body);
  // A deadline leaves no read transaction open: a later import is seen.
  const auto imported = import_golden(db);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(eventually("/2.3.0/docking_events/609/").status, 200);

  const std::string log = slow.stderr_text();
  EXPECT_TRUE(contains(log, "ll2d: GET " + search + ": query time budget of 1 ms spent")) << log;
  EXPECT_TRUE(contains(log, "status=503"));
  EXPECT_FALSE(contains(log, "status=500")) << log;
  EXPECT_EQ(slow.stop(), 0);
}

TEST_F(Hardening2, TheDefaultBudgetIsTwoSecondsAndZeroMeansNone) {
  Server unbounded(db(), {"--query-timeout-ms", "0"});
  EXPECT_EQ(unbounded.get("/2.3.0/docking_events/?search=soyuz+progress").status, 200);
  const auto help = run_ll2d({"serve", "--help"});
  EXPECT_TRUE(
      std::regex_search(help.out, std::regex(R"(--query-timeout-ms INT:NONNEGATIVE=2000\b)")))
      << help.out;
  const auto negative = run_ll2d({"serve", "--db", db(), "--query-timeout-ms", "-1"});
  EXPECT_NE(negative.exit_code, 0);
}

// ------------------------------------------------- 7. corruption is an error

TEST_F(Hardening2, StorageErrorsAre500AndLoggedNeverServedAsData) {
  LL2D_SQLITE_ONLY();
  const std::string id = first_event_id();
  const std::string bad = copy_of_db("corrupt.sqlite3");
  corrupt_root_page(bad, "docking_event");
  Server server(bad);
  // Without the fix: 200 with count 3000 and no results, and a 404 for an
  // event that exists, with nothing logged.
  for (int round = 0; round < 2; ++round) {
    const auto list = server.get("/2.3.0/docking_events/?limit=5");
    EXPECT_EQ(list.status, 500) << list.body.substr(0, 200);
    EXPECT_EQ(list.body, kServerError);
    const auto detail = server.get("/2.3.0/docking_events/" + id + "/");
    EXPECT_EQ(detail.status, 500) << detail.body.substr(0, 200);
    EXPECT_EQ(detail.body, kServerError);
  }
  // What is intact is still served.
  EXPECT_EQ(server.get("/2.3.0/space_stations/?limit=1").status, 200);
  const std::string log = server.stderr_text();
  EXPECT_TRUE(contains(log, "ll2d: GET /2.3.0/docking_events/" + id +
                                "/: storage error, answered 500: SQLITE_CORRUPT (11): database "
                                "disk image is malformed (in: SELECT"))
      << log;
  EXPECT_TRUE(contains(log, "ll2d: GET /2.3.0/docking_events/?limit=5: storage error")) << log;
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(Hardening2, CheckReportsIntegritySchemaAndRows) {
  LL2D_SQLITE_ONLY();
  const auto good = run_ll2d({"check", "--db", db()});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_TRUE(contains(good.out, "integrity (integrity_check): ok")) << good.out;
  EXPECT_TRUE(contains(good.out, "schema version: 2 (this ll2d: 2)")) << good.out;
  EXPECT_TRUE(std::regex_search(good.out, std::regex(R"(\n    docking_event +3000\n)")))
      << good.out;
  EXPECT_TRUE(contains(good.out, "is healthy"));
  EXPECT_EQ(good.err, "");

  const std::string bad = copy_of_db("check-corrupt.sqlite3");
  corrupt_root_page(bad, "docking_event");
  for (const bool quick : {false, true}) {
    std::vector<std::string> args{"check", "--db", bad};
    if (quick) args.emplace_back("--quick");
    const auto r = run_ll2d(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, std::string("PRAGMA ") +
                                    (quick ? "quick_check" : "integrity_check") + " found damage"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "(the root of table docking_event)")) << r.err;
    EXPECT_TRUE(contains(r.err, "cannot count the rows of docking_event: SQLITE_CORRUPT")) << r.err;
    EXPECT_TRUE(contains(r.out, "DAMAGED")) << r.out;
  }

  // A missing file is a problem, and is not created by looking.
  const auto missing = run_ll2d({"check", "--db", dir->file("missing.sqlite3")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "missing.sqlite3 does not exist")) << missing.err;
  EXPECT_FALSE(fs::exists(dir->file("missing.sqlite3")));

  // A schema this ll2d cannot serve is named.
  const std::string newer = copy_of_db("check-newer.sqlite3");
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(newer.c_str(), &h), SQLITE_OK);
  sqlite3_exec(h, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  const auto r = run_ll2d({"check", "--db", newer});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "schema: the database has schema version 99, newer")) << r.err;
}

// ----------------------------------------------- 11. databases not to write

TEST_F(Hardening2, ServeRefusesAMissingOrEmptyDatabaseInsteadOfCreatingOne) {
  LL2D_SQLITE_ONLY();
  const std::string missing = dir->file("never-imported.sqlite3");
  const auto r = run_ll2d({"serve", "--db", missing, "--port", "0"}, 30);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err,
                       "never-imported.sqlite3 does not exist; import LL2 data into it "
                       "first: ll2d import --db"))
      << r.err;
  EXPECT_FALSE(fs::exists(missing));

  const std::string empty = dir->file("empty.sqlite3");
  std::ofstream(empty).close();
  for (const char* mode : {"", "--read-only"}) {
    std::vector<std::string> args{"serve", "--db", empty, "--port", "0"};
    if (*mode != '\0') args.emplace_back(mode);
    const auto e = run_ll2d(args, 30);
    EXPECT_EQ(e.exit_code, 2) << mode;
    EXPECT_TRUE(contains(e.err, "the database is empty")) << mode << e.err;
    EXPECT_TRUE(contains(e.err, "ll2d import --db")) << e.err;
    EXPECT_EQ(fs::file_size(empty), 0U) << mode;
  }
}

TEST_F(Hardening2, ReadOnlyOpensWithoutWritingAndRefusesAnOldSchema) {
  LL2D_SQLITE_ONLY();
  const std::string copy = copy_of_db("ro.sqlite3");
  const std::string before = read_file(copy);
  {
    Server server(copy, {"--read-only"});
    const auto r = server.get("/2.3.0/docking_events/?limit=3");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(contains(r.body, "\"count\":3000")) << r.body.substr(0, 100);
    EXPECT_TRUE(contains(server.stderr_text(), "ll2d serve: serving " + copy + " read-only"));
    EXPECT_EQ(server.stop(), 0);
  }
  EXPECT_EQ(read_file(copy), before);

  // A schema that needs an upgrade cannot be served read-only.
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(copy.c_str(), &h), SQLITE_OK);
  sqlite3_exec(h, "PRAGMA user_version = 1", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  const std::string old = read_file(copy);
  const auto r = run_ll2d({"serve", "--db", copy, "--port", "0", "--read-only"}, 30);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "the database has schema version 1, this ll2d needs 2")) << r.err;
  EXPECT_TRUE(contains(r.err, "(opened read-only)")) << r.err;
  EXPECT_EQ(read_file(copy), old);
}

// chmod stops no write by root, so as root the server runs as nobody
// (setpriv, util-linux); as any other user the permissions alone do.
TEST_F(Hardening2, AFileAndDirectoryThatCannotBeWrittenAreServedReadOnly) {
  LL2D_SQLITE_ONLY();
  std::vector<std::string> launcher;
  if (geteuid() == 0) {
    if (std::system("setpriv --version >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "running as root without setpriv: cannot drop the right to write";
    launcher = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  TempDir outer;
  const std::string ro_dir = outer.file("ro");
  fs::create_directories(ro_dir);
  const std::string path = ro_dir + "/db.sqlite3";
  fs::copy_file(db(), path);
  const std::string before = read_file(path);
  chmod(outer.path().c_str(), 0755);
  chmod(path.c_str(), 0444);
  chmod(ro_dir.c_str(), 0555);
  {
    Server reference(db());
    Server server(path, {}, launcher);
    const std::map<std::string, std::string> host{{"Host", "ll2d.test"}};
    for (const std::string target :
         {"/2.3.0/docking_events/?limit=5&mode=detailed", "/2.3.0/docking_events/?search=soyuz"}) {
      const auto r = server.get(target, host);
      EXPECT_EQ(r.status, 200) << r.body.substr(0, 200);
      EXPECT_EQ(r.body, reference.get(target, host).body);
    }
    const std::string log = server.stderr_text();
    EXPECT_TRUE(contains(log, "read-only (" + path + " is not writable: Permission denied")) << log;
    EXPECT_EQ(server.stop(), 0);
  }
  EXPECT_EQ(read_file(path), before);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(ro_dir)) files.push_back(e.path().filename());
  EXPECT_EQ(files, std::vector<std::string>{"db.sqlite3"});
  chmod(ro_dir.c_str(), 0755);
}

// A read-only file system, made with a private mount namespace (unshare -m,
// then a read-only bind mount of the database's directory). Skipped where
// the test may not make mount namespaces (e.g. an unprivileged container).
TEST_F(Hardening2, ADatabaseOnAReadOnlyFileSystemIsServed) {
  LL2D_SQLITE_ONLY();
  TempDir outer;
  const std::string ro_dir = outer.file("mnt");
  fs::create_directories(ro_dir);
  const std::string script =
      "mount --bind \"$1\" \"$1\" && mount -o remount,ro,bind \"$1\" \"$1\" && shift && exec "
      "\"$@\"";
  const std::string probe = "unshare -m sh -c '" + script + "' sh " + ro_dir +
                            " sh -c '! touch \"$0\"/x 2>/dev/null' " + ro_dir + " 2>/dev/null";
  if (std::system(probe.c_str()) != 0)
    GTEST_SKIP() << "cannot make a read-only bind mount here (unshare -m)";
  const std::string path = ro_dir + "/db.sqlite3";
  fs::copy_file(db(), path);
  const std::string before = read_file(path);
  {
    Server reference(db());
    Server server(path, {}, {"unshare", "-m", "sh", "-c", script, "sh", ro_dir});
    const std::map<std::string, std::string> host{{"Host", "ll2d.test"}};
    const std::string target = "/2.3.0/docking_events/?limit=5&ordering=-docking";
    const auto r = server.get(target, host);
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 200);
    EXPECT_EQ(r.body, reference.get(target, host).body);
    const std::string log = server.stderr_text();
    EXPECT_TRUE(contains(log, "is not writable: Read-only file system")) << log;
    EXPECT_TRUE(contains(log, "on a read-only file system: opened immutable")) << log;
    EXPECT_EQ(server.stop(), 0);
  }
  EXPECT_EQ(read_file(path), before);
}

// ------------------------------------------------------ 12. import rules

class ImportRules : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir.file(name), std::ios::binary) << text;
    return dir.file(name);
  }
  CommandResult import(const std::string& file) const {
    return run_ll2d({"import", "--db", dir.file("db.sqlite3"), file});
  }
  TempDir dir;
};

TEST_F(ImportRules, NegativeIdsAreRejectedAndZeroIsAnId) {
  auto r = import(write("neg.json", replace_all(golden_text(), "\"id\": 609,", "\"id\": -609,")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "neg.json:2:11: $.id: negative id -609 (LL2 ids are 0 or more)"))
      << r.err;
  // Nested objects too: the first "id": 1 of the file is nested.
  const std::string text = golden_text();
  const size_t at = text.find("\"id\": 1,");
  ASSERT_NE(at, std::string::npos);
  r = import(write("nested.json", text.substr(0, at) + "\"id\": -1," + text.substr(at + 8)));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "negative id -1")) << r.err;
  EXPECT_LE(query_int64(dir.file("db.sqlite3"), "SELECT count(*) FROM docking_event"), 0);
  // LL2 has id 0 objects (net_precision 0 is "Second").
  r = import(write("zero.json", replace_all(golden_text(), "\"id\": 609,", "\"id\": 0,")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Server server(dir.file("db.sqlite3"));
  EXPECT_EQ(server.get("/2.3.0/docking_events/0/").status, 200);
}

TEST_F(ImportRules, DuplicateKeysAreRejectedWithTheirPath) {
  // Python's json keeps the last value, RapidJSON's DOM the first: which one
  // LL2 meant is unknown, so the file is refused.
  std::string dup = golden_text();
  const std::string name = "\"name\": \"Chang'e 6\",";
  const size_t at = dup.find(name);  // line 8, the docking location's
  ASSERT_NE(at, std::string::npos);
  dup.insert(at + name.size(), " \"name\": \"Other\",");
  const auto r = import(write("dup.json", dup));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err,
                       "dup.json:8:30: $.docking_location.name: duplicate key \"name\" in "
                       "one object (which value is meant is unknown)"))
      << r.err;
  EXPECT_LE(query_int64(dir.file("db.sqlite3"), "SELECT count(*) FROM docking_event"), 0);
  // In an array of objects, the path names the element.
  const auto page = import(write(
      "page.json", R"({"count": 1, "results": [{"id": 1, "url": "x"}, {"id": 2, "id": 3}]})"));
  EXPECT_EQ(page.exit_code, 1);
  EXPECT_TRUE(contains(page.err, "page.json:1:59: $.results[1].id: duplicate key \"id\""))
      << page.err;
}

TEST_F(ImportRules, AByteOrderMarkIsSkipped) {
  const auto r = import(write("bom.json", "\xEF\xBB\xBF" + golden_text()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Server server(dir.file("db.sqlite3"));
  EXPECT_EQ(server.get("/2.3.0/docking_events/609/").status, 200);
  // Positions after it are as an editor shows them (the mark is no column).
  const auto bad = import(write("bom-bad.json", "\xEF\xBB\xBF{\"id\": x}"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "bom-bad.json:1:8: $: invalid JSON")) << bad.err;
}

// ---------------------------------------------- 13. targets at the edges

TEST_F(Hardening2, TheLargestOffsetGivesNoOverflowedLinks) {
  Server server(db());
  for (const std::string limit : {"1", "10", "100"}) {
    for (const std::string format : {"json", "api"}) {
      const std::string target =
          "/2.3.0/docking_events/?offset=9223372036854775807&limit=" + limit + "&format=" + format;
      const auto r = server.get(target);
      ASSERT_EQ(r.status, 200) << target;  // without the fix the server aborts (UBSan)
      EXPECT_FALSE(contains(r.body, "offset=-")) << target;
      const std::string previous = std::to_string(INT64_MAX - std::stoll(limit));
      EXPECT_TRUE(contains(r.body, "offset=" + previous)) << target;
      if (format == "json") {
        EXPECT_TRUE(contains(r.body, "\"next\":null,")) << r.body;
        EXPECT_TRUE(contains(r.body, "\"results\":[]")) << r.body;
      }
    }
  }
}

TEST_F(Hardening2, PathsWithEmptySegmentsAre404NeverASchemeRelativeRedirect) {
  Server server(db());
  // Django resolves `//2.3.0/...` against `^/` and then `2.3.0/`: no pattern
  // matches, so no APPEND_SLASH redirect either.
  for (const std::string target :
       {"//2.3.0/docking_events", "//2.3.0/docking_events/", "/2.3.0//docking_events/",
        "/2.3.0/docking_events//", "//2.3.0/", "/%2F2.3.0/docking_events", "///2.3.0/agencies"}) {
    const auto r = server.get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.headers.count("location"), 0U) << target << " -> " << header(r, "location");
    EXPECT_TRUE(contains(r.body, "<h1>Not Found</h1>")) << target;
  }
  const auto slash = server.get("/2.3.0/docking_events?limit=1");
  EXPECT_EQ(slash.status, 301);
  EXPECT_EQ(header(slash, "location"), "/2.3.0/docking_events/?limit=1");
}

TEST_F(Hardening2, IfNoneMatchComparesWeaklyAndTakesListsAndStar) {
  Server server(db());
  const auto plain = server.get("/static/ll2d.css");
  ASSERT_EQ(plain.status, 200);
  const std::string etag = plain.headers.at("etag");
  ASSERT_TRUE(etag.size() > 2 && etag.front() == '"') << etag;
  for (const std::string& h : std::vector<std::string>{
           etag, "W/" + etag, "\"a\", " + etag, "\"a\",W/" + etag, "*", " * ", "junk, " + etag}) {
    const auto r = server.get("/static/ll2d.css", {{"If-None-Match", h}});
    EXPECT_EQ(r.status, 304) << h;
    EXPECT_EQ(r.body, "") << h;
    EXPECT_EQ(header(r, "etag"), etag);
  }
  for (const std::string& h :
       std::vector<std::string>{"\"a\"", "W/\"a\", \"b\"", etag.substr(1, etag.size() - 2), ""}) {
    EXPECT_EQ(server.get("/static/ll2d.css", {{"If-None-Match", h}}).status, 200) << h;
  }
}
