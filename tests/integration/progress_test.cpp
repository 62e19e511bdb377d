// Progress lines of import and generate (docs/cli.md): with --progress one
// line per update with a rate and an ETA, and a last line that says done;
// without it, and with stderr not a terminal (as here), none.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace ll2::test;

namespace {

std::vector<std::string> lines_with(const std::string& text, const std::string& what) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(what) != std::string::npos) out.push_back(line);
  return out;
}

bool has(const std::string& line, const std::string& what) {
  return line.find(what) != std::string::npos;
}

// Every file below `dir`, by relative path, with its bytes.
std::map<std::string, std::string> files_below(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      out[std::filesystem::relative(e.path(), dir).string()] = read_file(e.path().string());
  return out;
}

}  // namespace

TEST(ProgressLines, GenerateShowsObjectsThenPagesWithRateAndEta) {
  TempDir dir;
  const auto r =
      run_ll2d({"generate", "--events", "20", "--out", dir.file("gen"), "--quiet", "--progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  const auto world = lines_with(r.err, "ll2d generate: world: ");
  ASSERT_GE(world.size(), 2U) << r.err;
  EXPECT_TRUE(has(world.front(), " objects (") && has(world.front(), " objects/s, ETA "))
      << world.front();
  EXPECT_TRUE(has(world.back(), " objects, done in ")) << world.back();
  const auto pages = lines_with(r.err, "ll2d generate: pages: ");
  ASSERT_GE(pages.size(), 2U) << r.err;
  EXPECT_TRUE(has(pages.front(), " pages (") && has(pages.front(), " pages/s, ETA "))
      << pages.front();
  EXPECT_TRUE(has(pages.back(), " routes, done in ")) << pages.back();
  // The stage lines stay out with --quiet.
  EXPECT_EQ(r.err.find("objects so far"), std::string::npos) << r.err;
}

TEST(ProgressLines, GenerateWritesTheSameBytesWithOrWithoutProgress) {
  TempDir dir;
  ASSERT_EQ(
      run_ll2d({"generate", "--events", "20", "--out", dir.file("a"), "--progress"}).exit_code, 0);
  ASSERT_EQ(run_ll2d({"generate", "--events", "20", "--out", dir.file("b"), "--quiet"}).exit_code,
            0);
  EXPECT_EQ(files_below(dir.file("a")), files_below(dir.file("b")));
}

TEST(ProgressLines, GenerateIsQuietWhenNotATerminal) {
  TempDir dir;
  const auto r = run_ll2d({"generate", "--events", "20", "--out", dir.file("gen")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(lines_with(r.err, "ETA").empty()) << r.err;
  EXPECT_TRUE(lines_with(r.err, "done in").empty()) << r.err;
  // The stage lines are what it says instead.
  EXPECT_FALSE(lines_with(r.err, "generated everything").empty()) << r.err;
}

TEST(ProgressLines, ImportShowsBytesObjectsRateAndEta) {
  TempDir dir;
  ASSERT_EQ(run_ll2d({"generate", "--events", "20", "--out", dir.file("gen"), "--quiet"}).exit_code,
            0);
  const auto r =
      run_ll2d({"import", "--db", dir.file("db.sqlite3"), dir.file("gen"), "--progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  const auto lines = lines_with(r.err, "ll2d import: ");
  std::vector<std::string> progress;
  for (const auto& l : lines)
    if (has(l, "B of ")) progress.push_back(l);
  ASSERT_FALSE(progress.empty()) << r.err;
  for (const auto& l : progress) {
    EXPECT_TRUE(has(l, "B/s, ETA ")) << l;
    EXPECT_TRUE(has(l, " objects")) << l;
  }
  const auto done = lines_with(r.err, ", done in ");
  ASSERT_EQ(done.size(), 1U) << r.err;
  EXPECT_TRUE(has(done[0], "B read, ") && has(done[0], " files imported, ")) << done[0];
  // The last progress line comes before the done line.
  EXPECT_LT(r.err.find(progress.back()), r.err.find(done[0]));
}

TEST(ProgressLines, ImportOfOneFileTellsItsBytes) {
  TempDir dir;
  const std::string file = dir.file("golden.json");
  std::ofstream(file) << golden_text();
  const auto r = run_ll2d({"import", "--db", dir.file("db.sqlite3"), file, "--progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(lines_with(r.err, "B/s, ETA ").empty()) << r.err;
  EXPECT_FALSE(lines_with(r.err, "1 of 1 files imported").empty()) << r.err;
}

TEST(ProgressLines, ImportIsQuietWhenNotATerminal) {
  TempDir dir;
  const std::string file = dir.file("golden.json");
  std::ofstream(file) << golden_text();
  const auto r = run_ll2d({"import", "--db", dir.file("db.sqlite3"), file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(lines_with(r.err, "ETA").empty()) << r.err;
  EXPECT_TRUE(lines_with(r.err, "done in").empty()) << r.err;
  EXPECT_FALSE(lines_with(r.err, "[1/1] ").empty()) << r.err;
}
