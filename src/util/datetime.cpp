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

// Python's \d{min,max} read by int(): any Unicode decimal digits.
std::optional<int64_t> re_digits(std::string_view s, size_t& i, size_t min, size_t max) {
  size_t n = 0;
  int64_t v = 0;
  while (i < s.size() && n < max) {
    size_t next = i;
    const int digit = text::unicode_decimal(text::next_code_point(s, next));
    if (digit < 0) break;
    v = v * 10 + digit;
    i = next;
    ++n;
  }
  if (n < min) return std::nullopt;
  return v;
}

// Django's (?P<microsecond>\d{1,6})\d{0,6}: up to six digits count, up to six
// more are read and ignored. Returns microseconds.
std::optional<int64_t> fraction(std::string_view s, size_t& i) {
  size_t n = 0;
  int64_t micro = 0;
  for (; n < 6; ++n) {
    const auto d = re_digits(s, i, 1, 1);
    if (!d) break;
    micro = micro * 10 + *d;
  }
  if (n == 0) return std::nullopt;
  for (size_t k = n; k < 6; ++k) micro *= 10;
  re_digits(s, i, 0, 6);
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
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

// Python 3.11's datetime.fromisoformat, as its C implementation reads the
// UTF-8 text: a read past the end sees the terminating NUL (so does a NUL
// inside the text), and each rule below is one of its quirks.
class IsoFormat {
 public:
  explicit IsoFormat(std::string_view s) : s_(s) {}

  std::optional<int64_t> parse() const {
    size_t chars = 0;
    for (size_t i = 0; i < s_.size(); ++chars) text::next_code_point(s_, i);
    if (chars < 7) return std::nullopt;
    const auto sep = separator();
    if (!sep) return std::nullopt;
    int64_t y = 0;
    int64_t m = 0;
    int64_t d = 0;
    if (!date(*sep, y, m, d)) return std::nullopt;
    Time t;
    if (s_.size() > *sep) {
      // The separator is any one character.
      size_t after = *sep;
      text::next_code_point(s_, after);
      if (!time(after, t)) return std::nullopt;
    }
    if (!valid_date(y, m, d) || t.hour > 23 || t.minute > 59 || t.second > 59) return std::nullopt;
    // timezone() takes offsets strictly within a day.
    if (t.offset_micros <= -kMicrosPerDay || t.offset_micros >= kMicrosPerDay) return std::nullopt;
    const int64_t days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    return (days * 86400 + t.hour * 3600 + t.minute * 60 + t.second) * kMicrosPerSecond + t.micro -
           t.offset_micros;
  }

 private:
  struct Time {
    int64_t hour = 0, minute = 0, second = 0, micro = 0, offset_micros = 0;
  };

  char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  // parse_digits: exactly n ASCII digits at p.
  bool fixed(size_t& p, size_t n, int64_t& v) const {
    v = 0;
    for (size_t k = 0; k < n; ++k, ++p) {
      if (!is_digit(at(p))) return false;
      v = v * 10 + (at(p) - '0');
    }
    return true;
  }

  // Where the date ends: YYYY-MM-DD 10, YYYYMMDD 8, YYYY-Www 8, YYYYWww 7,
  // YYYY-Www-D 10, YYYYWwwD 8 (told apart by characters 4, 5, 8 and 10).
  std::optional<size_t> separator() const {
    const size_t len = s_.size();
    if (len == 7) return 7;
    if (at(4) == '-') {
      if (at(5) != 'W') return 10;
      if (len > 8 && at(8) == '-') {
        if (len == 9) return std::nullopt;
        return len > 10 && is_digit(at(10)) ? 8 : 10;
      }
      return 8;
    }
    if (at(4) != 'W') return 8;
    size_t idx = 7;
    while (idx < len && is_digit(at(idx))) ++idx;
    if (idx < 9) return idx;
    return idx % 2 == 0 ? 7 : 8;
  }

  bool date(size_t len, int64_t& y, int64_t& m, int64_t& d) const {
    size_t p = 0;
    if (!fixed(p, 4, y)) return false;
    const bool dashes = at(p) == '-';
    if (dashes) ++p;
    if (at(p) == 'W') {
      int64_t week = 0;
      int64_t weekday = 1;
      if (!fixed(++p, 2, week)) return false;
      if (p < len) {
        if (dashes && at(p++) != '-') return false;
        if (!fixed(p, 1, weekday)) return false;
      }
      return iso_week_date(y, week, weekday, m, d);
    }
    if (!fixed(p, 2, m)) return false;
    if (dashes && at(p++) != '-') return false;
    return fixed(p, 2, d);
  }

  // ISO year, week (1-52, or 53 where the year has one) and weekday (1-7).
  static bool iso_week_date(int64_t& y, int64_t week, int64_t weekday, int64_t& m, int64_t& d) {
    if (y < 1 || y > 9999 || weekday < 1 || weekday > 7) return false;
    const int64_t jan1 = days_from_civil(y, 1, 1);
    const int64_t jan1_weekday = ((jan1 % 7) + 7 + 3) % 7;  // 0: Monday (1970-01-01: Thursday)
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (week < 1 || week > 53) return false;
    if (week == 53 && jan1_weekday != 3 && !(jan1_weekday == 2 && leap)) return false;
    const int64_t monday1 = jan1 - jan1_weekday + (jan1_weekday > 3 ? 7 : 0);
    unsigned mm = 0;
    unsigned dd = 0;
    civil_from_days(monday1 + (week - 1) * 7 + weekday - 1, y, mm, dd);
    m = mm;
    d = dd;
    return true;
  }

  // HH[:?MM[:?SS[{.,:?}f…]]] between p and end; 0: it ends there, 1: other
  // characters follow (an error unless an offset does), -1: malformed.
  int clock(size_t p, size_t end, Time& t) const {
    int64_t* parts[] = {&t.hour, &t.minute, &t.second};
    bool colons = true;
    for (size_t i = 0; i < 3; ++i) {
      if (!fixed(p, 2, *parts[i])) return -1;
      const char c = at(p++);
      if (i == 0) colons = c == ':';
      if (p >= end) return c != '\0' ? 1 : 0;
      if (colons && c == ':') continue;
      if (c == '.' || c == ',') break;
      if (colons) return -1;
      --p;
    }
    const size_t n = std::min<size_t>(end - p, 6);
    if (!fixed(p, n, t.micro)) return -1;
    for (size_t k = n; k < 6; ++k) t.micro *= 10;
    while (is_digit(at(p))) ++p;  // digits past the sixth are ignored
    return at(p) != '\0' ? 1 : 0;
  }

  bool time(size_t p, Time& t) const {
    const size_t end = s_.size();
    // The offset starts at the first Z, + or -.
    size_t zone = p;
    do {
      if (at(zone) == 'Z' || at(zone) == '+' || at(zone) == '-') break;
    } while (++zone < end);
    const int rv = clock(p, zone, t);
    if (rv < 0) return false;
    if (zone == end) return rv == 0;
    if (at(zone) == 'Z') return at(zone + 1) == '\0';
    Time offset;
    if (clock(zone + 1, end, offset) != 0) return false;
    // An offset of no whole seconds is UTC, whatever its microseconds.
    const int64_t seconds = offset.hour * 3600 + offset.minute * 60 + offset.second;
    const int64_t sign = at(zone) == '-' ? -1 : 1;
    t.offset_micros = seconds == 0 ? 0 : sign * (seconds * kMicrosPerSecond + offset.micro);
    return true;
  }

  std::string_view s_;
};

// Django's datetime_re (the fallback when fromisoformat refuses):
// YYYY-M-D[T ]H:M[:S[{.,}f…]] then \s* and an optional Z or ±HH[[:]MM].
std::optional<int64_t> parse_datetime_re(std::string_view s) {
  // Python's `$` also matches before one trailing newline.
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  size_t i = 0;
  const auto year = re_digits(s, i, 4, 4);
  if (!year || i >= s.size() || s[i++] != '-') return std::nullopt;
  const auto month = re_digits(s, i, 1, 2);
  if (!month || i >= s.size() || s[i++] != '-') return std::nullopt;
  const auto day = re_digits(s, i, 1, 2);
  if (!day || i >= s.size() || (s[i] != 'T' && s[i] != ' ')) return std::nullopt;
  ++i;
  const auto hour = re_digits(s, i, 1, 2);
  if (!hour || i >= s.size() || s[i++] != ':') return std::nullopt;
  const auto minute = re_digits(s, i, 1, 2);
  if (!minute) return std::nullopt;
  int64_t second = 0;
  int64_t micro = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    const auto sec = re_digits(s, i, 1, 2);
    if (!sec) return std::nullopt;
    second = *sec;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      const auto frac = fraction(s, ++i);
      if (!frac) return std::nullopt;
      micro = *frac;
    }
  }
  for (size_t next = i; i < s.size() && text::is_python_space(text::next_code_point(s, next));)
    i = next;
  int64_t offset_minutes = 0;
  if (i < s.size()) {
    if (s[i] == 'Z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      const bool negative = s[i] == '-';
      ++i;
      const auto hh = re_digits(s, i, 2, 2);
      if (!hh) return std::nullopt;
      int64_t mm = 0;
      if (i < s.size()) {
        if (s[i] == ':') ++i;
        const auto m2 = re_digits(s, i, 2, 2);
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

}  // namespace

std::optional<int64_t> parse_iso_format(std::string_view s) {
  return IsoFormat(s).parse();
}

std::optional<int64_t> parse_django_datetime(std::string_view s) {
  if (auto v = parse_iso_format(s)) return v;
  return parse_datetime_re(s);
}

std::optional<int64_t> parse_filter_datetime(std::string_view s) {
  return parse_django_datetime(text::python_strip(s));
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
  int64_t h = 0;
  int64_t m = 0;
  int64_t sec = 0;
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
