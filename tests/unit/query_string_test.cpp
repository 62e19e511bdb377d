#include <gtest/gtest.h>

#include "util/query_string.hpp"

using ll2::text::QueryParams;

TEST(QueryParams, ParsesLikeParseQslWithBlankValues) {
  const auto q = QueryParams::parse("a=1&b=&c&a=2&&d=x+y%20z&e=%E2%82%AC&f=%zz");
  EXPECT_EQ(q.get("a"), "2");  // the last value counts, as QueryDict.get
  EXPECT_EQ(q.get("b"), "");
  EXPECT_EQ(q.get("c"), "");
  EXPECT_EQ(q.get("d"), "x y z");
  EXPECT_EQ(q.get("e"), "\xE2\x82\xAC");
  EXPECT_EQ(q.get("f"), "%zz");
  EXPECT_FALSE(q.get("g").has_value());
}

TEST(QueryParams, ReplaceSortsKeysAndKeepsRepeatedValues) {
  const auto q = QueryParams::parse("offset=3&limit=5&search=Mir+Soyuz&format=json&z=1&z=2");
  EXPECT_EQ(q.encode_replacing("limit", "5", "offset", "8"),
            "format=json&limit=5&offset=8&search=Mir+Soyuz&z=1&z=2");
  EXPECT_EQ(q.encode_removing("offset", "limit", "5"),
            "format=json&limit=5&search=Mir+Soyuz&z=1&z=2");
}

TEST(QueryParams, EncodesLikeQuotePlus) {
  std::string out;
  ll2::text::append_quote_plus(out, "a b/c?d=e&f~_.-\xC3\xA9+%");
  EXPECT_EQ(out, "a+b%2Fc%3Fd%3De%26f~_.-%C3%A9%2B%25");
}
