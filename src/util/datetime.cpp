#include "util/datetime.hpp"

#include <cctype>

#include <fmt/format.h>

#include <cmath>

#include "util/text.hpp"

namespace ll2::datetime {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads between min and max ASCII digits at s[i].
std::optional<int64_t> digits(std::string_view s, size_t& i, size_t min, size_t max) {
  size_t n = 0;
  int64_t v = 0;
  while (i < s.size() && n < max && is_digit(s[i])) {
    v = v * 10 + (s[i] - '0');
    ++i;
    ++n;
  }
  if (n < min) return std::nullopt;
  return v;
}

// Django's (?P<microsecond>\d{1,6})\d{0,6}: up to six digits count, up to six
// more are read and ignored. Returns microseconds.
std::optional<int64_t> fraction(std::string_view s, size_t& i) {
  const size_t start = i;
  auto micro = digits(s, i, 1, 6);
  if (!micro) return std::nullopt;
  for (size_t n = i - start; n < 6; ++n) *micro *= 10;
  digits(s, i, 0, 6);
  return micro;
}

bool valid_date(int64_t y, int64_t m, int64_t d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + ((m == 2 && leap) ? 1 : 0);
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> parse_django_datetime(std::string_view s) {
  // Python's `$` also matches before one trailing newline.
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  size_t i = 0;
  const auto year = digits(s, i, 4, 4);
  if (!year || i >= s.size() || s[i++] != '-') return std::nullopt;
  const auto month = digits(s, i, 1, 2);
  if (!month || i >= s.size() || s[i++] != '-') return std::nullopt;
  const auto day = digits(s, i, 1, 2);
  if (!day || i >= s.size() || (s[i] != 'T' && s[i] != ' ')) return std::nullopt;
  ++i;
  const auto hour = digits(s, i, 1, 2);
  if (!hour || i >= s.size() || s[i++] != ':') return std::nullopt;
  const auto minute = digits(s, i, 1, 2);
  if (!minute) return std::nullopt;
  int64_t second = 0;
  int64_t micro = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    const auto sec = digits(s, i, 1, 2);
    if (!sec) return std::nullopt;
    second = *sec;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      const auto frac = fraction(s, ++i);
      if (!frac) return std::nullopt;
      micro = *frac;
    }
  }
  int64_t offset_minutes = 0;
  if (i < s.size()) {
    if (s[i] == 'Z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      const bool negative = s[i] == '-';
      ++i;
      const auto hh = digits(s, i, 2, 2);
      if (!hh) return std::nullopt;
      int64_t mm = 0;
      if (i < s.size()) {
        if (s[i] == ':') ++i;
        const auto m2 = digits(s, i, 2, 2);
        if (!m2) return std::nullopt;
        mm = *m2;
      }
      offset_minutes = *hh * 60 + mm;
      if (offset_minutes >= int64_t{24} * 60) return std::nullopt;  // Python's timezone() refuses
      if (negative) offset_minutes = -offset_minutes;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (!valid_date(*year, *month, *day) || *hour > 23 || *minute > 59 || second > 59) {
    return std::nullopt;
  }
  const int64_t days =
      days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  const int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + second - offset_minutes * 60;
  return seconds * kMicrosPerSecond + micro;
}

std::optional<int64_t> parse_filter_datetime(std::string_view s) {
  s = text::python_strip(s);
  if (auto v = parse_django_datetime(s)) return v;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    size_t i = 0;
    const auto y = digits(s, i, 4, 4);
    ++i;
    const auto m = digits(s, i, 2, 2);
    ++i;
    const auto d = digits(s, i, 2, 2);
    if (y && m && d && i == 10 && valid_date(*y, *m, *d)) {
      return days_from_civil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d)) *
             kMicrosPerDay;
    }
  }
  return std::nullopt;
}

std::string format_datetime(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, y, m, d);
  const int64_t secs = rest / kMicrosPerSecond;
  const int64_t us = rest % kMicrosPerSecond;
  if (us == 0) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, secs / 3600, secs / 60 % 60,
                       secs % 60);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", y, m, d, secs / 3600,
                     secs / 60 % 60, secs % 60, us);
}

std::optional<std::string> parse_date(std::string_view s) {
  size_t i = 0;
  const auto y = digits(s, i, 4, 4);
  if (!y || i >= s.size() || s[i++] != '-') return std::nullopt;
  const auto m = digits(s, i, 1, 2);
  if (!m || i >= s.size() || s[i++] != '-') return std::nullopt;
  const auto d = digits(s, i, 1, 2);
  if (!d || i != s.size() || !valid_date(*y, *m, *d)) return std::nullopt;
  return fmt::format("{:04}-{:02}-{:02}", *y, *m, *d);
}

std::optional<std::string> parse_filter_date(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (auto iso = parse_date(s)) return iso;
  // %m/%d/%Y and %m/%d/%y (a two-digit year is 1969-2068, as Python reads it).
  size_t i = 0;
  const auto m = digits(s, i, 1, 2);
  if (!m || i >= s.size() || s[i++] != '/') return std::nullopt;
  const auto d = digits(s, i, 1, 2);
  if (!d || i >= s.size() || s[i++] != '/') return std::nullopt;
  const size_t year_start = i;
  auto y = digits(s, i, 2, 4);
  if (!y || i != s.size() || i - year_start == 3) return std::nullopt;
  if (i - year_start == 2) *y += *y < 69 ? 2000 : 1900;
  if (!valid_date(*y, *m, *d)) return std::nullopt;
  return fmt::format("{:04}-{:02}-{:02}", *y, *m, *d);
}

namespace {

// ISO 8601 duration: [-]P[nD][T[nH][nM][n[.f]S]] (weeks/years/months are not
// used by LL2 and Django rejects them too).
std::optional<int64_t> parse_iso_duration(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  if (i >= s.size() || s[i++] != 'P') return std::nullopt;
  int64_t total = 0;
  bool in_time = false;
  bool any = false;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '.' || s[i] == ',')) ++i;
    if (i == start || i >= s.size()) return std::nullopt;
    std::string number(s.substr(start, i - start));
    for (char& c : number)
      if (c == ',') c = '.';
    double value = 0;
    try {
      value = std::stod(number);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    const char unit = s[i++];
    double scale = 0;
    if (!in_time && unit == 'D')
      scale = 86400;
    else if (in_time && unit == 'H')
      scale = 3600;
    else if (in_time && unit == 'M')
      scale = 60;
    else if (in_time && unit == 'S')
      scale = 1;
    else
      return std::nullopt;
    total += std::llround(value * scale * static_cast<double>(kMicrosPerSecond));
    any = true;
  }
  if (!any) return std::nullopt;
  return negative ? -total : total;
}

}  // namespace

std::optional<int64_t> parse_duration(std::string_view s) {
  if (!s.empty() &&
      (s[0] == 'P' || ((s[0] == '-' || s[0] == '+') && s.size() > 1 && s[1] == 'P'))) {
    return parse_iso_duration(s);
  }
  // Django's standard form: [-D [days, ]][-][[HH:]MM:]SS[.ffffff]
  size_t i = 0;
  int64_t days = 0;
  const size_t space = s.find(' ');
  if (space != std::string_view::npos) {
    std::string_view d = s.substr(0, space);
    bool neg = !d.empty() && d[0] == '-';
    if (neg) d.remove_prefix(1);
    size_t k = 0;
    const auto dv = digits(d, k, 1, 9);
    if (!dv || k != d.size()) return std::nullopt;
    days = neg ? -*dv : *dv;
    i = space + 1;
    std::string_view rest = s.substr(i);
    if (rest.starts_with("days, "))
      i += 6;
    else if (rest.starts_with("day, "))
      i += 5;
  }
  bool negative = false;
  if (i < s.size() && s[i] == '-') {
    negative = true;
    ++i;
  }
  std::string_view clock = s.substr(i);
  int64_t parts[3] = {0, 0, 0};
  int count = 0;
  size_t k = 0;
  int64_t micro = 0;
  while (true) {
    const auto v = digits(clock, k, 1, 9);
    if (!v || count == 3) return std::nullopt;
    parts[count++] = *v;
    if (k < clock.size() && clock[k] == ':') {
      ++k;
      continue;
    }
    break;
  }
  if (k < clock.size() && (clock[k] == '.' || clock[k] == ',')) {
    const auto f = fraction(clock, ++k);
    if (!f) return std::nullopt;
    micro = *f;
  }
  if (k != clock.size()) return std::nullopt;
  int64_t h = 0, m = 0, sec = 0;
  if (count == 3)
    h = parts[0], m = parts[1], sec = parts[2];
  else if (count == 2)
    m = parts[0], sec = parts[1];
  else
    sec = parts[0];
  int64_t total = ((h * 60 + m) * 60 + sec) * kMicrosPerSecond + micro;
  if (negative) total = -total;
  return days * kMicrosPerDay + total;
}

std::string format_duration(int64_t micros) {
  // Python's timedelta normalises to days (possibly negative) and a
  // non-negative remainder; duration_string prints those parts.
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const int64_t secs = rest / kMicrosPerSecond;
  const int64_t us = rest % kMicrosPerSecond;
  std::string out;
  if (days != 0) out = fmt::format("{} ", days);
  out += fmt::format("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
  if (us != 0) out += fmt::format(".{:06}", us);
  return out;
}

}  // namespace ll2::datetime
