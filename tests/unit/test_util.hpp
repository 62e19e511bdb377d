#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"

namespace ll2::test {

// The versions ll2d serves, as `ll2d` hands them to its commands, and their
// first's declarations: the tables a test's stores hold.
inline const model::Catalog& catalog() {
  return model::catalog();
}
inline const model::Registry& schema() {
  return catalog().first();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ll2d-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A page of a list as LL2 sends it, holding `results` (JSON texts).
inline std::string page_of(const std::vector<std::string>& results) {
  std::string out = "{\"count\":1,\"next\":null,\"previous\":null,\"results\":[";
  for (size_t i = 0; i < results.size(); ++i) {
    if (i) out += ",";
    out += results[i];
  }
  return out + "]}";
}

// What an SQLite database holds, whatever order it was written in: every
// table's rows but ll2d's generations (ll2d_state and ll2d_kind_state count
// writes, which differ between ways of writing the same data) and the change
// log (which says how it was written: dump_changes), by table name.
// Each row is its values in column order, each followed by '|' and written
// with its type: `null`, `i` and the integer, `f` and the double to 17
// digits, `t` and the text, `b` and the blob's bytes. A table's rows are
// sorted. A database that does not open is a test failure (and no tables).
// (Defined in test_util.cpp.)
std::map<std::string, std::vector<std::string>> table_rows(const std::string& db_path);
// table_rows as one string to compare: each table's name on a line, then
// its rows on lines of their own, indented by two spaces.
std::string dump_tables(const std::string& db_path);
// The change log of a SQLite file, one entry a line in order, without the
// time of each and with its fields by name (store/change_log.hpp).
// dump_tables leaves it out.
std::string dump_changes(const std::string& db_path);
// Runs the SQL `change` on an SQLite file behind its server's back and counts
// it as a write to `kind` alone, as ll2d's writer would for that kind: the
// caches keep what does not read `kind` and drop what does. (Waits for a
// server's own write, its feed's lease, to end.)
void write_as(const std::string& db_path, const std::string& change, const std::string& kind);

// Engine options for a test of what is answered, not of the time budget
// (which has tests of its own): no budget, so that a slow or loaded machine
// cannot turn an answer into a 503.
inline api::EngineOptions without_budget(api::EngineOptions o = {}) {
  o.query_timeout = std::chrono::milliseconds(0);
  return o;
}

// Parses JSON into `doc` with every number as its text, "#12742000", and
// every string as "$" and its value, so that documents compare numbers by
// their text (LL2 sends 12742000 and 3.0 in one float field) and a number
// never equals a string. A text that does not parse leaves `doc` null.
void parse_numbers_as_text(rapidjson::Document& doc, const std::string& text);

}  // namespace ll2::test
