// The change feed over HTTP and on the command line, on whichever backend
// the suite runs: /ll2d/changes/ (a cursor over the change log), its
// stream (Server-Sent Events, resumable with Last-Event-ID, several servers
// on one database), and `ll2d changes`. What the log records is tested on
// the store in tests/unit/change_log_test.cpp; a sync's entries in
// sync_test.cpp.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "raw_client.hpp"

namespace ll2::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kLaunch0 = "e3df2ecd-c239-472f-95e4-2b89b4f75800";
constexpr const char* kLaunch1 = "f8c9f344-a6df-4f30-873a-90fe3a7840b3";

std::string fixture() {
  return std::string(LL2D_FIXTURES) + "/real/launches-limit2-normal.json";
}

// The fixture's two launches (LSP 66, status 3, Success) rewritten by `edit`.
std::string edited_launches(TempDir& dir, const std::string& name,
                            const std::function<void(rapidjson::Value& results,
                                                     rapidjson::Document::AllocatorType&)>& edit) {
  std::ifstream in(fixture(), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document d;
  d.Parse(text.str().c_str());
  edit(d["results"], d.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  d.Accept(w);
  std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << buffer.GetString();
  return path;
}

// Launch 0's NET moved and its status now 4 (Failure); launch 1's webcast live.
std::string moved_launches(TempDir& dir) {
  return edited_launches(dir, "moved.json", [](rapidjson::Value& r, auto& a) {
    r[0]["net"].SetString("2030-01-02T03:04:05Z", a);
    r[0]["status"]["id"].SetInt(4);
    r[0]["status"]["name"].SetString("Launch Failure", a);
    r[0]["status"]["abbrev"].SetString("Failure", a);
    r[1]["webcast_live"].SetBool(true);
  });
}

void import_file(const std::string& db, const std::string& file) {
  const auto r = run_ll2d({"import", "--db", db, file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

rapidjson::Document parsed(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

// A page of the feed, which must be a 200.
rapidjson::Document page(const Server& s, const std::string& query) {
  const auto r = s.get("/ll2d/changes/" + query);
  EXPECT_EQ(r.status, 200) << r.body;
  return parsed(r.body);
}

std::vector<std::string> types_of(const rapidjson::Value& entry) {
  std::vector<std::string> out;
  for (const auto& t : entry["types"].GetArray()) out.emplace_back(t.GetString());
  return out;
}

// The entries of an event stream's text: (id, data) in order.
std::vector<std::pair<int64_t, std::string>> events(std::string text) {
  text.insert(0, "\n");  // a read may begin with an event
  std::vector<std::pair<int64_t, std::string>> out;
  for (size_t at = text.find("\nid: "); at != std::string::npos; at = text.find("\nid: ", at + 1)) {
    const size_t data = text.find("\ndata: ", at);
    if (data == std::string::npos) break;
    const size_t end = text.find('\n', data + 7);
    if (end == std::string::npos) break;
    out.emplace_back(std::stoll(text.substr(at + 5)), text.substr(data + 7, end - data - 7));
  }
  return out;
}

std::string stream_request(const std::string& query, const std::string& extra = "") {
  return get_request("/ll2d/changes/stream" + query, "127.0.0.1", extra);
}

TEST(ChangeFeed, AnImportIsLoggedOnceAndReadByCursor) {
  TempDir dir;
  const std::string db = dir.file("feed.sqlite3");
  import_file(db, fixture());
  Server s(db, {"--no-access-log"});

  auto first = page(s, "?kinds=launch");
  ASSERT_EQ(first["results"].Size(), 2U);
  for (const auto& e : first["results"].GetArray()) {
    EXPECT_STREQ(e["op"].GetString(), "created");
    EXPECT_EQ(types_of(e), std::vector<std::string>{"launch.created"});
    // Every field the import wrote, by name (the log keeps a long list once).
    std::vector<std::string> fields;
    for (const auto& f : e["fields"].GetArray()) fields.emplace_back(f.GetString());
    EXPECT_GT(fields.size(), 20U);
    for (const char* name : {"name", "net", "status", "pad", "mission"})
      EXPECT_NE(std::find(fields.begin(), fields.end(), name), fields.end()) << name;
  }
  EXPECT_STREQ(first["results"][0]["id"].GetString(), kLaunch0);
  EXPECT_EQ(std::string(first["results"][0]["url"].GetString()),
            fmt::format("http://127.0.0.1:{}/2.3.0/launches/{}/", s.port(), kLaunch0));
  const int64_t end = first["next_since"].GetInt64();
  EXPECT_GE(end, first["results"][1]["seq"].GetInt64());  // the log's end
  EXPECT_FALSE(first["more"].GetBool());

  // The same file again changes nothing, so nothing is logged.
  import_file(db, fixture());
  EXPECT_EQ(page(s, fmt::format("?since={}", end))["results"].Size(), 0U);

  import_file(db, moved_launches(dir));
  auto moved = page(s, fmt::format("?since={}", end));
  ASSERT_EQ(moved["results"].Size(), 3U);
  EXPECT_STREQ(moved["results"][0]["kind"].GetString(), "launch_status");  // Failure, new
  const auto& l0 = moved["results"][1];
  EXPECT_STREQ(l0["id"].GetString(), kLaunch0);
  EXPECT_EQ(types_of(l0), (std::vector<std::string>{"launch.updated", "launch.net_changed",
                                                    "launch.status_changed"}));
  EXPECT_STREQ(l0["changes"]["net"]["old"].GetString(), "1957-10-04T19:28:34Z");
  EXPECT_STREQ(l0["changes"]["net"]["new"].GetString(), "2030-01-02T03:04:05Z");
  EXPECT_STREQ(l0["changes"]["status"]["old"]["abbrev"].GetString(), "Success");
  EXPECT_STREQ(l0["changes"]["status"]["new"]["abbrev"].GetString(), "Failure");
  EXPECT_EQ(l0["changes"]["status"]["new"]["id"].GetInt(), 4);
  const auto& l1 = moved["results"][2];
  EXPECT_STREQ(l1["id"].GetString(), kLaunch1);
  EXPECT_EQ(types_of(l1), (std::vector<std::string>{"launch.updated", "launch.webcast_live"}));
  EXPECT_TRUE(l1["changes"]["webcast_live"]["new"].GetBool());

  // Types and kinds select; the next link goes on from where a page ended.
  auto net = page(s, "?types=launch.net_changed");
  ASSERT_EQ(net["results"].Size(), 1U);
  EXPECT_STREQ(net["results"][0]["id"].GetString(), kLaunch0);
  auto two = page(s, fmt::format("?since={}&limit=2", end));
  ASSERT_EQ(two["results"].Size(), 2U);
  EXPECT_TRUE(two["more"].GetBool());
  const std::string next = two["next"].GetString();
  auto rest = page(s, next.substr(next.find('?')));
  ASSERT_EQ(rest["results"].Size(), 1U);
  EXPECT_STREQ(rest["results"][0]["id"].GetString(), kLaunch1);

  // The command line prints the same entries, one JSON object a line.
  const auto printed = run_ll2d({"changes", "--db", db, "--since", std::to_string(end)});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  std::istringstream lines(printed.out);
  std::vector<int64_t> seqs;
  for (std::string line; std::getline(lines, line);) seqs.push_back(parsed(line)["seq"].GetInt64());
  ASSERT_EQ(seqs.size(), 3U) << printed.out;
  EXPECT_EQ(seqs[1], l0["seq"].GetInt64());
}

TEST(ChangeFeed, BadParametersAreNamedIn400s) {
  TempDir dir;
  const std::string db = dir.file("feed.sqlite3");
  import_file(db, fixture());
  Server s(db, {"--no-access-log"});
  const auto bad = s.get("/ll2d/changes/?since=-1&limit=0&kinds=nope&types=launch.nope");
  EXPECT_EQ(bad.status, 400);
  auto body = parsed(bad.body);
  for (const char* name : {"since", "limit", "kinds", "types"})
    EXPECT_TRUE(body.HasMember(name)) << name << ": " << bad.body;
  EXPECT_EQ(s.request("POST", "/ll2d/changes/").status, 405);
  EXPECT_EQ(s.get("/ll2d/changes/?lsp__id=x").status, 400);
  const auto stream = fetch_once(s.port(), stream_request("?lsp__id=x"));
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 400);
  EXPECT_NE(stream->body.find("lsp__id"), std::string::npos) << stream->body;
  const auto cli = run_ll2d({"changes", "--db", db, "--types", "launch.nope"});
  EXPECT_EQ(cli.exit_code, 2);
  EXPECT_NE(cli.err.find("--types"), std::string::npos) << cli.err;
}

TEST(ChangeFeed, AStreamResumedWithLastEventIdMissesNothing) {
  TempDir dir;
  const std::string db = dir.file("feed.sqlite3");
  import_file(db, fixture());
  Server s(db, {"--no-access-log"});

  int64_t last = 0;
  {
    RawConnection c(s.port());
    ASSERT_TRUE(c.send(stream_request("?kinds=launch")));
    const std::string text = c.read_until(kLaunch1, 5s);
    EXPECT_NE(text.find("Content-Type: text/event-stream"), std::string::npos) << text;
    const auto got = events(text);
    ASSERT_EQ(got.size(), 2U) << text;
    last = got.back().first;
  }
  // Changed while nobody listens; the stream resumed after `last` gets it.
  import_file(db, moved_launches(dir));
  RawConnection c(s.port());
  ASSERT_TRUE(c.send(stream_request("?kinds=launch", fmt::format("Last-Event-ID: {}\r\n", last))));
  const auto resumed = events(c.read_until("launch.webcast_live", 5s));
  ASSERT_EQ(resumed.size(), 2U);
  EXPECT_GT(resumed[0].first, last);
  EXPECT_NE(resumed[0].second.find("launch.net_changed"), std::string::npos);

  // And what happens while it listens arrives as it happens.
  const auto started = std::chrono::steady_clock::now();
  import_file(db, fixture());  // everything back as it was
  const auto live = events(c.read_until(kLaunch1, 5s));
  ASSERT_EQ(live.size(), 2U);
  EXPECT_GT(live[0].first, resumed.back().first);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST(ChangeFeed, ServersOnOneDatabaseAllStreamAnotherProcesssImportWithinASecond) {
  TempDir dir;
  const std::string db = dir.file("feed.sqlite3");
  import_file(db, fixture());
  Server a(db, {"--no-access-log"});
  Server b(db, {"--no-access-log"});
  const int64_t end = page(a, "")["next_since"].GetInt64();
  std::vector<RawConnection> streams;
  for (const Server* s : {&a, &b}) {
    streams.emplace_back(s->port());
    ASSERT_TRUE(streams.back().send(stream_request(fmt::format("?since={}", end))));
    EXPECT_NE(streams.back().read_until("retry:", 5s).find("retry:"), std::string::npos);
  }
  const std::string moved = moved_launches(dir);
  import_file(db, moved);
  const auto imported = std::chrono::steady_clock::now();
  for (auto& stream : streams) {
    const auto got = events(stream.read_until("launch.webcast_live", 3s));
    EXPECT_LT(std::chrono::steady_clock::now() - imported, 1s);
    ASSERT_EQ(got.size(), 3U);
    EXPECT_EQ(got.front().first, end + 1);
  }
}

TEST(ChangeFeed, LaunchFiltersNarrowThePageAndTheStream) {
  TempDir dir;
  const std::string db = dir.file("feed.sqlite3");
  // Launch 1 is now another provider's (44) and moved.
  import_file(db, fixture());
  const int64_t before = [&] {
    Server s(db, {"--no-access-log"});
    return page(s, "")["next_since"].GetInt64();
  }();
  import_file(db, edited_launches(dir, "lsp.json", [](rapidjson::Value& r, auto& a) {
                r[0]["net"].SetString("2031-01-01T00:00:00Z", a);
                r[1]["net"].SetString("2031-01-01T00:00:00Z", a);
                r[1]["launch_service_provider"]["id"].SetInt(44);
              }));
  Server s(db, {"--no-access-log"});
  auto mine = page(s, fmt::format("?since={}&lsp__id=44", before));
  ASSERT_EQ(mine["results"].Size(), 1U);
  EXPECT_STREQ(mine["results"][0]["id"].GetString(), kLaunch1);
  RawConnection c(s.port());
  ASSERT_TRUE(c.send(stream_request(fmt::format("?since={}&lsp__id=66", before))));
  const auto got = events(c.read_until(kLaunch0, 5s));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_NE(got[0].second.find(kLaunch0), std::string::npos);
}

// Waits (up to `timeout`) until the feed holds `n` entries of `type`;
// returns them.
rapidjson::Document wait_for_entries(const Server& s, const std::string& type, size_t n,
                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto d = page(s, "?types=" + type);
    if (d["results"].Size() >= n || std::chrono::steady_clock::now() > deadline) return d;
    std::this_thread::sleep_for(100ms);
  }
}

// On a fixed clock half an hour before launch 0's NET, two servers on one
// database: the hour's reminder comes once (one node holds the lease), and a
// NET moved to five minutes ahead is a new time with its own reminder.
TEST(ChangeFeed, RemindersComeOnceFromOneNodeAndMoveWithTheNet) {
  TempDir dir;
  const std::string db = dir.file("feed.sqlite3");
  import_file(db, fixture());  // launch 0: NET 1957-10-04T19:28:34Z
  const std::vector<std::string> flags = {"--no-access-log", "--now", "1957-10-04T19:00:00Z"};
  Server a(db, flags);
  Server b(db, flags);
  auto first = wait_for_entries(a, "launch.reminder", 1, 10s);
  ASSERT_EQ(first["results"].Size(), 1U);
  const auto& hour = first["results"][0];
  EXPECT_STREQ(hour["id"].GetString(), kLaunch0);
  EXPECT_EQ(hour["reminder"]["before_seconds"].GetInt(), 3600);
  EXPECT_STREQ(hour["reminder"]["at"].GetString(), "1957-10-04T19:28:34Z");
  std::this_thread::sleep_for(2500ms);  // both nodes have had passes meanwhile
  EXPECT_EQ(page(b, "?types=launch.reminder")["results"].Size(), 1U);

  const std::string soon = edited_launches(dir, "soon.json", [](rapidjson::Value& r, auto& a) {
    r[0]["net"].SetString("1957-10-04T19:05:00Z", a);
  });
  import_file(db, soon);
  auto second = wait_for_entries(b, "launch.reminder", 2, 10s);
  ASSERT_EQ(second["results"].Size(), 2U);
  EXPECT_EQ(second["results"][1]["reminder"]["before_seconds"].GetInt(), 600);
  EXPECT_STREQ(second["results"][1]["reminder"]["at"].GetString(), "1957-10-04T19:05:00Z");
}

}  // namespace
}  // namespace ll2::test
