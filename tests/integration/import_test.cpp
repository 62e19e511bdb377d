// `ll2d import` on good and bad input: bad files are rejected with a named
// file, JSON path and position, and the database stays byte-for-byte as it was.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <rapidjson/document.h>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"

using namespace ll2::test;

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

class ImportCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = import_golden(db());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    before = database_contents(db());
    ASSERT_FALSE(before.empty());
  }
  std::string db() const { return dir.file("db.sqlite3"); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir.file(name), std::ios::binary) << text;
    return dir.file(name);
  }
  void expect_rejected(const std::string& file, const std::string& fragment) {
    const auto r = run_ll2d({"import", "--db", db(), file});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_EQ(database_contents(db()), before) << "the database changed";
    EXPECT_FALSE(std::filesystem::exists(db() + "-wal") &&
                 std::filesystem::file_size(db() + "-wal") > 0);
  }

  TempDir dir;
  std::string before;
};

}  // namespace

TEST_F(ImportCommand, TruncatedJson) {
  const std::string text = golden_text();
  expect_rejected(write("truncated.json", text.substr(0, text.size() / 2)), "invalid JSON");
}

TEST_F(ImportCommand, NotJsonAtAll) {
  expect_rejected(write("garbage.json", "hello"), ":1:1: $: invalid JSON");
}

TEST_F(ImportCommand, WrongTypeNamesPathLineAndColumn) {
  const std::string text =
      replace_all(golden_text(), "\"diameter\": 3474800.0", "\"diameter\": \"big\"");
  const size_t at = text.find("\"big\"");
  const size_t line =
      static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')) + 1;
  const size_t col = at - text.rfind('\n', at);
  expect_rejected(write("types.json", text),
                  ":" + std::to_string(line) + ":" + std::to_string(col) +
                      ": $.payload_flight_target.landing.landing_location.celestial_body.diameter: "
                      "expected a number");
}

// 2.4.0 prints a stage's rocket as its URL: read as the id it ends with, and
// a link that names no id is rejected where it is.
TEST_F(ImportCommand, AHyperlinkThatNamesNoIdIsRejected) {
  const std::string stage = R"({"id": 7, "url": "https://ll.example/api/ll/2.4.0/stages/7/", )";
  expect_rejected(write("bad-link.json", stage + R"("rocket": "https://ll.example/rockets/"})"),
                  R"(:1:73: $.rocket: expected the URL of a rocket (ending in its )"
                  R"(id), got "https://ll.example/rockets/")");
  // The same key of a 2.3.0 object is an object, not a link.
  expect_rejected(
      write("not-2.4.0.json", R"({"id": 7, "url": "https://ll.example/2.3.0/launchers/7/", )"
                              R"("launcher_config": "https://ll.example/2.3.0/config/7/"})"),
      "$.launcher_config: expected an object, got a string");
  const auto r =
      run_ll2d({"import", "--db", db(),
                write("good-link.json",
                      stage + R"("rocket": "https://ll.example/api/ll/2.4.0/rockets/3/?x"})")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ImportCommand, UnknownEnum) {
  expect_rejected(write("enum.json", replace_all(golden_text(), "\"response_mode\": \"normal\"",
                                                 "\"response_mode\": \"extended\"")),
                  "unknown response_mode \"extended\"");
}

TEST_F(ImportCommand, MissingId) {
  expect_rejected(write("noid.json", replace_all(golden_text(), "\"id\": 609,", "")),
                  "$: missing \"id\"");
}

TEST_F(ImportCommand, OneBadObjectInAPageRejectsTheWholePage) {
  const std::string good = golden_text();
  std::string other = replace_all(good, "\"id\": 609", "\"id\": 610");
  std::string bad = replace_all(good, "\"id\": 609", "\"id\": 611");
  bad = replace_all(bad, "\"single_use\": false", "\"single_use\": \"no\"");
  const std::string page = "{\"count\": 3, \"next\": null, \"previous\": null, \"results\": [" +
                           other + ", " + bad + ", " + good + "]}";
  expect_rejected(write("page.json", page), "$.results[1].");
}

TEST_F(ImportCommand, GoodFilesImportAndBadOnesAreReportedInTheExitStatus) {
  const std::string good = replace_all(golden_text(), "\"id\": 609", "\"id\": 700");
  const std::string page =
      "{\"count\": 1, \"next\": null, \"previous\": null, \"results\": [" + good + "]}";
  std::filesystem::create_directories(dir.file("in"));
  std::ofstream(dir.file("in/a.json")) << page;
  std::ofstream(dir.file("in/b.json")) << "{";
  const auto r = run_ll2d({"import", "--db", db(), dir.file("in")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[1/2] " + dir.file("in/a.json") + ": 1 events"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("objects/s"), std::string::npos);
  EXPECT_NE(r.err.find("rejected " + dir.file("in/b.json")), std::string::npos);
  EXPECT_NE(r.err.find("1 of 2 files imported"), std::string::npos);
  Server server(db());
  EXPECT_EQ(server.get("/2.3.0/docking_events/700/").status, 200);
}

TEST(SchemaVersions, NewerAndForeignDatabasesAreRefused) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("newer.sqlite3").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE x (a); PRAGMA user_version = 99;", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto r = import_golden(dir.file("newer.sqlite3"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("schema version 99, newer than this ll2d understands"), std::string::npos)
      << r.err;
  r = run_ll2d({"serve", "--db", dir.file("newer.sqlite3"), "--port", "0"});
  EXPECT_EQ(r.exit_code, 2);

  ASSERT_EQ(sqlite3_open(dir.file("foreign.sqlite3").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE notes (a)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  r = import_golden(dir.file("foreign.sqlite3"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not an ll2d database"), std::string::npos) << r.err;
}

TEST_F(ImportCommand, TheUrlTellsTheResourceUnlessResourceIsGiven) {
  // SetUp imported the golden record without --resource: its url named it.
  // An object without a url needs --resource.
  const auto file = write("station.json", R"({"id": 4, "name": "Mir"})");
  expect_rejected(file, "station.json:1:1: $: no \"url\" tells which resource");
  const auto unknown = write(
      "unknown.json",
      R"({"id": 4, "url": "https://ll.thespacedevs.com/2.3.0/nothing_here/4/", "name": "Mir"})");
  expect_rejected(unknown, "its \"url\" names no resource ll2d serves");
  const auto r = run_ll2d({"import", "--db", db(), "--resource", "no_such_thing", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown --resource no_such_thing"), std::string::npos);
  const auto named = run_ll2d({"import", "--db", db(), "--resource", "docking_events",
                               std::string(LL2D_FIXTURES) + "/docking_event_609_detailed.json"});
  EXPECT_EQ(named.exit_code, 0) << named.err;
}

namespace {

// JSON values equal, lists in the same order (many-to-many lists too: ll2d
// keeps the order they were imported in, as LL2 prints them).
bool same_json(const rapidjson::Value& a, const rapidjson::Value& b, const std::string& where,
               std::string& diff) {
  if (a.GetType() != b.GetType()) {
    diff = where + ": types differ";
    return false;
  }
  if (a.IsObject()) {
    auto ia = a.MemberBegin();
    auto ib = b.MemberBegin();
    for (; ia != a.MemberEnd() && ib != b.MemberEnd(); ++ia, ++ib) {
      const std::string key = ia->name.GetString();
      if (key != ib->name.GetString()) {
        diff = where + ": key " + key + " vs " + ib->name.GetString();
        return false;
      }
      if (!same_json(ia->value, ib->value, where + "." + key, diff)) return false;
    }
    if (ia != a.MemberEnd() || ib != b.MemberEnd()) {
      diff = where + ": key counts differ";
      return false;
    }
    return true;
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) {
      diff = where + ": lengths differ";
      return false;
    }
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!same_json(a[i], b[i], where + "[" + std::to_string(i) + "]", diff)) return false;
    }
    return true;
  }
  if (a != b) {
    diff = where + ": values differ";
    return false;
  }
  return true;
}

}  // namespace

TEST(RealResponses, ImportedAndAskedForAtTheirOwnUrlTheyComeBackAsLl2SentThem) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  const std::vector<std::string> files = {"agency-44-detailed.json", "launches-limit2-normal.json",
                                          "space-stations-2-normal.json"};
  for (const auto& f : files) {
    const auto r = run_ll2d({"import", "--db", db, std::string(LL2D_FIXTURES "/real/") + f});
    ASSERT_EQ(r.exit_code, 0) << f << ": " << r.err;
  }
  Server server(db, {"--public-url", "https://ll.thespacedevs.com"});
  int compared = 0;
  for (const auto& f : files) {
    rapidjson::Document sent;  // numbers compared by their text, as LL2 sent them
    parse_numbers_as_text(sent, read_file(std::string(LL2D_FIXTURES "/real/") + f));
    ASSERT_TRUE(sent.IsObject()) << f;
    std::vector<const rapidjson::Value*> objects;
    if (sent.HasMember("results")) {
      for (const auto& o : sent["results"].GetArray()) objects.push_back(&o);
    } else {
      objects.push_back(&sent);
    }
    for (const auto* o : objects) {
      const std::string url = std::string((*o)["url"].GetString()).substr(1);
      const std::string path = url.substr(url.find("/2.3.0/"));
      const auto r =
          server.get(path + "?mode=" + std::string((*o)["response_mode"].GetString()).substr(1));
      ASSERT_EQ(r.status, 200) << path;
      rapidjson::Document back;
      parse_numbers_as_text(back, r.body);
      ASSERT_TRUE(back.IsObject()) << r.body;
      std::string diff;
      EXPECT_TRUE(same_json(back, *o, "$", diff)) << f << " " << path << ": " << diff;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 5);
}

namespace {

// Runs SQL that changes a test's database (on either backend).
void execute(const std::string& db, const std::string& sql) {
  if (postgres_backend()) {
    query_int64(db, sql);
    return;
  }
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(h);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// A trigger that fails any write of docking event `id`, as a database error
// in the middle of a file's write would.
void fail_writes_of_event(const std::string& db, int id) {
  if (postgres_backend()) {
    execute(db,
            "CREATE FUNCTION ll2d_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
            "'no writes of this event'; END $$ LANGUAGE plpgsql");
    execute(db, fmt::format("CREATE TRIGGER ll2d_test_fail BEFORE INSERT OR UPDATE ON "
                            "docking_event FOR EACH ROW WHEN (NEW.id = {}) EXECUTE FUNCTION "
                            "ll2d_test_fail()",
                            id));
  } else {
    for (const char* when : {"INSERT", "UPDATE"}) {
      execute(db, fmt::format("CREATE TRIGGER ll2d_test_fail_{} BEFORE {} ON docking_event WHEN "
                              "NEW.id = {} BEGIN SELECT RAISE(ABORT, 'no writes of this event'); "
                              "END",
                              when, when, id));
    }
  }
}

}  // namespace

TEST_F(ImportCommand, AFileWhoseWriteFailsIsUndoneAloneAndTheOthersStay) {
  fail_writes_of_event(db(), 666);
  const std::string g = golden_text();
  const auto event = [&](int id) {
    return replace_all(g, "\"id\": 609", fmt::format("\"id\": {}", id));
  };
  std::filesystem::create_directories(dir.file("in"));
  std::ofstream(dir.file("in/a.json")) << page_of({event(700)});
  // Written in part (event 701 and the renamed agency) before 666 fails.
  std::ofstream(dir.file("in/b.json"))
      << page_of({replace_all(event(701), "\"name\": \"China National Space Administration\"",
                              "\"name\": \"Renamed by b\""),
                  event(666)});
  std::ofstream(dir.file("in/c.json")) << page_of({event(702)});
  const auto r = run_ll2d({"import", "--db", db(), dir.file("in")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("[1/3] " + dir.file("in/a.json") + ": 1 events"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("rejected " + dir.file("in/b.json")), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("database error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no writes of this event"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[3/3] " + dir.file("in/c.json") + ": 1 events"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 of 3 files imported"), std::string::npos) << r.err;
  EXPECT_EQ(query_int64(db(), "SELECT count(*) FROM docking_event WHERE id IN (700, 702)"), 2);
  EXPECT_EQ(query_int64(db(), "SELECT count(*) FROM docking_event WHERE id IN (701, 666)"), 0);
  EXPECT_EQ(query_int64(db(), "SELECT count(*) FROM agency WHERE name = 'Renamed by b'"), 0);
  EXPECT_EQ(query_int64(db(),
                        "SELECT count(*) FROM agency WHERE name = 'China National Space "
                        "Administration'"),
            1);
}

TEST_F(ImportCommand, ImportingTheSameFileAgainChangesNoRow) {
  LL2D_SQLITE_ONLY();  // reads the file: every row already says what the file says
  const std::string rows = dump_tables(db());
  const auto again = import_golden(db());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(dump_tables(db()), rows);
}

// The golden record with every integer id moved by `offset`: an event whose
// nested objects are all its own.
std::string shifted(const std::string& text, int64_t offset) {
  static const std::string key = "\"id\": ";
  std::string out;
  out.reserve(text.size() + 256);
  size_t from = 0;
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, from)) {
    size_t end = at + key.size();
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    out.append(text, from, at + key.size() - from);
    if (end > at + key.size())
      out +=
          std::to_string(std::stoll(text.substr(at + key.size(), end - at - key.size())) + offset);
    from = end;
  }
  return out + text.substr(from);
}

namespace {

// `count` pages of `events` events each in `dir`; event e of page p (id
// 1000 * (events p + e) + 609) and everything in it with an id are its own,
// so a page's events are in the database only if that page is.
std::vector<std::string> write_pages(const TempDir& dir, int count, int events) {
  const std::string golden = golden_text();
  std::vector<std::string> pages;
  for (int p = 0; p < count; ++p) {
    std::vector<std::string> results;
    results.reserve(events);
    for (int e = 0; e < events; ++e)
      results.push_back(shifted(golden, 1000 * (int64_t{events} * p + e)));
    pages.push_back(dir.file(fmt::format("page_{:03d}.json", p)));
    std::ofstream(pages.back(), std::ios::binary) << page_of(results);
  }
  return pages;
}

// Each index's name and definition, in name order.
std::string index_definitions(const std::string& db) {
  std::string out;
  sqlite3* c = nullptr;
  sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(c,
                     "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT "
                     "NULL ORDER BY name",
                     -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    out += ": ";
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    out += '\n';
  }
  sqlite3_finalize(st);
  sqlite3_close(c);
  return out;
}

}  // namespace

// Into an empty database the indexes only reads use are built after the
// data (faster than keeping them current); the result is the same schema
// as an import into a filled database, which builds nothing. One cut short
// (an index missing) is healthy, served read-only, and repaired by the next
// writable open.
TEST(ImportIndexes, AnEmptyDatabaseGetsItsReadIndexesLastAndTheSameSchema) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  const auto pages = write_pages(dir, 4, 10);
  const std::string empty_first = dir.file("empty.sqlite3");
  std::vector<std::string> args = {"import", "--db", empty_first};
  args.insert(args.end(), pages.begin(), pages.end());
  auto r = run_ll2d(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ll2d import: built"), std::string::npos) << r.err;

  const std::string filled_first = dir.file("filled.sqlite3");
  ASSERT_EQ(import_golden(filled_first).exit_code, 0);
  args[2] = filled_first;
  r = run_ll2d(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("indexes in"), std::string::npos) << "nothing to build: " << r.err;
  const std::string definitions = index_definitions(filled_first);
  EXPECT_GT(std::count(definitions.begin(), definitions.end(), '\n'), 100);
  EXPECT_EQ(index_definitions(empty_first), definitions);
  EXPECT_EQ(query_int64(empty_first, "SELECT count(*) FROM docking_event"), 40);

  // As a cut-short import leaves it: a read-only index missing.
  EXPECT_EQ(query_int64(empty_first,
                        "SELECT count(*) FROM pragma_index_list('docking_event') "
                        "WHERE name = 'docking_event__docking'"),
            1);
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(empty_first.c_str(), &c), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(c, "DROP INDEX docking_event__docking", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(c);
  r = run_ll2d({"check", "--db", empty_first});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 indexes are missing"), std::string::npos) << r.out;
  {
    Server server(empty_first, {"--read-only"});
    const auto page = server.get("/2.3.0/docking_events/?ordering=-docking&limit=1");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("\"count\":40"), std::string::npos) << page.body.substr(0, 200);
  }
  EXPECT_NE(index_definitions(empty_first), definitions);
  r = run_ll2d({"import", "--db", empty_first, pages[0]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(index_definitions(empty_first), definitions);
  r = run_ll2d({"check", "--db", empty_first});
  EXPECT_EQ(r.out.find("missing"), std::string::npos) << r.out;
}

// On PostgreSQL an import ends by gathering the planner's statistics of the
// tables it wrote (autovacuum would only a minute later, and reads until then
// are planned for empty tables). Checked where the planner reads them
// (pg_class, pg_stats), which say "never gathered" until ANALYZE runs.
TEST(ImportStatistics, PostgresAnalyzesTheTablesAnImportWrote) {
  if (!postgres_backend()) GTEST_SKIP() << "PostgreSQL keeps the statistics";
  TempDir dir;
  const auto pages = write_pages(dir, 2, 10);
  const std::string db = dir.file("analyzed.sqlite3");
  std::vector<std::string> args = {"import", "--db", db};
  args.insert(args.end(), pages.begin(), pages.end());
  const auto r = run_ll2d(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      query_int64(db, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'docking_event'"),
      20);
  EXPECT_GT(query_int64(db, "SELECT count(*) FROM pg_stats WHERE tablename = 'docking_event'"), 0);
  // No table holding rows is left without them (ll2d's own bookkeeping aside).
  EXPECT_EQ(query_int64(db,
                        "SELECT count(*) FROM pg_class c WHERE c.relkind = 'r' AND c.reltuples < 0 "
                        "AND c.relnamespace = current_schema()::regnamespace "
                        "AND c.relname NOT LIKE 'll2d%' AND (xpath('/row/n/text()', "
                        "query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, "
                        "true, '')))[1]::text::int > 0"),
            0);
}

// kill -9 in the middle of an import: every file is in the database whole or
// not at all, every file the import said was imported is there, and the
// next import completes the job.
TEST(ImportCrash, AKilledImportLeavesEveryFileWholeOrAbsent) {
  TempDir dir;
  constexpr int kPages = 60;
  constexpr int kEvents = 40;
  const std::vector<std::string> pages = write_pages(dir, kPages, kEvents);
  const auto events_of = [&](int p) {
    return fmt::format("id BETWEEN {} AND {}", 1000 * kEvents * p + 609,
                       1000 * (kEvents * p + kEvents - 1) + 609);
  };
  std::string db;
  for (const int wait_lines : {1, 25}) {
    db = dir.file(fmt::format("db{}.sqlite3", wait_lines));
    const std::string err = dir.file(fmt::format("err{}.txt", wait_lines));
    std::vector<std::string> args = {LL2D_BINARY, "import", "--db", backend_db(db)};
    args.insert(args.end(), pages.begin(), pages.end());
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<char*> argv;
      argv.reserve(args.size());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      FILE* f = std::freopen(err.c_str(), "w", stderr);
      (void)f;
      execv(argv[0], argv.data());
      _exit(127);
    }
    // Kill it once it has said that some files were imported.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    std::string text;
    while (std::chrono::steady_clock::now() < give_up) {
      text = read_file(err);
      if (static_cast<int>(std::count(text.begin(), text.end(), '\n')) >= wait_lines) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    text = read_file(err);
    std::set<std::string> said;  // the files the import reported imported: "[i/n] FILE: ..."
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const size_t start = line.find("] ");
      const size_t end = line.find(": ", start);
      if (line.starts_with("[") && start != std::string::npos && end != std::string::npos)
        said.insert(line.substr(start + 2, end - start - 2));
    }
    int whole = 0;
    for (int p = 0; p < kPages; ++p) {
      const int64_t n = query_int64(db, "SELECT count(*) FROM docking_event WHERE " + events_of(p));
      EXPECT_TRUE(n == 0 || n == kEvents) << pages[p] << ": " << n << " of its events";
      if (said.contains(pages[p])) {
        EXPECT_EQ(n, kEvents) << pages[p] << " was reported imported";
      }
      whole += n == kEvents ? 1 : 0;
    }
    EXPECT_GE(whole, static_cast<int>(said.size()));
    if (!postgres_backend()) {
      EXPECT_EQ(run_ll2d({"check", "--db", db}).exit_code, 0);
    }
  }
  const auto done = run_ll2d({"import", "--db", db, dir.file("")}, 300);
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(query_int64(db, "SELECT count(*) FROM docking_event"), kPages * kEvents);
}

namespace {

// Earth as a launch's pad prints it (a real 2.3.0 capture), its floats in the
// forms given: `diameter` and `gravity` spelled by the caller.
std::string earth(const std::string& diameter, const std::string& gravity) {
  return fmt::format(
      R"({{"response_mode": "normal", "id": 1, "name": "Earth", "type": {{"id": 1, "name": )"
      R"("Planet"}}, "diameter": {}, "mass": 5.972168e+24, "gravity": {}, "length_of_day": )"
      R"("1 00:00:00", "atmosphere": true, "image": null, "description": "", "wiki_url": "", )"
      R"("total_attempted_launches": 0, "successful_launches": 0, "failed_launches": 0, )"
      R"("total_attempted_landings": 0, "successful_landings": 0, "failed_landings": 0}})",
      diameter, gravity);
}

}  // namespace

// LL2 sends a float field's whole numbers in both forms (12742000 and 3.0);
// a mirror serves each as it was imported, from the response cache and the
// list index too, passes it on to a mirror that syncs from it, and a later
// import in the other form replaces the form.
TEST(NumberForms, AFloatFieldIsServedInTheFormItWasImportedIn) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  const auto import = [&](const std::string& text) {
    std::ofstream(dir.file("earth.json"), std::ios::binary) << page_of({text});
    const auto r =
        run_ll2d({"import", "--db", db, "--resource", "celestial_bodies", dir.file("earth.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  import(earth("12742000", "9.0"));
  Server server(db);
  const auto served = [&](const std::string& path) {
    const auto r = server.get(path);
    EXPECT_EQ(r.status, 200) << path;
    return r.body;
  };
  for (int twice = 0; twice < 2; ++twice) {  // the second from the response cache
    for (const char* path : {"/2.3.0/celestial_bodies/1/", "/2.3.0/celestial_bodies/",
                             "/2.3.0/celestial_bodies/?ordering=-diameter"}) {
      const std::string body = served(path);
      EXPECT_NE(body.find(R"("diameter":12742000,"mass":5.972168e+24,"gravity":9.0,)"),
                std::string::npos)
          << path << ": " << body;
    }
  }
  EXPECT_NE(served("/2.3.0/celestial_bodies/?diameter=12742000").find(R"("count":1,)"),
            std::string::npos);
  {
    // A mirror that syncs from this one serves the same bytes.
    const std::string mirror = dir.file("mirror.sqlite3");
    const auto synced = run_ll2d({"sync", "--db", mirror, "--upstream",
                                  fmt::format("http://127.0.0.1:{}", server.port()), "--calls",
                                  "1000/1s", "--resources", "celestial_bodies", "--once"});
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    Server copy(mirror);
    for (const char* path : {"/2.3.0/celestial_bodies/1/", "/2.3.0/celestial_bodies/"}) {
      const auto r = copy.get(path);
      EXPECT_NE(r.body.find(R"("diameter":12742000,"mass":5.972168e+24,"gravity":9.0,)"),
                std::string::npos)
          << path << ": " << r.body;
    }
  }

  import(earth("12742000.0", "9"));  // seen by the running server
  for (const char* path : {"/2.3.0/celestial_bodies/1/", "/2.3.0/celestial_bodies/"}) {
    const std::string body = served(path);
    EXPECT_NE(body.find(R"("diameter":12742000.0,"mass":5.972168e+24,"gravity":9,)"),
              std::string::npos)
        << path << ": " << body;
  }
}

// Generated data has no imported form: its floats print as DRF prints a
// float.
TEST(NumberForms, GeneratedFloatsKeepDrfsFloatForm) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  const auto r = run_ll2d({"generate", "--events", "20", "--seed", "5", "--out", dir.file("world"),
                           "--db", db, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(query_int64(db, "SELECT count(*) FROM celestial_body WHERE diameter IS NOT NULL"), 0);
  EXPECT_EQ(query_int64(db,
                        "SELECT count(*) FROM celestial_body WHERE diameter__as_integer IS "
                        "NOT NULL"),
            0);
  Server server(db);
  const auto page = server.get("/2.3.0/celestial_bodies/?limit=100");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("\"diameter\":"), std::string::npos);
  for (size_t at = page.body.find("\"diameter\":"); at != std::string::npos;
       at = page.body.find("\"diameter\":", at + 1)) {
    const std::string value = page.body.substr(at + 11, page.body.find(',', at) - at - 11);
    EXPECT_TRUE(value == "null" || value.find_first_of(".e") != std::string::npos) << value;
  }
}
