// ll2d sync without a network or a real clock: the call budget, and the
// syncer against a scripted upstream on a virtual clock (no test sleeps).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "catalog/catalog.hpp"
#include "model/schema.hpp"
#include "store/store.hpp"
#include "sync/budget.hpp"
#include "sync/page.hpp"
#include "sync/syncer.hpp"
#include "test_util.hpp"
#include "util/text.hpp"

namespace ll2 {
namespace {

using sync::Budget;
using sync::Millis;
using sync::Rate;

// The most calls any window of `window` ms holds.
int64_t busiest_window(const std::vector<Millis>& calls, Millis window) {
  int64_t most = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    int64_t n = 0;
    for (size_t j = i; j < calls.size() && calls[j] < calls[i] + window; ++j) ++n;
    most = std::max(most, n);
  }
  return most;
}

TEST(SyncRate, Parses) {
  EXPECT_EQ(sync::parse_rate("15/hour")->calls, 15);
  EXPECT_EQ(sync::parse_rate("15/hour")->window, 3'600'000);
  EXPECT_EQ(sync::parse_rate("300/day")->window, 86'400'000);
  EXPECT_EQ(sync::parse_rate("30/10s")->window, 10'000);
  EXPECT_EQ(sync::parse_rate("5/min")->window, 60'000);
  EXPECT_FALSE(sync::parse_rate("15"));
  EXPECT_FALSE(sync::parse_rate("0/hour"));
  EXPECT_FALSE(sync::parse_rate("-1/hour"));
  EXPECT_FALSE(sync::parse_rate("15/week"));
  EXPECT_FALSE(sync::parse_rate("15/0s"));
  EXPECT_FALSE(sync::parse_rate("x/hour"));
  EXPECT_EQ(sync::format_rate(*sync::parse_rate("30/10s")), "30/10s");
}

TEST(SyncBudget, NeverMoreCallsThanTheRateInAnyWindow) {
  // Callers that ask at random moments, always taking the first slot given.
  std::mt19937 rng(42);
  for (const Rate rate : {Rate{15, 3'600'000}, Rate{3, 10'000}, Rate{1, 1'000}}) {
    Budget budget(rate);
    Millis now = 1'700'000'000'000;
    std::vector<Millis> calls;
    for (int i = 0; i < 200; ++i) {
      // Eager callers: the budget, not the callers, sets the pace.
      now += std::uniform_int_distribution<Millis>(0, rate.window / rate.calls / 2)(rng);
      const Millis at = budget.next_call(now);
      ASSERT_GE(at, now);
      now = at;
      budget.record_call(now);
      calls.push_back(now);
    }
    EXPECT_EQ(busiest_window(calls, rate.window), rate.calls) << sync::format_rate(rate);
  }
}

TEST(SyncBudget, SpendsTheWholeBudgetWithoutWaiting) {
  Budget budget(Rate{3, 10'000});
  const Millis t0 = 1'000'000;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(budget.next_call(t0 + i), t0 + i);
    budget.record_call(t0 + i);
  }
  // The fourth waits until the first leaves the window, and 1 % more.
  EXPECT_EQ(budget.margin(), 100);
  EXPECT_EQ(budget.next_call(t0 + 5), t0 + 10'100);
  EXPECT_EQ(Budget(Rate{15, 3'600'000}).margin(), 2'000);
  EXPECT_EQ(Budget(Rate{100, 1'000}).margin(), 50);
  EXPECT_EQ(budget.used(t0 + 5), 3);
  EXPECT_EQ(budget.used(t0 + 10'000), 2);
}

TEST(SyncBudget, HonoursRetryAfterAndBacksOff) {
  Budget budget(Rate{100, 3'600'000});  // one call's share: 36 s, so pauses start at 30 s
  Millis now = 5'000'000;
  budget.on_throttled(now, 120'000);
  EXPECT_EQ(budget.next_call(now), now + 120'000);
  EXPECT_EQ(budget.next_call(now + 119'999), now + 120'000);
  // A shorter Retry-After later does not shorten the wait already promised.
  budget.on_throttled(now + 1, 1'000);
  EXPECT_EQ(budget.next_call(now + 2), now + 120'000);
  now += 200'000;
  Millis last = 0;
  for (int i = 1; i <= 4; ++i) {
    budget.on_failure(now);
    const Millis wait = budget.next_call(now) - now;
    EXPECT_EQ(wait, 30'000 << (i - 1)) << i;
    EXPECT_GT(wait, last);
    last = wait;
    now += wait;
  }
  budget.on_success();
  budget.on_failure(now);
  EXPECT_EQ(budget.next_call(now) - now, 30'000);
  // Short test windows give short pauses.
  Budget quick(Rate{30, 10'000});
  quick.on_failure(0);
  EXPECT_EQ(quick.next_call(0), 333);
  Budget quicker(Rate{1000, 1'000});
  quicker.on_failure(0);
  EXPECT_EQ(quicker.next_call(0), 100);
}

TEST(SyncBudget, NoWaitLongerThanOneWindowAtMostAnHour) {
  const Millis now = 1'800'000'000'000;
  // Retry-After: 10^12 s.
  Budget hourly(Rate{15, 3'600'000});
  hourly.on_throttled(now, 1'000'000'000'000'000);
  EXPECT_EQ(hourly.next_call(now), now + 3'600'000);
  Budget daily(Rate{300, 86'400'000});
  daily.on_throttled(now, 1'000'000'000'000'000);
  EXPECT_EQ(daily.next_call(now), now + 3'600'000);
  Budget quick(Rate{10, 10'000});
  quick.on_throttled(now, 1'000'000'000'000'000);
  EXPECT_EQ(quick.next_call(now), now + 10'000);
  // A report that says the budget is spent for 10^12 s.
  Budget reported(Rate{15, 3'600'000});
  reported.on_report(now, {15, 3600, 15, 1'000'000'000'000});
  EXPECT_EQ(reported.not_before(), now + 3'600'000);
  // A wait saved by an older ll2d (until 2058), and calls in the future.
  Budget saved(Rate{15, 3'600'000});
  ASSERT_TRUE(saved.load(fmt::format(R"({{"calls":[{}],"not_before":2842300800000,"failures":3}})",
                                     now + 86'400'000)));
  saved.clamp(now);
  EXPECT_EQ(saved.not_before(), now + 3'600'000);
  Budget short_window(Rate{10, 10'000});  // a back-off may be longer than a short window
  short_window.on_failure(now);
  short_window.on_failure(now);
  ASSERT_EQ(short_window.not_before(), now + 2'000);
  short_window.clamp(now);
  EXPECT_EQ(short_window.not_before(), now + 2'000);
  EXPECT_EQ(saved.used(now), 1);
  saved.clear_waits();
  EXPECT_EQ(saved.not_before(), 0);
  EXPECT_EQ(saved.failures(), 0);
  EXPECT_EQ(saved.used(now), 1);  // the calls made stay counted
}

TEST(SyncPage, ReadsAPageAndRefusesWhatIsNotOne) {
  const auto page =
      sync::read_page(R"({"count":3,"next":"http://x/?offset=2","previous":null,"results":[)"
                      R"({"id":7,"last_updated":"2024-01-01T00:00:00Z"},{"id":"a-b"}]})");
  ASSERT_TRUE(std::holds_alternative<sync::PageInfo>(page));
  const auto& info = std::get<sync::PageInfo>(page);
  EXPECT_EQ(info.count, 3);
  EXPECT_TRUE(info.has_next);
  EXPECT_EQ(info.results, 2);
  EXPECT_EQ(info.ids, (std::vector<Value>{Value(int64_t{7}), Value(std::string("a-b"))}));
  EXPECT_EQ(info.newest, "2024-01-01T00:00:00Z");
  const auto error = [](std::string_view body) {
    const auto r = sync::read_page(body);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "(a page)";
  };
  // 10^6 '[' used to overflow the stack in RapidJSON's recursive parse.
  EXPECT_EQ(error(std::string(1'000'000, '[')), "nesting deeper than 64 levels");
  EXPECT_EQ(error(R"({"count":1,"next":null,"results":)" + std::string(100'000, '[')),
            "nesting deeper than 64 levels");
  EXPECT_NE(error("<html>").find("not JSON"), std::string::npos);
  EXPECT_NE(error(R"({"count":1.5,"next":null,"results":[]})").find("not a page"),
            std::string::npos);
  EXPECT_EQ(error(R"({"count":1,"next":null,"results":[1]})"), "a result is not an object");
}

TEST(SyncPage, RefusesAnAbsurdThrottleReport) {
  const auto report = sync::read_report(
      R"({"your_request_limit":15,"limit_frequency_secs":3600,"current_use":3,"next_use_secs":0,)"
      R"("ident":"1.2.3.4"})");
  ASSERT_TRUE(std::holds_alternative<sync::UpstreamReport>(report));
  EXPECT_EQ(std::get<sync::UpstreamReport>(report).current_use, 3);
  for (const char* absurd :
       {R"({"your_request_limit":15,"limit_frequency_secs":3600,"next_use_secs":1000000000000})",
        R"({"your_request_limit":15,"limit_frequency_secs":1000000000000})",
        R"({"your_request_limit":1000000000000,"limit_frequency_secs":3600})",
        R"({"your_request_limit":-1,"limit_frequency_secs":3600})"})
    EXPECT_TRUE(std::holds_alternative<std::string>(sync::read_report(absurd))) << absurd;
  const auto deep = sync::read_report(std::string(1'000'000, '['));
  ASSERT_TRUE(std::holds_alternative<std::string>(deep));
  EXPECT_EQ(std::get<std::string>(deep), "nesting deeper than 64 levels");
}

TEST(SyncPage, RedactsTheUpstreamsPassword) {
  EXPECT_EQ(text::mask_url_password("http://alice:PASSWORD@up:8000/2.3.0/?x=1"),
            "http://alice:***@up:8000/2.3.0/?x=1");
  EXPECT_EQ(text::mask_url_password("https://alice:P@ss@w0rd@up/"), "https://alice:***@up/");
  // A password holding a `/` (the PostgreSQL URLs' rule, one for both).
  EXPECT_EQ(text::mask_url_password("http://alice:pa/ss@up/"), "http://alice:***@up/");
  EXPECT_EQ(text::mask_url_password("http://alice@up/"), "http://alice@up/");
  EXPECT_EQ(text::mask_url_password("http://up/a@b:c"), "http://up/a@b:c");
  EXPECT_EQ(text::mask_url_password("http://up"), "http://up");
}

TEST(SyncBudget, UpstreamReportCountsOtherCallsAndItsLimit) {
  Budget budget(Rate{5, 60'000});
  budget.on_report(1'000, {5, 60, 3, 0});  // three calls made elsewhere
  EXPECT_EQ(budget.used(1'000), 3);
  budget.record_call(1'000);
  budget.record_call(1'000);
  EXPECT_EQ(budget.next_call(1'000), 61'000 + budget.margin());
  Budget limited(Rate{15, 3'600'000});
  limited.on_report(0, {15, 3600, 15, 900});
  EXPECT_EQ(limited.next_call(0), 900'000 + limited.margin());
}

TEST(SyncBudget, SurvivesARestart) {
  Budget budget(Rate{3, 10'000});
  budget.record_call(100);
  budget.record_call(200);
  budget.on_failure(300);
  Budget again(Rate{3, 10'000});
  ASSERT_TRUE(again.load(budget.save()));
  EXPECT_EQ(again.used(400), 2);
  EXPECT_EQ(again.not_before(), budget.not_before());
  EXPECT_EQ(again.failures(), 1);
  EXPECT_FALSE(again.load("{\"calls\":[1,\"x\"],\"not_before\":0,\"failures\":0}"));
  EXPECT_FALSE(again.load("nonsense"));
  EXPECT_EQ(again.used(400), 2);  // unchanged by a bad load
}

// A scripted upstream serving config/launch_statuses, pages of 100 and
// details, on a virtual clock: every call takes 50 ms.
struct FakeUpstream : sync::Client {
  std::set<int64_t> ids;
  std::map<int64_t, std::string> names;
  std::deque<sync::Response> scripted;   // answered first, one per call
  std::optional<sync::Response> always;  // then, when set, to every call
  std::function<void()> before_call[8];  // run before the call of that number (1-based)
  sync::Response throttle{404, "{}", {}, {}, false};  // /api-throttle/'s answer
  bool next_always = false;                           // `next` set on every page
  std::set<int64_t> malformed_offsets;
  std::vector<std::pair<Millis, std::string>> calls;
  Millis* clock = nullptr;
  std::atomic<bool>* stop = nullptr;
  size_t stop_after = 0;

  std::string object(int64_t id) const {
    const auto it = names.find(id);
    return fmt::format(R"({{"id":{},"name":"{}","abbrev":"S{}","description":"d"}})", id,
                       it != names.end() ? it->second : fmt::format("Status {}", id), id);
  }

  int64_t details() const {
    return std::count_if(calls.begin(), calls.end(), [](const auto& c) {
      return c.second.find("/launch_statuses/?") == std::string::npos;
    });
  }

  sync::Response get(const std::string& url) override {
    if (url.find("/api-throttle/") != std::string::npos) return throttle;
    calls.emplace_back(*clock, url);
    *clock += 50;
    if (calls.size() <= std::size(before_call) && before_call[calls.size() - 1])
      before_call[calls.size() - 1]();
    if (stop != nullptr && calls.size() == stop_after) *stop = true;
    if (!scripted.empty()) {
      auto r = scripted.front();
      scripted.pop_front();
      return r;
    }
    if (always) return *always;
    const std::string detail = "/2.3.0/config/launch_statuses/";
    if (const size_t at = url.find(detail);
        at != std::string::npos &&
        std::isdigit(static_cast<unsigned char>(url[at + detail.size()]))) {
      const int64_t id = std::stoll(url.substr(at + detail.size()));
      if (!ids.contains(id))
        return {404, R"({"detail":"No LaunchStatus matches the given query."})", {}, {}, false};
      return {200, object(id), {}, {}, false};
    }
    if (url.find("/2.3.0/events/") != std::string::npos)  // one event, for events and upcoming
      return {200,
              R"({"count":1,"next":null,"previous":null,"results":[{"id":1,"name":"E",)"
              R"("last_updated":"2024-01-01T00:00:00Z","date":"2030-01-01T00:00:00Z"}]})",
              {},
              {},
              false};
    int64_t offset = 0;
    if (const size_t at = url.find("offset="); at != std::string::npos)
      offset = std::stoll(url.substr(at + 7));
    if (malformed_offsets.contains(offset))
      return {
          200, R"({"count":1,"next":null,"previous":null,"results":[{"id":"x"}]})", {}, {}, false};
    std::vector<int64_t> all(ids.begin(), ids.end());
    std::string results;
    for (auto i = static_cast<size_t>(offset); i < all.size() && i < size_t(offset + 100); ++i)
      results += (results.empty() ? "" : ",") + object(all[i]);
    const bool more = next_always || offset + 100 < static_cast<int64_t>(all.size());
    return {200,
            fmt::format(R"({{"count":{},"next":{},"previous":null,"results":[{}]}})", all.size(),
                        more ? "\"http://up/next\"" : "null", results),
            {},
            {},
            false};
  }
};

class SyncerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_store(dir_.file("mirror.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store) << opened.error;
    store_ = std::move(opened.store);
    for (int64_t i = 1; i <= 250; ++i) upstream_.ids.insert(i);
    upstream_.clock = &now_;
  }

  sync::SyncOptions options(Rate rate) {
    sync::SyncOptions o;
    o.upstream = "http://up";
    o.rate = rate;
    o.resources = {"config/launch_statuses"};
    o.once = true;
    o.now = [this] { return now_; };
    o.sleep_until = [this](Millis t) {
      now_ = std::max(now_, t);
      return true;
    };
    o.log = [this](const std::string& line) { log_ += line + "\n"; };
    return o;
  }

  int run(sync::SyncOptions o) {
    sync::Syncer syncer(test::catalog(), *store_, upstream_, std::move(o));
    return syncer.run();
  }

  std::set<int64_t> mirrored() {
    const model::Kind* kind = model::registry().find_resource("config/launch_statuses")->kind;
    std::set<int64_t> out;
    for (int64_t i = 0; i <= 400; ++i)
      if (store_->exists(*kind, Value(i))) out.insert(i);
    return out;
  }

  std::vector<Millis> call_times() const {
    std::vector<Millis> t;
    for (const auto& c : upstream_.calls) t.push_back(c.first);
    return t;
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeUpstream upstream_;
  Millis now_ = 1'800'000'000'000;
  std::string log_;
};

TEST_F(SyncerTest, LoadsEverythingInsideTheBudgetThroughThrottlingAndFailures) {
  const Millis t0 = now_;
  upstream_.scripted = {{429, "{\"detail\":\"throttled\"}", 7'000, {}, false},
                        {503, "", {}, {}, false},
                        {0, "", {}, "Timeout was reached", true}};
  EXPECT_EQ(run(options(Rate{2, 10'000})), 0) << log_;
  EXPECT_EQ(mirrored(), upstream_.ids);
  const auto t = call_times();
  ASSERT_EQ(t.size(), 6U) << log_;  // 3 failed + 3 pages
  EXPECT_LE(busiest_window(t, 10'000), 2);
  EXPECT_EQ(t[0], t0);
  EXPECT_GE(t[1], t[0] + 50 + 7'000);   // Retry-After, counted from the answer
  EXPECT_GE(t[2], t[1] + 50 + 5'000);   // the first back-off: one call's share of the window
  EXPECT_GE(t[3], t[2] + 50 + 10'000);  // the second doubles
}

TEST_F(SyncerTest, AKilledRunGoesOnWhereItStopped) {
  const Millis first = now_;
  std::atomic<bool> stop{false};
  upstream_.stop = &stop;
  upstream_.stop_after = 2;
  auto o = options(Rate{100, 1'000});
  o.stop = &stop;
  run(o);
  EXPECT_EQ(mirrored().size(), 200U);
  // A new process, a new syncer: only the last page is asked for.
  upstream_.stop = nullptr;
  upstream_.calls.clear();
  EXPECT_EQ(run(options(Rate{100, 1'000})), 0) << log_;
  ASSERT_EQ(upstream_.calls.size(), 1U);
  EXPECT_NE(upstream_.calls[0].second.find("offset=200"), std::string::npos);
  EXPECT_EQ(mirrored(), upstream_.ids);
  // The budget was remembered: with 3 calls a minute, and 3 made just now,
  // a new run's first call waits until the first of them leaves the window.
  upstream_.calls.clear();
  auto slow = options(Rate{3, 60'000});
  slow.rewalk_every = 0;
  EXPECT_EQ(run(slow), 0) << log_;
  ASSERT_FALSE(upstream_.calls.empty());
  EXPECT_GE(upstream_.calls[0].first, first + 60'000);
}

TEST_F(SyncerTest, ARewalkDeletesWhatVanishedUpstreamAndUpdatesTheRest) {
  ASSERT_EQ(run(options(Rate{100, 1'000})), 0) << log_;
  for (int64_t id : {3, 150, 250}) upstream_.ids.erase(id);
  upstream_.names[7] = "Renamed";
  upstream_.ids.insert(300);
  auto o = options(Rate{100, 1'000});
  o.rewalk_every = 0;
  EXPECT_EQ(run(o), 0) << log_;
  EXPECT_EQ(mirrored(), upstream_.ids);
  const auto row = store_->load(*model::registry().find_resource("config/launch_statuses")->kind,
                                Value(int64_t{7}));
  ASSERT_TRUE(row);
  EXPECT_NE(std::find(row->begin(), row->end(), Value(std::string("Renamed"))), row->end());
  EXPECT_NE(log_.find("deleted 3 objects"), std::string::npos) << log_;
}

TEST_F(SyncerTest, AMalformedPageIsRetriedThenGivenUpAndNothingIsDeleted) {
  ASSERT_EQ(run(options(Rate{100, 1'000})), 0) << log_;
  upstream_.ids.erase(5);
  upstream_.malformed_offsets = {100};
  auto o = options(Rate{100, 1'000});
  o.rewalk_every = 0;
  upstream_.calls.clear();
  EXPECT_EQ(run(o), 1);
  // The first page, then the bad one asked for kMaxTries times (never
  // skipped), each after a longer pause; then the walk is given up.
  ASSERT_EQ(upstream_.calls.size(), 1U + sync::kMaxTries) << log_;
  for (size_t i = 1; i < upstream_.calls.size(); ++i)
    EXPECT_NE(upstream_.calls[i].second.find("offset=100"), std::string::npos);
  EXPECT_GT(upstream_.calls[5].first - upstream_.calls[4].first,
            upstream_.calls[3].first - upstream_.calls[2].first);
  EXPECT_NE(log_.find("try 1 of 5"), std::string::npos) << log_;
  EXPECT_NE(log_.find("5 tries failed, this walk is given up and nothing is deleted"),
            std::string::npos)
      << log_;
  // Object 5 is gone upstream, but a walk with a hole cannot tell.
  EXPECT_TRUE(mirrored().count(5));
  upstream_.malformed_offsets.clear();
  EXPECT_EQ(run(o), 0) << log_;
  EXPECT_FALSE(mirrored().count(5));
}

TEST_F(SyncerTest, ARetriedPageThatComesRightLeavesNoHole) {
  ASSERT_EQ(run(options(Rate{100, 1'000})), 0) << log_;
  upstream_.ids.erase(5);
  auto o = options(Rate{100, 1'000});
  o.rewalk_every = 0;
  upstream_.scripted = {{200, "<html>", {}, {}, false}};
  EXPECT_EQ(run(o), 1) << log_;  // a rejected page is reported in the exit status
  EXPECT_NE(log_.find("not JSON"), std::string::npos) << log_;
  EXPECT_EQ(mirrored(), upstream_.ids);
}

TEST_F(SyncerTest, ADeepPageOrThrottleReportIsRefusedAndTheRunGoesOn) {
  upstream_.throttle = {200, std::string(1'000'000, '['), {}, {}, false};
  upstream_.scripted = {{200, std::string(1'000'000, '['), {}, {}, false}};
  EXPECT_EQ(run(options(Rate{100, 1'000})), 1) << log_;
  EXPECT_NE(log_.find("api-throttle/ answer is not believed (nesting deeper than 64 levels)"),
            std::string::npos)
      << log_;
  EXPECT_NE(log_.find("limit=100: nesting deeper than 64 levels (nothing from it was written; try "
                      "1 of 5"),
            std::string::npos)
      << log_;
  EXPECT_EQ(mirrored(), upstream_.ids);
}

TEST_F(SyncerTest, ARewalkNeverDeletesALiveObjectWhenPagesShift) {
  ASSERT_EQ(run(options(Rate{100, 1'000})), 0) << log_;
  // Mid-walk, after the first page, 50 is deleted upstream and 251 created:
  // the second page starts at 102, so 101 is never seen by the walk, while
  // the count (250) and the objects seen (250) agree.
  upstream_.calls.clear();
  upstream_.before_call[1] = [&] {
    upstream_.ids.erase(50);
    upstream_.ids.insert(251);
  };
  auto o = options(Rate{100, 1'000});
  o.rewalk_every = 0;
  EXPECT_EQ(run(o), 0) << log_;
  EXPECT_TRUE(mirrored().count(101)) << log_;  // still upstream: asked for, and kept
  EXPECT_EQ(upstream_.details(), 1) << log_;
  EXPECT_NE(upstream_.calls.back().second.find("/config/launch_statuses/101/?format=json"),
            std::string::npos);
  EXPECT_TRUE(mirrored().count(50));  // seen before it went; the next walk finds it gone
  upstream_.calls.clear();
  upstream_.before_call[1] = nullptr;
  EXPECT_EQ(run(o), 0) << log_;
  EXPECT_EQ(mirrored(), upstream_.ids);
  EXPECT_EQ(upstream_.details(), 1);
  EXPECT_NE(log_.find("50 is gone upstream (404); deleted"), std::string::npos) << log_;
}

TEST_F(SyncerTest, AWalkEndsAtTheCountWhateverNextSays) {
  upstream_.next_always = true;
  EXPECT_EQ(run(options(Rate{100, 1'000})), 0) << log_;
  EXPECT_EQ(upstream_.calls.size(), 3U);  // 250 objects, pages of 100
  EXPECT_EQ(mirrored(), upstream_.ids);
  // An empty page ends it too (a count that keeps growing).
  upstream_.calls.clear();
  upstream_.always = {
      200, R"({"count":100000,"next":"http://up/next","results":[]})", {}, {}, false};
  auto o = options(Rate{100, 1'000});
  o.rewalk_every = 0;
  EXPECT_EQ(run(o), 0) << log_;
  EXPECT_EQ(upstream_.calls.size(), 1U);
}

TEST_F(SyncerTest, OnceGivesUpAfterBoundedTriesOnAnUpstreamThatFailsForever) {
  for (const auto& answer : {sync::Response{500, "", {}, {}, false},
                             sync::Response{0, "", {}, "Connection refused", false},
                             sync::Response{200, "<html>oops</html>", {}, {}, false}}) {
    upstream_.calls.clear();
    upstream_.always = answer;
    auto o = options(Rate{100, 1'000});
    o.rewalk_every = 0;
    EXPECT_EQ(run(o), 1) << log_;
    EXPECT_EQ(upstream_.calls.size(), static_cast<size_t>(sync::kMaxTries)) << answer.status;
  }
  // Without --once, an endpoint given up rests until the next refresh.
  upstream_.calls.clear();
  auto o = options(Rate{100, 1'000});
  o.once = false;
  o.refresh_every = 3'600'000;
  std::atomic<bool> stop{false};
  o.stop = &stop;
  const Millis start = now_;
  o.sleep_until = [&](Millis t) {
    now_ = std::max(now_, t);
    if (now_ >= start + int64_t{150} * 60'000) stop = true;
    return !stop;
  };
  run(o);
  // Given up just now (above): tried again an hour later, and an hour after that.
  EXPECT_EQ(upstream_.calls.size(), 2U * sync::kMaxTries) << log_;
}

TEST_F(SyncerTest, AnAbsurdRetryAfterIsCutToOneWindow) {
  upstream_.scripted = {{429, "{}", 1'000'000'000'000'000, {}, false}};
  const Millis t0 = now_;
  EXPECT_EQ(run(options(Rate{10, 10'000})), 0) << log_;
  ASSERT_EQ(upstream_.calls.size(), 4U);
  EXPECT_LE(upstream_.calls[1].first, t0 + 50 + 10'000);
  EXPECT_EQ(mirrored(), upstream_.ids);
}

TEST_F(SyncerTest, TheUpstreamsPasswordIsNeverPrintedNorSaved) {
  auto o = options(Rate{100, 1'000});
  o.upstream = "http://alice:PASSWORD@up";
  upstream_.scripted = {{200, "<html>", {}, {}, false}, {404, "{}", {}, {}, false}};
  run(o);
  EXPECT_NE(log_.find("http://alice:***@up/2.3.0/"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("PASSWORD"), std::string::npos) << log_;
  sync::Syncer again(test::catalog(), *store_, upstream_, o);
  const std::string status = again.status();
  EXPECT_NE(status.find("upstream: http://alice:***@up"), std::string::npos) << status;
  EXPECT_EQ(status.find("PASSWORD"), std::string::npos) << status;
  for (const auto& [key, text] : store_->sync_state())
    EXPECT_EQ(text.find("PASSWORD"), std::string::npos) << key << ": " << text;
  // The calls themselves carry it.
  EXPECT_NE(upstream_.calls[0].second.find("alice:PASSWORD@up"), std::string::npos);
}

TEST_F(SyncerTest, ADueRefreshGoesBeforeTheNextPageOfALongWalk) {
  auto o = options(Rate{100, 1'000});
  o.resources = {"events", "config/launch_statuses"};
  ASSERT_EQ(run(o), 0) << log_;
  // A week later: the refreshes first, then the re-walks; stopped while
  // walking the statuses.
  now_ += 8 * 86'400'000LL;
  upstream_.calls.clear();
  std::atomic<bool> stop{false};
  upstream_.stop = &stop;
  upstream_.stop_after = 4;
  o.stop = &stop;
  run(o);
  ASSERT_EQ(upstream_.calls.size(), 4U);
  EXPECT_NE(upstream_.calls[0].second.find("/events/upcoming/"), std::string::npos);
  EXPECT_NE(upstream_.calls[1].second.find("/events/?"), std::string::npos);
  EXPECT_NE(upstream_.calls[1].second.find("last_updated__gte=2024-01-01T00:00:00Z"),
            std::string::npos)
      << upstream_.calls[1].second;
  EXPECT_NE(upstream_.calls[3].second.find("launch_statuses"), std::string::npos);
  // An hour on, the refreshes are due again and go before the walk's next page.
  now_ += 3'600'000;
  upstream_.calls.clear();
  upstream_.stop = nullptr;
  stop = false;
  EXPECT_EQ(run(o), 0) << log_;
  ASSERT_EQ(upstream_.calls.size(), 4U) << log_;
  EXPECT_NE(upstream_.calls[0].second.find("/events/upcoming/"), std::string::npos);
  EXPECT_NE(upstream_.calls[1].second.find("last_updated__gte"), std::string::npos);
  EXPECT_NE(upstream_.calls[2].second.find("launch_statuses/?format=json&limit=100&offset=100"),
            std::string::npos)
      << upstream_.calls[2].second;
}

TEST_F(SyncerTest, OneSyncPerDatabaseUntilTheOtherLeaseIsStale) {
  const auto lease = [&](Millis renewed) {
    store::WriteBatch batch;
    batch.sync_state.emplace_back(
        "lease", fmt::format(R"({{"owner":"elsewhere:1:2","renewed":{}}})", renewed));
    ASSERT_FALSE(store_->write(batch));
  };
  lease(now_ - 60'000);  // another machine's sync, a minute ago
  EXPECT_EQ(run(options(Rate{100, 1'000})), 2);
  EXPECT_NE(log_.find("another ll2d sync (elsewhere:1:2)"), std::string::npos) << log_;
  EXPECT_TRUE(upstream_.calls.empty());
  lease(now_ - sync::kLeaseStale);  // silent for too long: taken over
  EXPECT_EQ(run(options(Rate{100, 1'000})), 0) << log_;
  EXPECT_EQ(mirrored(), upstream_.ids);
}

TEST_F(SyncerTest, StatusNamesTheNextCall) {
  sync::Syncer syncer(test::catalog(), *store_, upstream_, options(Rate{15, 3'600'000}));
  const std::string before = syncer.status();
  EXPECT_NE(before.find("not yet mirrored"), std::string::npos) << before;
  EXPECT_NE(before.find("config/launch_statuses/?format=json&limit=100"), std::string::npos)
      << before;
  EXPECT_TRUE(upstream_.calls.empty());
  ASSERT_EQ(run(options(Rate{15, 3'600'000})), 0);
  sync::Syncer again(test::catalog(), *store_, upstream_, options(Rate{15, 3'600'000}));
  const std::string after = again.status();
  EXPECT_NE(after.find("idle"), std::string::npos) << after;
  EXPECT_NE(after.find("250"), std::string::npos) << after;
  EXPECT_NE(after.find("3 calls in the current window"), std::string::npos) << after;
}

}  // namespace
}  // namespace ll2
