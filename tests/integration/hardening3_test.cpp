// Round 3 of hardening (issue 18), the server's part: secrets in messages and
// probes, probes that cost a connection each, the Date header, SIGHUP, and
// IPv6 listening. The throttle's items are in throttle_test.cpp, the
// connection limit's in hardening_test.cpp. Every wait is bounded.
#include <csignal>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <regex>
#include <thread>

#include "harness.hpp"
#include "raw_client.hpp"
#include "store/store.hpp"

using namespace ll2::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::string local(const Server& s) {
  return "127.0.0.1:" + std::to_string(s.port());
}

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

class Hardening3 : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(import_golden(db).exit_code, 0); }
  TempDir dir;
  std::string db = dir.file("db.sqlite3");
};

}  // namespace

// ------------------------------------------------ 6. passwords in messages

TEST(UrlMasking, PasswordsAndPasswordParametersAreMasked) {
  using ll2::store::display_name;
  EXPECT_EQ(display_name("ll2.sqlite3"), "ll2.sqlite3");
  EXPECT_EQ(display_name("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(display_name("postgresql://u:pw@h:5432/db"), "postgresql://u:***@h:5432/db");
  // The user info ends at its last `@`, whatever the password holds.
  EXPECT_EQ(display_name("postgresql://u:Pw6@tail@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(display_name("postgres://u:a/b@h/db"), "postgres://u:***@h/db");
  EXPECT_EQ(display_name("postgres://u:a?b@h/db"), "postgres://u:***@h/db");
  EXPECT_EQ(display_name("postgresql://u@h/db?sslmode=require&password=X&PassWord=Y"),
            "postgresql://u@h/db?sslmode=require&password=***&PassWord=***");
  EXPECT_EQ(display_name("postgresql://h/db?user=a@b&sslpassword=k"),
            "postgresql://h/db?user=a@b&sslpassword=***");
}

TEST(UrlMasking, LibpqMessagesShowingAPasswordAreWithheld) {
  using ll2::store::without_secrets;
  const std::string url = "postgresql://u:Pw6@tail%40x@h/db?password=p4ss";
  EXPECT_EQ(without_secrets(url, "connection refused"), "connection refused");
  for (const char* shown : {"host \"tail@x@h\"", "\"Pw6\"", "p4ss", "tail@x"})
    EXPECT_NE(without_secrets(url, shown).find("withheld"), std::string::npos) << shown;
}

TEST(SecretsInMessages, CheckAndServeNeverPrintAPassword) {
  // Nothing listens on port 1: each fails at once, and says why.
  for (const std::string url : {
           "postgresql://u@127.0.0.1:1/db?password=SECRETX1",
           "postgresql://u:SECRETX1@[::1/db",                  // libpq cannot parse it
           "postgresql://u:SECRETX1@SECRETX2@127.0.0.1:1/db",  // an `@` in the password
           "postgresql://u:SECRETX1/SECRETX2@127.0.0.1:1/db",  // a `/` in the password
       }) {
    for (const auto& args : {std::vector<std::string>{"check", "--db", url},
                             std::vector<std::string>{"serve", "--db", url, "--port", "0"}}) {
      const auto r = run_ll2d(args, 60);
      const std::string all = r.out + r.err;
      EXPECT_NE(r.exit_code, 0) << args[0] << " " << url;
      EXPECT_EQ(all.find("SECRETX"), std::string::npos) << args[0] << " " << url << ": " << all;
      EXPECT_NE(all.find("postgresql://u"), std::string::npos) << all;  // still says which
    }
  }
}

TEST_F(Hardening3, HealthProbesShowNoDatabaseDetailsAndAreCheckedOnceASecond) {
  LL2D_SQLITE_ONLY();  // breaks the database by moving its file
  Server server(db);
  EXPECT_EQ(server.get("/readyz").status, 200);
  std::filesystem::rename(db, dir.file("moved.sqlite3"));
  std::filesystem::create_directory(db);
  // The last check may still be fresh: ask until it is not (bounded).
  HttpResponse ready;
  for (const auto until = Clock::now() + 10s; Clock::now() < until && ready.status != 503;) {
    ready = server.get("/readyz");
    if (ready.status != 503) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, R"({"status":"unavailable","reason":"the database is unavailable"})");
  const auto health = server.get("/health_check/?format=json");
  EXPECT_EQ(health.status, 500);
  EXPECT_EQ(health.body, R"({"DatabaseBackend":"unavailable: Database error"})");
  EXPECT_EQ(server.get("/health_check/").body.find(db), std::string::npos);
  // The details are on stderr; 30 probes in a row cost a check a second.
  const auto started = Clock::now();
  for (int i = 0; i < 30; ++i) {
    server.get(i % 2 == 0 ? "/readyz" : "/health_check/?format=json");
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started);
  const std::string err = server.stderr_text();
  const size_t checks = count_of(err, "ll2d: health check: the database is unavailable: ");
  EXPECT_GE(checks, 1U);
  EXPECT_LE(checks, 2U + static_cast<size_t>(seconds.count())) << err;
  EXPECT_NE(err.find(db), std::string::npos) << err;
  // Back when the database is.
  std::filesystem::remove(db);
  std::filesystem::rename(dir.file("moved.sqlite3"), db);
  int status = 0;
  for (const auto until = Clock::now() + 10s; Clock::now() < until && status != 200;) {
    status = server.get("/readyz").status;
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 200);
}

// ------------------------------------------------------------- 13. Date

TEST_F(Hardening3, EveryResponseHasAnImfFixdate) {
  Server server(db);
  const std::regex imf_fixdate(
      R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) )"
      R"(\d{4} \d\d:\d\d:\d\d GMT)");
  std::vector<std::string> dates;
  for (const char* target : {"/2.3.0/", "/2.3.0/docking_events/609/", "/nowhere", "/readyz"})
    dates.push_back(server.get(target).headers["date"]);
  // Answers the transport makes itself: a bad Host, a malformed request.
  for (const std::string& raw :
       {get_request("/2.3.0/", "bad host"), std::string("BAD REQUEST\r\n\r\n")}) {
    const auto r = fetch_once(server.port(), raw);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 400);
    dates.push_back(header(*r, "date"));
  }
  for (const auto& date : dates) {
    ASSERT_TRUE(std::regex_match(date, imf_fixdate)) << "'" << date << "'";
    std::tm t{};
    ASSERT_NE(strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &t), nullptr);
    EXPECT_LT(std::abs(std::difftime(timegm(&t), std::time(nullptr))), 3600.0) << date;
  }
}

// ----------------------------------------------------------- 14. SIGHUP

TEST_F(Hardening3, SighupLeavesTheServerServing) {
  Server server(db);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(server.get("/2.3.0/docking_events/609/").status, 200) << i;
  }
  EXPECT_EQ(server.stop(), 0);  // 129 had the hang-up ended it
}

// ----------------------------------------------------------- minor: IPv6

TEST_F(Hardening3, OnAllIpv6AddressesTheUrlIsBracketedAndIpv4ClientsAreIpv4) {
  std::unique_ptr<Server> server;
  try {
    server = std::make_unique<Server>(
        db, std::vector<std::string>{"--host", "::", "--anon-rate", "5/m"});
  } catch (const std::exception& e) {
    GTEST_SKIP() << "cannot listen on :: here: " << e.what();
  }
  EXPECT_NE(
      server->startup_line().find("on http://[::]:" + std::to_string(server->port()) + "/2.3.0/"),
      std::string::npos)
      << server->startup_line();
  // An IPv4 client of a dual-stack socket, as DRF would name it.
  const auto r = fetch_once(server->port(), get_request("/2.3.0/api-throttle/", local(*server)));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->body.find(R"("ident":"127.0.0.1")"), std::string::npos) << r->body;
}
