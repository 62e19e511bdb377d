#include "test_util.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <rapidjson/reader.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace ll2::test {

namespace {

// Each test is bounded on its own: ctest runs a whole suite in one process
// (tests/gtest_suites.cmake), and its TIMEOUT covers every test of it. A test
// (or a suite's setup) that runs past LL2D_TEST_TIMEOUT seconds (300 unless
// set) ends the process by SIGALRM; the last "[ RUN      ]" line names it.
class Watchdog : public ::testing::EmptyTestEventListener {
 public:
  Watchdog() {
    const char* set = std::getenv("LL2D_TEST_TIMEOUT");
    if (set != nullptr) seconds_ = static_cast<unsigned>(std::strtoul(set, nullptr, 10));
  }

 private:
  void OnTestSuiteStart(const ::testing::TestSuite& /*suite*/) override { alarm(seconds_); }
  void OnTestStart(const ::testing::TestInfo& /*test*/) override { alarm(seconds_); }
  void OnTestEnd(const ::testing::TestInfo& /*test*/) override { alarm(seconds_); }
  void OnTestProgramEnd(const ::testing::UnitTest& /*tests*/) override { alarm(0); }
  unsigned seconds_ = 300;
};

const bool kWatchdogListens = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new Watchdog);
  return true;
}();

std::string column_text(sqlite3_stmt* st, int c) {
  switch (sqlite3_column_type(st, c)) {
    case SQLITE_NULL:
      return "null";
    case SQLITE_INTEGER:
      return "i" + std::to_string(sqlite3_column_int64(st, c));
    case SQLITE_FLOAT: {
      char text[32];
      std::snprintf(text, sizeof text, "f%.17g", sqlite3_column_double(st, c));
      return text;
    }
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(st, c));
      const int n = sqlite3_column_bytes(st, c);
      return "b" + (bytes != nullptr ? std::string(bytes, n) : std::string());
    }
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
      const int n = sqlite3_column_bytes(st, c);
      return "t" + (text != nullptr ? std::string(text, n) : std::string());
    }
  }
}

}  // namespace

std::map<std::string, std::vector<std::string>> table_rows(const std::string& db_path) {
  std::map<std::string, std::vector<std::string>> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return out;
  }
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                     "('ll2d_state', 'll2d_kind_state', 'll2d_change', 'll2d_change_fields', "
                     "'sqlite_sequence') ORDER BY name",
                     -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  for (const auto& t : tables) {
    auto& rows = out[t];
    sqlite3_prepare_v2(db, ("SELECT * FROM \"" + t + "\"").c_str(), -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) row += column_text(st, c) + '|';
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    std::sort(rows.begin(), rows.end());
  }
  sqlite3_close(db);
  return out;
}

std::string dump_tables(const std::string& db_path) {
  std::string out;
  for (const auto& [table, rows] : table_rows(db_path)) {
    out += table + "\n";
    for (const auto& r : rows) out += "  " + r + "\n";
  }
  return out;
}

void write_as(const std::string& db_path, const std::string& change, const std::string& kind) {
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &c), SQLITE_OK);
  sqlite3_busy_timeout(c, 10000);
  const std::string sql = change +
                          "; UPDATE ll2d_state SET generation = generation + 1; "
                          "INSERT INTO ll2d_kind_state (kind, generation) SELECT '" +
                          kind +
                          "', generation FROM ll2d_state WHERE true "
                          "ON CONFLICT (kind) DO UPDATE SET generation = excluded.generation";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(c, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(c);
}

std::string dump_changes(const std::string& db_path) {
  std::string out;
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db,
                         "SELECT seq, kind, object_id, op, COALESCE((SELECT l.fields FROM "
                         "ll2d_change_fields l WHERE c.fields = '#' || l.id), c.fields), types, "
                         "watched FROM ll2d_change c ORDER BY seq",
                         -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) out += column_text(st, c) + '|';
      out += '\n';
    }
  } else {
    ADD_FAILURE() << "cannot read the change log of " << db_path;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

namespace {

// The handler of parse_numbers_as_text.
struct NumbersAsText : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, NumbersAsText> {
  rapidjson::Document& doc;
  std::string tagged;
  explicit NumbersAsText(rapidjson::Document& d) : doc(d) {}
  bool tag(char t, const char* s, rapidjson::SizeType n) {
    tagged.assign(1, t).append(s, n);
    return doc.String(tagged.data(), static_cast<rapidjson::SizeType>(tagged.size()), true);
  }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool /*unused*/) { return tag('#', s, n); }
  bool String(const char* s, rapidjson::SizeType n, bool /*unused*/) { return tag('$', s, n); }
  static bool Default() { return false; }  // (numbers come as RawNumber)
  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
  bool StartObject() { return doc.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return doc.EndObject(n); }
  bool StartArray() { return doc.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return doc.EndArray(n); }
};

}  // namespace

void parse_numbers_as_text(rapidjson::Document& doc, const std::string& text) {
  const auto generate = [&text](rapidjson::Document& d) {
    NumbersAsText handler(d);
    rapidjson::StringStream in(text.c_str());
    return !rapidjson::Reader().Parse<rapidjson::kParseNumbersAsStringsFlag>(in, handler).IsError();
  };
  doc.Populate(generate);
}

}  // namespace ll2::test
