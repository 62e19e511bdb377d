#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "util/datetime.hpp"

using namespace ll2::datetime;

namespace {
std::string filter(const char* s) {
  const auto v = parse_filter_datetime(s);
  return v ? format_datetime(*v) : "invalid";
}
}  // namespace

TEST(FilterDateTime, AcceptsDjangoParseDatetimeForms) {
  EXPECT_EQ(filter("2024-06-06T06:48:00Z"), "2024-06-06T06:48:00Z");
  EXPECT_EQ(filter("2024-06-06 06:48"), "2024-06-06T06:48:00Z");
  EXPECT_EQ(filter("2024-6-6T6:48"), "2024-06-06T06:48:00Z");
  EXPECT_EQ(filter("2024-06-06T06:48:00.5"), "2024-06-06T06:48:00.500000Z");
  EXPECT_EQ(filter("2024-06-06T06:48:00,123456789Z"), "2024-06-06T06:48:00.123456Z");
  EXPECT_EQ(filter("2024-06-06T06:48:00+02:00"), "2024-06-06T04:48:00Z");
  EXPECT_EQ(filter("2024-06-06T06:48:00-0130"), "2024-06-06T08:18:00Z");
  EXPECT_EQ(filter("2024-06-06T06:48:00+05"), "2024-06-06T01:48:00Z");
  EXPECT_EQ(filter("  2024-06-06T06:48:00Z  "), "2024-06-06T06:48:00Z");
  EXPECT_EQ(filter("2024-06-06"), "2024-06-06T00:00:00Z");
}

TEST(FilterDateTime, RejectsEverythingElse) {
  for (const char* bad :
       {"01/15/2020", "2020/01/01", "1577836800", "2020-01-01T00:00:00+25:00", "2020-13-01",
        "2020-02-30", "2020-01-01T24:00", "2020-1-1", "notadate", "2020-01-01T00:00:00+05:3"}) {
    EXPECT_EQ(filter(bad), "invalid") << bad;
  }
}

// Django 5.2 parses with Python's datetime.fromisoformat first; the expected
// values are Python 3.11's (the table says how they were made).
TEST(FilterDateTime, AsPython311AndDjango52ParseThem) {
  using namespace std::string_literals;  // inputs may hold a NUL
  const std::vector<std::pair<std::string, std::optional<int64_t>>> cases = {
#include "datetime_iso_cases.inc"
  };
  for (const auto& [input, expected] : cases) {
    const auto got = parse_filter_datetime(input);
    EXPECT_EQ(got, expected) << '"' << input << "\" " << (got ? format_datetime(*got) : "invalid")
                             << " expected " << (expected ? format_datetime(*expected) : "invalid");
  }
}

TEST(FormatDateTime, FractionOnlyWhenNonZero) {
  EXPECT_EQ(format_datetime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_datetime(1), "1970-01-01T00:00:00.000001Z");
  EXPECT_EQ(format_datetime(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(Duration, ParsesDjangoAndIsoFormsAndPrintsDurationString) {
  EXPECT_EQ(format_duration(*parse_duration("27 07:43:12")), "27 07:43:12");
  EXPECT_EQ(format_duration(*parse_duration("23:56:04")), "23:56:04");
  EXPECT_EQ(format_duration(*parse_duration("1 day, 00:37:22")), "1 00:37:22");
  EXPECT_EQ(format_duration(*parse_duration("P1DT2H3M4S")), "1 02:03:04");
  EXPECT_EQ(format_duration(*parse_duration("12.5")), "00:00:12.500000");
  EXPECT_EQ(format_duration(*parse_duration("-1 00:00:00")), "-1 00:00:00");
  EXPECT_FALSE(parse_duration("abc").has_value());
  EXPECT_FALSE(parse_duration("P").has_value());
}

TEST(Date, ValidatesCalendarDates) {
  EXPECT_EQ(parse_date("2024-02-29"), "2024-02-29");
  EXPECT_FALSE(parse_date("2023-02-29").has_value());
  EXPECT_FALSE(parse_date("2023-02-01T00:00").has_value());
}
