#include "util/text.hpp"

#include <cctype>
#include <cstdlib>

#include <locale.h>  // NOLINT(modernize-deprecated-headers): POSIX newlocale, not <clocale>
#include <algorithm>
#include <climits>
#include <clocale>
#include <cwctype>
#include <iterator>

namespace ll2::text {

char32_t next_code_point(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += len;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_python_space(char32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x1C:
    case 0x1D:
    case 0x1E:
    case 0x1F:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

int unicode_decimal(char32_t cp) {
  // Each script's digit zero; Unicode keeps 0-9 of a script contiguous.
  static constexpr char32_t kZeros[] = {
      0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,
      0xC66,   0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,  0x17E0,
      0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,
      0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
      0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
      0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2,
      0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0};
  const auto* after = std::upper_bound(std::begin(kZeros), std::end(kZeros), cp);
  if (after == std::begin(kZeros)) return -1;
  const char32_t offset = cp - *(after - 1);
  return offset < 10 ? static_cast<int>(offset) : -1;
}

std::string_view python_strip(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t next = begin;
    if (!is_python_space(next_code_point(s, next))) break;
    begin = next;
  }
  size_t end = begin;
  for (size_t i = begin; i < s.size();) {
    if (!is_python_space(next_code_point(s, i))) end = i;
  }
  return s.substr(begin, end - begin);
}

std::vector<std::string> python_split(std::string_view s) {
  std::vector<std::string> words;
  std::string current;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    if (is_python_space(next_code_point(s, i))) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.append(s.substr(start, i - start));
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

namespace {

bool is_quote(char c) {
  return c == '"' || c == '\'';
}

// The end of the run of characters from s[i] that are neither whitespace nor
// quotes (the regex's [^\s'"]*).
size_t plain_end(std::string_view s, size_t i) {
  while (i < s.size() && !is_quote(s[i])) {
    size_t next = i;
    if (is_python_space(next_code_point(s, next))) break;
    i = next;
  }
  return i;
}

// Just past the quote that closes the one at s[i]; npos when none does (a
// backslash escapes any character but a newline).
size_t quoted_end(std::string_view s, size_t i) {
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == s[i]) return j + 1;
    if (s[j] == '\\') {
      if (j + 1 >= s.size() || s[j + 1] == '\n') return std::string_view::npos;
      ++j;
    }
  }
  return std::string_view::npos;
}

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string_view::npos; pos = hit + from.size())
    out.append(s.substr(pos, hit - pos)).append(to);
  out.append(s.substr(pos));
  return out;
}

}  // namespace

std::vector<std::string_view> smart_split(std::string_view s) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < s.size()) {
    size_t next = i;
    if (is_python_space(next_code_point(s, next))) {
      i = next;
      continue;
    }
    // A token with quoted runs ends after the last run that closes (and the
    // plain characters after it); without one it is all non-whitespace.
    size_t end = std::string_view::npos;
    for (size_t k = plain_end(s, i); k < s.size() && is_quote(s[k]);) {
      const size_t closed = quoted_end(s, k);
      if (closed == std::string_view::npos) break;
      k = end = plain_end(s, closed);
    }
    if (end == std::string_view::npos) {
      end = i;
      while (end < s.size()) {
        size_t after = end;
        if (is_python_space(next_code_point(s, after))) break;
        end = after;
      }
    }
    tokens.push_back(s.substr(i, end - i));
    i = end;
  }
  return tokens;
}

std::string unescape_quoted(std::string_view quoted) {
  const char quote[] = {quoted.front(), '\0'};
  const std::string_view inner = quoted.substr(1, quoted.size() >= 2 ? quoted.size() - 2 : 0);
  return replace_all(replace_all(inner, std::string("\\") + quote, quote), "\\\\", "\\");
}

std::vector<std::string_view> split_stripped(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    const size_t next = s.find(sep, pos);
    parts.push_back(python_strip(
        s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos)));
    if (next == std::string_view::npos) return parts;
    pos = next + 1;
  }
}

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The text with every Unicode decimal digit as its ASCII digit: Python's
// int() and Decimal() read any of them.
std::string ascii_digits(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t cp = next_code_point(s, i);
    const int digit = cp < 0x80 ? -1 : unicode_decimal(cp);
    if (digit >= 0)
      out += static_cast<char>('0' + digit);
    else
      out.append(s.substr(start, i - start));
  }
  return out;
}

// Python's int() syntax; beyond 64 bits either fails or saturates.
std::optional<int64_t> parse_python_int(std::string_view text, bool saturate) {
  const std::string ascii = ascii_digits(text);
  std::string_view s = python_strip(ascii);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || !is_digit(s.front()) || !is_digit(s.back())) return std::nullopt;
  const uint64_t limit =
      negative ? static_cast<uint64_t>(INT64_MAX) + 1 : static_cast<uint64_t>(INT64_MAX);
  uint64_t value = 0;
  bool overflow = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (!is_digit(s[i + 1])) return std::nullopt;  // "1__0"; s.back() is a digit
      continue;
    }
    if (!is_digit(s[i])) return std::nullopt;
    const auto digit = static_cast<uint64_t>(s[i] - '0');
    if (overflow || value > (limit - digit) / 10) {
      overflow = true;
      continue;
    }
    value = value * 10 + digit;
  }
  if (overflow) {
    if (!saturate) return std::nullopt;
    return negative ? INT64_MIN : INT64_MAX;
  }
  if (!negative) return static_cast<int64_t>(value);
  return value == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(value);
}

}  // namespace

std::optional<int64_t> python_int(std::string_view s) {
  return parse_python_int(s, false);
}
std::optional<int64_t> python_int_saturating(std::string_view s) {
  return parse_python_int(s, true);
}

std::optional<double> django_decimal_to_double(std::string_view s) {
  if (!django_decimal_to_integer(s).valid) return std::nullopt;
  const std::string ascii = ascii_digits(s);
  std::string cleaned;
  for (const char c : python_strip(ascii)) {
    if (c != '_') cleaned += c;
  }
  return std::strtod(cleaned.c_str(), nullptr);
}

DecimalAsInteger django_decimal_to_integer(std::string_view text) {
  // Python's Decimal(str): strip, sign, digits with optional '.' fraction and
  // exponent; underscores between digits; 'Infinity'/'NaN' parse but are not
  // finite, which Django rejects with the same message.
  DecimalAsInteger out;
  const std::string ascii = ascii_digits(text);
  std::string_view s = python_strip(ascii);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string int_digits;
  std::string frac_digits;
  size_t i = 0;
  auto read_digits = [&](std::string& into) {
    bool any = false;
    while (i < s.size()) {
      if (is_digit(s[i])) {
        into += s[i++];
        any = true;
      } else if (s[i] == '_' && any && i + 1 < s.size() && is_digit(s[i + 1])) {
        ++i;
      } else {
        break;
      }
    }
    return any;
  };
  const bool has_int = read_digits(int_digits);
  bool has_frac = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    has_frac = read_digits(frac_digits);
  }
  if (!has_int && !has_frac) return out;
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    std::string exp_text;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_text += s[i++];
    std::string exp_digits;
    if (!read_digits(exp_digits)) return out;
    if (exp_digits.size() > 12) exp_digits = exp_digits.substr(exp_digits.size() - 12);
    exponent = std::stoll(exp_digits);
    if (!exp_text.empty() && exp_text[0] == '-') exponent = -exponent;
  }
  if (i != s.size()) return out;
  out.valid = true;
  // value = int_digits.frac_digits * 10^exponent, truncated toward zero.
  std::string digits = int_digits + frac_digits;
  int64_t point = static_cast<int64_t>(int_digits.size()) + exponent;  // digits before the point
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos || point <= 0) {
    out.in_range = true;
    out.value = 0;
    return out;
  }
  std::string whole;
  if (point >= static_cast<int64_t>(digits.size())) {
    if (point - static_cast<int64_t>(digits.size()) > 40) return out;  // far out of range
    whole = digits + std::string(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    whole = digits.substr(0, static_cast<size_t>(point));
  }
  std::string signed_whole = negative ? "-" : "";
  signed_whole.append(whole.empty() ? std::string_view("0") : std::string_view(whole));
  const auto parsed = python_int(signed_whole);
  if (!parsed) return out;
  out.in_range = true;
  out.value = *parsed;
  return out;
}

std::optional<std::string> python_uuid(std::string_view s) {
  std::string hex(s);
  for (const std::string_view prefix : {"urn:", "uuid:"}) {
    for (size_t p = hex.find(prefix); p != std::string::npos; p = hex.find(prefix))
      hex.erase(p, prefix.size());
  }
  const size_t first = hex.find_first_not_of("{}");
  const size_t last = hex.find_last_not_of("{}");
  hex = first == std::string::npos ? std::string() : hex.substr(first, last - first + 1);
  std::erase(hex, '-');
  if (hex.size() != 32) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

namespace {
locale_t utf8_locale() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return l != nullptr ? l : newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr));
  }();
  return loc;
}
}  // namespace

std::string unicode_upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const locale_t loc = utf8_locale();
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {  // ASCII fast path
      out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : static_cast<char>(c);
      ++i;
      continue;
    }
    const char32_t cp = next_code_point(s, i);
    append_utf8(out, static_cast<char32_t>(towupper_l(static_cast<wint_t>(cp), loc)));
  }
  return out;
}

bool contains_upper(std::string_view haystack, std::string_view upper_needle) {
  if (upper_needle.empty()) return true;
  const bool ascii = std::all_of(haystack.begin(), haystack.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) return unicode_upper(haystack).find(upper_needle) != std::string::npos;
  // An upper-cased ASCII text holds only ASCII, so compare byte by byte.
  const auto upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; };
  if (upper_needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + upper_needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < upper_needle.size() && upper(haystack[i + k]) == upper_needle[k]) ++k;
    if (k == upper_needle.size()) return true;
  }
  return false;
}

void append_html_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#x27;";
        break;
      default:
        out += c;
    }
  }
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  append_html_escaped(out, s);
  return out;
}

size_t url_user_info_end(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string_view::npos;
  const size_t authority = scheme + 3;
  const auto last_at_before = [&](size_t end) {
    const size_t at = url.substr(0, std::min(end, url.size())).rfind('@');
    return at != std::string_view::npos && at >= authority ? at : std::string_view::npos;
  };
  const size_t by_slash = last_at_before(url.find('/', authority));
  const size_t by_query = last_at_before(url.find('?', authority));
  if (by_slash == std::string_view::npos) return by_query;
  if (by_query == std::string_view::npos) return by_slash;
  return std::max(by_slash, by_query);
}

std::string mask_url_password(std::string_view url) {
  const size_t at = url_user_info_end(url);
  if (at == std::string_view::npos) return std::string(url);
  const size_t authority = url.find("://") + 3;
  const size_t colon = url.substr(authority, at - authority).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority + colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace ll2::text
