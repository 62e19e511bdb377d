// `ll2d serve` and `ll2d import` against hostile or careless peers: request
// smuggling, bad Host headers, oversized requests, clients that never send or
// never read, descriptor exhaustion, absurdly nested JSON. Raw sockets, so the
// tests send exactly the bytes they mean; every wait is bounded.
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "raw_client.hpp"

using namespace ll2::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kDjangoBadRequest =
    "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n"
    "<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n";

constexpr const char* kBigList = "/2.3.0/docking_events/?mode=detailed&limit=100";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

using Conn = RawConnection;

std::string local(const Server& s) {
  return "127.0.0.1:" + std::to_string(s.port());
}

double cpu_seconds(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> fields;  // from field 3 (state) on
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() < 13) return 0;
  return (std::stod(fields[11]) + std::stod(fields[12])) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Databases shared by the tests: 100 generated events (the detailed list of
// them is ~1.1 MB, as in the report), and the golden event with a description
// so long that its detail (~10 MB) cannot fit in the kernel's socket buffers
// (an unindexed field: PostgreSQL cannot index a value of megabytes).
class Hardening : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    const auto g =
        run_ll2d({"generate", "--events", "100", "--seed", "1", "--out", dir->file("gen")});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    const auto i = run_ll2d({"import", "--db", db(), dir->file("gen")});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    const std::string golden = golden_text();
    std::ofstream(dir->file("huge.json"))
        << replace_all(golden, "\"description\": \"The Moon is Earth's only natural satellite.\"",
                       "\"description\": \"" + std::string(size_t{5} * 1024 * 1024, 'x') + "\"");
    const auto h = run_ll2d({"import", "--db", huge_db(), dir->file("huge.json")});
    ASSERT_EQ(h.exit_code, 0) << h.err;
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static std::string db() { return dir->file("db.sqlite3"); }
  static std::string huge_db() { return dir->file("huge.sqlite3"); }
  static TempDir* dir;
};
TempDir* Hardening::dir = nullptr;

}  // namespace

// ------------------------------------------------------ 9. request smuggling

TEST_F(Hardening, TransferEncodingNotEndingInChunkedIs400AndCloses) {
  Server server(db());
  const std::string host = local(server);
  for (const std::string& te : std::vector<std::string>{"gzip", "xchunked", "chunked, gzip",
                                                        "gzip, identity", "chunked2"}) {
    Conn c(server.port());
    // Without the fix the body is taken for a second request and answered.
    ASSERT_TRUE(c.send("POST /2.3.0/ HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: " + te +
                       "\r\n\r\n" + get_request("/2.3.0/docking_events/", host)));
    const auto [data, closed] = c.read_to_close(10s);
    EXPECT_TRUE(closed) << te;
    EXPECT_EQ(count_of(data, "HTTP/1.1 "), 1U) << te << "\n" << data;
    EXPECT_TRUE(data.starts_with("HTTP/1.1 400 ")) << te << "\n" << data;
    EXPECT_NE(lower(data).find("connection: close"), std::string::npos) << data;
  }
  EXPECT_NE(server.stderr_text().find("method=POST path=\"/2.3.0/\" status=400"),
            std::string::npos);
}

TEST_F(Hardening, ContentLengthWithTransferEncodingIs400AndCloses) {
  Server server(db());
  const std::string host = local(server);
  const std::string smuggled = get_request("/2.3.0/docking_events/", host);
  const std::string cl = "Content-Length: " + std::to_string(smuggled.size()) + "\r\n";
  const std::vector<std::string> framings = {
      "Transfer-Encoding: gzip\r\n" + cl,
      cl + "Transfer-Encoding: gzip\r\n",
      "Transfer-Encoding: chunked\r\n" + cl,
      cl + "Transfer-Encoding: chunked\r\n",
  };
  for (const auto& framing : framings) {
    Conn c(server.port());
    ASSERT_TRUE(c.send("POST /2.3.0/ HTTP/1.1\r\nHost: " + host + "\r\n" + framing + "\r\n" +
                       smuggled + smuggled));
    const auto [data, closed] = c.read_to_close(10s);
    EXPECT_TRUE(closed) << framing;
    EXPECT_EQ(count_of(data, "HTTP/1.1 "), 1U) << framing << "\n" << data;
    EXPECT_TRUE(data.starts_with("HTTP/1.1 400 ")) << framing << "\n" << data;
  }
  // HTTP/1.0 has no transfer codings: its framing is faulty whatever it says.
  Conn c(server.port());
  ASSERT_TRUE(c.send("POST /2.3.0/ HTTP/1.0\r\nHost: " + host +
                     "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled));
  const auto [data, closed] = c.read_to_close(10s);
  EXPECT_TRUE(closed);
  EXPECT_EQ(count_of(data, "HTTP/1."), 1U) << data;
  EXPECT_TRUE(data.starts_with("HTTP/1.1 400 ")) << data;
}

TEST_F(Hardening, WellFramedBodiesAreReadAndDropped) {
  Server server(db());
  const std::string host = local(server);
  Conn c(server.port());
  ASSERT_TRUE(c.send("POST /2.3.0/docking_events/ HTTP/1.1\r\nHost: " + host +
                     "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
                     "POST /2.3.0/docking_events/ HTTP/1.1\r\nHost: " + host +
                     "\r\nContent-Length: 5\r\n\r\nhello" + get_request("/2.3.0/", host)));
  for (const int status : {405, 405, 200}) {
    const auto r = c.read_response(10s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, status);
  }
}

// ----------------------------------------------------------------- 10. Host

TEST_F(Hardening, MissingOrRepeatedHostIsDjangos400) {
  Server server(db());
  const std::string host = local(server);
  for (const std::string& request : std::vector<std::string>{
           "GET /2.3.0/ HTTP/1.1\r\n\r\n",
           "GET /2.3.0/ HTTP/1.1\r\nHost: " + host + "\r\nHost: " + host + "\r\n\r\n",
           "GET /2.3.0/ HTTP/1.1\r\nHost: " + host + "\r\nHost: evil.example\r\n\r\n"}) {
    const auto r = fetch_once(server.port(), request);
    ASSERT_TRUE(r.has_value()) << request;
    EXPECT_EQ(r->status, 400) << request;
    EXPECT_EQ(header(*r, "content-type"), "text/html");
    EXPECT_EQ(r->body, kDjangoBadRequest);
  }
}

TEST_F(Hardening, InvalidHostNamesAre400AndNeverReflected) {
  Server server(db());
  for (const std::string& bad : std::vector<std::string>{
           "", "evil.example/x", "exa_mple.com", "example.com:", "example.com:8o",
           "example.com:80:80", "user@example.com", "[::1", "[::1]x", "[]", "[g::1]", "[1.2::1]",
           ".", "\"><script>", "ex\xc3\xa9.com", "example.com%2F", "a b"}) {
    const auto r = fetch_once(server.port(), get_request("/2.3.0/", bad));
    ASSERT_TRUE(r.has_value()) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->body, kDjangoBadRequest) << bad;
  }
  // Valid names are reflected as sent (Django's get_host keeps the case).
  for (const std::string& good :
       std::vector<std::string>{"Example.COM:8000", "localhost.", "[::1]:8000", "[::1]", "[:1]",
                                "[::ffff:127.0.0.1]", "10.0.0.1", "a-b.c-d"}) {
    const auto r = fetch_once(server.port(), get_request("/2.3.0/", good));
    ASSERT_TRUE(r.has_value()) << good;
    EXPECT_EQ(r->status, 200) << good;
    EXPECT_NE(r->body.find("\"docking_events\":\"http://" + good + "/2.3.0/docking_events/\""),
              std::string::npos)
        << r->body;
  }
}

TEST_F(Hardening, AllowedHostsFollowDjangosRules) {
  Server server(db(), {"--allowed-hosts", ".example.org,api.test"});
  for (const std::string& ok : std::vector<std::string>{
           "example.org", "www.example.org:81", "a.b.EXAMPLE.org", "example.org.", "api.test:1"}) {
    const auto r = fetch_once(server.port(), get_request("/2.3.0/", ok));
    ASSERT_TRUE(r.has_value()) << ok;
    EXPECT_EQ(r->status, 200) << ok;
  }
  for (const std::string& no : std::vector<std::string>{
           "sub.api.test", "notexample.org", "example.org.evil", "evil.org", local(server)}) {
    const auto r = fetch_once(server.port(), get_request("/2.3.0/docking_events/", no));
    ASSERT_TRUE(r.has_value()) << no;
    EXPECT_EQ(r->status, 400) << no;
    EXPECT_EQ(r->body, kDjangoBadRequest) << no;
  }
}

// Load balancers probe a node by its address: ll2d's own probes answer
// whatever the Host, everything else keeps Django's check, and a refusal is
// said in the log.
TEST_F(Hardening, ProbesAnswerWhateverTheHostAndRefusalsAreLogged) {
  Server server(db(), {"--allowed-hosts", "ll.example.org"});
  for (const std::string& path : {"/healthz", "/readyz", "/readyz?x=1"}) {
    const auto r = fetch_once(server.port(), get_request(path, "10.0.0.5:8000"));
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    const auto no_host = fetch_once(server.port(), "GET " + path + " HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(no_host.has_value()) << path;
    EXPECT_EQ(no_host->status, 200) << path;
  }
  const auto r = fetch_once(server.port(), get_request("/health_check/", "10.0.0.5"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);  // LL2's own status page keeps Django's check
  const auto api = fetch_once(server.port(), get_request("/2.3.0/", "evil.example"));
  ASSERT_TRUE(api.has_value());
  EXPECT_EQ(api->status, 400);
  EXPECT_NE(
      server.stderr_text().find("ll2d: refused Host \"evil.example\": not in --allowed-hosts"),
      std::string::npos)
      << server.stderr_text();
}

TEST_F(Hardening, PublicUrlDoesNotExemptTheHostFromValidation) {
  Server server(db(), {"--public-url", "https://ll.example.org"});
  auto r = fetch_once(server.port(), get_request("/2.3.0/", "bad/host"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  r = fetch_once(server.port(), get_request("/2.3.0/", "mirror.internal:8000"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"docking_events\":\"https://ll.example.org/2.3.0/docking_events/\""),
            std::string::npos);
}

TEST_F(Hardening, Http10WithoutHostUsesTheListeningAddress) {
  Server server(db());
  Conn c(server.port());
  ASSERT_TRUE(c.send("GET /2.3.0/ HTTP/1.0\r\n\r\n"));
  const auto r = c.read_response(10s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(
      r->body.find("\"docking_events\":\"http://" + local(server) + "/2.3.0/docking_events/\""),
      std::string::npos);
  // With a Host it is validated like any other.
  const auto bad = fetch_once(server.port(), "GET /2.3.0/ HTTP/1.0\r\nHost: a/b\r\n\r\n");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
  // A refused HEAD gets the headers only.
  Conn head(server.port());
  ASSERT_TRUE(head.send("HEAD /2.3.0/ HTTP/1.1\r\nHost: a/b\r\n\r\n"));
  const auto [data, closed] = head.read_to_close(10s);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(data.starts_with("HTTP/1.1 400 ")) << data;
  EXPECT_TRUE(data.ends_with("\r\n\r\n")) << data;
}

// ------------------------------------------------ 13. limits and the log

TEST_F(Hardening, OversizedHeaderIs431AndBodyIs413) {
  // The defaults: 16 KiB of header, 64 KiB of body.
  Server defaults(db());
  auto r = fetch_once(defaults.port(), get_request("/2.3.0/", local(defaults),
                                                   "X-Big: " + std::string(20000, 'a') + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
  r = fetch_once(defaults.port(), "POST /2.3.0/ HTTP/1.1\r\nHost: " + local(defaults) +
                                      "\r\nContent-Length: 100000\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  // Configured limits.
  Server server(db(), {"--max-header-bytes", "4KiB", "--max-body-bytes", "1KiB"});
  const std::string host = local(server);
  r = fetch_once(server.port(),
                 get_request("/2.3.0/", host, "X-Big: " + std::string(5000, 'a') + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(header(*r, "connection"), "close");
  r = fetch_once(server.port(),
                 get_request("/2.3.0/", host, "X-Big: " + std::string(3000, 'a') + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  // Declared too large, and too large as it arrives (chunked).
  r = fetch_once(server.port(),
                 "POST /2.3.0/ HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 2000\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  r = fetch_once(server.port(), "POST /2.3.0/ HTTP/1.1\r\nHost: " + host +
                                    "\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                                    std::string(0x800, 'b') + "\r\n0\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  r = fetch_once(server.port(), "POST /2.3.0/ HTTP/1.1\r\nHost: " + host +
                                    "\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'c'));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
}

TEST_F(Hardening, AccessLogEscapesRequestBytesAndLogsRejections) {
  Server server(db());
  const std::string host = local(server);
  auto r = fetch_once(server.port(), get_request("/2.3.0/?q=\"x\\y\xc3\xa9&z=\x7e", host));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  r = fetch_once(server.port(),
                 get_request("/2.3.0/?big", host, "X-Big: " + std::string(20000, 'a') + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
  Conn garbage(server.port());
  ASSERT_TRUE(garbage.send("\x01\x02 nonsense\r\n\r\n"));
  EXPECT_TRUE(garbage.read_to_close(10s).second);
  r = fetch_once(server.port(), get_request("/2.3.0/?bad-host", "a/b"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(server.stop(), 0);

  const std::string log = server.stderr_text();
  EXPECT_NE(log.find("method=GET path=\"/2.3.0/?q=\\\"x\\\\y\\xc3\\xa9&z=~\" status=200 bytes="),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("method=GET path=\"/2.3.0/?big\" status=431 bytes="), std::string::npos)
      << log;
  EXPECT_NE(log.find("method=- path=- status=400 bytes="), std::string::npos) << log;
  EXPECT_NE(log.find("method=GET path=\"/2.3.0/?bad-host\" status=400 bytes="), std::string::npos)
      << log;
  // Every request line is one log line of printable ASCII.
  for (const char c : log) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '\n' || (u >= 0x20 && u < 0x7f)) << "byte " << static_cast<int>(u);
  }
}

// ---------------------------------------------- 3. clients that never read

TEST_F(Hardening, ConnectionsThatSendNothingAreClosedAfterTheHeaderTimeout) {
  Server server(db(), {"--header-timeout", "1", "--idle-timeout", "30"});
  Conn silent(server.port());
  Conn trickle(server.port());
  const auto started = Clock::now();
  // A header dribbled a byte at a time does not keep the connection.
  const std::string partial = "GET /2.3.0/ HTTP/1.1\r\nHost: ";
  bool trickle_closed = false;
  for (size_t i = 0; i < partial.size() && Clock::now() - started < 8s; ++i) {
    trickle.send(partial.substr(i, 1));
    if (trickle.wait_closed(200ms)) {
      trickle_closed = true;
      break;
    }
  }
  EXPECT_TRUE(trickle_closed || trickle.wait_closed(8s));
  EXPECT_TRUE(silent.wait_closed(8s));
  // A connection that has been served waits for the (longer) idle timeout.
  Conn served(server.port());
  ASSERT_TRUE(served.send(get_request("/2.3.0/", local(server))));
  ASSERT_TRUE(served.read_response(10s).has_value());
  EXPECT_FALSE(served.wait_closed(2500ms));
  ASSERT_TRUE(served.send(get_request("/2.3.0/", local(server))));
  EXPECT_TRUE(served.read_response(10s).has_value());
}

TEST_F(Hardening, ClientThatStopsReadingIsDroppedAfterTheWriteTimeout) {
  Server server(db(), {"--write-timeout", "1"});
  // The kernel takes all ~1.1 MB at once here, so what stalls is the
  // kernel's queue, not a write in progress; it is dropped all the same.
  Conn stalled(server.port(), 4096);
  ASSERT_TRUE(stalled.send(get_request(kBigList, local(server))));
  EXPECT_TRUE(stalled.wait_closed(10s));
  // Reading now gets part of the response and then the end.
  const auto [data, closed] = stalled.read_to_close(10s);
  EXPECT_TRUE(closed);
  EXPECT_LT(data.size(), 1000000U);
  // A client that reads slowly but steadily is not dropped.
  Conn slow(server.port(), 4096);
  ASSERT_TRUE(
      slow.send(get_request("/2.3.0/docking_events/?mode=detailed&limit=20", local(server))));
  std::string got;
  const auto slow_started = Clock::now();
  while (Clock::now() - slow_started < 30s) {
    std::this_thread::sleep_for(300ms);
    auto r = slow.read_response(10ms);
    if (r) {
      got = r->body;
      break;
    }
  }
  EXPECT_FALSE(got.empty());
}

TEST_F(Hardening, OutputBudgetAnswers503AndAStalledWriteIsDropped) {
  // The stalled write holds the budget for the write timeout: 10 s, so the
  // 503 below is seen however long rendering and each request take.
  Server server(huge_db(), {"--write-timeout", "10", "--max-output-bytes", "4MiB"});
  const std::string host = local(server);
  const auto head = server.request("HEAD", "/2.3.0/docking_events/609/");
  ASSERT_EQ(head.status, 200);
  ASSERT_GT(std::stoul(head.headers.at("content-length")), size_t{8} * 1024 * 1024);

  Conn stalled(server.port(), 4096);
  ASSERT_TRUE(stalled.send(get_request("/2.3.0/docking_events/609/", host)));
  // While its ~10 MB wait, everyone else is told to come back.
  std::optional<RawResponse> busy;
  for (const auto until = Clock::now() + 30s; Clock::now() < until;) {
    busy = fetch_once(server.port(), get_request("/2.3.0/", host));
    if (busy && busy->status == 503) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(header(*busy, "retry-after"), "1");
  EXPECT_EQ(header(*busy, "connection"), "close");
  // The write makes no progress: the client is dropped and the budget freed.
  EXPECT_TRUE(stalled.wait_closed(40s));
  std::optional<RawResponse> again;
  for (const auto until = Clock::now() + 10s; Clock::now() < until;) {
    again = fetch_once(server.port(), get_request("/2.3.0/", host));
    if (again && again->status == 200) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);
  EXPECT_NE(server.stderr_text().find("status=503"), std::string::npos);
}

TEST_F(Hardening, ManyNonReadingClientsDoNotGrowMemoryWithoutBound) {
  ASSERT_TRUE(raise_open_file_limit(4096));
  // Default settings, as in the report (1,000 such clients took RSS to 1.09 GB).
  Server server(db(), {"--no-access-log"});
  const std::string request = get_request(kBigList, local(server));
  ASSERT_TRUE(fetch_once(server.port(), request).has_value());  // warm the caches
  const size_t before = rss_bytes(server.pid());
  std::vector<Conn> clients;
  clients.reserve(600);
  for (int i = 0; i < 600; ++i) {
    clients.emplace_back(server.port());
    ASSERT_TRUE(clients.back().connected());
    ASSERT_TRUE(clients.back().send(request));
  }
  // The budget (64 MiB) bounds what is held; the rest are told 503. Without
  // it every client held its 1.1 MB (and more under the sanitizers).
  size_t peak = 0;
  for (const auto until = Clock::now() + 6s; Clock::now() < until;) {
    peak = std::max(peak, rss_bytes(server.pid()));
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_LT(peak - std::min(peak, before), size_t{500} * 1024 * 1024)
      << "before " << before << " peak " << peak;
  const auto probe = fetch_once(server.port(), get_request("/2.3.0/", local(server)));
  ASSERT_TRUE(probe.has_value());
  EXPECT_TRUE(probe->status == 200 || probe->status == 503) << probe->status;
}

// Round 3, item 12: 300 stalled clients of one cached ~1.1 MB page took
// ~540 KB each (a copy of the body per connection); the cache's one copy is
// now written to them all (bench/stalled_clients.py measures both cases).
TEST_F(Hardening, StalledClientsOfACachedPageShareItsBody) {
  ASSERT_TRUE(raise_open_file_limit(4096));
  Server server(db(), {"--no-access-log"});
  const std::string request = get_request(kBigList, local(server));
  ASSERT_TRUE(fetch_once(server.port(), request).has_value());  // cached now
  const size_t before = rss_bytes(server.pid());
  std::vector<Conn> clients;
  clients.reserve(300);
  for (int i = 0; i < 300; ++i) {
    clients.emplace_back(server.port(), 4096);
    ASSERT_TRUE(clients.back().connected());
    ASSERT_TRUE(clients.back().send(request));
  }
  size_t peak = 0;
  for (const auto until = Clock::now() + 3s; Clock::now() < until;) {
    peak = std::max(peak, rss_bytes(server.pid()));
    std::this_thread::sleep_for(100ms);
  }
  // 160 KiB a client at most: about 7 here (110 under AddressSanitizer), 230
  // with a copy of the body each.
  EXPECT_LT(peak - std::min(peak, before), size_t{300} * 160 * 1024)
      << "before " << before << " peak " << peak;
}

TEST_F(Hardening, AtTheConnectionLimitTheOldestIdleConnectionIsShed) {
  Server server(db(), {"--max-connections", "8"});
  const std::string request = get_request("/2.3.0/", local(server));
  std::vector<Conn> idle;
  for (int i = 0; i < 8; ++i) {
    idle.emplace_back(server.port());
    ASSERT_TRUE(idle.back().send(request));
    ASSERT_TRUE(idle.back().read_response(10s).has_value()) << i;
    // The server files a connection as idle just after writing its response;
    // a pause keeps that order the order of the clients.
    std::this_thread::sleep_for(100ms);
  }
  Conn newcomer(server.port());
  ASSERT_TRUE(newcomer.send(request));
  const auto r = newcomer.read_response(10s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(idle[0].wait_closed(10s));
  for (size_t i = 1; i < idle.size(); ++i) EXPECT_FALSE(idle[i].wait_closed(0ms)) << i;
  ASSERT_TRUE(idle[7].send(request));
  EXPECT_TRUE(idle[7].read_response(10s).has_value());
}

// Connections that have sent nothing go first, then the oldest idle
// keep-alive, then the oldest incomplete header: a newcomer is answered
// while any of them is left (round 3, item 7: slowloris and silent
// connections denied service at the limit).
TEST_F(Hardening, AtTheConnectionLimitTheCheapestConnectionIsShed) {
  Server server(db(), {"--max-connections", "8", "--header-timeout", "60"});
  const std::string request = get_request("/2.3.0/", local(server));
  const std::string partial = "GET /2.3.0/ HTTP/1.1\r\nHost: ";
  // In the order they are to be shed: 2 silent, 3 idle, 3 partial headers.
  // (Pauses keep the server's order the order of the clients.)
  std::vector<Conn> victims;
  for (int i = 0; i < 8; ++i) {
    victims.emplace_back(server.port());
    ASSERT_TRUE(victims.back().connected());
    if (i >= 2 && i < 5) {
      ASSERT_TRUE(victims.back().send(request));
      ASSERT_TRUE(victims.back().read_response(10s).has_value()) << i;
    } else if (i >= 5) {
      ASSERT_TRUE(victims.back().send(partial));
    }
    std::this_thread::sleep_for(100ms);
  }
  // Each newcomer is answered and then starts a header it does not finish:
  // the newest incomplete header, so shed after every victim.
  std::vector<Conn> newcomers;
  for (size_t i = 0; i < victims.size(); ++i) {
    newcomers.emplace_back(server.port());
    ASSERT_TRUE(newcomers.back().send(request));
    const auto r = newcomers.back().read_response(10s);
    ASSERT_TRUE(r.has_value()) << "newcomer " << i << " was not answered";
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(victims[i].wait_closed(10s)) << "victim " << i << " is still open";
    if (i + 1 < victims.size()) EXPECT_FALSE(victims[i + 1].wait_closed(0ms)) << i + 1;
    ASSERT_TRUE(newcomers.back().send(partial));
    std::this_thread::sleep_for(100ms);
  }
}

TEST_F(Hardening, AtTheConnectionLimitWithEveryRequestInProgressNewConnectionsAreClosed) {
  Server server(db(), {"--max-connections", "8", "--header-timeout", "60"});
  // Each has sent a whole header and part of its body: none may be shed.
  std::vector<Conn> busy;
  for (int i = 0; i < 8; ++i) {
    busy.emplace_back(server.port());
    ASSERT_TRUE(busy.back().send("POST /2.3.0/ HTTP/1.1\r\nHost: " + local(server) +
                                 "\r\nContent-Length: 100\r\n\r\nabc"));
  }
  ASSERT_TRUE(wait_for_connections(server.pid(), 8));
  std::this_thread::sleep_for(300ms);  // their headers read
  Conn refused(server.port());
  ASSERT_TRUE(refused.connected());
  refused.send(get_request("/2.3.0/", local(server)));
  const auto [data, closed] = refused.read_to_close(10s);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(data.empty()) << data;
  for (auto& c : busy) EXPECT_FALSE(c.wait_closed(0ms));
  busy[0].close();
  busy[1].close();
  std::optional<RawResponse> r;
  for (const auto until = Clock::now() + 10s; Clock::now() < until && !(r && r->status == 200);) {
    r = fetch_once(server.port(), get_request("/2.3.0/", local(server)), 2s);
    if (!r) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

// The default connection limit is what the open-file limit allows once its
// soft value is raised to the hard one (round 3, item 7: a soft limit of 256
// refused a new client behind 300 silent connections).
TEST_F(Hardening, TheDefaultConnectionLimitFollowsTheHardOpenFileLimit) {
  if (!have_prlimit()) GTEST_SKIP() << "prlimit is not installed";
  ASSERT_TRUE(raise_open_file_limit(4096));
  Server server(db(), {"--no-access-log"}, {"prlimit", "--nofile=256:2048"});
  EXPECT_EQ(open_file_limit(server.pid()), 2048);
  std::vector<Conn> silent;
  silent.reserve(300);
  for (int i = 0; i < 300; ++i) {
    silent.emplace_back(server.port());
    ASSERT_TRUE(silent.back().connected()) << i;
  }
  ASSERT_TRUE(wait_for_connections(server.pid(), 300));
  const auto r = fetch_once(server.port(), get_request("/2.3.0/", local(server)));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  size_t closed = 0;
  for (auto& c : silent) closed += c.wait_closed(0ms) ? 1 : 0;
  EXPECT_EQ(closed, 0U) << "room was made below the open-file limit";
}

// ------------------------------------------------ 4. out of descriptors

TEST_F(Hardening, UnderTheOpenFileLimitIdleConnectionsMakeRoom) {
  if (!have_prlimit()) GTEST_SKIP() << "prlimit is not installed";
  ASSERT_TRUE(raise_open_file_limit(4096));
  Server server(db(), {"--no-access-log"}, {"prlimit", "--nofile=1024:1024"});
  const std::string request = get_request("/2.3.0/", local(server));
  // 1,100 keep-alive clients, each served once and then idle: more than the
  // descriptors allow, so the oldest idle ones make room for the newest.
  std::vector<Conn> clients;
  clients.reserve(1100);
  for (int i = 0; i < 1100; ++i) {
    clients.emplace_back(server.port());
    ASSERT_TRUE(clients.back().send(request)) << i;
    const auto r = clients.back().read_response(10s);
    ASSERT_TRUE(r.has_value()) << "client " << i << " was not answered";
    ASSERT_EQ(r->status, 200);
  }
  const auto r = fetch_once(server.port(), request);  // (bounded: not left hanging)
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server.stop(), 0);
}

namespace {

// 1,100 connections that send nothing, against a server allowed 1,024
// descriptors (its hard limit too): past the connection limit each new one
// sheds the oldest silent one, without spinning, and a client that sends a
// request is answered at once.
void expect_silent_connections_shed_without_spinning(Server& server) {
  std::vector<Conn> silent;
  silent.reserve(1100);
  for (int i = 0; i < 1100; ++i) {
    silent.emplace_back(server.port());
    ASSERT_TRUE(silent.back().connected()) << i;
  }
  std::this_thread::sleep_for(1s);
  const double cpu_before = cpu_seconds(server.pid());
  std::this_thread::sleep_for(2s);
  const double cpu = cpu_seconds(server.pid()) - cpu_before;
  EXPECT_LT(cpu, 0.5) << "the server used " << cpu << " s of CPU in 2 s at its limit";
  size_t oldest_closed = 0;
  size_t newest_closed = 0;
  for (size_t i = 0; i < 100; ++i) oldest_closed += silent[i].wait_closed(0ms) ? 1 : 0;
  for (size_t i = 1000; i < silent.size(); ++i) newest_closed += silent[i].wait_closed(0ms) ? 1 : 0;
  EXPECT_GE(oldest_closed, 50U);
  EXPECT_EQ(newest_closed, 0U);
  const auto r = fetch_once(server.port(), get_request("/2.3.0/", local(server)), 10s);
  ASSERT_TRUE(r.has_value()) << "a new client is not answered";
  EXPECT_EQ(r->status, 200);
}

}  // namespace

TEST_F(Hardening, UnderTheOpenFileLimitSilentConnectionsMakeRoomWithoutSpinning) {
  if (!have_prlimit()) GTEST_SKIP() << "prlimit is not installed";
  ASSERT_TRUE(raise_open_file_limit(4096));
  Server server(db(), {"--no-access-log"}, {"prlimit", "--nofile=1024:1024"});
  expect_silent_connections_shed_without_spinning(server);
}

namespace {

// How many connections the server's report says it shed when accept() first
// ran out of descriptors; nullopt until that line is written.
std::optional<size_t> first_shed_count(const Server& server) {
  static const std::regex line(R"(connection limit lowered to \d+, (\d+) shed)");
  std::smatch m;
  const std::string text = server.stderr_text();
  if (!std::regex_search(text, m, line)) return std::nullopt;
  return std::stoul(m[1].str());
}

size_t count_closed(std::vector<Conn>& clients, size_t first, size_t end) {
  size_t closed = 0;
  for (size_t i = first; i < end; ++i) closed += clients[i].wait_closed(0ms) ? 1 : 0;
  return closed;
}

// UBSan checks a vptr it has not cached by probing the vtable's memory
// through a pipe; with no descriptor free the probe fails and a virtual call
// (on any thread, in any code) is reported as "invalid vptr" although the
// object is sound. Its cache is small, so which call misses it is chance. The
// sanitizer build lets vptr reports go on (CMakeLists.txt); this server, run
// out of descriptors on purpose, is told not to halt on them, and the test
// then accepts only reports of that shape. Builds without UBSan ignore it.
std::string out_of_descriptors_ubsan_options() {
  const char* inherited = std::getenv("UBSAN_OPTIONS");
  return "UBSAN_OPTIONS=" + std::string(inherited != nullptr ? inherited : "") + ":halt_on_error=0";
}

// The sanitizer reports in a server's stderr that are not the false "invalid
// vptr" of a process out of descriptors (each such report is three lines).
std::vector<std::string> other_sanitizer_reports(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<std::string> others;
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool report = lines[i].find("runtime error:") != std::string::npos ||
                        lines[i].find("Sanitizer") != std::string::npos;
    if (!report) continue;
    const bool false_vptr =
        lines[i].find("which does not point to an object of type") != std::string::npos &&
        i + 2 < lines.size() &&
        lines[i + 1].find("note: object has invalid vptr") != std::string::npos &&
        lines[i + 2] == "<memory cannot be printed>";
    if (!false_vptr) others.push_back(lines[i]);
  }
  return others;
}

}  // namespace

// Shed connections are closed 200 ms late (a test hook), which holds open
// the moment when accept() fails again although room is being made: the
// server must wait for that room, not shed more (nor the newcomer it took).
TEST_F(Hardening, WhenAcceptRunsOutOfDescriptorsTheLimitAdapts) {
  if (!have_prlimit()) GTEST_SKIP() << "prlimit is not installed";
  ASSERT_TRUE(raise_open_file_limit(4096));
  // The shed connections close 200 ms late, holding open the moment when
  // accept() fails again while room is already being made.
  Server server(db(), {"--no-access-log"},
                {"env", "LL2D_TEST_SHED_DELAY_MS=200", out_of_descriptors_ubsan_options()});
  const std::string request = get_request("/2.3.0/", local(server));
  std::vector<Conn> clients;
  clients.reserve(400);
  const auto serve_one = [&](size_t i) {
    clients.emplace_back(server.port());
    ASSERT_TRUE(clients.back().send(request)) << i;
    const auto r = clients.back().read_response(10s);
    ASSERT_TRUE(r.has_value()) << "client " << i << " was not answered";
    EXPECT_EQ(r->status, 200);
  };
  for (size_t i = 0; i < 300; ++i) serve_one(i);
  // Lower the server's open-file limit below what it holds: accept() now
  // fails with EMFILE although the connection limit (1024) is not reached.
  const std::string lower_limit =
      "prlimit --pid " + std::to_string(server.pid()) + " --nofile=256:256";
  ASSERT_EQ(std::system(lower_limit.c_str()), 0);
  const double cpu_before = cpu_seconds(server.pid());
  // The first accept() past the limit fails (a free descriptor below it can
  // delay that by a few clients) and sheds. The report is written before the
  // client it made room for is answered, so no client is added meanwhile.
  std::optional<size_t> shed;
  while (!shed && clients.size() < 350) {
    serve_one(clients.size());
    shed = first_shed_count(server);
  }
  ASSERT_TRUE(shed.has_value()) << server.stderr_text();
  ASSERT_GT(*shed, 0U);
  // Those shed are closed after the delay; later rounds of accept() failing
  // must not close more, however long they go on.
  for (int i = 0; i < 100 && count_closed(clients, 0, clients.size()) < *shed; ++i)
    std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(count_closed(clients, 0, clients.size()), *shed)
      << "more were shed than the report says\n"
      << server.stderr_text();
  EXPECT_FALSE(clients.back().wait_closed(0ms)) << "the newcomer was shed";
  while (clients.size() < 400) serve_one(clients.size());
  EXPECT_LT(cpu_seconds(server.pid()) - cpu_before, 5.0);
  EXPECT_TRUE(clients.front().wait_closed(20s)) << "the oldest idle connection is still open";
  EXPECT_NE(server.stderr_text().find("out of file descriptors; connection limit lowered to"),
            std::string::npos)
      << server.stderr_text();
  EXPECT_EQ(server.stop(), 0);
  EXPECT_EQ(other_sanitizer_reports(server.stderr_text()), std::vector<std::string>{})
      << server.stderr_text();
}

// ------------------------------------------------------ 8. deep JSON import

TEST(HardeningImport, DeepNestingIsRejectedAndTheOtherFilesImported) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("in"));
  std::ofstream(dir.file("in/a.json")) << std::string(100000, '[') << std::string(100000, ']');
  std::ofstream(dir.file("in/b.json")) << golden_text();
  // 64 levels are within the limit (and then rejected for what they are).
  std::ofstream(dir.file("in/c.json")) << std::string(64, '[') << std::string(64, ']');
  std::ofstream(dir.file("in/d.json")) << "{\"results\": " + std::string(70, '[');
  const auto r = run_ll2d({"import", "--db", dir.file("db.sqlite3"), dir.file("in")}, 60);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("rejected " + dir.file("in/a.json") +
                       ":1:65: $: nesting deeper than 64 levels (nothing from it was written)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("[2/4] " + dir.file("in/b.json") + ": 1 events"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("rejected " + dir.file("in/c.json") + ":1:2: $[0]: expected an object"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("rejected " + dir.file("in/d.json") + ":1:76: $: nesting deeper than 64"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 of 4 files imported"), std::string::npos) << r.err;
  Server server(dir.file("db.sqlite3"));
  EXPECT_EQ(server.get("/2.3.0/docking_events/609/").status, 200);
}
