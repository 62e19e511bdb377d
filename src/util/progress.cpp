#include "util/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace ll2::progress {

namespace {

// Redraws in place this often at most; a log gets a line a second. The
// first comes one interval into a phase.
constexpr double kTerminalInterval = 0.2;
constexpr double kLinesInterval = 1.0;

}  // namespace

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(std::ceil(std::max(seconds, 0.0)));
  if (s < 120) return fmt::format("{}s", s);
  if (s < 7200) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 172800) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

std::string format_amount(double amount, const Unit& unit) {
  if (!unit.bytes) return fmt::format("{:.0f} {}", amount, unit.name);
  if (amount < 1000) return fmt::format("{:.0f} B", amount);
  static constexpr const char* kPrefixes[] = {"kB", "MB", "GB", "TB"};
  int i = 0;
  amount /= 1000;
  while (amount >= 1000 && i < 3) {
    amount /= 1000;
    ++i;
  }
  return fmt::format("{:.1f} {}", amount, kPrefixes[i]);
}

std::string status_text(int64_t done, int64_t total, double elapsed_seconds, const Unit& unit) {
  const double rate =
      done > 0 && elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0;
  const std::string eta =
      rate > 0 ? format_duration(static_cast<double>(std::max<int64_t>(total - done, 0)) / rate)
               : std::string("?");
  const std::string rate_text =
      unit.bytes ? format_amount(rate, unit) + "/s" : fmt::format("{:.0f} {}/s", rate, unit.name);
  const int percent =
      total > 0 ? static_cast<int>(std::min<int64_t>(done, total) * 100 / total) : 100;
  // Counts name their unit once, after the total.
  const std::string amounts =
      unit.bytes ? fmt::format("{} of {}", format_amount(static_cast<double>(done), unit),
                               format_amount(static_cast<double>(total), unit))
                 : fmt::format("{} of {} {}", done, total, unit.name);
  return fmt::format("{} ({}%), {}, ETA {}", amounts, percent, rate_text, eta);
}

Reporter::Mode Reporter::mode_for_stderr(bool forced) {
  if (forced) return Mode::Lines;
  return ::isatty(STDERR_FILENO) ? Mode::Terminal : Mode::Off;
}

Reporter::Reporter(std::string prefix, Mode mode, std::FILE* out,
                   std::function<Clock::time_point()> now)
    : prefix_(std::move(prefix)), mode_(mode), out_(out), now_(std::move(now)) {}

Reporter::~Reporter() {
  const std::lock_guard lock(mutex_);
  clear_line();
}

void Reporter::start(std::string phase, int64_t total, Unit unit) {
  const std::lock_guard lock(mutex_);
  phase_ = std::move(phase);
  total_ = total;
  unit_ = unit;
  started_ = now_();
  drawn_any_ = false;
  drawn_total_ = false;
}

void Reporter::update(int64_t done, std::string_view extra) {
  if (mode_ == Mode::Off) return;
  const std::lock_guard lock(mutex_);
  const auto now = now_();
  const double interval = mode_ == Mode::Terminal ? kTerminalInterval : kLinesInterval;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const bool total = done >= total_ && !drawn_total_;
  const bool due =
      elapsed >= interval &&
      (!drawn_any_ || std::chrono::duration<double>(now - drawn_at_).count() >= interval);
  if (done <= 0 || !(due || total)) return;
  drawn_any_ = true;
  drawn_total_ = drawn_total_ || done >= total_;
  drawn_at_ = now;
  draw(fmt::format("{}{}{}", phase_label(), status_text(done, total_, elapsed, unit_), extra),
       false);
}

void Reporter::finish(std::string_view summary) {
  if (mode_ == Mode::Off) return;
  const std::lock_guard lock(mutex_);
  const double elapsed = std::chrono::duration<double>(now_() - started_).count();
  draw(fmt::format("{}{}, done in {}", phase_label(), summary, format_duration(elapsed)), true);
}

void Reporter::note(std::string_view line) {
  const std::lock_guard lock(mutex_);
  const std::string shown = shown_;
  clear_line();
  fmt::print(out_, "{}\n", line);
  if (!shown.empty()) {
    fmt::print(out_, "{}", shown);
    shown_ = shown;
  }
  std::fflush(out_);
}

std::string Reporter::phase_label() const {
  return phase_.empty() ? std::string() : phase_ + ": ";
}

void Reporter::draw(const std::string& text, bool final) {
  const std::string line = fmt::format("{}: {}", prefix_, text);
  if (mode_ == Mode::Lines) {
    fmt::print(out_, "{}\n", line);
  } else {
    // Back to the line's start, the text, the rest of the old text erased.
    fmt::print(out_, "\r{}\x1b[K", line);
    shown_ = line;
    if (final) {
      fmt::print(out_, "\n");
      shown_.clear();
    }
  }
  std::fflush(out_);
}

void Reporter::clear_line() {
  if (shown_.empty()) return;
  fmt::print(out_, "\r\x1b[K");
  shown_.clear();
}

}  // namespace ll2::progress
