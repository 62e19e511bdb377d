// Throttling as LL2 (Django REST Framework) does it, against the real
// server: exact counts at the boundary, what counts and what does not, keys
// against IPs, TokenAuthentication's refusals, /2.3.0/api-throttle/, the
// 429 body and Retry-After, the trusted proxy header, the client cap, and
// `ll2d keys`. Windows are a minute long unless a test is about short
// windows, so a slow machine cannot turn a boundary into a flake.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "http/throttle.hpp"
#include "raw_client.hpp"

using namespace ll2::test;

namespace {

std::string header(const HttpResponse& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string("<none>") : it->second;
}

std::string throttled_body(int64_t n) {
  return "{\"detail\":\"Request was throttled. Expected available in " + std::to_string(n) +
         (n == 1 ? " second.\"}" : " seconds.\"}");
}

struct Figures {
  int64_t limit = -1, frequency = -1, use = -1, next = -1;
  std::string ident;
};

// /2.3.0/api-throttle/ (or another target) read as LL2's single object.
Figures figures(const Server& s, const std::map<std::string, std::string>& headers = {}) {
  const auto r = s.get("/2.3.0/api-throttle/", headers);
  EXPECT_EQ(r.status, 200) << r.body;
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  Figures f;
  if (!d.IsObject()) {
    ADD_FAILURE() << "not an object: " << r.body;
    return f;
  }
  EXPECT_EQ(d.MemberCount(), 5U) << r.body;
  const auto num = [&](const char* k) {
    return d.HasMember(k) && d[k].IsInt64() ? d[k].GetInt64() : -2;
  };
  f.limit = num("your_request_limit");
  f.frequency = num("limit_frequency_secs");
  f.use = num("current_use");
  f.next = num("next_use_secs");
  f.ident = d.HasMember("ident") && d["ident"].IsString() ? d["ident"].GetString() : "<none>";
  return f;
}

// A key made by `ll2d keys add` (stdout is the key alone).
std::string add_key(const std::string& db, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"keys", "add", "--db", db};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_ll2d(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string key = r.out;
  while (!key.empty() && key.back() == '\n') key.pop_back();
  EXPECT_EQ(key.size(), 64U) << r.out;
  return key;
}

std::map<std::string, std::string> token(const std::string& key) {
  return {{"Authorization", "Token " + key}};
}

class Throttling : public ::testing::Test {
 protected:
  void SetUp() override {
    db = dir.file("db.sqlite3");
    const auto r = import_golden(db);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir;
  std::string db;
};

}  // namespace

TEST_F(Throttling, AnonymousClientsGetExactlyTheRateThenDrfs429) {
  Server s(db, {"--anon-rate", "3/minute"});
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(s.get("/2.3.0/docking_events/609/").status, 200) << "request " << i + 1;
  const auto r = s.get("/2.3.0/docking_events/609/");
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(r.status, 429);
  // DRF's wait: the window left of the oldest request, rounded up.
  const int64_t wait = std::stoll(header(r, "retry-after"));
  EXPECT_LE(wait, 60);
  EXPECT_GE(wait, 60 - static_cast<int64_t>(std::ceil(elapsed)));
  EXPECT_EQ(r.body, throttled_body(wait));
  EXPECT_EQ(header(r, "content-type"), "application/json");
  EXPECT_EQ(header(r, "allow"), "GET");
  EXPECT_EQ(header(r, "vary"), "Accept, origin");
  // Still refused, on every counted route; refusals are not counted.
  EXPECT_EQ(s.get("/2.3.0/launches/").status, 429);
  EXPECT_EQ(s.get("/2.3.0/").status, 429);
  const auto f = figures(s);
  EXPECT_EQ(f.use, 3);
  EXPECT_EQ(f.limit, 3);
  EXPECT_EQ(f.frequency, 60);
  EXPECT_GT(f.next, 0);
  EXPECT_LE(f.next, 60);
  // What no DRF view answers is never throttled.
  EXPECT_EQ(s.get("/healthz").status, 200);
  EXPECT_EQ(s.get("/readyz").status, 200);
  EXPECT_EQ(s.get("/health_check/?format=json").status, 200);
  EXPECT_EQ(s.get("/2.3.0/no_such_route/").status, 404);
  EXPECT_EQ(s.get("/2.3.0/launches/?format=xml").status, 404);  // negotiation comes first
}

TEST_F(Throttling, ConcurrentClientsGetExactlyTheRateBetweenThem) {
  // Many connections at once over both I/O threads: the count is exact.
  Server s(db, {"--anon-rate", "40/m", "--threads", "2"});
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> clients;
  clients.reserve(8);
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 12; ++i) {
        const int status = s.get("/2.3.0/docking_events/609/").status;
        (status == 200 ? ok : status == 429 ? refused : other)++;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(refused.load(), 96 - 40);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(figures(s).use, 40);
}

TEST_F(Throttling, WhatCountsIsWhatReachesAView) {
  Server s(db, {"--anon-rate", "6/m"});
  // Not counted: no route, health probes, the stylesheet, CORS preflights,
  // api-throttle itself, a format no renderer has.
  EXPECT_EQ(s.get("/2.3.0/nothing_here/").status, 404);
  EXPECT_EQ(s.get("/healthz").status, 200);
  EXPECT_EQ(s.request("OPTIONS", "/2.3.0/launches/",
                      {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "GET"}})
                .status,
            200);
  EXPECT_EQ(s.get("/2.3.0/launches/?format=yaml").status, 404);
  for (int i = 0; i < 5; ++i) figures(s);
  EXPECT_EQ(figures(s).use, 0);
  // Counted: every answer of a view, whatever its status (DRF throttles in
  // initial(), before the handler, and ConditionalGet comes after it).
  const auto first = s.get("/2.3.0/docking_events/609/");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(s.get("/2.3.0/docking_events/609/", {{"If-None-Match", header(first, "etag")}}).status,
            304);
  EXPECT_EQ(s.get("/2.3.0/docking_events/999999/").status, 404);
  EXPECT_EQ(s.request("POST", "/2.3.0/launches/").status, 405);
  EXPECT_EQ(s.request("OPTIONS", "/2.3.0/launches/").status, 200);
  EXPECT_EQ(s.request("HEAD", "/2.3.0/launches/").status, 200);
  EXPECT_EQ(figures(s).use, 6);
  EXPECT_EQ(s.request("HEAD", "/2.3.0/launches/").status, 429);
  EXPECT_EQ(s.request("POST", "/2.3.0/launches/").status, 429);
}

TEST_F(Throttling, ApiThrottleAnswersLl2sObjectInJsonAndTheBrowsableApi) {
  Server s(db, {"--anon-rate", "2/hour"});
  Figures f = figures(s);
  EXPECT_EQ(f.limit, 2);
  EXPECT_EQ(f.frequency, 3600);
  EXPECT_EQ(f.use, 0);
  EXPECT_EQ(f.next, 0);
  EXPECT_EQ(f.ident, "127.0.0.1");
  ASSERT_EQ(s.get("/2.3.0/launches/").status, 200);
  f = figures(s);
  EXPECT_EQ(f.use, 1);
  EXPECT_EQ(f.next, 0);
  ASSERT_EQ(s.get("/2.3.0/launches/").status, 200);
  f = figures(s);
  EXPECT_EQ(f.use, 2);
  EXPECT_GE(f.next, 3590);
  EXPECT_LE(f.next, 3600);
  // The same through the format suffix and the browsable API.
  EXPECT_EQ(s.get("/2.3.0/api-throttle.json").status, 200);
  const auto page = s.get("/2.3.0/api-throttle/?format=api");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("your_request_limit"), std::string::npos);
  const auto refused = s.get("/2.3.0/launches/?format=api");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(header(refused, "content-type"), "text/html; charset=utf-8");
  EXPECT_NE(refused.body.find("Request was throttled. Expected available in"), std::string::npos);
  EXPECT_EQ(refused.headers.count("retry-after"), 1U);
  // Without a slash: Django's redirect, as for any route.
  EXPECT_EQ(s.get("/2.3.0/api-throttle").status, 301);
}

TEST_F(Throttling, ShortWindowsAndTheSingularSecond) {
  Server s(db, {"--anon-rate", "1/s"});
  ASSERT_EQ(s.get("/2.3.0/launches/").status, 200);
  // The next request within the second is refused. On a loaded machine one
  // may take the whole second, and the next then starts a new one: a few more.
  HttpResponse r = s.get("/2.3.0/launches/");
  for (int tries = 1; tries < 10 && r.status == 200; ++tries) r = s.get("/2.3.0/launches/");
  ASSERT_EQ(r.status, 429);
  EXPECT_EQ(header(r, "retry-after"), "1");
  EXPECT_EQ(r.body, throttled_body(1));
  EXPECT_EQ(figures(s).frequency, 1);

  Server w(db, {"--anon-rate", "2/3s"});
  EXPECT_EQ(w.get("/2.3.0/launches/").status, 200);
  EXPECT_EQ(w.get("/2.3.0/launches/").status, 200);
  const auto over = w.get("/2.3.0/launches/");
  ASSERT_EQ(over.status, 429);
  const int64_t wait = std::stoll(header(over, "retry-after"));
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 3);
  EXPECT_EQ(figures(w).frequency, 3);
  // Retry-After is honest: waiting that long is enough.
  std::this_thread::sleep_for(std::chrono::seconds(wait));
  EXPECT_EQ(w.get("/2.3.0/launches/").status, 200);
}

TEST_F(Throttling, KeysHaveTheirOwnRatesApartFromTheIp) {
  const std::string plain = add_key(db, {"--label", "default rate"});
  const std::string own = add_key(db, {"--label", "own rate", "--rate", "1/m"});
  Server s(db, {"--anon-rate", "2/m", "--key-rate", "3/m"});
  EXPECT_EQ(s.get("/2.3.0/launches/").status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/").status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/").status, 429);
  // The same IP with a key: the key's budget, not the IP's.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(s.get("/2.3.0/launches/", token(plain)).status, 200) << "request " << i + 1;
  EXPECT_EQ(s.get("/2.3.0/launches/", token(plain)).status, 429);
  EXPECT_EQ(s.get("/2.3.0/launches/", token(own)).status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/", token(own)).status, 429);
  const Figures f = figures(s, token(plain));
  EXPECT_EQ(f.limit, 3);
  EXPECT_EQ(f.use, 3);
  EXPECT_EQ(f.ident, plain.substr(0, 8));  // the key's public prefix, never the key
  EXPECT_EQ(figures(s, token(own)).limit, 1);
  const Figures anon = figures(s);
  EXPECT_EQ(anon.limit, 2);
  EXPECT_EQ(anon.use, 2);
  // The scheme is matched as DRF does, without regard to case.
  EXPECT_EQ(figures(s, {{"Authorization", "token " + own}}).ident, own.substr(0, 8));
}

TEST_F(Throttling, BadTokensAreRefusedAsTokenAuthenticationRefusesThem) {
  const std::string key = add_key(db);
  Server s(db, {"--anon-rate", "100/m"});
  const auto refused = [&](const std::string& value, const std::string& detail) {
    const auto r = s.get("/2.3.0/launches/", {{"Authorization", value}});
    EXPECT_EQ(r.status, 401) << value;
    EXPECT_EQ(r.body, "{\"detail\":\"" + detail + "\"}") << value;
    EXPECT_EQ(header(r, "www-authenticate"), "Token") << value;
  };
  refused("Token 0123456789abcdef", "Invalid token.");
  refused("Token " + key + "x", "Invalid token.");
  refused("Token", "Invalid token header. No credentials provided.");
  refused("Token a b", "Invalid token header. Token string should not contain spaces.");
  // api-throttle authenticates too.
  EXPECT_EQ(s.get("/2.3.0/api-throttle/", token("nope")).status, 401);
  // Another scheme is not Token authentication's business: anonymous.
  EXPECT_EQ(s.get("/2.3.0/launches/", {{"Authorization", "Bearer " + key}}).status, 200);
  EXPECT_EQ(figures(s, {{"Authorization", "Bearer x"}}).ident, "127.0.0.1");
  // Refusals are not counted against the IP.
  EXPECT_EQ(figures(s).use, 1);
  EXPECT_EQ(s.get("/2.3.0/launches/", token(key)).status, 200);

  // Revoked on a running server: refused after the key refresh (each second;
  // the waits below only bound a hang).
  const auto revoked = run_ll2d({"keys", "revoke", "--db", db, key.substr(0, 8)});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((status = s.get("/2.3.0/launches/", token(key)).status) == 200 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(status, 401);
  // And a key added now is accepted as soon.
  const std::string fresh = add_key(db);
  const auto again = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((status = s.get("/2.3.0/launches/", token(fresh)).status) == 401 &&
         std::chrono::steady_clock::now() < again)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(status, 200);
}

TEST_F(Throttling, TheProxyHeaderIsIgnoredUnlessConfigured) {
  Server s(db, {"--anon-rate", "2/m"});
  EXPECT_EQ(s.get("/2.3.0/launches/", {{"X-Forwarded-For", "1.1.1.1"}}).status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/", {{"X-Forwarded-For", "2.2.2.2"}}).status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/", {{"X-Forwarded-For", "3.3.3.3"}}).status, 429);
  EXPECT_EQ(figures(s, {{"X-Forwarded-For", "4.4.4.4"}}).ident, "127.0.0.1");

  Server proxied(db, {"--anon-rate", "1/m", "--client-ip-header", "X-Forwarded-For"});
  const auto from = [](const std::string& chain) {
    return std::map<std::string, std::string>{{"X-Forwarded-For", chain}};
  };
  EXPECT_EQ(proxied.get("/2.3.0/launches/", from("1.1.1.1")).status, 200);
  EXPECT_EQ(proxied.get("/2.3.0/launches/", from("2.2.2.2")).status, 200);
  EXPECT_EQ(proxied.get("/2.3.0/launches/", from("1.1.1.1")).status, 429);
  // What the client put before the proxy's own entry changes nothing.
  EXPECT_EQ(proxied.get("/2.3.0/launches/", from("9.9.9.9, 1.1.1.1")).status, 429);
  EXPECT_EQ(figures(proxied, from("8.8.8.8,  2.2.2.2")).ident, "2.2.2.2");
  // Without the header (a request that did not come through the proxy):
  // the connection's address.
  EXPECT_EQ(proxied.get("/2.3.0/launches/").status, 200);
  EXPECT_EQ(figures(proxied).ident, "127.0.0.1");
}

// Round 3, item 3: a client sending its own X-Forwarded-For line before the
// proxy's got a budget of its own per request. Repeated lines are one list
// (RFC 9110 5.3, as WSGI joins them), whose last entry is the proxy's.
TEST_F(Throttling, RepeatedProxyHeaderLinesAreOneList) {
  Server s(db, {"--anon-rate", "3/m", "--client-ip-header", "X-Forwarded-For"});
  const auto via_proxy = [&](const std::string& target, const std::string& claimed) {
    const auto r = fetch_once(
        s.port(), get_request(target, "127.0.0.1:" + std::to_string(s.port()),
                              "X-Forwarded-For: " + claimed + "\r\nX-Forwarded-For: 1.1.1.1\r\n"));
    EXPECT_TRUE(r.has_value());
    return r.value_or(RawResponse{});
  };
  std::vector<int> statuses;
  statuses.reserve(6);
  for (int i = 0; i < 6; ++i)
    statuses.push_back(via_proxy("/2.3.0/launches/", "6.6.6." + std::to_string(i)).status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200, 429, 429, 429}));
  EXPECT_NE(via_proxy("/2.3.0/api-throttle/", "7.7.7.7").body.find(R"("ident":"1.1.1.1")"),
            std::string::npos);
}

// Round 3, item 4: 15 KB client "addresses" made each request a client of
// 15 KB. Only an IP address is taken, in its canonical form; anything else
// counts against the connection's address.
TEST_F(Throttling, OnlyAnAddressInTheProxyHeaderIsAClient) {
  Server s(db, {"--anon-rate", "2/m", "--client-ip-header", "X-Real-IP"});
  const auto from = [](const std::string& ip) {
    return std::map<std::string, std::string>{{"X-Real-IP", ip}};
  };
  EXPECT_EQ(s.get("/2.3.0/launches/", from(std::string(15000, 'x'))).status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/", from("not-an-address")).status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/", from("10.0.0.1.evil")).status, 429);
  EXPECT_EQ(s.get("/2.3.0/launches/").status, 429);
  EXPECT_EQ(figures(s, from(std::string(15000, 'y'))).ident, "127.0.0.1");
  EXPECT_EQ(figures(s, from("2001:DB8:0:0::1")).ident, "2001:db8::1");
  EXPECT_EQ(figures(s, from("::ffff:192.0.2.9")).ident, "192.0.2.9");
  EXPECT_EQ(s.get("/2.3.0/launches/", from("192.0.2.9")).status, 200);
  EXPECT_EQ(figures(s, from("::ffff:192.0.2.9")).use, 1);
}

TEST(CanonicalIp, AddressesAndNothingElse) {
  using ll2::http::canonical_ip;
  EXPECT_EQ(canonical_ip("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(canonical_ip("::FFFF:127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(canonical_ip("2001:0db8::0001"), "2001:db8::1");
  for (const char* bad : {"", "localhost", "1.2.3", "1.2.3.4.5", "1.2.3.4 ", "[::1]", "::1::2"})
    EXPECT_EQ(canonical_ip(bad), std::nullopt) << bad;
}

TEST_F(Throttling, PastTheClientCapTheLeastRecentlySeenIsForgotten) {
  Server s(
      db, {"--anon-rate", "1/h", "--client-ip-header", "X-Real-IP", "--throttle-max-clients", "2"});
  const auto from = [](const std::string& ip) {
    return std::map<std::string, std::string>{{"X-Real-IP", ip}};
  };
  EXPECT_EQ(s.get("/2.3.0/launches/", from("10.0.0.1")).status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/", from("10.0.0.2")).status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/", from("10.0.0.1")).status, 429);
  EXPECT_EQ(s.get("/2.3.0/launches/", from("10.0.0.2")).status, 429);
  // A third client: room is made by forgetting 10.0.0.1, seen least recently.
  EXPECT_EQ(s.get("/2.3.0/launches/", from("10.0.0.3")).status, 200);
  EXPECT_EQ(figures(s, from("10.0.0.1")).use, 0);
  EXPECT_EQ(figures(s, from("10.0.0.2")).use, 1);
  EXPECT_EQ(figures(s, from("10.0.0.3")).use, 1);
}

TEST_F(Throttling, OffByDefault) {
  add_key(db);
  Server s(db);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(s.get("/2.3.0/launches/").status, 200);
  // Nothing reads Authorization, and there is no api-throttle.
  EXPECT_EQ(s.get("/2.3.0/launches/", token("not-a-key")).status, 200);
  EXPECT_EQ(s.get("/2.3.0/api-throttle/").status, 404);
}

TEST_F(Throttling, KeysAreStoredHashedAndShownOnce) {
  const std::string key = add_key(db, {"--label", "alice's app", "--rate", "500/day"});
  const std::string prefix = key.substr(0, 8);
  const auto hashed = ll2::http::sha256_hex(key);
  EXPECT_EQ(query_int64(db, "SELECT count(*) FROM ll2d_api_key WHERE hash = '" + hashed +
                                "' AND prefix = '" + prefix + "'"),
            1);
  EXPECT_EQ(query_int64(db, "SELECT count(*) FROM ll2d_api_key WHERE hash = '" + key +
                                "' OR label = '" + key + "'"),
            0);
  auto list = run_ll2d({"keys", "list", "--db", db});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find(key), std::string::npos);
  EXPECT_NE(list.out.find(prefix), std::string::npos);
  EXPECT_NE(list.out.find("alice's app"), std::string::npos);
  EXPECT_NE(list.out.find("500/day"), std::string::npos);
  EXPECT_NE(list.out.find("active"), std::string::npos);

  EXPECT_EQ(run_ll2d({"keys", "revoke", "--db", db, prefix}).exit_code, 0);
  list = run_ll2d({"keys", "list", "--db", db});
  EXPECT_NE(list.out.find("revoked 20"), std::string::npos) << list.out;
  // Revoking again, or an unknown prefix: nothing to revoke.
  const auto twice = run_ll2d({"keys", "revoke", "--db", db, prefix});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("no active key"), std::string::npos) << twice.err;

  // Bad rates are refused before anything is written.
  const auto bad = run_ll2d({"keys", "add", "--db", db, "--rate", "lots"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(query_int64(db, "SELECT count(*) FROM ll2d_api_key"), 1);
  const auto serve_bad =
      run_ll2d({"serve", "--db", db, "--port", "0", "--anon-rate", "15/fortnight"});
  EXPECT_EQ(serve_bad.exit_code, 2);
  EXPECT_NE(serve_bad.err.find("--anon-rate"), std::string::npos) << serve_bad.err;
  // Keys need a database to belong to.
  EXPECT_EQ(run_ll2d({"keys", "add", "--db", dir.file("missing.sqlite3")}).exit_code, 2);
}
