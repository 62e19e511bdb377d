// Webhooks against real receivers on loopback (tests/integration/
// hook_receiver.py, scripted): every selected change is POSTed, in order,
// signed, through a receiver that is down, then redirects, fails and is
// slow; serving goes on meanwhile; a receiver that never answers ends dead;
// and `ll2d hooks` refuses what it cannot deliver. On both backends.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "notify/hooks.hpp"

namespace ll2::test {
namespace {

using namespace std::chrono_literals;

std::string fixture() {
  return std::string(LL2D_FIXTURES) + "/real/launches-limit2-normal.json";
}

// The fixture's launches with both NETs moved: two launch.updated entries.
std::string moved_launches(TempDir& dir) {
  std::ifstream in(fixture(), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document d;
  d.Parse(text.str().c_str());
  d["results"][0]["net"].SetString("2030-01-01T00:00:00Z", d.GetAllocator());
  d["results"][1]["net"].SetString("2030-02-01T00:00:00Z", d.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  d.Accept(w);
  std::string path = dir.file("moved.json");
  std::ofstream(path, std::ios::binary) << buffer.GetString();
  return path;
}

// A port nothing listens on (the receiver starts there later, or never).
uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return 0;  // no port: whoever uses it fails plainly
  }
  socklen_t n = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  close(fd);
  return ntohs(a.sin_port);
}

// hook_receiver.py on `port`, answering as `script` says, logging to `log`.
struct Receiver {
  pid_t pid = -1;
  std::string log;
  Receiver(uint16_t port, const std::string& log_file, const std::string& script) : log(log_file) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      execlp("python3", "python3", LL2D_SOURCE_DIR "/tests/integration/hook_receiver.py",
             std::to_string(port).c_str(), log_file.c_str(), script.c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    char ch = 0;
    while (read(fds[0], &ch, 1) == 1 && ch != '\n') {
    }
    close(fds[0]);
  }
  ~Receiver() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::vector<rapidjson::Document> requests() const {
    std::vector<rapidjson::Document> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      out.emplace_back();
      out.back().Parse(line.c_str());
    }
    return out;
  }
  size_t delivered() const {
    size_t n = 0;
    for (const auto& r : requests()) n += r["status"].GetInt() == 200 ? 1 : 0;
    return n;
  }
};

bool wait_until(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

std::string deliveries(const std::string& db, const std::string& state = "") {
  std::vector<std::string> args{"hooks", "deliveries", "--db", db};
  if (!state.empty()) args.insert(args.end(), {"--state", state});
  const auto r = run_ll2d(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(Hooks, AReceiverDownThenRedirectingFailingAndSlowGetsEveryChangeInOrderSigned) {
  TempDir dir;
  const std::string db = dir.file("hooks.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  const uint16_t port = free_port();
  const auto added =
      run_ll2d({"hooks", "add", "--db", db, "--url", fmt::format("http://127.0.0.1:{}/hook", port),
                "--types", "launch.updated", "--secret", "s3cret"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("hook 1:"), std::string::npos) << added.out;
  Server s(db, {"--no-access-log", "--hook-retry", "1s"});
  ASSERT_EQ(run_ll2d({"import", "--db", db, moved_launches(dir)}).exit_code, 0);

  // Down: the first attempts fail, and say why (how many by now depends on
  // how fast this machine lists them: one a second).
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string list = deliveries(db);
        return list.find("pending") != std::string::npos &&
               list.find("Couldn't connect to server") != std::string::npos;
      },
      10s))
      << deliveries(db);
  Receiver receiver(port, dir.file("received.jsonl"), "redirect,500,slow");
  // Serving goes on whatever the receiver does.
  EXPECT_EQ(s.get("/2.3.0/launches/?format=json").status, 200);
  ASSERT_TRUE(wait_until([&] { return receiver.delivered() == 2; }, 60s)) << deliveries(db);

  const auto got = receiver.requests();
  std::vector<std::string> delivered;
  for (const auto& r : got) {
    EXPECT_STREQ(r["path"].GetString(), "/hook");  // the redirect was not followed
    const std::string body = r["body"].GetString();
    EXPECT_EQ(std::string(r["headers"]["x-ll2d-signature-256"].GetString()),
              notify::signature("s3cret", body));
    rapidjson::Document entry;
    entry.Parse(body.c_str());
    EXPECT_EQ(std::to_string(entry["seq"].GetInt64()),
              std::string(r["headers"]["x-ll2d-delivery"].GetString()));
    if (r["status"].GetInt() == 200) delivered.emplace_back(entry["id"].GetString());
  }
  EXPECT_EQ(got.size(), 4U);  // the first: redirected, 500, slow 200; the second: 200
  EXPECT_EQ(delivered, (std::vector<std::string>{"e3df2ecd-c239-472f-95e4-2b89b4f75800",
                                                 "f8c9f344-a6df-4f30-873a-90fe3a7840b3"}));
  // Recorded at the worker's next round.
  EXPECT_TRUE(wait_until(
      [&] {
        const std::string list = deliveries(db, "delivered");
        return std::count(list.begin(), list.end(), '\n') == 2;
      },
      10s))
      << deliveries(db);
}

TEST(Hooks, AReceiverThatHangsHoldsUpNoOtherReceiver) {
  TempDir dir;
  const std::string db = dir.file("hooks.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  const uint16_t stuck_port = free_port();
  const uint16_t fine_port = free_port();
  for (const uint16_t port : {stuck_port, fine_port}) {
    ASSERT_EQ(run_ll2d({"hooks", "add", "--db", db, "--url",
                        fmt::format("http://127.0.0.1:{}/", port), "--types", "launch.updated"})
                  .exit_code,
              0);
  }
  Receiver stuck(stuck_port, dir.file("stuck.jsonl"), "hang");
  Receiver fine(fine_port, dir.file("fine.jsonl"), "");
  Server s(db, {"--no-access-log", "--hook-timeout", "120"});
  ASSERT_EQ(run_ll2d({"import", "--db", db, moved_launches(dir)}).exit_code, 0);
  EXPECT_TRUE(wait_until([&] { return fine.delivered() == 2; }, 20s)) << deliveries(db);
  // The stuck receiver still holds its first POST (it logs when it answers).
  EXPECT_TRUE(stuck.requests().empty());
  EXPECT_EQ(s.get("/2.3.0/launches/?format=json").status, 200);
}

TEST(Hooks, AReceiverThatNeverAnswersEndsDead) {
  TempDir dir;
  const std::string db = dir.file("hooks.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  ASSERT_EQ(
      run_ll2d({"hooks", "add", "--db", db, "--url",
                fmt::format("http://127.0.0.1:{}/", free_port()), "--types", "launch.net_changed"})
          .exit_code,
      0);
  Server s(db, {"--no-access-log", "--hook-retry", "1s", "--hook-attempts", "2"});
  ASSERT_EQ(run_ll2d({"import", "--db", db, moved_launches(dir)}).exit_code, 0);
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string dead = deliveries(db, "dead");
        return std::count(dead.begin(), dead.end(), '\n') == 2;
      },
      20s))
      << deliveries(db);
  EXPECT_NE(deliveries(db, "dead").find("2 attempts"), std::string::npos);
}

TEST(Hooks, WhatCannotBeDeliveredIsRefusedAndHooksAreListedAndRemoved) {
  TempDir dir;
  const std::string db = dir.file("hooks.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  const auto ftp = run_ll2d({"hooks", "add", "--db", db, "--url", "ftp://example.org/"});
  EXPECT_EQ(ftp.exit_code, 1);
  EXPECT_NE(ftp.err.find("http:// or https://"), std::string::npos) << ftp.err;
  const auto bad = run_ll2d(
      {"hooks", "add", "--db", db, "--url", "http://127.0.0.1:9/", "--types", "launch.nope"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("types"), std::string::npos) << bad.err;
  ASSERT_EQ(run_ll2d({"hooks", "add", "--db", db, "--url", "http://127.0.0.1:9/", "--filter",
                      "lsp__id=121"})
                .exit_code,
            0);
  EXPECT_NE(run_ll2d({"hooks", "list", "--db", db}).out.find("lsp__id=121"), std::string::npos);
  EXPECT_EQ(run_ll2d({"hooks", "remove", "--db", db, "1"}).exit_code, 0);
  EXPECT_EQ(run_ll2d({"hooks", "remove", "--db", db, "1"}).exit_code, 1);
  EXPECT_EQ(run_ll2d({"hooks", "list", "--db", db}).out, "");
}

}  // namespace
}  // namespace ll2::test
