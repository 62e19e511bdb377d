// CORS as django-cors-headers answers with "allow all" (LL2's settings), the
// restricted-origins option, and /health_check/ as django-health-check does.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "harness.hpp"

using namespace ll2::test;

namespace {

class CorsServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    const auto r = import_golden(dir->file("db.sqlite3"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    open = new Server(dir->file("db.sqlite3"));
    restricted = new Server(dir->file("db.sqlite3"),
                            {"--cors-origins", "https://app.example,http://127.0.0.1:9999/"});
  }
  static void TearDownTestSuite() {
    delete open;
    delete restricted;
    delete dir;
  }
  static std::string header(const HttpResponse& r, const std::string& name) {
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string("<none>") : it->second;
  }
  static TempDir* dir;
  static Server* open;
  static Server* restricted;
};
TempDir* CorsServer::dir = nullptr;
Server* CorsServer::open = nullptr;
Server* CorsServer::restricted = nullptr;

}  // namespace

TEST_F(CorsServer, EveryOriginMayReadEveryResponse) {
  for (const std::string target :
       {"/2.3.0/docking_events/609/", "/2.3.0/launches/", "/2.3.0/config/orbits/",
        "/2.3.0/no_such_thing/", "/2.3.0/launches/?status=999"}) {
    const auto r = open->get(target, {{"Origin", "https://countdown.example"}});
    EXPECT_EQ(header(r, "access-control-allow-origin"), "*") << target;
    EXPECT_EQ(header(r, "access-control-allow-methods"), "<none>") << target;  // not a preflight
  }
  const auto r = open->get("/2.3.0/launches/", {{"Origin", "https://countdown.example"}});
  EXPECT_EQ(header(r, "vary"), "Accept, origin");
  // Without Origin there is nothing to allow, but caches still learn that
  // the answer depends on it.
  const auto plain = open->get("/2.3.0/launches/");
  EXPECT_EQ(header(plain, "access-control-allow-origin"), "<none>");
  EXPECT_EQ(header(plain, "vary"), "Accept, origin");
}

TEST_F(CorsServer, PreflightsAreAnsweredBeforeAnyView) {
  for (const std::string target :
       {"/2.3.0/launches/", "/2.3.0/docking_events/609/", "/2.3.0/launches/upcoming/?limit=1"}) {
    const auto r = open->request("OPTIONS", target,
                                 {{"Origin", "https://countdown.example"},
                                  {"Access-Control-Request-Method", "GET"},
                                  {"Access-Control-Request-Headers", "authorization"}});
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(header(r, "content-length"), "0");
    EXPECT_EQ(header(r, "access-control-allow-origin"), "*");
    // A request with an API key (Authorization: Token ...) passes too.
    EXPECT_NE(header(r, "access-control-allow-headers").find("authorization"), std::string::npos);
    EXPECT_EQ(header(r, "access-control-allow-methods"), "DELETE, GET, OPTIONS, PATCH, POST, PUT");
    EXPECT_EQ(header(r, "access-control-max-age"), "86400");
    EXPECT_EQ(header(r, "vary"), "origin");
  }
  // OPTIONS without Access-Control-Request-Method is DRF's metadata, with the
  // CORS headers of an OPTIONS request.
  const auto meta = open->request("OPTIONS", "/2.3.0/launches/", {{"Origin", "https://a.example"}});
  EXPECT_NE(meta.body.find("\"name\":\"Launch List\""), std::string::npos);
  EXPECT_EQ(header(meta, "access-control-max-age"), "86400");
}

TEST_F(CorsServer, RestrictedOriginsAreEchoedAndOthersGetNothing) {
  auto r = restricted->get("/2.3.0/launches/", {{"Origin", "https://app.example"}});
  EXPECT_EQ(header(r, "access-control-allow-origin"), "https://app.example");
  r = restricted->get("/2.3.0/launches/", {{"Origin", "http://127.0.0.1:9999"}});
  EXPECT_EQ(header(r, "access-control-allow-origin"), "http://127.0.0.1:9999");
  r = restricted->get("/2.3.0/launches/", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "access-control-allow-origin"), "<none>");
  EXPECT_EQ(header(r, "vary"), "Accept, origin");
  r = restricted->get("/2.3.0/launches/", {{"Origin", "http://app.example"}});  // other scheme
  EXPECT_EQ(header(r, "access-control-allow-origin"), "<none>");
}

TEST_F(CorsServer, HealthCheckAsDjangoHealthCheck) {
  auto r = open->get("/health_check/?format=json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"DatabaseBackend":"working"})");
  EXPECT_EQ(header(r, "content-type"), "application/json");
  EXPECT_NE(header(r, "cache-control").find("no-store"), std::string::npos);
  r = open->get("/health_check/", {{"Accept", "application/json"}});
  EXPECT_EQ(r.body, R"({"DatabaseBackend":"working"})");
  r = open->get("/health_check/");
  EXPECT_EQ(header(r, "content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<title>System status</title>"), std::string::npos);
  EXPECT_NE(r.body.find("DatabaseBackend</td><td>working"), std::string::npos);
  EXPECT_EQ(open->get("/health_check/", {{"Accept", "image/png"}}).status, 406);
  EXPECT_EQ(open->get("/health_check").status, 301);
}

TEST(HealthCheck, ADatabaseThatIsGoneIsA500) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  ASSERT_EQ(import_golden(dir.file("db.sqlite3")).exit_code, 0);
  Server server(dir.file("db.sqlite3"));
  EXPECT_EQ(server.get("/health_check/?format=json").status, 200);
  std::filesystem::rename(dir.file("db.sqlite3"), dir.file("moved.sqlite3"));
  std::filesystem::create_directory(dir.file("db.sqlite3"));
  // A check's result holds for a second: ask until it is a new one (bounded).
  const auto answer_becomes = [&](int status) {
    HttpResponse r;
    for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         std::chrono::steady_clock::now() < until && r.status != status;) {
      r = server.get("/health_check/?format=json");
      if (r.status != status) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return r;
  };
  const auto r = answer_becomes(500);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"DatabaseBackend":"unavailable: Database error"})");
  // It recovers when the database is back.
  std::filesystem::remove(dir.file("db.sqlite3"));
  std::filesystem::rename(dir.file("moved.sqlite3"), dir.file("db.sqlite3"));
  EXPECT_EQ(answer_becomes(200).status, 200);
}
