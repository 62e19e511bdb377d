// The throttle's pure parts: rates as DRF parses them (plus ll2d's short
// windows) and the key hash.
#include <gtest/gtest.h>

#include "http/throttle.hpp"

using ll2::http::parse_rate;
using ll2::http::Rate;

namespace {

Rate rate(const char* text) {
  auto r = parse_rate(text);
  if (auto* e = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << *e;
    return {};
  }
  return std::get<Rate>(r);
}

bool refused(const char* text) {
  return std::holds_alternative<std::string>(parse_rate(text));
}

}  // namespace

TEST(ThrottleRate, DrfReadsThePeriodByItsFirstLetter) {
  EXPECT_EQ(rate("15/hour"), (Rate{15, 3600}));
  EXPECT_EQ(rate("15/h"), (Rate{15, 3600}));
  EXPECT_EQ(rate("100/min"), (Rate{100, 60}));
  EXPECT_EQ(rate("1/s"), (Rate{1, 1}));
  EXPECT_EQ(rate("1000/day"), (Rate{1000, 86400}));
  EXPECT_EQ(rate("7/second"), (Rate{7, 1}));
}

TEST(ThrottleRate, ShortWindowsAreAMultipleOfTheUnit) {
  EXPECT_EQ(rate("5/10s"), (Rate{5, 10}));
  EXPECT_EQ(rate("100/15m"), (Rate{100, 900}));
  EXPECT_EQ(rate("2/1h"), (Rate{2, 3600}));
}

TEST(ThrottleRate, NonsenseIsRefusedWithTheExpectedForm) {
  for (const char* bad : {"", "15", "/hour", "x/hour", "0/hour", "-1/hour", "15/", "15/week",
                          "15/0s", "15/10", "1000001/s", " 15/hour", "15 /hour", "15/x10s"})
    EXPECT_TRUE(refused(bad)) << bad;
  const auto r = parse_rate("15/fortnight");
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_NE(std::get<std::string>(r).find("N/PERIOD"), std::string::npos);
}

TEST(ThrottleKeys, Sha256IsTheStandardDigestInLowerCaseHex) {
  EXPECT_EQ(ll2::http::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ll2::http::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
