#include "sync/budget.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>

namespace ll2::sync {

std::optional<Rate> parse_rate(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  Rate rate;
  const auto calls = text.substr(0, slash);
  auto [end, ec] = std::from_chars(calls.data(), calls.data() + calls.size(), rate.calls);
  if (ec != std::errc() || end != calls.data() + calls.size() || rate.calls <= 0)
    return std::nullopt;
  std::string_view per = text.substr(slash + 1);
  if (per == "hour" || per == "h") {
    rate.window = 3'600'000;
  } else if (per == "day" || per == "d") {
    rate.window = 86'400'000;
  } else if (per == "min" || per == "m") {
    rate.window = 60'000;
  } else if (!per.empty() && per.back() == 's') {  // a number of seconds: 30/10s
    per.remove_suffix(1);
    int64_t seconds = 0;
    auto [e, c] = std::from_chars(per.data(), per.data() + per.size(), seconds);
    if (c != std::errc() || e != per.data() + per.size() || seconds <= 0) return std::nullopt;
    rate.window = seconds * 1000;
  } else {
    return std::nullopt;
  }
  return rate;
}

std::string format_rate(const Rate& rate) {
  if (rate.window == 3'600'000) return fmt::format("{}/hour", rate.calls);
  if (rate.window == 86'400'000) return fmt::format("{}/day", rate.calls);
  if (rate.window == 60'000) return fmt::format("{}/min", rate.calls);
  return fmt::format("{}/{}s", rate.calls, rate.window / 1000);
}

void Budget::expire(Millis now) const {
  while (!calls_.empty() && calls_.front() <= now - rate_.window) calls_.pop_front();
}

int64_t Budget::used(Millis now) const {
  expire(now);
  return static_cast<int64_t>(calls_.size());
}

Millis Budget::next_call(Millis now) const {
  expire(now);
  Millis at = std::max(now, not_before_);
  // The call that would be one too many waits until the oldest call that
  // makes it so has left the window, and a little more: the upstream times
  // a call when it arrives, which is later than here and by a varying
  // amount, so a call timed exactly one window after another can reach it
  // a hair inside the window (1 % of the window, 50 ms to 2 s).
  if (static_cast<int64_t>(calls_.size()) >= rate_.calls) {
    const size_t oldest = calls_.size() - static_cast<size_t>(rate_.calls);
    at = std::max(at, calls_[oldest] + rate_.window + margin());
  }
  return at;
}

Millis Budget::margin() const {
  return std::clamp<Millis>(rate_.window / 100, 50, 2000);
}

void Budget::record_call(Millis now) {
  expire(now);
  calls_.push_back(now);
}

Millis Budget::max_wait() const {
  return std::min<Millis>(rate_.window, 3'600'000);
}

void Budget::clamp(Millis now) {
  not_before_ = std::min<Millis>(not_before_, now + 3'600'000);  // the longest back-off
  for (Millis& t : calls_) t = std::min(t, now);
}

void Budget::clear_waits() {
  not_before_ = 0;
  failures_ = 0;
}

void Budget::on_throttled(Millis now, std::optional<Millis> retry_after) {
  const Millis wait = retry_after.value_or(rate_.window / std::max<int64_t>(rate_.calls, 1));
  not_before_ = std::max(not_before_, now + std::clamp<Millis>(wait, 1000, max_wait()));
}

void Budget::on_failure(Millis now) {
  ++failures_;
  // The first pause is one call's share of the window, between 0.1 and 30 s
  // (30 s at LL2's rates; short windows for tests give short pauses).
  const Millis base =
      std::clamp<Millis>(rate_.window / std::max<int64_t>(rate_.calls, 1), 100, 30'000);
  const Millis wait = std::min<Millis>(base << std::min<int64_t>(failures_ - 1, 7), 3'600'000);
  not_before_ = std::max(not_before_, now + wait);
}

void Budget::on_report(Millis now, const UpstreamReport& report) {
  // A report is believed no further than max_wait() (see read_report too).
  const Millis next_use = std::clamp<Millis>(report.next_use_s, 0, max_wait() / 1000) * 1000;
  if (report.limit > 0 && report.current_use >= report.limit)
    not_before_ = std::max(not_before_, now + std::max<Millis>(next_use, 1000));
  // Calls counted upstream but not here were made by someone else. They
  // leave the window when the upstream says the next call is free
  // (next_use_secs), or, when it does not say, a whole window from now: the
  // cautious guess.
  const Millis made = next_use > 0 ? now - rate_.window + next_use : now;
  int64_t missing = std::min(report.current_use, rate_.calls) - used(now);
  while (missing-- > 0) calls_.push_front(std::min(made, calls_.empty() ? made : calls_.front()));
}

std::string Budget::save() const {
  std::string calls;
  for (const Millis t : calls_) calls += fmt::format("{}{}", calls.empty() ? "" : ",", t);
  return fmt::format(R"({{"calls":[{}],"not_before":{},"failures":{}}})", calls, not_before_,
                     failures_);
}

bool Budget::load(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const auto calls = doc.FindMember("calls");
  const auto not_before = doc.FindMember("not_before");
  const auto failures = doc.FindMember("failures");
  if (calls == doc.MemberEnd() || !calls->value.IsArray() || not_before == doc.MemberEnd() ||
      !not_before->value.IsInt64() || failures == doc.MemberEnd() || !failures->value.IsInt64())
    return false;
  std::deque<Millis> loaded;
  for (const auto& t : calls->value.GetArray()) {
    if (!t.IsInt64()) return false;
    loaded.push_back(t.GetInt64());
  }
  std::sort(loaded.begin(), loaded.end());
  calls_ = std::move(loaded);
  not_before_ = not_before->value.GetInt64();
  failures_ = failures->value.GetInt64();
  return true;
}

}  // namespace ll2::sync
