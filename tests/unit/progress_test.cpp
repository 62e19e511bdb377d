// Progress lines (util/progress.hpp): the text for done, total and elapsed
// time, and what each mode draws.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "util/progress.hpp"

using namespace ll2::progress;

namespace {

constexpr Unit kBytes{"bytes", true};
constexpr Unit kPages{"pages", false};

// A clock the test moves.
struct FakeClock {
  Reporter::Clock::time_point t{};
  void advance(double seconds) {
    t += std::chrono::duration_cast<Reporter::Clock::duration>(
        std::chrono::duration<double>(seconds));
  }
};

// What `write` printed through a Reporter drawing to a memory stream.
template <typename F>
std::string drawn(Reporter::Mode mode, F write) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    FakeClock clock;
    Reporter r("ll2d test", mode, out, [&clock] { return clock.t; });
    write(r, clock);
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

}  // namespace

TEST(Progress, DurationsRoundUpToTheSecond) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(0.2), "1s");
  EXPECT_EQ(format_duration(119), "119s");
  EXPECT_EQ(format_duration(125), "2m05s");
  EXPECT_EQ(format_duration(3720), "62m00s");
  EXPECT_EQ(format_duration(7300), "2h01m");
  EXPECT_EQ(format_duration(183600), "2d03h");
  EXPECT_EQ(format_duration(-5), "0s");
}

TEST(Progress, AmountsOfBytesUseDecimalPrefixes) {
  EXPECT_EQ(format_amount(999, kBytes), "999 B");
  EXPECT_EQ(format_amount(1500, kBytes), "1.5 kB");
  EXPECT_EQ(format_amount(12'300'000, kBytes), "12.3 MB");
  EXPECT_EQ(format_amount(2'000'000'000, kBytes), "2.0 GB");
  EXPECT_EQ(format_amount(42, kPages), "42 pages");
}

TEST(Progress, StatusTellsShareRateAndEta) {
  // 3 MB of 12 MB in 2 s: 1.5 MB/s, 9 MB left: 6 s.
  EXPECT_EQ(status_text(3'000'000, 12'000'000, 2.0, kBytes),
            "3.0 MB of 12.0 MB (25%), 1.5 MB/s, ETA 6s");
  // 400 of 10,000 pages in 4 s: 100 pages/s, 9,600 left: 96 s.
  EXPECT_EQ(status_text(400, 10'000, 4.0, kPages), "400 of 10000 pages (4%), 100 pages/s, ETA 96s");
  EXPECT_EQ(status_text(10'000, 10'000, 50.0, kPages),
            "10000 of 10000 pages (100%), 200 pages/s, ETA 0s");
  // An hour's worth left.
  EXPECT_EQ(status_text(1, 3601, 1.0, kPages), "1 of 3601 pages (0%), 1 pages/s, ETA 60m00s");
}

TEST(Progress, NothingDoneYetHasNoEta) {
  EXPECT_EQ(status_text(0, 100, 3.0, kPages), "0 of 100 pages (0%), 0 pages/s, ETA ?");
  EXPECT_EQ(status_text(5, 100, 0.0, kPages), "5 of 100 pages (5%), 0 pages/s, ETA ?");
}

TEST(Progress, MoreThanTheTotalIsAHundredPercent) {
  EXPECT_EQ(status_text(120, 100, 1.0, kPages), "120 of 100 pages (100%), 120 pages/s, ETA 0s");
  EXPECT_EQ(status_text(0, 0, 1.0, kPages), "0 of 0 pages (100%), 0 pages/s, ETA ?");
}

TEST(Progress, LinesModeWritesALineASecondAndTheFinalOne) {
  const std::string text = drawn(Reporter::Mode::Lines, [](Reporter& r, FakeClock& clock) {
    r.start("pages", 10, kPages);
    clock.advance(0.5);
    r.update(1);  // too early to tell a rate
    clock.advance(0.5);
    r.update(0);  // nothing to tell
    r.update(3, ", 30 objects");
    clock.advance(0.5);
    r.update(4);  // within the second: not drawn
    clock.advance(0.5);
    r.update(6);
    r.update(10);  // the total: drawn at once
    r.update(10);  // once
    r.finish("10 pages");
  });
  EXPECT_EQ(text,
            "ll2d test: pages: 3 of 10 pages (30%), 3 pages/s, ETA 3s, 30 objects\n"
            "ll2d test: pages: 6 of 10 pages (60%), 3 pages/s, ETA 2s\n"
            "ll2d test: pages: 10 of 10 pages (100%), 5 pages/s, ETA 0s\n"
            "ll2d test: pages: 10 pages, done in 2s\n");
}

TEST(Progress, APhaseThatEndsAtOnceStillTellsItsRate) {
  const std::string text = drawn(Reporter::Mode::Lines, [](Reporter& r, FakeClock& clock) {
    r.start("", 2000, kBytes);
    clock.advance(0.1);
    r.update(2000, ", 7 objects");
    r.finish("2.0 kB read");
  });
  EXPECT_EQ(text,
            "ll2d test: 2.0 kB of 2.0 kB (100%), 20.0 kB/s, ETA 0s, 7 objects\n"
            "ll2d test: 2.0 kB read, done in 1s\n");
}

TEST(Progress, TerminalModeRedrawsOneLineInPlace) {
  const std::string text = drawn(Reporter::Mode::Terminal, [](Reporter& r, FakeClock& clock) {
    r.start("pages", 10, kPages);
    clock.advance(1);
    r.update(3);
    r.note("a message");
    clock.advance(0.1);
    r.update(4);  // within a fifth of a second: not drawn
    clock.advance(0.1);
    r.update(5);
    r.finish("10 pages");
  });
  EXPECT_EQ(text,
            "\rll2d test: pages: 3 of 10 pages (30%), 3 pages/s, ETA 3s\x1b[K"
            // The message goes above the progress line, drawn again below it.
            "\r\x1b[Ka message\nll2d test: pages: 3 of 10 pages (30%), 3 pages/s, ETA 3s"
            "\rll2d test: pages: 5 of 10 pages (50%), 4 pages/s, ETA 2s\x1b[K"
            "\rll2d test: pages: 10 pages, done in 2s\x1b[K\n");
}

TEST(Progress, OffModeDrawsOnlyNotes) {
  const std::string text = drawn(Reporter::Mode::Off, [](Reporter& r, FakeClock& clock) {
    r.start("pages", 10, kPages);
    clock.advance(2);
    r.update(3);
    r.note("a message");
    r.finish("10 pages");
  });
  EXPECT_EQ(text, "a message\n");
}
