#include <gtest/gtest.h>

#include "api/params.hpp"

using namespace ll2::api;  // NOLINT(google-build-using-namespace)
using ll2::http::QueryParams;

namespace {
const Resource& docking() {
  return *registry().find_resource("docking_events");
}
int64_t limit(const char* q) {
  return parse_limit(QueryParams::parse(q));
}
int64_t offset(const char* q) {
  return parse_offset(QueryParams::parse(q));
}
}  // namespace

TEST(Pagination, LimitAsDrfLimitOffsetPagination) {
  EXPECT_EQ(limit(""), 10);
  EXPECT_EQ(limit("limit=5"), 5);
  EXPECT_EQ(limit("limit=1000"), 100);
  EXPECT_EQ(limit("limit=0"), 10);
  EXPECT_EQ(limit("limit=-3"), 10);
  EXPECT_EQ(limit("limit=abc"), 10);
  EXPECT_EQ(limit("limit=%207%20"), 7);
  EXPECT_EQ(limit("limit=2&limit=4"), 4);
  EXPECT_EQ(limit("limit=99999999999999999999"), 100);  // Python caps big integers too
  EXPECT_EQ(limit("limit=-99999999999999999999"), 10);
  EXPECT_EQ(limit("limit=9999999999999999999x"), 10);
}

TEST(Pagination, OffsetAsDrfLimitOffsetPagination) {
  EXPECT_EQ(offset(""), 0);
  EXPECT_EQ(offset("offset=20"), 20);
  EXPECT_EQ(offset("offset=-1"), 0);
  EXPECT_EQ(offset("offset=x"), 0);
  EXPECT_EQ(offset("offset=99999999999999999999"), INT64_MAX);
}

TEST(Search, TermsSplitOnWhitespaceAndCommas) {
  EXPECT_EQ(search_terms("Soyuz, Progress  Mir"),
            (std::vector<std::string>{"Soyuz", "Progress", "Mir"}));
  EXPECT_EQ(search_terms(std::string_view("a\0b,,c", 6)), (std::vector<std::string>{"ab", "c"}));
  EXPECT_TRUE(search_terms(" , ").empty());
}

TEST(Ordering, UnknownTermsDroppedKnownKeptInOrder) {
  const auto keys = ordering_terms(docking(), " -departure ,foo,docking,--docking,Docking,id");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].path, "departure");
  EXPECT_TRUE(keys[0].descending);
  EXPECT_EQ(keys[1].path, "docking");
  EXPECT_FALSE(keys[1].descending);
}

TEST(Select, DefaultsAndModes) {
  auto list = std::get<Selection>(select(docking(), QueryParams::parse(""), false));
  EXPECT_EQ(list.mode->name, "normal");
  ASSERT_EQ(list.query.order.size(), 1u);
  EXPECT_EQ(list.query.order[0].path, "docking");
  auto detail = std::get<Selection>(select(docking(), QueryParams::parse(""), true));
  EXPECT_EQ(detail.mode->name, "detailed");
  auto switched =
      std::get<Selection>(select(docking(), QueryParams::parse("mode=detailed"), false));
  EXPECT_EQ(switched.mode->name, "detailed");
}

TEST(Select, UnknownModeIsAnErrorNamingValidModes) {
  const auto result = select(docking(), QueryParams::parse("mode=list"), false);
  const auto& errors = std::get<FieldErrors>(result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].first, "mode");
  EXPECT_NE(errors[0].second[0].find("normal, detailed"), std::string::npos);
}

TEST(Select, FilterErrorsInDjangoFilterFormOrder) {
  const auto result = select(
      docking(), QueryParams::parse("docking__gt=x&docking_location__id=y&docking__lt="), false);
  const auto& errors = std::get<FieldErrors>(result);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].first, "docking_location__id");
  EXPECT_EQ(errors[0].second[0], "Enter a number.");
  EXPECT_EQ(errors[1].first, "docking__gt");
  EXPECT_EQ(errors[1].second[0], "Enter a valid date/time.");
}

TEST(Select, EmptyFilterValuesAreNotApplied) {
  auto sel = std::get<Selection>(
      select(docking(), QueryParams::parse("docking__gt=&space_station_target__id="), false));
  EXPECT_EQ(sel.query.where.kind, Predicate::Kind::All);
  // Beyond int64 a number still compares as the number it is (no row has it).
  auto out_of_range = std::get<Selection>(
      select(docking(), QueryParams::parse("docking_location__id=1e30"), false));
  ASSERT_EQ(out_of_range.query.where.kind, Predicate::Kind::Compare);
  EXPECT_EQ(std::get<double>(out_of_range.query.where.values.at(0)), 1e30);
}

TEST(Select, SearchTermsAreUpperCased) {
  auto sel =
      std::get<Selection>(select(docking(), QueryParams::parse("search=%C3%A9toile,mir"), false));
  EXPECT_EQ(sel.query.search_terms, (std::vector<std::string>{"ÉTOILE", "MIR"}));
  EXPECT_EQ(sel.query.search_paths.size(), 7u);
}
