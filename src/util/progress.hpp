// Progress of long work (import, generate) on stderr: done of total, the
// rate and an ETA. On a terminal one line is redrawn in place a few times a
// second; with --progress (a log, a test) each update is a line of its own;
// otherwise nothing. The text is a pure function of the figures.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace ll2::progress {

// A wait or an elapsed time, rounded up to the second: 45s, 2m05s, 1h02m, 2d03h.
std::string format_duration(double seconds);

// What is counted: bytes print as B/kB/MB/GB (powers of 1000); anything else
// as a whole number followed by its name.
struct Unit {
  std::string_view name;  // "bytes", "pages", "objects"
  bool bytes = false;
};
std::string format_amount(double amount, const Unit& unit);

// "3.1 MB of 12.0 MB (26%), 1.5 MB/s, ETA 6s". The rate is done / elapsed;
// the ETA is what is left at that rate ("ETA ?" before anything is done).
std::string status_text(int64_t done, int64_t total, double elapsed_seconds, const Unit& unit);

class Reporter {
 public:
  enum class Mode { Off, Terminal, Lines };
  // Lines when forced, Terminal when stderr is a terminal, else Off.
  static Mode mode_for_stderr(bool forced);

  using Clock = std::chrono::steady_clock;
  // Each line starts "<prefix>: ", e.g. "ll2d import". `now` is the clock
  // (tests move their own).
  Reporter(std::string prefix, Mode mode, std::FILE* out = stderr,
           std::function<Clock::time_point()> now = Clock::now);
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  bool on() const { return mode_ != Mode::Off; }

  // A new stretch of work (a phase with its own total and unit); its rate
  // and ETA count from now. A phase's name ("pages") starts its lines; "" none.
  void start(std::string phase, int64_t total, Unit unit);
  // As often as wished, from any thread: drawn once an interval has passed
  // since the phase began and since the last line (a rate over less says
  // little), and when `done` reaches the total; followed by `extra`
  // (", 120 objects").
  void update(int64_t done, std::string_view extra = {});
  // The phase's last line, always drawn (when on): "<phase>: <summary>, done in 3s".
  void finish(std::string_view summary);
  // Any other line for stderr, printed whatever the mode, above the progress
  // line on a terminal.
  void note(std::string_view line);

 private:
  std::string phase_label() const;
  void draw(const std::string& text, bool final);
  void clear_line();

  std::string prefix_;
  Mode mode_;
  std::FILE* out_;
  std::function<Clock::time_point()> now_;
  std::mutex mutex_;
  std::string phase_;
  int64_t total_ = 0;
  Unit unit_;
  Clock::time_point started_;
  Clock::time_point drawn_at_;
  bool drawn_any_ = false;  // in this phase
  bool drawn_total_ = false;
  std::string shown_;  // the line on the terminal now ("" none)
};

}  // namespace ll2::progress
