// What a newcomer meets on the command line: the exit status of a wrong
// argument, --version, and messages that say what is wrong and what to do.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace ll2::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `command` through the shell (for a working directory or another user),
// with stderr joined to stdout; the exit status in `status`.
std::string shell(const std::string& command, int* status) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf{};
  for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
  const int raw = ::pclose(p);
  *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name), std::ios::binary) << text;
  return dir.file(name);
}

TEST(CommandLine, AWrongArgumentExitsTwoAsUnixToolsDo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"serve", "--no-such-flag"}, {"import"}, {"frobnicate"}, {"serve", "--port", "x"}}) {
    const auto r = run_ll2d(args, 30);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
  }
  EXPECT_EQ(run_ll2d({"--help"}, 30).exit_code, 0);
}

// The names a help text lists under "Subcommands:", in its order.
std::vector<std::string> subcommands_listed(const std::string& help) {
  std::vector<std::string> names;
  const auto section = help.find("\nSubcommands:\n");
  if (section == std::string::npos) return names;
  std::istringstream lines(help.substr(section + 14));
  for (std::string line; std::getline(lines, line) && line.starts_with("  ");) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    names.push_back(name);
  }
  return names;
}

// Every command and subcommand the help lists answers its own --help (exit
// 0, its usage line); each one that runs (no subcommands of its own) names
// the database it works on. Each command is declared in a file of its own
// (src/cli/), so this is what ties them together.
void expect_help_tree(const std::vector<std::string>& path) {
  std::vector<std::string> args = path;
  args.emplace_back("--help");
  const auto r = run_ll2d(args, 30);
  const std::string joined = fmt::format("{}", fmt::join(path, " "));
  ASSERT_EQ(r.exit_code, 0) << joined << ": " << r.err;
  EXPECT_TRUE(r.err.empty()) << joined << ": " << r.err;
  EXPECT_TRUE(contains(r.out, fmt::format(" {} [OPTIONS]", joined))) << r.out;
  const auto children = subcommands_listed(r.out);
  if (children.empty()) EXPECT_TRUE(contains(r.out, "\n  --db ")) << joined << ":\n" << r.out;
  for (const auto& child : children) {
    auto below = path;
    below.push_back(child);
    expect_help_tree(below);
  }
}

TEST(CommandLine, EveryCommandAndSubcommandAnswersHelp) {
  const auto r = run_ll2d({"--help"}, 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      r.out.starts_with("ll2d: a fast, self-hostable Launch Library 2 API server (2.3.0 "
                        "and 2.4.0)\n"))
      << r.out;
  const std::vector<std::string> commands{"serve",    "keys", "import", "check",
                                          "generate", "sync", "hooks",  "changes"};
  EXPECT_EQ(subcommands_listed(r.out), commands) << r.out;
  for (const auto& command : commands) expect_help_tree({command});
  EXPECT_EQ(subcommands_listed(run_ll2d({"keys", "--help"}, 30).out),
            (std::vector<std::string>{"add", "list", "revoke"}));
  EXPECT_EQ(subcommands_listed(run_ll2d({"hooks", "--help"}, 30).out),
            (std::vector<std::string>{"add", "list", "remove", "deliveries"}));
}

// Each command that writes the change log refuses a retention it cannot
// read before it touches the database.
TEST(CommandLine, EveryWritingCommandChecksTheChangesRetention) {
  TempDir dir;
  const std::string db = dir.file("never.sqlite3");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"import", "--db", db, "--changes-retention", "5q", db},
           {"sync", "--db", db, "--changes-retention", "5q", "--upstream", "http://127.0.0.1:1"},
           {"serve", "--db", db, "--changes-retention", "5q"}}) {
    const auto r = run_ll2d(args, 30);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err, "ll2d: --changes-retention 5q: expected 30d, 12h, 90m, 3600s or 0\n")
        << args[0];
    EXPECT_FALSE(std::filesystem::exists(db)) << args[0];
  }
}

// A wrong feed option beside --sync-from is refused with exit 2, as alone:
// nothing has started yet (it used to abort with the mirror's thread running).
TEST(CommandLine, AWrongFeedOptionBesideAMirrorIsRefusedCleanly) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  ASSERT_EQ(import_golden(db).exit_code, 0);
  for (const auto& option : std::vector<std::pair<std::string, std::string>>{
           {"--reminders", "bogus"}, {"--hook-retry", "0s"}}) {
    const auto r = run_ll2d({"serve", "--db", db, "--port", "0", "--sync-from",
                             "http://127.0.0.1:1/2.3.0/", option.first, option.second},
                            30);
    EXPECT_EQ(r.exit_code, 2) << option.first << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "ll2d serve: " + option.first + " " + option.second)) << r.err;
  }
}

TEST(CommandLine, VersionNamesTheVersionCommitAndBuild) {
  const auto r = run_ll2d({"--version"}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("ll2d 0.")) << r.out;
  EXPECT_TRUE(contains(r.out, "(commit ")) << r.out;
  EXPECT_TRUE(contains(r.out, " build; serves LL2 2.3.0 and 2.4.0)")) << r.out;
}

TEST(CommandLine, APublicUrlMustBeSchemeAndHost) {
  TempDir dir;
  ASSERT_EQ(import_golden(dir.file("db.sqlite3")).exit_code, 0);
  const auto db = dir.file("db.sqlite3");
  const auto no_scheme =
      run_ll2d({"serve", "--db", db, "--port", "0", "--public-url", "ll.example.org"}, 30);
  EXPECT_EQ(no_scheme.exit_code, 2);
  EXPECT_TRUE(contains(no_scheme.err, "must start with http:// or https://")) << no_scheme.err;
  const auto with_path = run_ll2d(
      {"serve", "--db", db, "--port", "0", "--public-url", "https://ll.example.org/2.3.0/"}, 30);
  EXPECT_EQ(with_path.exit_code, 2);
  EXPECT_TRUE(contains(with_path.err, "scheme and host only; ll2d adds each API version's path"))
      << with_path.err;
  // What is right is served, links and all.
  Server server(db, {"--public-url", "https://ll.example.org/"});
  const auto r = server.get("/2.3.0/docking_events/?format=json");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(contains(r.body, "\"https://ll.example.org/2.3.0/docking_events/609/?format=json\""))
      << r.body.substr(0, 200);
}

TEST(ImportMessages, AMissingFileSaysWhyAndCreatesNoDatabase) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  const auto r = run_ll2d({"import", "--db", dir.file("new.sqlite3"), dir.file("missing.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, dir.file("missing.json") + ": No such file or directory")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("new.sqlite3")));
}

TEST(ImportMessages, AFileOfAnotherApiVersionIsToldSo) {
  TempDir dir;
  const auto file = write_file(
      dir, "old.json",
      R"({"id": 3, "url": "https://ll.thespacedevs.com/2.2.0/launch/abc/", "name": "x"})");
  const auto r = run_ll2d({"import", "--db", dir.file("db.sqlite3"), file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "its \"url\" is of LL2 API 2.2.0, and ll2d serves 2.3.0")) << r.err;
}

TEST(ImportMessages, WithoutDbItSaysWhereItWrites) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  int status = -1;
  const auto out = shell(fmt::format("cd '{}' && '{}' import '{}'", dir.path(), LL2D_BINARY,
                                     LL2D_FIXTURES "/docking_event_609_detailed.json"),
                         &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_TRUE(contains(out, "no --db given: importing into " + dir.file("ll2d.sqlite3"))) << out;
  EXPECT_TRUE(std::filesystem::exists(dir.file("ll2d.sqlite3")));
}

// Imported as root, written as the service's user (or the reverse): the
// message names the owner instead of SQLite's "readonly database".
TEST(ImportMessages, AnotherUsersDatabaseNamesItsOwner) {
  LL2D_SQLITE_ONLY();
  if (::geteuid() != 0 || ::system("command -v runuser >/dev/null") != 0)
    GTEST_SKIP() << "needs root and runuser to act as another user";
  TempDir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
  int status = -1;
  shell(fmt::format("runuser -u nobody -- test -x '{}'", LL2D_BINARY), &status);
  if (status != 0) GTEST_SKIP() << "another user cannot run " << LL2D_BINARY << " from here";
  const auto db = dir.file("db.sqlite3");
  ASSERT_EQ(import_golden(db).exit_code, 0);
  // A file the other user can read wherever the checkout is.
  const auto file = write_file(dir, "609.json", golden_text());
  const auto out =
      shell(fmt::format("runuser -u nobody -- '{}' import --db '{}' '{}'", LL2D_BINARY, db, file),
            &status);
  EXPECT_EQ(status, 2) << out;
  EXPECT_TRUE(contains(out, "belongs to root (this is nobody)")) << out;
  EXPECT_FALSE(contains(out, "SQLITE_READONLY")) << out;
}

TEST(ServeMessages, ADatabaseWithoutDataIsServedWithANote) {
  TempDir dir;
  const auto db = dir.file("db.sqlite3");
  // A failed import leaves the schema and no data.
  const auto bad = write_file(dir, "bad.json", "not JSON");
  ASSERT_EQ(run_ll2d({"import", "--db", db, "--resource", "agencies", bad}).exit_code, 1);
  Server server(db);
  EXPECT_TRUE(contains(server.stderr_text(), "holds no LL2 data yet")) << server.stderr_text();
  EXPECT_EQ(server.get("/readyz").status, 503);
}

}  // namespace
