// The declarations against three real LL2 2.3.0 responses
// (tests/fixtures/real/): every object has the keys of the view that renders
// it, in the same order, at every level; and imported, then rendered by that
// view, each comes back as LL2 sent it, numbers in their own text (LL2 sends
// a float field's whole number as 12742000 in one place and 3.0 in another).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "api/serializer.hpp"
#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"
#include "model/schema.hpp"
#include "test_util.hpp"

using namespace ll2;

namespace {

struct Case {
  const char* file;
  const char* kind;
  const char* view;  // the view of the endpoint's mode (the Polymorphic* mapping)
};
const Case kCases[] = {
    {"agency-44-detailed.json", "agency", "AgencyEndpointDetailed"},
    {"launches-limit2-normal.json", "launch", "LaunchNormal"},
    {"space-stations-2-normal.json", "space_station", "SpaceStationEndpoint"},
};

std::string read(const Case& c) {
  return test::read_file(std::string(LL2D_FIXTURES "/real/") + c.file);
}

// The top-level objects: a page's results, or the object itself.
std::vector<const rapidjson::Value*> objects(const rapidjson::Document& doc) {
  std::vector<const rapidjson::Value*> out;
  if (doc.HasMember("results")) {
    for (const auto& r : doc["results"].GetArray()) out.push_back(&r);
  } else {
    out.push_back(&doc);
  }
  return out;
}

// Walks an object alongside its view; returns the first difference.
std::string compare_keys(const rapidjson::Value& obj, const model::View& view,
                         const std::string& path) {
  std::vector<std::string> actual;
  for (const auto& m : obj.GetObject()) actual.emplace_back(m.name.GetString());
  std::vector<std::string> expected;
  for (const auto& f : view.fields) expected.push_back(f.key);
  if (actual != expected) {
    return fmt::format("{} ({}): keys [{}], view has [{}]", path, view.name,
                       fmt::join(actual, ", "), fmt::join(expected, ", "));
  }
  for (const auto& f : view.fields) {
    if (f.view == nullptr) continue;
    const rapidjson::Value& v = obj[f.key.c_str()];
    const std::string here = path + "." + f.key;
    if (v.IsObject()) {
      if (auto d = compare_keys(v, *f.view, here); !d.empty()) return d;
    } else if (v.IsArray()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        if (auto d = compare_keys(v[i], *f.view, fmt::format("{}[{}]", here, i)); !d.empty())
          return d;
      }
    } else if (!v.IsNull()) {
      return here + ": neither an object, a list nor null";
    }
  }
  return {};
}

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

}  // namespace

TEST(RealResponses, KeysComeInTheViewsOrderAtEveryLevel) {
  for (const auto& c : kCases) {
    rapidjson::Document doc;
    doc.Parse(read(c).c_str());
    ASSERT_FALSE(doc.HasParseError()) << c.file;
    const model::View* view = model::registry().find_view(c.view);
    ASSERT_NE(view, nullptr) << c.view;
    const auto objs = objects(doc);
    ASSERT_FALSE(objs.empty()) << c.file;
    for (size_t i = 0; i < objs.size(); ++i)
      EXPECT_EQ(compare_keys(*objs[i], *view, fmt::format("{}[{}]", c.file, i)), "");
  }
}

TEST(RealResponses, ImportedObjectsRenderAsLl2SentThem) {
  for (const auto& c : kCases) {
    test::TempDir dir;
    auto opened = store::open_sqlite(dir.file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store) << opened.error;
    const model::Kind& kind = *model::registry().find_kind(c.kind);
    const std::string text = read(c);
    auto collected = ingest::collect(test::catalog(), kind, text, c.file);
    ASSERT_TRUE(std::holds_alternative<ingest::Collected>(collected))
        << std::get<ingest::ImportError>(collected).to_string();
    ASSERT_FALSE(opened.store->write(std::get<ingest::Collected>(collected).batch));

    rapidjson::Document doc;
    test::parse_numbers_as_text(doc, text);
    ASSERT_TRUE(doc.IsObject()) << c.file;
    const model::View& view = *model::registry().find_view(c.view);
    api::RowCache cache(*opened.store);
    cache.refresh();
    const api::UrlContext urls{"https://ll.thespacedevs.com", "", "",
                               model::registry().version().prefix};
    for (const rapidjson::Value* original : objects(doc)) {
      const std::string id_text = std::string((*original)["id"].GetString()).substr(1);
      const Value id = kind.id_type == model::IdType::Uuid ? Value(id_text)
                                                           : Value(int64_t{std::stoll(id_text)});
      const auto row = cache.load(kind, id);
      ASSERT_TRUE(row) << c.file;
      std::string rendered;
      json::Writer w(rendered);
      api::Serializer(cache, urls).write(w, view, *row);
      rapidjson::Document ours;
      test::parse_numbers_as_text(ours, rendered);
      ASSERT_TRUE(ours.IsObject()) << rendered;
      const std::string a = compact(ours);
      const std::string b = compact(*original);
      const size_t at = static_cast<size_t>(
          std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
      EXPECT_EQ(a, b) << c.file << " differs at " << at
                      << ":\n  ours:   " << a.substr(at < 200 ? 0 : at - 200, 400)
                      << "\n  theirs: " << b.substr(at < 200 ? 0 : at - 200, 400);
    }
  }
}
