// The call budget of `ll2d sync`: never more calls than the rate allows in
// any window, never sooner than an upstream's Retry-After, and a growing
// pause after failures. Time is passed in (milliseconds since the epoch), so
// tests drive it with a virtual clock; the state is text kept in the
// database, so a restart remembers the calls it already made.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace ll2::sync {

using Millis = int64_t;  // milliseconds since the Unix epoch

struct Rate {
  int64_t calls = 15;
  Millis window = 3'600'000;
};
// "15/hour", "300/day", "30/10s", "5/min", "2/90s": calls per window.
std::optional<Rate> parse_rate(std::string_view text);
std::string format_rate(const Rate& rate);

// What an upstream's /api-throttle/ said.
struct UpstreamReport {
  int64_t limit = 0;        // your_request_limit
  int64_t frequency_s = 0;  // limit_frequency_secs
  int64_t current_use = 0;  // calls counted in its window
  int64_t next_use_s = 0;   // seconds until a call is allowed again (when limited)
};

class Budget {
 public:
  explicit Budget(Rate rate) : rate_(rate) {}

  // The earliest time at or after `now` at which a call may start.
  Millis next_call(Millis now) const;
  // Calls made in the window ending at `now`.
  int64_t used(Millis now) const;
  const Rate& rate() const { return rate_; }
  // What a call waits beyond the exact end of the window (see next_call).
  Millis margin() const;

  // A call starts now (counted whatever its answer).
  void record_call(Millis now);
  // The upstream answered 429: no call before now + retry_after (at least one
  // window's share of the budget when it gave no Retry-After), but never
  // longer than max_wait(): a Retry-After of 10^12 s is not obeyed.
  void on_throttled(Millis now, std::optional<Millis> retry_after);
  // A 5xx, a timeout, a broken connection or a page rejected: wait, doubling
  // with each failure in a row (30 s, 60 s, 120 s, ... at most an hour, at
  // LL2's rates; the first pause is one call's share of the window, between
  // 0.1 and 30 s).
  void on_failure(Millis now);
  void on_success() { failures_ = 0; }
  // The upstream's own account: when it counts more calls than we made (other
  // clients behind the same address, another mirror with the same key), the
  // difference uses up our budget too; when it says we are limited, wait.
  void on_report(Millis now, const UpstreamReport& report);

  // The longest wait anything the upstream says can impose: one window, at
  // most an hour.
  Millis max_wait() const;
  // Brings what a saved budget holds back to what this one could have
  // promised at `now` (a wait beyond an hour, calls in the future).
  void clamp(Millis now);
  // Forgets the waits (Retry-After, reports, back-off); keeps the calls made.
  void clear_waits();

  int64_t failures() const { return failures_; }
  Millis not_before() const { return not_before_; }

  std::string save() const;
  // Restores what save() wrote; false (and the budget unchanged) when it is
  // not such text.
  bool load(std::string_view text);

 private:
  void expire(Millis now) const;

  Rate rate_;
  mutable std::deque<Millis> calls_;  // start times inside the window, oldest first
  Millis not_before_ = 0;
  int64_t failures_ = 0;
};

}  // namespace ll2::sync
