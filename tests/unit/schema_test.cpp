// The declarations against LL2's official OpenAPI document: every view has
// exactly the schema's properties in the schema's order, and every nested
// view is the schema the property refers to.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <numeric>
#include <set>

#include "catalog/catalog.hpp"
#include "model/schema.hpp"
#include "store/sql_builder.hpp"
#include "store/sqlite_migrations.hpp"
#include "test_util.hpp"

using namespace ll2::model;

namespace {

std::string ref_name(const rapidjson::Value& prop) {
  const auto last = [](const char* ref) {
    std::string s(ref);
    return s.substr(s.rfind('/') + 1);
  };
  if (prop.HasMember("$ref")) return last(prop["$ref"].GetString());
  if (prop.HasMember("allOf")) return last(prop["allOf"][0]["$ref"].GetString());
  if (prop.HasMember("items") && prop["items"].HasMember("$ref"))
    return last(prop["items"]["$ref"].GetString());
  return {};
}

// The column type a schema property asks for. Durations have no format in
// the document: the one Django DurationField (length_of_day) is declared as
// such, LL2's ISO 8601 duration strings are text.
ColumnType column_type_for(const rapidjson::Value& prop) {
  const std::string type = prop.HasMember("type") ? prop["type"].GetString() : "";
  const std::string format = prop.HasMember("format") ? prop["format"].GetString() : "";
  if (type == "integer") return ColumnType::Integer;
  if (type == "number") return ColumnType::Float;
  if (type == "boolean") return ColumnType::Boolean;
  if (format == "date-time") return ColumnType::DateTime;
  if (format == "date") return ColumnType::Date;
  return ColumnType::Text;
}

}  // namespace

TEST(Declarations, ResolveWithoutProblems) {
  EXPECT_NO_THROW(registry());
  EXPECT_NE(registry().find_resource("docking_events"), nullptr);
}

const rapidjson::Document& openapi() {
  static const rapidjson::Document doc = [] {
    rapidjson::Document d;
    d.Parse(ll2::test::read_file(LL2D_FIXTURES "/ll2-2.3.0-openapi.json").c_str());
    return d;
  }();
  return doc;
}

TEST(Declarations, ViewsMatchOpenApiSchemas) {
  ASSERT_FALSE(openapi().HasParseError());
  const auto& schemas = openapi()["components"]["schemas"];
  int checked = 0;
  // Every declared view, reachable from an endpoint or not.
  for (const auto& vp : registry().views()) {
    const View& v = *vp;
    ASSERT_TRUE(schemas.HasMember(v.name.c_str())) << v.name;
    const auto& props = schemas[v.name.c_str()]["properties"];
    std::vector<std::string> expected;
    for (auto it = props.MemberBegin(); it != props.MemberEnd(); ++it)
      expected.emplace_back(it->name.GetString());
    std::vector<std::string> actual;
    for (const auto& f : v.fields) {
      actual.push_back(f.key);
      if (!props.HasMember(f.key.c_str())) continue;
      const auto& prop = props[f.key.c_str()];
      if (f.view != nullptr) {
        EXPECT_EQ(ref_name(prop), f.view->name) << v.name << "." << f.key;
        // A list for an array, an object for a reference.
        const bool array = prop.HasMember("type") && prop["type"] == "array";
        EXPECT_EQ(f.many, array) << v.name << "." << f.key;
      } else {
        EXPECT_EQ(ref_name(prop), "") << v.name << "." << f.key << " should be nested";
      }
      if (f.type == field_types::column()) {
        const ColumnType want = column_type_for(prop);
        const bool duration = want == ColumnType::Text && f.field->type == ColumnType::Duration;
        EXPECT_TRUE(want == f.field->type || duration) << v.name << "." << f.key;
      }
      // response_mode is a constant: the schema's default.
      if (f.type == field_types::mode()) {
        ASSERT_TRUE(prop.HasMember("default")) << v.name;
        EXPECT_EQ(f.text, prop["default"].GetString()) << v.name << ".response_mode";
      }
    }
    EXPECT_EQ(actual, expected) << v.name;
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

TEST(Declarations, EveryComponentSchemaHasAView) {
  // Pagination wrappers, the polymorphic unions of an endpoint's modes and
  // the throttle status are not serializers of stored objects.
  const auto skipped = [](const std::string& name) {
    return name.starts_with("Paginated") || name.starts_with("Polymorphic") ||
           name.starts_with("Patched") || name == "APIThrottle";
  };
  const auto& schemas = openapi()["components"]["schemas"];
  std::vector<std::string> missing;
  int declared = 0;
  for (auto it = schemas.MemberBegin(); it != schemas.MemberEnd(); ++it) {
    const std::string name = it->name.GetString();
    if (skipped(name)) continue;
    if (registry().find_view(name) == nullptr)
      missing.push_back(name);
    else
      ++declared;
  }
  EXPECT_EQ(missing, std::vector<std::string>{});
  EXPECT_EQ(declared, 144);
}

TEST(Schema, ListQueryUsesOnlyDeclaredIdentifiersAndParameters) {
  const Resource& r = *registry().find_resource("docking_events");
  ll2::store::ListQuery q;
  q.kind = r.kind;
  q.where = Predicate::compare("docking_location__id", Lookup::Exact, int64_t{3});
  q.search_paths = r.search_fields;
  q.search_terms = {"X'); DROP TABLE docking_event; --"};
  q.order = {{"departure", true}};
  const auto sql = ll2::store::sql::list(q);
  EXPECT_EQ(sql.page.sql.find("DROP"), std::string::npos);
  EXPECT_NE(sql.page.sql.find("DESC NULLS FIRST, t0.id ASC"), std::string::npos);
  EXPECT_EQ(sql.page.params.size(), 1U + 7U + 2U);
}
