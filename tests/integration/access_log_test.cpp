// The access log of the real server (docs/cli.md "serve", docs/deploy.md
// "Logs"): time, client, Host, User-Agent and request id in each format, the
// client as the throttle sees it behind a trusted proxy, and X-Request-ID.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "harness.hpp"

using namespace ll2::test;

namespace {

// The log's line for `target` (the first one holding it).
std::string line_of(const std::string& log, const std::string& target) {
  const size_t at = log.find(target);
  if (at == std::string::npos) return "";
  const size_t begin = log.rfind('\n', at);
  const size_t end = log.find('\n', at);
  return log.substr(begin == std::string::npos ? 0 : begin + 1,
                    end == std::string::npos ? std::string::npos : end - begin - 1);
}

const std::map<std::string, std::string> kHeaders = {
    {"Host", "ll.example.org"},
    {"User-Agent", "pylaunches/2.0 (test)"},
    {"X-Request-ID", "req-42"},
};

class AccessLogServer : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(import_golden(db).exit_code, 0); }
  TempDir dir;
  std::string db = dir.file("ll2.sqlite3");
};

}  // namespace

TEST_F(AccessLogServer, LogfmtLineCarriesTimeClientHostUaAndId) {
  Server server(db);
  const auto r = server.get("/2.3.0/docking_events/?limit=1", kHeaders);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("x-request-id"), "req-42");
  const std::string line = line_of(server.stderr_text(), "/2.3.0/docking_events/?limit=1");
  ASSERT_FALSE(line.empty()) << server.stderr_text();
  EXPECT_EQ(line.rfind("time=20", 0), 0U) << line;
  EXPECT_EQ(line[line.find("time=") + 5 + 23], 'Z') << line;  // YYYY-MM-DDTHH:MM:SS.mmmZ
  EXPECT_NE(line.find(" client=127.0.0.1 method=GET path=\"/2.3.0/docking_events/?limit=1\" "
                      "status=200 bytes=" +
                      std::to_string(r.body.size()) + " us="),
            std::string::npos)
      << line;
  EXPECT_NE(line.find(" host=ll.example.org ua=\"pylaunches/2.0 (test)\" id=req-42"),
            std::string::npos)
      << line;
}

TEST_F(AccessLogServer, JsonLineHasTheSameFields) {
  Server server(db, {"--log-format", "json"});
  const auto r = server.get("/2.3.0/docking_events/?limit=1", kHeaders);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("x-request-id"), "req-42");
  const std::string line = line_of(server.stderr_text(), "/2.3.0/docking_events/?limit=1");
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_EQ(std::string(doc["time"].GetString()).size(), 24U) << line;
  EXPECT_STREQ(doc["client"].GetString(), "127.0.0.1");
  EXPECT_STREQ(doc["method"].GetString(), "GET");
  EXPECT_STREQ(doc["path"].GetString(), "/2.3.0/docking_events/?limit=1");
  EXPECT_EQ(doc["status"].GetInt(), 200);
  EXPECT_EQ(doc["bytes"].GetUint64(), r.body.size());
  EXPECT_TRUE(doc["us"].IsInt64());
  EXPECT_STREQ(doc["host"].GetString(), "ll.example.org");
  EXPECT_STREQ(doc["ua"].GetString(), "pylaunches/2.0 (test)");
  EXPECT_STREQ(doc["id"].GetString(), "req-42");
}

TEST_F(AccessLogServer, AnIdIsMadeWhenNoneOrABadOneCame) {
  Server server(db);
  const auto none = server.get("/2.3.0/?none");
  const auto bad = server.get("/2.3.0/?bad", {{"X-Request-ID", "has space"}});
  const std::string made = none.headers.at("x-request-id");
  EXPECT_EQ(made.size(), 32U);
  EXPECT_NE(bad.headers.at("x-request-id"), "has space");
  EXPECT_NE(bad.headers.at("x-request-id"), made);
  const std::string log = server.stderr_text();
  EXPECT_NE(line_of(log, "/2.3.0/?none").find(" ua=- id=" + made), std::string::npos) << log;
}

TEST_F(AccessLogServer, RefusedRequestsAreLoggedWithTheirId) {
  Server server(db, {"--allowed-hosts", "ll.example.org"});
  const auto r =
      server.get("/2.3.0/?elsewhere", {{"Host", "other.example"}, {"X-Request-ID", "r7"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.at("x-request-id"), "r7");
  const std::string line = line_of(server.stderr_text(), "path=\"/2.3.0/?elsewhere\"");
  EXPECT_NE(line.find(" status=400 "), std::string::npos) << line;
  EXPECT_NE(line.find(" host=other.example ua=- id=r7"), std::string::npos) << line;
}

TEST_F(AccessLogServer, ClientIsTheAddressTheThrottleCounts) {
  Server server(db, {"--anon-rate", "1000/min", "--client-ip-header", "X-Forwarded-For"});
  server.get("/2.3.0/?proxied", {{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"}});
  server.get("/2.3.0/?not-an-address", {{"X-Forwarded-For", "nonsense"}});
  const std::string log = server.stderr_text();
  EXPECT_NE(line_of(log, "/2.3.0/?proxied").find(" client=203.0.113.9 "), std::string::npos) << log;
  EXPECT_NE(line_of(log, "/2.3.0/?not-an-address").find(" client=127.0.0.1 "), std::string::npos)
      << log;
  // The throttle agrees: the proxied client's history is its own.
  const auto figures =
      server.get("/2.3.0/api-throttle/?format=json", {{"X-Forwarded-For", "203.0.113.9"}});
  EXPECT_NE(figures.body.find("203.0.113.9"), std::string::npos) << figures.body;
}

// Behind a proxy without throttling (deploy.md's settings): the header still
// names the client.
TEST_F(AccessLogServer, ClientComesFromTheProxyHeaderWithoutAThrottle) {
  Server server(db, {"--client-ip-header", "X-Forwarded-For"});
  server.get("/2.3.0/?proxied", {{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"}});
  const std::string log = server.stderr_text();
  EXPECT_NE(line_of(log, "/2.3.0/?proxied").find(" client=203.0.113.9 "), std::string::npos) << log;
}

TEST_F(AccessLogServer, LogFormatRefusesOtherValues) {
  const auto r = run_ll2d({"serve", "--db", db, "--port", "0", "--log-format", "xml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}
