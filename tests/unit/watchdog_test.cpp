// The per-test bound of test_util.cpp's watchdog, tried on this binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace {

// Run only by the test below, through --gtest_also_run_disabled_tests.
TEST(Watchdog, DISABLED_RunsForever) {
  std::this_thread::sleep_for(std::chrono::seconds(60));
}

TEST(Watchdog, EndsATestThatRunsPastItsTime) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("LL2D_TEST_TIMEOUT", "1", 1);
    execl("/proc/self/exe", "watchdog", "--gtest_filter=Watchdog.DISABLED_RunsForever",
          "--gtest_also_run_disabled_tests", nullptr);
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGALRM);  // not the 60 s sleep's end
}

}  // namespace
