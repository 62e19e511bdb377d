#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"
#include "ingest/json_source.hpp"
#include "test_util.hpp"

using namespace ll2;
using test::page_of;

namespace {

const model::Kind& root() {
  return *model::registry().find_resource("docking_events")->kind;
}

std::string golden() {
  return test::read_file(LL2D_FIXTURES "/docking_event_609_detailed.json");
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

ingest::ImportError collect_error(const std::string& text) {
  auto r = ingest::collect(test::catalog(), &root(), text, "bad.json");
  EXPECT_TRUE(std::holds_alternative<ingest::ImportError>(r));
  return std::holds_alternative<ingest::ImportError>(r) ? std::get<ingest::ImportError>(r)
                                                        : ingest::ImportError{};
}

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_sqlite(dir.file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store) << opened.error;
    db = std::move(opened.store);
  }
  std::string import_text(const std::string& text) {
    const std::string path = dir.file("in.json");
    std::ofstream(path, std::ios::binary) << text;
    auto r = ingest::import_file(*db, test::catalog(), &root(), path);
    if (auto* e = std::get_if<ingest::ImportError>(&r)) return e->to_string();
    return {};
  }
  std::string get(const std::string& target) {
    api::Engine engine(
        test::catalog(),
        [this] {
          return std::move(store::open_sqlite(dir.file("db.sqlite3"), test::schema()).store);
        },
        test::without_budget({"https://lldev.thespacedevs.com"}));
    return engine.handle({"GET", target, "x", ""}).body;
  }

  test::TempDir dir;
  std::unique_ptr<store::Store> db;
};

}  // namespace

TEST(Collect, CountsEventsAndObjects) {
  auto r = ingest::collect(test::catalog(), &root(), golden(), "golden.json");
  ASSERT_TRUE(std::holds_alternative<ingest::Collected>(r));
  const auto& c = std::get<ingest::Collected>(r);
  EXPECT_EQ(c.stats.events, 1);
  EXPECT_GT(c.stats.objects, 50);
}

TEST(Collect, TruncatedJsonNamesFileLineAndColumn) {
  const std::string text = golden().substr(0, 500);
  const auto e = collect_error(text);
  EXPECT_EQ(e.file, "bad.json");
  EXPECT_NE(e.message.find("invalid JSON"), std::string::npos);
  EXPECT_GT(e.line, 1U);
  EXPECT_NE(e.to_string().find("bad.json:"), std::string::npos);
}

TEST(Collect, WrongTypeNamesJsonPath) {
  const auto e = collect_error(replace_all(golden(), "\"priority\": 6", "\"priority\": \"six\""));
  EXPECT_EQ(e.json_path, "$.docking_location.payload.image.license.priority");
  EXPECT_NE(e.message.find("expected an integer"), std::string::npos);
  EXPECT_GT(e.line, 10U);
}

TEST(Collect, UnknownEnumAndMissingIdAreRejected) {
  auto e = collect_error(
      replace_all(golden(), "\"response_mode\": \"detailed\"", "\"response_mode\": \"huge\""));
  EXPECT_EQ(e.json_path, "$.response_mode");
  EXPECT_NE(e.message.find("unknown response_mode"), std::string::npos);
  e = collect_error(R"({"docking": "2024-06-06T06:48:00Z"})");
  EXPECT_EQ(e.json_path, "$");
  EXPECT_NE(e.message.find("missing \"id\""), std::string::npos);
  e = collect_error(
      replace_all(golden(), "\"docking\": \"2024-06-06T06:48:00Z\"", "\"docking\": \"yesterday\""));
  EXPECT_EQ(e.json_path, "$.docking");
  e = collect_error(
      replace_all(golden(), "\"id\": \"9e857a6e-3b00-48db-859c-658c5bfe8b47\"", "\"id\": 5"));
  EXPECT_NE(e.message.find("UUID"), std::string::npos);
}

TEST(Collect, OneBadObjectInAPageRejectsThePage) {
  const std::string event = golden();
  const std::string bad = replace_all(event, "\"id\": 609", "\"id\": \"609\"");
  const std::string page = "{\"count\":3,\"next\":null,\"previous\":null,\"results\":[" + event +
                           "," + bad + "," + event + "]}";
  const auto e = collect_error(page);
  EXPECT_EQ(e.json_path, "$.results[1].id");
}

// Objects are collected while the page is parsed; a syntax error after a
// bad object is still the one reported (the whole file is read first), and
// a page the scanner leaves to RapidJSON's reader late gives each object once.
TEST(Collect, APageCollectedWhileParsedReportsAndCountsAsAWholeOne) {
  const std::string event = golden();
  const std::string bad = replace_all(event, "\"id\": 609", "\"id\": \"609\"");
  std::string page = page_of({event, bad, event});
  page.pop_back();  // the last brace: invalid JSON
  auto e = collect_error(page);
  EXPECT_NE(e.message.find("invalid JSON"), std::string::npos) << e.to_string();
  EXPECT_EQ(e.json_path, "$");
  const std::string later = replace_all(event, "\"id\": 609", "\"id\": 610");
  auto whole = ingest::collect(test::catalog(), &root(), page_of({event, later}), "a.json");
  // The same page, with what the scanner leaves to the reader (a surrogate
  // pair, in a key ll2d does not store) in its last object.
  std::string tail = later;
  tail.replace(tail.rfind('}'), 1, ",\"x\":\"\\ud83d\\ude00\"}");
  auto reread = ingest::collect(test::catalog(), &root(), page_of({event, tail}), "b.json");
  ASSERT_TRUE(std::holds_alternative<ingest::Collected>(whole));
  ASSERT_TRUE(std::holds_alternative<ingest::Collected>(reread));
  const auto& a = std::get<ingest::Collected>(whole);
  const auto& b = std::get<ingest::Collected>(reread);
  EXPECT_EQ(a.stats.events, 2);
  EXPECT_EQ(b.stats.events, 2);
  EXPECT_EQ(a.stats.objects, b.stats.objects);
  EXPECT_EQ(a.batch.objects.size(), b.batch.objects.size());
  EXPECT_EQ(a.batch.links.size(), b.batch.links.size());
  // A root array's objects have their paths from "$".
  e = collect_error("[" + event + "," + bad + "]");
  EXPECT_EQ(e.json_path, "$[1].id");
}

TEST_F(ImporterTest, RicherViewsAreNotErasedByMiniViews) {
  ASSERT_EQ(import_text(golden()), "");
  const std::string detailed = get("/2.3.0/docking_events/609/?format=json");
  const std::string normal = get("/2.3.0/docking_events/609/?format=json&mode=normal");
  ASSERT_NE(normal, detailed);
  ASSERT_EQ(import_text(normal), "");  // the same event, with Mini views only
  EXPECT_EQ(get("/2.3.0/docking_events/609/?format=json"), detailed);
}

TEST_F(ImporterTest, PresentKeysUpdateAndListsAreReplaced) {
  ASSERT_EQ(import_text(golden()), "");
  std::string changed = replace_all(golden(), "\"name\": \"China National Space Administration\"",
                                    "\"name\": \"CNSA renamed\"");
  ASSERT_EQ(import_text(changed), "");
  EXPECT_NE(get("/2.3.0/docking_events/609/?format=json").find("CNSA renamed"), std::string::npos);
}

TEST_F(ImporterTest, FailedWriteLeavesNothingBehind) {
  const std::string bad = "{\"count\":1,\"next\":null,\"previous\":null,\"results\":[" + golden() +
                          ",{\"id\":1,\"docking\":5}]}";
  EXPECT_NE(import_text(bad), "");
  EXPECT_EQ(get("/2.3.0/docking_events/?format=json"),
            "{\"count\":0,\"next\":null,\"previous\":null,\"results\":[]}");
}

TEST_F(ImporterTest, ManyToManyListsKeepTheOrderTheyWereImportedIn) {
  // Agency 88's country list (the first in the record, holding country 6)
  // gets countries 9 and 2 in front of it: LL2 prints such lists in the order
  // they were linked (ESA's countries: ..., 85, 20, 86), not by id.
  std::string text = golden();
  const std::string list = R"("country": [)";
  const size_t at = text.find(list);
  ASSERT_NE(at, std::string::npos);
  text.insert(
      at + list.size(),
      R"({"id": 9, "name": "Nine", "alpha_2_code": "NI", "alpha_3_code": "NIN", "nationality_name": "",
              "nationality_name_composed": ""}, {"id": 2, "name": "Two", "alpha_2_code": "TW",
              "alpha_3_code": "TWO", "nationality_name": "", "nationality_name_composed": ""}, )");
  ASSERT_EQ(import_text(text), "");
  std::string body = get("/2.3.0/docking_events/609/?format=json");
  const size_t nine = body.find("{\"id\":9,\"name\":\"Nine\"");
  const size_t two = body.find("{\"id\":2,\"name\":\"Two\"");
  const size_t six = body.find("{\"id\":6,", two);
  ASSERT_NE(two, std::string::npos);
  ASSERT_NE(nine, std::string::npos);
  EXPECT_LT(nine, two);
  EXPECT_LT(two, six);
  // A later import says the list anew, order included.
  const std::string swapped = R"("country": [{"id": 2, "name": "Two", "alpha_2_code": "TW",
              "alpha_3_code": "TWO", "nationality_name": "", "nationality_name_composed": ""}, {"id": 9, "name": "Nine", "alpha_2_code": "NI", "alpha_3_code": "NIN", "nationality_name": "",
              "nationality_name_composed": ""}, )";
  std::string again = golden();
  again.replace(again.find(list), list.size(), swapped);
  ASSERT_EQ(import_text(again), "");
  body = get("/2.3.0/docking_events/609/?format=json&again");
  EXPECT_LT(body.find("{\"id\":2,\"name\":\"Two\""), body.find("{\"id\":9,\"name\":\"Nine\""));
}

// ---- The JSON scanner and the RapidJSON reader it falls back to must agree
// on every document: the same tree, or the same error at the same place.

namespace {

std::string describe_tree(const ingest::JsonNode& n) {
  std::string out = fmt::format("{}@{}", static_cast<int>(n.type), n.offset);
  if (!n.key.empty()) out += fmt::format(" key={}", n.key);
  switch (n.type) {
    case ingest::JsonNode::Type::Bool:
      out += n.boolean ? " true" : " false";
      break;
    case ingest::JsonNode::Type::Number:
    case ingest::JsonNode::Type::String:
      out += fmt::format(" [{}]", n.text);
      break;
    case ingest::JsonNode::Type::Array:
    case ingest::JsonNode::Type::Object:
      out += fmt::format("-{} {{", n.end);
      for (const auto& c : n.items()) out += describe_tree(c) + ",";
      out += "}";
      break;
    default:
      break;
  }
  return out;
}

std::string describe_parse(const ingest::JsonParse& p) {
  if (p.root != nullptr) return describe_tree(*p.root);
  return fmt::format("error {} at {} ({}) deep={}", p.error, p.error_offset, p.error_path,
                     p.too_deep);
}

void expect_same_parse(const std::string& text) {
  EXPECT_EQ(describe_parse(ingest::parse_json(text)),
            describe_parse(ingest::parse_json_reference(text)))
      << text.substr(0, 200);
}

}  // namespace

TEST(JsonSource, ScannerAgreesWithTheReaderOnTrickyDocuments) {
  const std::vector<std::string> docs = {"",
                                         " ",
                                         "{}",
                                         "[]",
                                         "null",
                                         "true",
                                         "false",
                                         "0",
                                         "-0",
                                         "1.5",
                                         "-12.25e+3",
                                         "1e400",
                                         "1E-400",
                                         "1e",
                                         "1e+",
                                         "01",
                                         "1.",
                                         ".5",
                                         "-",
                                         "+1",
                                         "[1,]",
                                         "{\"a\":1,}",
                                         "{\"a\" 1}",
                                         "[1 2]",
                                         "{\"a\":1}x",
                                         "{\"a\":1} \n\t",
                                         "\xEF\xBB\xBF{\"a\":[true,false,null]}",
                                         "\"plain\"",
                                         "\"tab\\t nl\\n quote\\\" slash\\/ back\\\\ \\b\\f\\r\"",
                                         "\"\\u00e9\\u20AC\\u0000x\"",
                                         "\"\\ud83d\\ude00\"",
                                         "\"\\ud83d\"",
                                         "\"\\ude00x\"",
                                         "\"\\uZZZZ\"",
                                         "\"\\x\"",
                                         "\"raw\tcontrol\"",
                                         "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"",
                                         "\"bad \xC3\"",
                                         "\"overlong \xC0\xAF\"",
                                         "\"surrogate \xED\xA0\x80\"",
                                         "\"big \xF4\x90\x80\x80\"",
                                         "\"lone \x80\"",
                                         "{\"a\":1,\"a\":2}",
                                         "{\"x\":{\"b\":[{\"c\":1,\"c\":2}]}}",
                                         "{\"\\u0061\":1,\"a\":2}",
                                         "{\"\":1,\"\":2}",
                                         "{\"k\":\"v\",\"n\":-0.000123e-5}",
                                         "[" + std::string(64, '[') + std::string(64, ']') + "]",
                                         std::string(64, '[') + std::string(64, ']'),
                                         std::string(63, '[') + std::string(63, ']'),
                                         "{\"a\":" + std::string(300, '1') + "}",
                                         "{\"a\":" + std::string(400, '1') + "}",
                                         "{\"a\":1e308}",
                                         "{\"a\":1e309}",
                                         "{\"a\":0.001e309}",
                                         "[nul]",
                                         "[tru]",
                                         "[fals]",
                                         "{\"a\"",
                                         "[\"unterminated",
                                         "{\"a\":1",
                                         "[1,2"};
  for (const auto& d : docs) expect_same_parse(d);
}

// The scanner's shortcuts: strings scanned 16 bytes at a time (what stops
// them before, at and past a block's edge), and objects with the same keys
// as one found without a duplicate (then a duplicate among as many keys).
TEST(JsonSource, ScannerAgreesWithTheReaderPastItsShortcuts) {
  const std::vector<std::string> docs = {
      "\"0123456789abcdef0123456789abcdef\"",
      "\"0123456789abcde\\n0123456789abcdef\"",
      "\"0123456789abcdef\\n0123456789abcdef\"",
      "\"0123456789abcdefg\xC3\xA9h0123456789\"",
      "\"0123456789abcdef\x01\"",
      "\"0123456789abcdef\x7F\"",
      "\"0123456789abcdef\xFF\"",
      "\"0123456789abcdef0123",
      "[{\"a\":1,\"b\":2,\"c\":3},{\"a\":1,\"b\":2,\"c\":3},{\"a\":1,\"b\":2,\"a\":3}]",
      "[{\"a\":1,\"b\":2},{\"b\":1,\"b\":2}]",
      "[{\"a\":1,\"b\":2},{\"a\":{\"a\":1,\"a\":2},\"b\":2}]"};
  for (const auto& d : docs) expect_same_parse(d);
  EXPECT_EQ(ingest::parse_json(docs[8]).root, nullptr);
}

// Keys are compared in place, 8 bytes at a time: every length, and a
// difference at every position.
TEST(JsonSource, SameKeyTellsEveryDifference) {
  const std::string text = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (size_t n = 0; n <= 20; ++n) {
    const std::string a = text.substr(0, n);
    std::string b = a;
    EXPECT_TRUE(ingest::same_key(a, b)) << n;
    EXPECT_FALSE(ingest::same_key(a, text.substr(0, n + 1))) << n;
    for (size_t i = 0; i < n; ++i) {
      b = a;
      b[i] = '_';
      EXPECT_FALSE(ingest::same_key(a, b)) << n << " at " << i;
    }
  }
}

// A page's objects are handed over as they are parsed, each as parse_json
// builds it; what the tree keeps of them is an empty shell.
TEST(JsonSource, TheListsItemsAreHandedOverAsTheyAreParsed) {
  const std::vector<std::pair<std::string, std::string>> lists = {
      {R"({"count":2,"results":[{"a":[1,{"b":2}],"c":"\n"},3,"x",[],{}],"next":{"d":[4]}})",
       "results"},
      {R"([{"a":1},{"b":[2,[3]]},null,true])", ""},
      {R"({"x":{"results":[1,2]},"y":[3]})", "none"},
      {R"({"results":7})", "none"},
      {R"("results")", "none"}};
  for (const auto& [text, where] : lists) {
    std::vector<std::string> heard;
    const ingest::ItemSink sink = [&heard](const ingest::JsonNode& item, size_t i) {
      heard.push_back(fmt::format("{}: {}", i, describe_tree(item)));
    };
    const auto streamed = ingest::parse_json_items(text, sink);
    ASSERT_TRUE(streamed.has_value()) << text;
    const auto whole = ingest::parse_json(text);
    const ingest::JsonNode* list = where == "results" ? whole.root->get("results")
                                   : where.empty()    ? whole.root
                                                      : nullptr;
    std::vector<std::string> expected;
    for (size_t i = 0; list != nullptr && i < list->size; ++i)
      expected.push_back(fmt::format("{}: {}", i, describe_tree(list->children[i])));
    EXPECT_EQ(heard, expected) << text;
    if (list == nullptr) {
      EXPECT_EQ(describe_parse(*streamed), describe_parse(whole)) << text;
      continue;
    }
    const ingest::JsonNode* kept =
        where == "results" ? streamed->root->get("results") : streamed->root;
    for (const auto& item : kept->items()) EXPECT_EQ(item.size, 0U) << text;
    if (where == "results")
      EXPECT_EQ(describe_tree(*streamed->root->get("next")),
                describe_tree(*whole.root->get("next")));
  }
  // What the scanner leaves to the reader: nothing, and parse_json decides.
  size_t heard = 0;
  const ingest::ItemSink count = [&heard](const ingest::JsonNode&, size_t) { ++heard; };
  EXPECT_FALSE(ingest::parse_json_items(R"([{"a":1},{"b":1e400}])", count).has_value());
  EXPECT_FALSE(
      ingest::parse_json_items(R"({"results":[{"a":1}],"results":[]})", count).has_value());
  EXPECT_FALSE(ingest::parse_json_items(R"([{"a":"\ud83d\ude00"}])", count).has_value());
  EXPECT_FALSE(ingest::parse_json_items(R"([{"a":1},{"b":2})", count).has_value());
}

TEST(JsonSource, ScannerAgreesWithTheReaderOnDamagedResponses) {
  std::vector<std::string> originals = {golden()};
  for (const char* f : {"/real/agency-44-detailed.json", "/real/launches-limit2-normal.json",
                        "/real/space-stations-2-normal.json"})
    originals.push_back(test::read_file(std::string(LL2D_FIXTURES) + f));
  for (const auto& text : originals) {
    expect_same_parse(text);
    // Deterministic damage: cut, replace or insert one byte across the file.
    const char replacements[] = {'"', '\\', '{', '}',  '[',    ']',    ',',    ':',
                                 '1', 'e',  '-', '\n', '\x01', '\xC3', '\x80', 'x'};
    const size_t step = std::max<size_t>(1, text.size() / 300);
    size_t r = 0;
    for (size_t at = 0; at < text.size(); at += step, ++r) {
      const char c = replacements[r % sizeof(replacements)];
      expect_same_parse(text.substr(0, at));
      std::string replaced = text;
      replaced[at] = c;
      expect_same_parse(replaced);
      std::string inserted = text;
      inserted.insert(at, 1, c);
      expect_same_parse(inserted);
    }
  }
}

// ---- A view repeated in a file is merged once: the batch must be what
// merging every occurrence gives.

namespace {

std::string value_text(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return fmt::format("i{}", *i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("f{}", *d);
  if (const auto* s = std::get_if<std::string>(&v)) return "t" + *s;
  return "null";
}

std::string describe_batch(const ingest::Collected& c) {
  std::string out = fmt::format("events {} objects {}\n", c.stats.events, c.stats.objects);
  for (const auto& o : c.batch.objects) {
    out += fmt::format("O {} {}", o.kind->name, value_text(o.id));
    for (const auto& [f, v] : o.values) out += fmt::format(" {}={}", f->name, value_text(v));
    out += "\n";
  }
  for (const auto& l : c.batch.links) {
    out += fmt::format("L {}.{} {}:", l.kind->name, l.field->name, value_text(l.owner));
    for (const auto& t : l.targets) out += fmt::format(" {}", value_text(t));
    out += "\n";
  }
  for (const auto& r : c.batch.rows) {
    out += fmt::format("R {} {}:", r.field->name, value_text(r.owner));
    for (const auto& row : r.rows) {
      out += " (";
      for (const auto& [f, v] : row) out += fmt::format("{}={} ", f->name, value_text(v));
      out += ")";
    }
    out += "\n";
  }
  return out;
}

std::string both_ways(const std::string& text) {
  auto once = ingest::collect(test::catalog(), &root(), text, "page.json", {.reuse_repeats = true});
  auto every =
      ingest::collect(test::catalog(), &root(), text, "page.json", {.reuse_repeats = false});
  EXPECT_TRUE(std::holds_alternative<ingest::Collected>(once));
  EXPECT_TRUE(std::holds_alternative<ingest::Collected>(every));
  if (!std::holds_alternative<ingest::Collected>(once) ||
      !std::holds_alternative<ingest::Collected>(every))
    return {};
  std::string a = describe_batch(std::get<ingest::Collected>(once));
  EXPECT_EQ(a, describe_batch(std::get<ingest::Collected>(every)));
  return a;
}

}  // namespace

TEST(Collect, ARepeatedViewAfterAChangeIsMergedAgain) {
  const std::string a = golden();
  const std::string b = replace_all(a, "\"name\": \"China National Space Administration\"",
                                    "\"name\": \"CNSA renamed\"");
  EXPECT_NE(both_ways(page_of({a, b})).find("name=tCNSA renamed"), std::string::npos);
  // The third event repeats the first: the name is the first's again.
  const std::string batch = both_ways(page_of({a, b, a}));
  EXPECT_EQ(batch.find("CNSA renamed"), std::string::npos);
  EXPECT_NE(batch.find("name=tChina National Space Administration"), std::string::npos);
}

TEST(Collect, RepeatedViewsGiveTheBatchEveryOccurrenceGives) {
  const std::string g = golden();
  const std::vector<std::string> variants = {
      g,
      replace_all(g, "\"name\": \"China National Space Administration\"", "\"name\": \"CNSA 2\""),
      replace_all(g, "\"id\": 609", "\"id\": 610"),
      replace_all(g, "\"priority\": 6", "\"priority\": 7"),
      replace_all(
          replace_all(g, "\"id\": 609", "\"id\": 611"), R"("country": [)",
          R"("country": [{"id": 9, "name": "Nine", "alpha_2_code": "NI", "alpha_3_code": "NIN", "nationality_name": "", "nationality_name_composed": ""}, )"),
      replace_all(replace_all(g, "\"abbrev\": \"CASC\"", "\"abbrev\": \"C2\""), "\"id\": 609",
                  "\"id\": 612"),
  };
  uint32_t seed = 12345;
  for (int page = 0; page < 40; ++page) {
    std::vector<std::string> events;
    for (int i = 0; i < 8; ++i) {
      seed = seed * 1103515245U + 12345U;
      events.push_back(variants[(seed >> 16) % variants.size()]);
    }
    both_ways(page_of(events));
  }
}

// ---- import_files leaves out writes that would change nothing: the
// database must be what sending every write gives, whatever the order of
// views, and a file whose write fails must take nothing else with it.

namespace {

// Imports `pages` (one file each) with and without leaving out repeats;
// returns the two databases' contents.
std::pair<std::string, std::string> import_both_ways(const std::vector<std::string>& pages,
                                                     test::TempDir& dir,
                                                     int64_t objects_per_transaction,
                                                     const std::string& fail_event = "",
                                                     const model::Kind* kind = &root()) {
  std::vector<ingest::ImportFile> files;
  for (size_t i = 0; i < pages.size(); ++i) {
    const std::string path = dir.file(fmt::format("p{:03d}.json", i));
    std::ofstream(path, std::ios::binary) << pages[i];
    files.push_back({path, kind});
  }
  std::string contents[2];
  for (const bool leave_out : {true, false}) {
    const std::string db = dir.file(fmt::format("db{}.sqlite3", leave_out));
    {
      auto opened = store::open_sqlite(db, test::schema());
      EXPECT_TRUE(opened.store) << opened.error;
      if (!fail_event.empty()) {
        sqlite3* h = nullptr;
        sqlite3_open(db.c_str(), &h);
        for (const char* when : {"INSERT", "UPDATE"}) {
          sqlite3_exec(h,
                       fmt::format("CREATE TRIGGER fail_{} BEFORE {} ON docking_event WHEN NEW.id "
                                   "= {} BEGIN SELECT RAISE(ABORT, 'refused'); END",
                                   when, when, fail_event)
                           .c_str(),
                       nullptr, nullptr, nullptr);
        }
        sqlite3_close(h);
      }
      ingest::ImportOptions options;
      options.leave_out_repeats = leave_out;
      options.objects_per_transaction = objects_per_transaction;
      options.seconds_per_transaction = 1000;
      ingest::import_files(
          *opened.store, test::catalog(), files, [](size_t, const ingest::FileOutcome&) {},
          options);
    }
    // Leaving out repeats leaves out no change either.
    contents[leave_out ? 0 : 1] = test::dump_tables(db) + test::dump_changes(db);
  }
  return {contents[0], contents[1]};
}

// `count` pages of `per_page` events each, drawn from `variants` by a
// linear congruential sequence that goes on from `seed`.
std::vector<std::string> random_pages(const std::vector<std::string>& variants, uint32_t& seed,
                                      int count, int per_page) {
  std::vector<std::string> pages;
  for (int p = 0; p < count; ++p) {
    std::vector<std::string> events;
    for (int i = 0; i < per_page; ++i) {
      seed = seed * 1103515245U + 12345U;
      events.push_back(variants[(seed >> 16) % variants.size()]);
    }
    pages.push_back(page_of(events));
  }
  return pages;
}

// Golden 609 with its payload flight's launch (which derives the flight's
// rocket, and is derived from it) changed by `change`.
std::string with_flight_launch(const std::function<void(rapidjson::Value&)>& change) {
  rapidjson::Document d;
  d.Parse(golden().c_str());
  change(d["payload_flight_chaser"]);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  d.Accept(w);
  return {out.GetString(), out.GetSize()};
}

}  // namespace

TEST(ImportFiles, LeavingOutRepeatsGivesTheDatabaseEveryWriteGives) {
  const std::string g = golden();
  const auto id = [](const std::string& text, int n) {
    return replace_all(text, "\"id\": 609", fmt::format("\"id\": {}", n));
  };
  const std::vector<std::string> variants = {
      g,
      replace_all(g, "\"name\": \"China National Space Administration\"", "\"name\": \"CNSA 2\""),
      id(g, 610),
      replace_all(g, "\"priority\": 6", "\"priority\": 7"),
      replace_all(
          id(g, 611), R"("country": [)",
          R"("country": [{"id": 9, "name": "Nine", "alpha_2_code": "NI", "alpha_3_code": "NIN", "nationality_name": "", "nationality_name_composed": ""}, )"),
      replace_all(id(g, 612), "\"abbrev\": \"CASC\"", "\"abbrev\": \"C2\""),
      replace_all(
          g, "\"variants\": []",
          R"("variants": [{"id": 77, "type": {"id": 1, "name": "Normal"}, "image_url": "https://x.example/a.jpg"}])"),
      // Variant 77 moves between images (children change owners).
      replace_all(
          replace_all(
              g, "\"variants\": []",
              R"("variants": [{"id": 77, "type": {"id": 1, "name": "Normal"}, "image_url": "https://x.example/a.jpg"}])"),
          "\"id\": 2094", "\"id\": 9999"),
      // The flight's derived keys: its launch written null (filled again from
      // its rocket), and its launch's rocket changed (a filled rocket stays).
      with_flight_launch([](rapidjson::Value& flight) { flight["launch"].SetNull(); }),
      with_flight_launch(
          [](rapidjson::Value& flight) { flight["launch"]["rocket"]["id"].SetInt(4242); }),
  };
  uint32_t seed = 777;
  for (const int64_t per_transaction : {int64_t{1}, int64_t{1'000'000}}) {
    for (int round = 0; round < 3; ++round) {
      const auto pages = random_pages(variants, seed, 12, 3);
      test::TempDir dir;
      const auto [left_out, every] = import_both_ways(pages, dir, per_transaction);
      EXPECT_EQ(left_out, every);
      ASSERT_NE(left_out.find("CNSA"), std::string::npos);
    }
  }
}

// A derived key is filled only where a batch may have made it known (the
// objects written, and those whose source's field was given): after any
// sequence of pages, filling every row of the tables changes nothing more.
TEST(ImportFiles, DerivedKeysAreFilledAsFillingEveryRowWould) {
  // The launch's id as a reference to this literal (a string copied into
  // another document's allocator would be freed before it is written out).
  const char* other_launch = "0e7d1c2b-5a4f-4c3e-9b2a-1f0e9d8c7b6a";
  const std::vector<std::string> variants = {
      golden(),
      // The flight's launch unknown: its launch is filled from its rocket.
      with_flight_launch([](rapidjson::Value& flight) { flight["launch"].SetNull(); }),
      // The launch printed without its rocket, with none, or another one.
      with_flight_launch([](rapidjson::Value& flight) { flight["launch"].RemoveMember("rocket"); }),
      with_flight_launch([](rapidjson::Value& flight) { flight["launch"]["rocket"].SetNull(); }),
      with_flight_launch(
          [](rapidjson::Value& flight) { flight["launch"]["rocket"]["id"].SetInt(4242); }),
      // Another flight on another launch, first printed without a rocket.
      replace_all(with_flight_launch([&](rapidjson::Value& flight) {
                    flight["id"].SetInt(4243);
                    flight["launch"]["id"].SetString(rapidjson::StringRef(other_launch));
                    flight["launch"].RemoveMember("rocket");
                  }),
                  "\"id\": 609", "\"id\": 613"),
      replace_all(with_flight_launch([&](rapidjson::Value& flight) {
                    flight["launch"]["id"].SetString(rapidjson::StringRef(other_launch));
                    flight["launch"]["rocket"]["id"].SetInt(4244);
                  }),
                  "\"id\": 609", "\"id\": 614"),
  };
  // Every row filled as fill_derived fills it (the test schema's flights
  // are payload flights).
  const std::string rocket =
      "(SELECT x.rocket_id FROM launch x WHERE x.id = payload_flight.launch_id)";
  const std::string by_rocket =
      "(SELECT x.id FROM launch x WHERE x.rocket_id = payload_flight.rocket_id ORDER BY x.id "
      "LIMIT 1)";
  const std::string fill_all = fmt::format(
      "UPDATE payload_flight SET rocket_id = {0} WHERE rocket_id IS NULL AND launch_id IS NOT "
      "NULL AND {0} IS NOT NULL; UPDATE payload_flight SET launch_id = {1} WHERE launch_id IS "
      "NULL AND rocket_id IS NOT NULL AND {1} IS NOT NULL;",
      rocket, by_rocket);
  uint32_t seed = 4242;
  int filled_flights = 0;
  for (const int64_t per_transaction : {int64_t{1}, int64_t{1'000'000}}) {
    for (int round = 0; round < 6; ++round) {
      const auto pages = random_pages(variants, seed, 8, 2);
      test::TempDir dir;
      const auto [left_out, every] = import_both_ways(pages, dir, per_transaction);
      EXPECT_EQ(left_out, every);
      sqlite3* h = nullptr;
      // The database imported leaving repeats out (import_both_ways).
      ASSERT_EQ(
          sqlite3_open_v2(dir.file("dbtrue.sqlite3").c_str(), &h, SQLITE_OPEN_READWRITE, nullptr),
          SQLITE_OK);
      const int before = sqlite3_total_changes(h);
      EXPECT_EQ(sqlite3_exec(h, fill_all.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
          << sqlite3_errmsg(h);
      EXPECT_EQ(sqlite3_total_changes(h), before) << "round " << round;
      sqlite3_exec(
          h,
          "SELECT count(*) FROM payload_flight WHERE rocket_id IS NOT NULL AND launch_id IS NOT "
          "NULL",
          [](void* n, int, char** v, char**) {
            *static_cast<int*>(n) += std::atoi(v[0]);
            return 0;
          },
          &filled_flights, nullptr);
      sqlite3_close(h);
    }
  }
  EXPECT_GT(filled_flights, 0);
}

TEST(ImportFiles, AFileUndoneInASharedTransactionTakesNothingElseWithIt) {
  const std::string g = golden();
  const std::string renamed =
      replace_all(g, "\"name\": \"China National Space Administration\"", "\"name\": \"Gone\"");
  const std::string failing = replace_all(renamed, "\"id\": 609", "\"id\": 666");
  // Page 2 repeats page 1's views, changes one, and fails: pages 1 and 3
  // (which repeats page 1) stay, and nothing of page 2 does.
  const std::vector<std::string> pages = {page_of({g}), page_of({renamed, failing}), page_of({g})};
  test::TempDir dir;
  const auto [left_out, every] = import_both_ways(pages, dir, 1'000'000, "666");
  EXPECT_EQ(left_out, every);
  EXPECT_EQ(left_out.find("Gone"), std::string::npos);
  EXPECT_NE(left_out.find("China National Space Administration"), std::string::npos);
  // Page 3 repeats what page 2 failed to write: it was left out of nothing
  // (the files after a failed one are read again, nothing remembered).
  const std::vector<std::string> again = {page_of({g}), page_of({renamed, failing}),
                                          page_of({renamed})};
  test::TempDir dir2;
  const auto [left_out2, every2] = import_both_ways(again, dir2, 1'000'000, "666");
  EXPECT_EQ(left_out2, every2);
  EXPECT_NE(left_out2.find("Gone"), std::string::npos);
}

TEST(ImportFiles, TheWriterReadsFilesWhileItHasNothingToWrite) {
  // A slow reader (its progress is heard on its thread, and waits there)
  // leaves the writer idle: it reads the next files itself, and the
  // database is the one a reader alone gives.
  test::TempDir dir;
  std::vector<ingest::ImportFile> files;
  for (int i = 0; i < 16; ++i) {
    files.push_back({dir.file(fmt::format("p{:02d}.json", i)), &root()});
    std::ofstream(files.back().path, std::ios::binary)
        << page_of({replace_all(golden(), "\"id\": 609", fmt::format("\"id\": {}", 700 + i))});
  }
  std::string contents[2];
  int by_writer[2] = {0, 0};
  for (const bool slow : {false, true}) {
    const std::string db = dir.file(fmt::format("db{}.sqlite3", slow));
    auto opened = store::open_sqlite(db, test::schema());
    ASSERT_TRUE(opened.store) << opened.error;
    ingest::ImportOptions options;
    if (slow) {
      options.reading = [](size_t, size_t, int64_t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      };
    }
    std::vector<size_t> told;
    ingest::import_files(
        *opened.store, test::catalog(), files,
        [&](size_t i, const ingest::FileOutcome& outcome) {
          EXPECT_TRUE(std::holds_alternative<ingest::ImportStats>(outcome.result));
          told.push_back(i);
          by_writer[slow] += outcome.read_by_writer ? 1 : 0;
        },
        options);
    EXPECT_EQ(told.size(), files.size());
    EXPECT_TRUE(std::is_sorted(told.begin(), told.end()));
    contents[slow] = test::dump_tables(db) + test::dump_changes(db);
  }
  EXPECT_GT(by_writer[1], 0);
  EXPECT_EQ(contents[0], contents[1]);
  EXPECT_NE(contents[1].find("China National Space Administration"), std::string::npos);
}

TEST(ImportFiles, AnotherWriterBetweenTransactionsIsNotOverlooked) {
  // Three identical pages, a transaction each; after the first commits,
  // someone else renames the agency: the second page (a repeat of the
  // first) must be written, not left out, and puts the name back.
  const std::string g = golden();
  test::TempDir dir;
  std::vector<ingest::ImportFile> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back({dir.file(fmt::format("p{}.json", i)), &root()});
    std::ofstream(files.back().path, std::ios::binary) << page_of({g});
  }
  const std::string db = dir.file("db.sqlite3");
  auto opened = store::open_sqlite(db, test::schema());
  ASSERT_TRUE(opened.store) << opened.error;
  ingest::ImportOptions options;
  options.objects_per_transaction = 1;
  options.files_ahead = 3;  // the reader is ahead when the rename comes
  std::vector<size_t> told;
  ingest::import_files(
      *opened.store, test::catalog(), files,
      [&](size_t i, const ingest::FileOutcome& outcome) {
        EXPECT_TRUE(std::holds_alternative<ingest::ImportStats>(outcome.result));
        told.push_back(i);
        if (i != 0) return;
        sqlite3* h = nullptr;
        sqlite3_open(db.c_str(), &h);
        EXPECT_EQ(sqlite3_exec(h,
                               "UPDATE agency SET name = 'Renamed elsewhere'; UPDATE ll2d_state "
                               "SET generation = generation + 1",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(h);
      },
      options);
  EXPECT_EQ(told, (std::vector<size_t>{0, 1, 2}));
  const std::string contents = test::dump_tables(db);
  EXPECT_EQ(contents.find("Renamed elsewhere"), std::string::npos);
  EXPECT_NE(contents.find("China National Space Administration"), std::string::npos);
}

TEST(ImportFiles, ReverseRelationsThatMoveRowsGiveTheDatabaseEveryWriteGives) {
  // Agencies list their launchers and spacecraft (reverse relations through
  // the configurations' foreign keys): lists that shrink, grow, reorder, and
  // another agency claiming the same configurations.
  const std::string text = test::read_file(LL2D_FIXTURES "/real/agency-44-detailed.json");
  const auto variant = [&](int which) {
    rapidjson::Document d;
    d.Parse(text.c_str());
    auto& a = d.GetAllocator();
    auto& launchers = d["launcher_list"];
    auto& spacecraft = d["spacecraft_list"];
    if (which == 1 || which == 4) {
      d["id"].SetInt(45);
      d["url"].SetString("https://ll.thespacedevs.com/2.3.0/agencies/45/", a);
    }
    if (which == 2) {
      while (launchers.Size() > 1) launchers.PopBack();
      spacecraft.Clear();
    }
    if (which == 3) {
      std::reverse(launchers.Begin(), launchers.End());
      launchers[0]["name"].SetString("Renamed launcher", a);
    }
    if (which == 4) {
      while (launchers.Size() > 2) launchers.PopBack();
    }
    if (which >= 6) {
      // The configuration in another view (without its history), once
      // renamed: its fields are then compared one by one.
      spacecraft[0].RemoveMember("history");
      if (which == 7) spacecraft[0]["name"].SetString("Renamed spacecraft", a);
    }
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    if (which >= 5) {
      spacecraft[0].Accept(w);  // a configuration alone, naming agency 44 itself
    } else {
      d.Accept(w);
    }
    return std::string(out.GetString(), out.GetSize());
  };
  std::vector<std::string> variants;
  variants.reserve(8);
  for (int i = 0; i < 8; ++i) variants.push_back(variant(i));
  {
    // Another agency takes the configurations; the first claims them back.
    test::TempDir dir;
    const auto [left_out, every] =
        import_both_ways({variants[0], variants[1], variants[0]}, dir, 1'000'000, "", nullptr);
    EXPECT_EQ(left_out, every);
  }
  {
    // A configuration says its agency again after the other agency took it.
    test::TempDir dir;
    const auto [left_out, every] =
        import_both_ways({variants[5], variants[1], variants[5]}, dir, 1'000'000, "", nullptr);
    EXPECT_EQ(left_out, every);
  }
  {
    // Seen in two views, the configuration's fields are compared one by
    // one: a value another view wrote, and a key another agency moved, are
    // written again.
    test::TempDir dir;
    const auto [left_out, every] = import_both_ways(
        {variants[6], variants[5], variants[7], variants[5], variants[1], variants[5]}, dir,
        1'000'000, "", nullptr);
    EXPECT_EQ(left_out, every);
  }
  uint32_t seed = 4242;
  for (const int64_t per_transaction : {int64_t{1}, int64_t{1'000'000}}) {
    for (int round = 0; round < 4; ++round) {
      std::vector<std::string> pages;
      for (int p = 0; p < 10; ++p) {
        seed = seed * 1103515245U + 12345U;
        pages.push_back(variants[(seed >> 16) % variants.size()]);
      }
      test::TempDir dir;
      const auto [left_out, every] = import_both_ways(pages, dir, per_transaction, "", nullptr);
      EXPECT_EQ(left_out, every);
    }
  }
}
