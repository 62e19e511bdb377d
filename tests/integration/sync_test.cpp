// ll2d sync against real upstreams on loopback: a second `ll2d serve`
// holding a generated world (the mirror must end answering exactly as it
// does, and one refresh must follow its changes), kill -9 at random moments,
// `serve --sync-from`, and a scripted upstream for 429, 5xx, timeouts and
// malformed pages.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "catalog/catalog.hpp"
#include "harness.hpp"
#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::test {
namespace {

constexpr const char* kNow = "2025-06-01T00:00:00Z";  // the generator's "now"

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The generated world's pages, made once for the whole suite.
const std::string& world_dir() {
  static TempDir dir;
  static const bool made = [] {
    const auto r = run_ll2d(
        {"generate", "--events", "200", "--seed", "11", "--out", dir.file("world"), "--quiet"});
    if (r.exit_code != 0) throw std::runtime_error("generate failed: " + r.err);
    return true;
  }();
  (void)made;
  static const std::string path = dir.file("world");
  return path;
}

// A fresh upstream database holding the generated world.
void make_upstream(const std::string& db) {
  const auto r = run_ll2d({"import", "--db", db, world_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::string base_url(const Server& s) {
  return fmt::format("http://127.0.0.1:{}", s.port());
}

// Every list route the API root names (and the upcoming/previous actions).
std::vector<std::string> routes(const Server& s) {
  const auto root = s.get("/2.3.0/?format=json");
  rapidjson::Document d;
  d.Parse(root.body.c_str());
  std::vector<std::string> out;
  for (const auto& m : d.GetObject()) {
    std::string url = m.value.GetString();
    url = url.substr(0, url.find('?'));
    const std::string path = url.substr(url.find("/2.3.0/") + 7);
    if (path.rfind("dashboard/", 0) == 0) continue;
    out.push_back(path);  // ends with a slash
  }
  for (const char* extra :
       {"launches/upcoming/", "launches/previous/", "events/upcoming/", "events/previous/"})
    out.emplace_back(extra);
  return out;
}

// Compares every page of every route in every mode, and every object's
// detail, between two servers. Returns the differences (at most a few).
struct Comparison {
  std::vector<std::string> differences;
  int64_t requests = 0;
  int64_t objects = 0;
};
Comparison compare(const Server& upstream, const Server& mirror, bool details = true) {
  Comparison c;
  const auto same = [&](const std::string& target) {
    // One Host for both, so that the absolute URLs in bodies are alike.
    auto a = upstream.get(target, {{"Host", "ll2d.test"}});
    const auto b = mirror.get(target, {{"Host", "ll2d.test"}});
    c.requests += 2;
    if ((a.status != b.status || a.body != b.body) && c.differences.size() < 8)
      c.differences.push_back(fmt::format("{}: upstream {} ({} bytes), mirror {} ({} bytes)",
                                          target, a.status, a.body.size(), b.status,
                                          b.body.size()));
    return a;
  };
  for (const auto& route : routes(upstream)) {
    std::set<std::string> ids;
    for (const char* mode : {"", "&mode=list", "&mode=normal", "&mode=detailed"}) {
      for (int64_t offset = 0;; offset += 100) {
        const auto a =
            same(fmt::format("/2.3.0/{}?format=json&limit=100&offset={}{}", route, offset, mode));
        rapidjson::Document d;
        d.Parse(a.body.c_str());
        if (a.status != 200 || !d.IsObject() || !d.HasMember("results")) break;
        for (const auto& r : d["results"].GetArray()) {
          if (!r.IsObject() || !r.HasMember("id")) continue;
          ids.insert(r["id"].IsString() ? std::string(r["id"].GetString())
                                        : std::to_string(r["id"].GetInt64()));
        }
        if (!d["next"].IsString()) break;
      }
    }
    if (!details || route.find("upcoming") != std::string::npos ||
        route.find("previous") != std::string::npos)
      continue;
    for (const auto& id : ids) {
      ++c.objects;
      same(fmt::format("/2.3.0/{}{}/?format=json", route, id));
      same(fmt::format("/2.3.0/{}{}/?format=json&mode=detailed", route, id));
    }
  }
  return c;
}

std::string differences(const Comparison& c) {
  std::string out;
  for (const auto& d : c.differences) out += d + "\n";
  return out;
}

// The upstream's database and the mirror, each through a server of its own
// (unthrottled), answer every list alike.
void expect_same_lists(const std::string& upstream_db, const std::string& mirror_db) {
  Server plain(upstream_db, {"--now", kNow, "--no-access-log"});
  Server copy(mirror_db, {"--now", kNow, "--no-access-log"});
  const auto c = compare(plain, copy, /*details=*/false);
  EXPECT_TRUE(c.differences.empty()) << differences(c);
}

// ll2d sync, run to the end.
CommandResult sync(const std::string& db, const Server& upstream,
                   std::vector<std::string> extra = {}, const std::string& calls = "40/1s") {
  std::vector<std::string> args{"sync",    "--db", db,      "--upstream", base_url(upstream),
                                "--calls", calls,  "--once"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ll2d(args, 120);
}

// Calls the upstream's access log shows (the list and detail reads, not
// api-throttle).
int64_t upstream_calls(const Server& upstream) {
  const std::string log = upstream.stderr_text();
  int64_t n = 0;
  for (size_t at = log.find("method=GET path=\"/2.3.0/"); at != std::string::npos;
       at = log.find("method=GET path=\"/2.3.0/", at + 1)) {
    if (log.compare(at + 24, 13, "api-throttle/") != 0) ++n;
  }
  return n;
}

int64_t count_lines(const std::string& text, const std::string& needle) {
  int64_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Rewrites a generated page: `edit` changes its parsed results.
std::string edited_page(const std::string& path, const std::string& out,
                        const std::function<void(rapidjson::Value&, rapidjson::Document&)>& edit) {
  rapidjson::Document d;
  const std::string text = read_text(path);
  d.Parse(text.c_str());
  edit(d["results"], d);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  d.Accept(w);
  std::ofstream(out) << buffer.GetString();
  return out;
}

TEST(Sync, MirrorEndsIdenticalToItsUpstreamAndOneRefreshFollowsItsChanges) {
  TempDir dir;
  const std::string up = dir.file("up.sqlite3");
  const std::string mirror = dir.file("mirror.sqlite3");
  make_upstream(up);
  Server upstream(up, {"--now", kNow});

  // The initial load, inside a budget of 40 calls a second.
  const auto started = std::chrono::steady_clock::now();
  const auto loaded = sync(mirror, upstream);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_NE(loaded.err.find("initial load done"), std::string::npos) << loaded.err;
  const int64_t calls = upstream_calls(upstream);
  EXPECT_GT(calls, 40);  // more than one window's worth, so the budget set the pace
  EXPECT_LE(calls, 40 * (static_cast<int64_t>(seconds) + 1)) << seconds << " s";
  EXPECT_EQ(count_lines(loaded.err, " page "), calls);

  {
    Server copy(mirror, {"--now", kNow, "--no-access-log"});
    const auto c = compare(upstream, copy);
    EXPECT_TRUE(c.differences.empty()) << differences(c);
    EXPECT_GT(c.objects, 1000);
  }

  // Upstream changes: three launches renamed (with a newer last_updated),
  // an agency renamed (agencies have no last_updated filter), two updates
  // and two docking events deleted.
  const auto renamed_launches = edited_page(
      world_dir() + "/launches/page_0001.json", dir.file("launches.json"),
      [](rapidjson::Value& results, rapidjson::Document& d) {
        for (rapidjson::SizeType i = 0; i < 3; ++i) {
          results[i]["name"].SetString(fmt::format("Renamed launch {}", i).c_str(),
                                       d.GetAllocator());
          results[i]["last_updated"].SetString("2030-01-01T00:00:00Z", d.GetAllocator());
        }
        results.Erase(results.Begin() + 3, results.End());
      });
  const auto renamed_agency =
      edited_page(world_dir() + "/agencies/page_0001.json", dir.file("agencies.json"),
                  [](rapidjson::Value& results, rapidjson::Document& d) {
                    results[0]["name"].SetString("Renamed agency", d.GetAllocator());
                    results.Erase(results.Begin() + 1, results.End());
                  });
  for (const auto& file : {renamed_launches, renamed_agency}) {
    const auto r = run_ll2d({"import", "--db", up, file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  {
    auto opened = store::open_store(backend_db(up), ll2::model::registry());
    ASSERT_TRUE(opened.store) << opened.error;
    store::WriteBatch batch;
    for (const char* route : {"updates", "docking_events"}) {
      const auto page = upstream.get(fmt::format("/2.3.0/{}/?format=json&limit=2", route));
      rapidjson::Document d;
      d.Parse(page.body.c_str());
      store::DeleteWrite del{model::registry().find_resource(route)->kind, {}};
      for (const auto& r : d["results"].GetArray()) del.ids.emplace_back(r["id"].GetInt64());
      ASSERT_EQ(del.ids.size(), 2U);
      batch.deletes.push_back(del);
    }
    ASSERT_FALSE(opened.store->write(batch));
  }

  // A refresh of what changed: the launches come back through
  // last_updated__gte in one page each for launches (the upcoming lists are
  // re-read too).
  const int64_t before = upstream_calls(upstream);
  const auto refreshed = sync(mirror, upstream, {"--refresh-every", "0s"});
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.err;
  EXPECT_NE(refreshed.err.find("launches refresh: page 1 of 1"), std::string::npos)
      << refreshed.err;
  EXPECT_LE(upstream_calls(upstream) - before, 6) << refreshed.err;
  {
    Server copy(mirror, {"--now", kNow, "--no-access-log"});
    const std::string renamed = "/2.3.0/launches/?format=json&search=Renamed+launch&mode=detailed";
    const auto launch = upstream.get(renamed, {{"Host", "ll2d.test"}});
    EXPECT_NE(launch.body.find("Renamed launch 1"), std::string::npos) << launch.body;
    EXPECT_EQ(copy.get(renamed, {{"Host", "ll2d.test"}}).body, launch.body);
  }

  // One full refresh (every endpoint walked again) brings the mirror level:
  // renamed, deleted and all.
  const auto level = sync(mirror, upstream, {"--refresh-every", "0s", "--rewalk-every", "0s"});
  ASSERT_EQ(level.exit_code, 0) << level.err;
  EXPECT_NE(level.err.find("updates: deleted 2 objects"), std::string::npos) << level.err;
  EXPECT_NE(level.err.find("docking_events: deleted 2 objects"), std::string::npos) << level.err;
  Server copy(mirror, {"--now", kNow, "--no-access-log"});
  const auto c = compare(upstream, copy);
  EXPECT_TRUE(c.differences.empty()) << differences(c);

  // A run with nothing due writes only its bookkeeping, which leaves the
  // generation (and the caches of every serve keyed by it) alone.
  const int64_t generation = query_int64(mirror, "SELECT generation FROM ll2d_state");
  ASSERT_GT(generation, 0);
  const auto idle = sync(mirror, upstream);
  ASSERT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(count_lines(idle.err, " page "), 0) << idle.err;
  EXPECT_EQ(query_int64(mirror, "SELECT generation FROM ll2d_state"), generation);

  // --status says what is mirrored and what comes next, and makes no call.
  const int64_t quiet = upstream_calls(upstream);
  const auto status = run_ll2d({"sync", "--db", mirror, "--status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("upstream: " + base_url(upstream)), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("launches/upcoming"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("up to date; next refresh at"), std::string::npos) << status.out;
  EXPECT_EQ(upstream_calls(upstream), quiet);
}

// The mirror's change log, entries after `since` of `kinds` (all: empty),
// as `ll2d changes` prints them.
std::vector<rapidjson::Document> logged(const std::string& db, int64_t since,
                                        const std::string& kinds = "") {
  std::vector<std::string> args{"changes", "--db", db, "--since", std::to_string(since)};
  if (!kinds.empty()) args.insert(args.end(), {"--kinds", kinds});
  const auto r = run_ll2d(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<rapidjson::Document> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    out.emplace_back();
    out.back().Parse(line.c_str());
  }
  return out;
}

bool has_type(const rapidjson::Value& entry, const char* type) {
  for (const auto& t : entry["types"].GetArray()) {
    if (std::string_view(t.GetString()) == type) return true;
  }
  return false;
}

// The change log of a mirror says what changed upstream: a launch's NET
// moved, another's status changed, a third deleted, logged in that order
// and once (a sync with nothing new logs nothing).
// Every page of every 2.4.0 list, upstream and mirror; the upstream's own
// `"deorbited":true` read as false (2.4.0 prints no deorbit date to mirror).
std::vector<std::string> differences_240(const Server& upstream, const Server& mirror) {
  const auto root = upstream.get("/api/ll/2.4.0/?format=json", {{"Host", "ll2d.test"}});
  rapidjson::Document d;
  d.Parse(root.body.c_str());
  std::vector<std::string> out;
  size_t pages = 0;
  for (const auto& m : d.GetObject()) {
    const std::string url = m.value.GetString();
    const std::string path = url.substr(0, url.find('?')).substr(url.find("/api/ll/2.4.0/"));
    if (path.find("dashboard/") != std::string::npos) continue;
    for (int64_t offset = 0;; offset += 100) {
      const std::string target = fmt::format("{}?format=json&limit=100&offset={}", path, offset);
      const auto a = upstream.get(target, {{"Host", "ll2d.test"}});
      const auto b = mirror.get(target, {{"Host", "ll2d.test"}});
      ++pages;
      std::string expected = a.body;
      for (size_t at = expected.find("\"deorbited\":true"); at != std::string::npos;
           at = expected.find("\"deorbited\":true", at))
        expected.replace(at, 16, "\"deorbited\":false");
      if (a.status != b.status || expected != b.body)
        out.push_back(fmt::format("{}: upstream {} ({} bytes), mirror {} ({} bytes)", target,
                                  a.status, a.body.size(), b.status, b.body.size()));
      rapidjson::Document page;
      page.Parse(a.body.c_str());
      if (a.status != 200 || !page.IsObject() || !page.HasMember("next") ||
          !page["next"].IsString())
        break;
    }
  }
  if (pages < 60) out.push_back(fmt::format("only {} pages compared", pages));
  return out;
}

// A mirror of an upstream's 2.4.0 (--upstream ending in its prefix) asks for
// 2.4.0's routes only, and answers every 2.4.0 list as its upstream does.
TEST(Sync, AMirrorOfTwoFourZeroAnswersAsItsUpstream) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  const std::string up = dir.file("up.sqlite3");
  const std::string mirror = dir.file("mirror.sqlite3");
  make_upstream(up);
  Server upstream(up, {"--now", kNow});
  const auto loaded =
      run_ll2d({"sync", "--db", mirror, "--upstream", base_url(upstream) + "/api/ll/2.4.0/",
                "--calls", "1000/1s", "--once"},
               120);
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_NE(loaded.err.find("initial load done"), std::string::npos) << loaded.err;
  const std::string log = upstream.stderr_text();
  EXPECT_EQ(log.find("path=\"/2.3.0/"), std::string::npos) << log.substr(0, 2000);
  EXPECT_NE(log.find("path=\"/api/ll/2.4.0/launches/detailed/?format=json&limit=100"
                     "&upcoming_with_recent=true"),
            std::string::npos);
  EXPECT_NE(log.find("path=\"/api/ll/2.4.0/api-throttle/status/?format=json\" status=404"),
            std::string::npos);
  Server copy(mirror, {"--now", kNow, "--no-access-log"});
  const auto diff = differences_240(upstream, copy);
  EXPECT_TRUE(diff.empty()) << fmt::format("{}", fmt::join(diff, "\n"));
}

TEST(Sync, AMirrorsChangeLogHoldsExactlyTheUpstreamsChangesOnce) {
  TempDir dir;
  const std::string up = dir.file("up.sqlite3");
  const std::string mirror = dir.file("mirror.sqlite3");
  make_upstream(up);
  Server upstream(up, {"--now", kNow, "--no-access-log"});
  ASSERT_EQ(sync(mirror, upstream).exit_code, 0);
  const int64_t loaded = query_int64(mirror, "SELECT MAX(seq) FROM ll2d_change");
  ASSERT_GT(loaded, 0);

  std::string moved_id;
  std::string status_id;
  std::string deleted_id;
  const auto changed =
      edited_page(world_dir() + "/launches/page_0001.json", dir.file("launches.json"),
                  [&](rapidjson::Value& results, rapidjson::Document& d) {
                    auto& a = d.GetAllocator();
                    moved_id = results[0]["id"].GetString();
                    results[0]["net"].SetString("2031-05-06T07:08:09Z", a);
                    results[0]["last_updated"].SetString("2030-01-01T00:00:00Z", a);
                    status_id = results[1]["id"].GetString();
                    for (auto& other : results.GetArray()) {  // another status the world has
                      if (other["status"]["id"] != results[1]["status"]["id"]) {
                        results[1]["status"].CopyFrom(other["status"], a);
                        break;
                      }
                    }
                    results[1]["last_updated"].SetString("2030-01-01T00:00:00Z", a);
                    deleted_id = results[2]["id"].GetString();
                    results.Erase(results.Begin() + 2, results.End());
                  });
  ASSERT_EQ(run_ll2d({"import", "--db", up, changed}).exit_code, 0);
  {
    auto opened = store::open_store(backend_db(up), ll2::model::registry());
    ASSERT_TRUE(opened.store) << opened.error;
    store::WriteBatch batch;
    batch.deletes.push_back({model::registry().find_kind("launch"), {deleted_id}});
    ASSERT_FALSE(opened.store->write(batch));
  }
  const std::vector<std::string> level = {"--refresh-every", "0s", "--rewalk-every", "0s"};
  const auto synced = sync(mirror, upstream, level);
  ASSERT_EQ(synced.exit_code, 0) << synced.err;

  const auto launches = logged(mirror, loaded, "launch");
  ASSERT_EQ(launches.size(), 3U) << synced.err;
  EXPECT_EQ(launches[0]["id"].GetString(), moved_id);
  EXPECT_TRUE(has_type(launches[0], "launch.net_changed"));
  EXPECT_FALSE(has_type(launches[0], "launch.status_changed"));
  EXPECT_STREQ(launches[0]["changes"]["net"]["new"].GetString(), "2031-05-06T07:08:09Z");
  EXPECT_EQ(launches[1]["id"].GetString(), status_id);
  EXPECT_TRUE(has_type(launches[1], "launch.status_changed"));
  EXPECT_FALSE(has_type(launches[1], "launch.net_changed"));
  EXPECT_EQ(launches[2]["id"].GetString(), deleted_id);
  EXPECT_STREQ(launches[2]["op"].GetString(), "deleted");

  // Nothing new upstream: nothing new in the log.
  const int64_t after = query_int64(mirror, "SELECT MAX(seq) FROM ll2d_change");
  ASSERT_EQ(sync(mirror, upstream, level).exit_code, 0);
  EXPECT_TRUE(logged(mirror, after).empty());
}

pid_t spawn_ll2d(std::vector<std::string> args, const std::string& err_file) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--db") args[i + 1] = backend_db(args[i + 1]);
  const pid_t pid = fork();
  if (pid == 0) {
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    std::string binary = LL2D_BINARY;
    argv.push_back(binary.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// An upstream throttled as LL2 is (ll2d serve --anon-rate, a short window
// here): sync learns the lower rate from /2.3.0/api-throttle/ and never
// draws a 429, and the mirror ends identical.
TEST(Sync, AThrottledUpstreamIsNeverOverrun) {
  TempDir dir;
  const std::string up = dir.file("up.sqlite3");
  const std::string mirror = dir.file("mirror.sqlite3");
  make_upstream(up);
  Server upstream(up, {"--now", kNow, "--anon-rate", "25/2s"});
  const auto loaded = sync(mirror, upstream, {}, "200/2s");
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  const std::string log = upstream.stderr_text();
  EXPECT_GT(upstream_calls(upstream), 25);  // more than one window's worth
  // Ignoring the upstream's rate would draw dozens. The upstream counts a
  // call when it arrives, so on a slow machine (an ASan build answers in
  // 200 ms) a call sent just after a window can still land in it: a few
  // 429s at window edges, each honoured (Retry-After, see the test above).
  EXPECT_LT(count_lines(log, "status=429"), 5) << log.substr(0, 2000);
  expect_same_lists(up, mirror);
}

TEST(Sync, KillNineAtRandomMomentsLosesNothing) {
  TempDir dir;
  const std::string up = dir.file("up.sqlite3");
  const std::string mirror = dir.file("mirror.sqlite3");
  make_upstream(up);
  Server upstream(up, {"--now", kNow, "--no-access-log"});
  std::mt19937 rng(std::random_device{}());
  int killed = 0;
  for (int trial = 0; trial < 6; ++trial) {
    const pid_t pid = spawn_ll2d(
        {"sync", "--db", mirror, "--upstream", base_url(upstream), "--calls", "1000/1s", "--once"},
        dir.file("err"));
    // A random moment once pages are arriving (start-up time varies with
    // the machine's load): mid-page, mid-write, or between calls.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (read_text(dir.file("err")).find(" page ") == std::string::npos &&
           waitpid(pid, nullptr, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed;
    const auto check = run_ll2d({"check", "--db", mirror});
    EXPECT_EQ(check.exit_code, 0) << "trial " << trial << ": " << check.out << check.err;
    if (!postgres_backend())
      EXPECT_NE(check.out.find("integrity (integrity_check): ok"), std::string::npos) << check.out;
  }
  EXPECT_GT(killed, 0);
  // The next run finishes the job, without starting over.
  const auto finished = sync(mirror, upstream, {}, "1000/1s");
  ASSERT_EQ(finished.exit_code, 0) << finished.err;
  const auto fresh = sync(dir.file("fresh.sqlite3"), upstream, {}, "1000/1s");
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_LT(count_lines(finished.err, " page "), count_lines(fresh.err, " page "));
  expect_same_lists(up, mirror);
}

TEST(Sync, ServeSyncFromMirrorsInTheBackgroundWhileServing) {
  TempDir dir;
  const std::string up = dir.file("up.sqlite3");
  make_upstream(up);
  Server upstream(up, {"--now", kNow, "--no-access-log"});
  Server mirror(dir.file("mirror.sqlite3"), {"--now", kNow, "--no-access-log", "--sync-from",
                                             base_url(upstream), "--sync-calls", "1000/1s"});
  // Readers see the pages as they arrive: the launches show up while the
  // rest is still being loaded.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool partial = false;
  for (;;) {
    const auto status = run_ll2d({"sync", "--db", dir.file("mirror.sqlite3"), "--status"});
    if (status.out.find("initial load done") != std::string::npos) break;
    partial =
        partial || (status.out.find("not yet mirrored") != std::string::npos &&
                    mirror.get("/2.3.0/launches/?format=json&limit=1").body.find("\"count\":0") ==
                        std::string::npos);
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << status.out << mirror.stderr_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(partial);
  const auto c = compare(upstream, mirror, /*details=*/false);
  EXPECT_TRUE(c.differences.empty()) << differences(c);
  EXPECT_EQ(mirror.stop(), 0) << mirror.stderr_text();
}

// The scripted upstream (tests/integration/sync_upstream.py): its port, and
// the log of the calls it answered.
struct Scripted {
  pid_t pid = -1;
  uint16_t port = 0;
  std::string log;
  Scripted(const std::string& script, const std::string& log_file,
           const std::string& throttle = "normal")
      : log(log_file) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      execlp("python3", "python3", LL2D_SOURCE_DIR "/tests/integration/sync_upstream.py",
             script.c_str(), log_file.c_str(), throttle.c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char ch = 0;
    while (read(fds[0], &ch, 1) == 1 && ch != '\n') line += ch;
    close(fds[0]);
    port = static_cast<uint16_t>(std::stoi(line.empty() ? "0" : line));
  }
  ~Scripted() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port); }
  // (seconds, path) of each call.
  std::vector<std::pair<double, std::string>> calls() const {
    std::vector<std::pair<double, std::string>> out;
    std::istringstream in(read_text(log));
    double t = 0;
    std::string path;
    while (in >> t >> path) out.emplace_back(t, path);
    return out;
  }
  // Calls whose path starts so.
  int64_t count(const std::string& prefix) const {
    int64_t n = 0;
    for (const auto& [t, path] : calls()) n += path.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
  int64_t list_calls() const { return count("/2.3.0/config/launch_statuses/?"); }
  // What `huge` and `endless` wrote before the client left, each.
  std::vector<int64_t> flooded() const {
    std::vector<int64_t> out;
    std::istringstream in(read_text(log + ".bytes"));
    for (int64_t n = 0; in >> n;) out.push_back(n);
    return out;
  }
};

// ll2d sync --once of the scripted upstream's launch statuses.
CommandResult sync_scripted(const std::string& db, const Scripted& upstream,
                            std::vector<std::string> extra = {}, int timeout = 60) {
  std::vector<std::string> args{"sync",       "--db",         db,
                                "--upstream", upstream.url(), "--calls",
                                "100/1s",     "--resources",  "config/launch_statuses",
                                "--once"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ll2d(args, timeout);
}

TEST(Sync, HonoursRetryAfterAndBacksOffOn5xxAndTimeouts) {
  TempDir dir;
  Scripted upstream("429:2,503,slow:3,ok", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  const auto r =
      run_ll2d({"sync", "--db", mirror, "--upstream", upstream.url(), "--calls", "10/10s",
                "--timeout", "1", "--resources", "config/launch_statuses", "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<double> t;
  bool probed_after_429 = false;
  for (const auto& [when, path] : upstream.calls()) {
    if (path.find("api-throttle") != std::string::npos) {
      probed_after_429 = probed_after_429 || t.size() == 1;
      continue;
    }
    t.push_back(when);
  }
  ASSERT_EQ(t.size(), 5U) << read_text(upstream.log) << r.err;  // 429, 503, timeout, 2 pages
  // The upstream notes a call when it has read it, a little after ll2d sent
  // it and started its clocks: each wait is allowed that much (50 ms) less.
  constexpr double kSkew = 0.05;
  EXPECT_GE(t[1] - t[0], 2.0 - kSkew) << r.err;        // Retry-After: 2
  EXPECT_GE(t[2] - t[1], 1.0 - kSkew) << r.err;        // first back-off: 10 s / 10 calls
  EXPECT_GE(t[3] - t[2], 1.0 + 2.0 - kSkew) << r.err;  // the 1 s timeout, then the doubled back-off
  EXPECT_TRUE(probed_after_429) << read_text(upstream.log);
  EXPECT_NE(r.err.find("throttled (429, Retry-After 2 s)"), std::string::npos) << r.err;
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 150);
}

TEST(Sync, AMalformedPageIsReportedAndRetriedNeverHalfApplied) {
  TempDir dir;
  Scripted upstream("ok,bad", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  const auto r = sync_scripted(mirror, upstream);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("(nothing from it was written; try 1 of 5, again at"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("$.results[0].id"), std::string::npos) << r.err;
  // Asked for again (not skipped), and right the second time.
  EXPECT_EQ(upstream.list_calls(), 3);
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 150);
}

// 10^6 '[' (a page, and the api-throttle report) used to overflow the stack
// in RapidJSON's recursive parse and take `serve --sync-from` down with it.
TEST(Sync, ADeeplyNestedAnswerNeverTakesServeDown) {
  TempDir dir;
  Scripted upstream("deep*", dir.file("calls.log"), "deep");
  ASSERT_NE(upstream.port, 0);
  const std::string db = dir.file("mirror.sqlite3");
  Server mirror(db, {"--no-access-log", "--sync-from", upstream.url(), "--sync-calls", "100/1s",
                     "--sync-resources", "config/launch_statuses"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (mirror.stderr_text().find("5 tries failed") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << mirror.stderr_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string log = mirror.stderr_text();
  EXPECT_NE(log.find("api-throttle/ answer is not believed (nesting deeper than 64 levels)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("limit=100: nesting deeper than 64 levels (nothing from it was written"),
            std::string::npos)
      << log;
  EXPECT_EQ(upstream.list_calls(), 5);
  EXPECT_EQ(mirror.get("/2.3.0/config/launch_statuses/?format=json").status, 200);
  EXPECT_EQ(mirror.stop(), 0) << mirror.stderr_text();
  EXPECT_EQ(query_int64(db, "SELECT count(*) FROM launch_status"), 0);
}

TEST(Sync, AnAnswerLargerThanTheLimitIsAbandoned) {
  TempDir dir;
  // A Content-Length of 2 GiB, then a body without end, then the pages.
  Scripted upstream("huge,endless", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  const auto r = sync_scripted(mirror, upstream, {"--max-page-bytes", "1MiB"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(count_lines(r.err, "the answer is larger than 1048576 bytes; abandoned"), 2) << r.err;
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 150);
  // The upstream could write only what the sockets' buffers took before the
  // client left (it used to take the whole body, 2 GiB).
  const auto flooded = upstream.flooded();
  ASSERT_EQ(flooded.size(), 2U);
  for (const int64_t n : flooded) EXPECT_LT(n, 64 << 20);
}

// Mid-walk, object 50 is deleted upstream and 151 created: the second page
// starts at 102, so 101 is never seen, while the count (150) and the objects
// seen (150) agree. 101 must not be deleted.
TEST(Sync, ARewalkNeverDeletesALiveObjectWhenPagesShift) {
  TempDir dir;
  Scripted upstream("ok,ok,ok,shift", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  ASSERT_EQ(sync_scripted(mirror, upstream).exit_code, 0);
  const auto rewalk = sync_scripted(mirror, upstream, {"--rewalk-every", "0s"});
  ASSERT_EQ(rewalk.exit_code, 0) << rewalk.err;
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status WHERE id = 101"), 1)
      << rewalk.err;
  EXPECT_EQ(upstream.count("/2.3.0/config/launch_statuses/101/"), 1) << read_text(upstream.log);
  // The next walk finds 50 gone, and a 404 confirms it.
  const auto again = sync_scripted(mirror, upstream, {"--rewalk-every", "0s"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("50 is gone upstream (404); deleted"), std::string::npos) << again.err;
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 150);
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status WHERE id IN (50, 151)"), 1);
}

TEST(Sync, RedirectsAreFollowedOnlyOnTheUpstreamsOrigin) {
  TempDir dir;
  // The first page moved on this origin (followed); the second sent elsewhere.
  Scripted upstream("here,ok,away", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  const auto r = sync_scripted(mirror, upstream);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("upstream answered 302 for"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("redirected to another origin (http://127.0.0.1:"), std::string::npos)
      << r.err;
  EXPECT_EQ(upstream.count("away:"), 0) << read_text(upstream.log);
  EXPECT_EQ(upstream.count("/2.3.0/config/launch_statuses/?format=json&limit=100&moved=1"), 1)
      << read_text(upstream.log);
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 100);
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status WHERE id > 900"), 0);
}

TEST(Sync, AnAbsurdRetryAfterIsCutAndSavedWaitsCanBeForgotten) {
  TempDir dir;
  Scripted upstream("429:1000000000000", dir.file("calls.log"), "none");
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  // Obeyed, it would wait until the year 33,000; cut to one window (1 s).
  const auto r = sync_scripted(mirror, upstream, {}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 150);

  // A wait of half an hour, saved: --status shows it, --reset-budget forgets it.
  const std::string fresh = dir.file("fresh.sqlite3");
  {
    auto opened = store::open_store(backend_db(fresh), ll2::model::registry());
    ASSERT_TRUE(opened.store) << opened.error;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    store::WriteBatch batch;
    batch.sync_state.emplace_back("calls", "15/hour");
    batch.sync_state.emplace_back(
        "budget", fmt::format(R"({{"calls":[],"not_before":{},"failures":0}})", now + 1'800'000));
    ASSERT_FALSE(opened.store->write(batch));
  }
  const auto before = run_ll2d({"sync", "--db", fresh, "--status"});
  EXPECT_NE(before.out.find("(launches/upcoming walk) at 20"), std::string::npos) << before.out;
  const auto reset = run_ll2d({"sync", "--db", fresh, "--reset-budget"});
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  const auto after = run_ll2d({"sync", "--db", fresh, "--status"});
  EXPECT_NE(after.out.find("once sync runs"), std::string::npos) << after.out;
}

TEST(Sync, AWalkEndsAtTheCountWhateverNextSays) {
  TempDir dir;
  Scripted upstream("next*", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  const auto r = sync_scripted(mirror, upstream, {}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(upstream.list_calls(), 2);  // 150 objects: two pages, though `next` says more
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 150);
}

TEST(Sync, OnceGivesUpOnAnUpstreamThatFailsForever) {
  for (const char* script : {"500*", "notjson*"}) {
    TempDir dir;
    Scripted upstream(script, dir.file("calls.log"), "none");  // --calls alone: short pauses
    ASSERT_NE(upstream.port, 0);
    const auto r = sync_scripted(dir.file("mirror.sqlite3"), upstream, {}, 30);
    EXPECT_EQ(r.exit_code, 1) << script << r.err;
    EXPECT_EQ(upstream.list_calls(), 5) << script << r.err;  // the first page, tried 5 times
  }
}

TEST(Sync, TheUpstreamsPasswordIsMasked) {
  TempDir dir;
  Scripted upstream("notjson", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  const auto r = run_ll2d({"sync", "--db", mirror, "--upstream",
                           fmt::format("http://alice:PASSWORD@127.0.0.1:{}", upstream.port),
                           "--calls", "100/1s", "--resources", "config/launch_statuses", "--once"});
  EXPECT_NE(r.err.find("http://alice:***@127.0.0.1:"), std::string::npos) << r.err;
  const auto status = run_ll2d({"sync", "--db", mirror, "--status"});
  EXPECT_NE(status.out.find("upstream: http://alice:***@127.0.0.1:"), std::string::npos)
      << status.out;
  for (const auto& text : {r.out, r.err, status.out, status.err})
    EXPECT_EQ(text.find("PASSWORD"), std::string::npos) << text;
  const auto bad = run_ll2d({"sync", "--db", mirror, "--upstream", "ftp://alice:PASSWORD@x/"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err.find("PASSWORD"), std::string::npos) << bad.err;
}

TEST(Sync, SigtermEndsARunWithoutWaitingForACallInFlight) {
  TempDir dir;
  Scripted upstream("slow:30", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const pid_t pid = spawn_ll2d({"sync", "--db", dir.file("mirror.sqlite3"), "--upstream",
                                upstream.url(), "--resources", "config/launch_statuses"},
                               dir.file("err"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (upstream.calls().size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(upstream.calls().size(), 2U);  // api-throttle, then the slow page
  const auto signalled = std::chrono::steady_clock::now();
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(5));
  EXPECT_TRUE(WIFEXITED(status)) << read_text(dir.file("err"));
}

TEST(Sync, OneSyncPerDatabase) {
  TempDir dir;
  Scripted upstream("slow:30", dir.file("calls.log"));
  ASSERT_NE(upstream.port, 0);
  const std::string mirror = dir.file("mirror.sqlite3");
  const std::vector<std::string> args{"sync",
                                      "--db",
                                      mirror,
                                      "--upstream",
                                      upstream.url(),
                                      "--resources",
                                      "config/launch_statuses"};
  const pid_t first = spawn_ll2d(args, dir.file("err"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (upstream.calls().size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto second_args = args;
  second_args.emplace_back("--once");
  const auto second = run_ll2d(second_args);
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("another ll2d sync"), std::string::npos) << second.err;
  const auto status = run_ll2d({"sync", "--db", mirror, "--status"});
  EXPECT_NE(status.out.find(fmt::format(":{}:", first)), std::string::npos) << status.out;
  kill(first, SIGTERM);
  waitpid(first, nullptr, 0);
  // Stopped: the lease is given back, and the next run may go at once (the
  // abandoned call was no upstream failure, so there is no back-off).
  const auto started = std::chrono::steady_clock::now();
  const auto third = run_ll2d(second_args);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10)) << third.err;
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(query_int64(mirror, "SELECT count(*) FROM launch_status"), 150);
}

TEST(Sync, RefusesBadArguments) {
  TempDir dir;
  const std::string db = dir.file("x.sqlite3");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"sync", "--db", db},
           {"sync", "--db", db, "--upstream", "ftp://x"},
           {"sync", "--db", db, "--upstream", "http://127.0.0.1:9", "--calls", "15/week"},
           {"sync", "--db", db, "--upstream", "http://127.0.0.1:9", "--resources", "nope"}}) {
    const auto r = run_ll2d(args);
    EXPECT_EQ(r.exit_code, 2) << fmt::format("{}", fmt::join(args, " ")) << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

}  // namespace
}  // namespace ll2::test
