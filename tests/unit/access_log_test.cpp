// The access log's line (http/access_log.hpp): logfmt quoting and escaping,
// the JSON form with the same keys, the time stamp and request ids.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "http/access_log.hpp"

using namespace ll2::http;

namespace {

// 2026-12-06T09:18:30.123456Z
constexpr int64_t kTime = 1796548710123456;

AccessRecord sample() {
  AccessRecord r;
  r.time_us = kTime;
  r.client = "203.0.113.7";
  r.method = "GET";
  r.path = "/2.3.0/launches/?limit=1";
  r.status = 200;
  r.bytes = 1234;
  r.us = 56;
  r.host = "ll.example.org";
  r.ua = "curl/7.88.1";
  r.id = "abc-123";
  return r;
}

}  // namespace

TEST(AccessLog, TimeIsRfc3339InUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339_millis(kTime), "2026-12-06T09:18:30.123Z");
  EXPECT_EQ(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_millis(999), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_millis(-1000), "1969-12-31T23:59:59.999Z");
}

TEST(AccessLog, LogfmtValuesAreQuotedOnlyWhenTheyMustBe) {
  EXPECT_EQ(logfmt_value("curl/7.88.1"), "curl/7.88.1");
  EXPECT_EQ(logfmt_value(""), "-");
  EXPECT_EQ(logfmt_value("Mozilla/5.0 (X11)"), "\"Mozilla/5.0 (X11)\"");
  EXPECT_EQ(logfmt_value("a=b"), "\"a=b\"");
  EXPECT_EQ(logfmt_value("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(logfmt_value("back\\slash"), "\"back\\\\slash\"");
  // Control bytes and anything beyond ASCII: \xNN, so a line stays one line.
  EXPECT_EQ(logfmt_value("a\nb\tc\x7f"), "\"a\\x0ab\\x09c\\x7f\"");
  EXPECT_EQ(logfmt_value("caf\xc3\xa9"), "\"caf\\xc3\\xa9\"");
}

TEST(AccessLog, LogfmtLineHasEveryKeyInOrder) {
  EXPECT_EQ(format_access(sample(), AccessLogFormat::Logfmt),
            "time=2026-12-06T09:18:30.123Z client=203.0.113.7 method=GET "
            "path=\"/2.3.0/launches/?limit=1\" status=200 bytes=1234 us=56 host=ll.example.org "
            "ua=curl/7.88.1 id=abc-123\n");
}

TEST(AccessLog, LogfmtWritesWhatIsMissingAsADash) {
  AccessRecord r = sample();
  r.method = r.path = r.host = r.ua = {};
  r.status = 400;
  EXPECT_EQ(format_access(r, AccessLogFormat::Logfmt),
            "time=2026-12-06T09:18:30.123Z client=203.0.113.7 method=- path=- status=400 "
            "bytes=1234 us=56 host=- ua=- id=abc-123\n");
}

TEST(AccessLog, LogfmtEscapesWhatAClientSent) {
  AccessRecord r = sample();
  r.path = "/2.3.0/?q=\"x\\y";
  r.ua = "Evil\" id=forged\nnext";
  const std::string line = format_access(r, AccessLogFormat::Logfmt);
  EXPECT_NE(line.find(" path=\"/2.3.0/?q=\\\"x\\\\y\" "), std::string::npos) << line;
  EXPECT_NE(line.find(" ua=\"Evil\\\" id=forged\\x0anext\" id=abc-123\n"), std::string::npos)
      << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(AccessLog, JsonIsOneObjectALineWithTheSameKeys) {
  AccessRecord r = sample();
  r.ua = "Mozilla \"5\"\n\x01";
  r.host = {};
  const std::string line = format_access(r, AccessLogFormat::Json);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size() - 1);
  ASSERT_FALSE(doc.HasParseError()) << line;
  const char* keys[] = {"time",  "client", "method", "path", "status",
                        "bytes", "us",     "host",   "ua",   "id"};
  size_t i = 0;
  for (const auto& m : doc.GetObject()) {
    ASSERT_LT(i, std::size(keys));
    EXPECT_STREQ(m.name.GetString(), keys[i++]);
  }
  EXPECT_EQ(i, std::size(keys));
  EXPECT_STREQ(doc["time"].GetString(), "2026-12-06T09:18:30.123Z");
  EXPECT_STREQ(doc["client"].GetString(), "203.0.113.7");
  EXPECT_STREQ(doc["path"].GetString(), "/2.3.0/launches/?limit=1");
  EXPECT_EQ(doc["status"].GetInt(), 200);
  EXPECT_EQ(doc["bytes"].GetInt(), 1234);
  EXPECT_EQ(doc["us"].GetInt(), 56);
  EXPECT_TRUE(doc["host"].IsNull());
  EXPECT_STREQ(doc["ua"].GetString(), "Mozilla \"5\"\n\x01");
  EXPECT_STREQ(doc["id"].GetString(), "abc-123");
}

TEST(AccessLog, JsonReplacesBytesThatAreNotUtf8) {
  AccessRecord r = sample();
  r.ua = "caf\xc3\xa9 \xff";
  const std::string line = format_access(r, AccessLogFormat::Json);
  EXPECT_NE(line.find("\"ua\":\"caf\xc3\xa9 \xef\xbf\xbd\""), std::string::npos) << line;
}

TEST(AccessLog, IncomingRequestIdsAreKeptWhenPrintableAndShort) {
  EXPECT_EQ(incoming_request_id("abc-123"), "abc-123");
  EXPECT_EQ(incoming_request_id(std::string(200, 'x')), std::string(200, 'x'));
  EXPECT_FALSE(incoming_request_id(std::string(201, 'x')));
  EXPECT_FALSE(incoming_request_id(""));
  EXPECT_FALSE(incoming_request_id("has space"));
  EXPECT_FALSE(incoming_request_id("line\nbreak"));
  EXPECT_FALSE(incoming_request_id("caf\xc3\xa9"));
}

TEST(AccessLog, NewRequestIdsAreHexAndDiffer) {
  const std::string a = new_request_id();
  const std::string b = new_request_id();
  EXPECT_EQ(a.size(), 32U);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_TRUE(incoming_request_id(a));
}
