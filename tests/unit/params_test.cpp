#include <gtest/gtest.h>

#include "api/params.hpp"
#include "catalog/catalog.hpp"

using namespace ll2::api;  // NOLINT(google-build-using-namespace)
using ll2::model::registry;
using ll2::text::QueryParams;

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

// Expected values from DRF 3.17.1's search_smart_split, run by Python 3.11
// on each input (rest_framework/filters.py with Django 5.2.6's smart_split).
TEST(Search, TermsSplitAsDrfSearchSmartSplit) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"Soyuz, Progress  Mir", {"Soyuz", "Progress", "Mir"}},
      {"\"Falcon 9\"", {"Falcon 9"}},
      {"'Falcon 9' Block", {"Falcon 9", "Block"}},
      {"\"", {""}},
      {"'", {""}},
      {"\"\"", {""}},
      {"a,b", {"a", "b"}},
      {"\"a b\",", {"a b"}},
      {",\"a b\"", {"a b"}},
      {"\"a b\"x", {"\"a b\"x"}},
      {"x\"a b\"y", {"x\"a b\"y"}},
      {"\"unclosed term", {"\"unclosed", "term"}},
      {"it's", {"it's"}},
      {"\"a \\\"b\\\" c\"", {"a \"b\" c"}},
      {"'a \\'b\\' c'", {"a 'b' c"}},
      {"\"a\\\\b\"", {"a\\b"}},
      {"\"a, ,b\"x", {"\"a", "", "b\"x"}},
      {" , ", {}},
      {",,,", {}},
      {"a\"b c\"d e", {"a\"b c\"d", "e"}},
      {"\"a\"'b'", {"\"a\"'b'"}},
      {"\"a\\\nb\"", {"\"a\\", "b\""}},
      {"x\xc2"
       "\xa0"
       "y",
       {"x", "y"}},
      {"\"\xc2"
       "\xa0"
       "\"",
       {"\xc2"
        "\xa0"
        ""}},
      {"'\"'", {"\""}},
      {"\"a\"b\"c\"", {"a\"b\"c"}},
      {"\xc3"
       "\xa9"
       ",\"\xc3"
       "\xbc"
       " \xc3"
       "\x9f"
       "\"",
       {"\xc3"
        "\xa9"
        "",
        "\"\xc3"
        "\xbc"
        " \xc3"
        "\x9f"
        "\""}},
      {"\"a b\" \"c", {"a b", "\"c"}},
      {"\"a'b\" 'c\"d'", {"a'b", "c\"d"}},
      {"a\x1f"
       "b",
       {"a", "b"}},
      {"\"a\\", {"\"a\\"}},
      {"'it''s'", {"it''s"}},
  };
  for (const auto& [input, expected] : cases) {
    const auto terms = search_terms(input);
    ASSERT_TRUE(terms.has_value()) << input;
    EXPECT_EQ(*terms, expected) << input;
  }
}

TEST(Search, NulAnywhereIsRejected) {
  EXPECT_FALSE(search_terms(std::string_view("a\0b", 3)).has_value());
  EXPECT_FALSE(search_terms(std::string_view("\"x\0\"", 4)).has_value());
  EXPECT_TRUE(search_terms("").has_value());
}

TEST(Ordering, UnknownTermsDroppedKnownKeptInOrder) {
  const auto keys = ordering_terms(docking(), " -departure ,foo,docking,--docking,Docking,id");
  ASSERT_EQ(keys.size(), 2U);
  EXPECT_EQ(keys[0].path, "departure");
  EXPECT_TRUE(keys[0].descending);
  EXPECT_EQ(keys[1].path, "docking");
  EXPECT_FALSE(keys[1].descending);
}

TEST(Select, DefaultsAndModes) {
  auto list = std::get<Selection>(select(docking(), QueryParams::parse(""), false));
  EXPECT_EQ(list.mode->name, "normal");
  ASSERT_EQ(list.query.order.size(), 1U);
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
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].first, "mode");
  EXPECT_NE(errors[0].second[0].find("normal, detailed"), std::string::npos);
}

TEST(Select, FilterErrorsInDjangoFilterFormOrder) {
  const auto result = select(
      docking(), QueryParams::parse("docking__gt=x&docking_location__id=y&docking__lt="), false);
  const auto& errors = std::get<FieldErrors>(result);
  ASSERT_EQ(errors.size(), 2U);
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
  EXPECT_EQ(sel.query.search_paths.size(), 7U);
}

TEST(Select, NulInSearchIsANonFieldError) {
  for (const bool detail : {false, true}) {
    const auto result = select(docking(), QueryParams::parse("search=%22a%00%22"), detail);
    const auto& errors = std::get<FieldErrors>(result);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].first, "");
    EXPECT_EQ(errors[0].second, std::vector<std::string>{"Null characters are not allowed."});
  }
}

namespace {
const Resource& resource(const char* name) {
  return *registry().find_resource(name);
}
Predicate::Kind where(const char* name, const char* query) {
  return std::get<Selection>(select(resource(name), QueryParams::parse(query), false))
      .query.where.kind;
}
FieldErrors errors(const char* name, const char* query) {
  return std::get<FieldErrors>(select(resource(name), QueryParams::parse(query), false));
}
}  // namespace

// Django 5.0's IntegerFieldOverflow: beyond an IntegerField's 32 bits a bound
// is the whole result (NULLs included) or none.
TEST(Select, IntegerBoundsBeyondTheColumnAsDjango50) {
  EXPECT_EQ(where("agencies", "founding_year__lt=2147483648"), Predicate::Kind::All);
  EXPECT_EQ(where("agencies", "founding_year__lte=1e30"), Predicate::Kind::All);
  EXPECT_EQ(where("agencies", "founding_year__gt=-2147483649"), Predicate::Kind::All);
  EXPECT_EQ(where("agencies", "founding_year__gte=-2147483649.7"), Predicate::Kind::All);
  EXPECT_EQ(where("agencies", "founding_year__gt=2147483648"), Predicate::Kind::Nothing);
  EXPECT_EQ(where("agencies", "founding_year__lt=-2147483649"), Predicate::Kind::Nothing);
  EXPECT_EQ(where("agencies", "founding_year=2147483648"), Predicate::Kind::Nothing);
  EXPECT_EQ(where("agencies", "founding_year=-99999999999999999999"), Predicate::Kind::Nothing);
  EXPECT_EQ(where("agencies", "founding_year__lt=2147483647.9"), Predicate::Kind::Compare);
  EXPECT_EQ(where("agencies", "founding_year__gt=-2147483648"), Predicate::Kind::Compare);
}

// ModelMultipleChoiceField compares str(pk) with each value as given.
TEST(Select, ModelMultipleChoiceValuesAreIdsAsPythonPrintsThem) {
  ll2::api::SelectContext every_id_exists;
  for (const char* query : {"program=%201", "program=01", "program=%2B1", "program=%EF%BC%91"}) {
    const auto result = select(resource("launches"), QueryParams::parse(query), false);
    const auto* e = std::get_if<FieldErrors>(&result);
    ASSERT_NE(e, nullptr) << query;
    EXPECT_EQ((*e)[0].second[0].rfind("Select a valid choice. ", 0), 0U) << query;
  }
  EXPECT_EQ(where("launches", "program=1"), Predicate::Kind::Compare);
}

// forms.CharField and ModelChoiceField run ProhibitNullCharactersValidator;
// DecimalField and UUIDField refuse the text first.
TEST(Select, NulInFilterValuesAsDjango) {
  const auto message = [](const char* name, const char* query) {
    const auto e = errors(name, query);
    return e.size() == 1 && e[0].second.size() == 1 ? e[0].first + ": " + e[0].second[0] : "?";
  };
  EXPECT_EQ(message("launches", "status=1%00"), "status: Null characters are not allowed.");
  EXPECT_EQ(message("launches", "program=1&program=%00"),
            "program: Null characters are not allowed.");
  EXPECT_EQ(message("launches", "name=a%00"), "name: Null characters are not allowed.");
  EXPECT_EQ(message("launches", "launch_designator=a,b%00"),
            "launch_designator: Null characters are not allowed.");
  EXPECT_EQ(message("agencies", "founding_year=1%00"), "founding_year: Enter a number.");
  EXPECT_EQ(message("launches", "id=%00"), "id: Enter a valid UUID.");
}
