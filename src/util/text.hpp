// Text helpers that reproduce the Python, Django and PostgreSQL behaviours LL2
// clients observe: Python's notion of whitespace and int(), Django's Decimal
// parsing for number filters, and PostgreSQL's UPPER() under a UTF-8 locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ll2::text {

// Decodes one UTF-8 code point at s[i], advancing i. Invalid bytes decode as
// U+FFFD and advance by one byte.
char32_t next_code_point(std::string_view s, size_t& i);
void append_utf8(std::string& out, char32_t cp);

// Python's str.isspace() for a single code point.
bool is_python_space(char32_t cp);
// The digit value of a Unicode decimal digit (category Nd, Unicode 14.0 as
// Python 3.11's \\d and int() read them), or -1.
int unicode_decimal(char32_t cp);
// Python's str.strip() with no arguments.
std::string_view python_strip(std::string_view s);
// Python's str.split() with no arguments: runs of whitespace separate words.
std::vector<std::string> python_split(std::string_view s);

// Django's smart_split: tokens separated by whitespace, where a token that
// holds a quoted run ("…" or '…', backslash escapes) keeps it whole, quotes
// included; an unclosed quote is an ordinary character.
std::vector<std::string_view> smart_split(std::string_view s);
// Django's unescape_string_literal on a token that starts and ends with the
// same quote: the quotes removed, \<quote> and \\ unescaped.
std::string unescape_quoted(std::string_view quoted);

// Python's [p.strip() for p in s.split(sep)]: empty parts kept.
std::vector<std::string_view> split_stripped(std::string_view s, char sep);

// Python's int(str) for base 10: surrounding whitespace, an optional sign,
// decimal digits (any Unicode ones) with single underscores between them. nullopt where Python
// raises ValueError or the value does not fit in 64 bits.
std::optional<int64_t> python_int(std::string_view s);
// The same, but a valid integer beyond 64 bits saturates to INT64_MIN/MAX
// (for limit/offset, where Python caps or compares arbitrary integers).
std::optional<int64_t> python_int_saturating(std::string_view s);

// What a Django DecimalField (django-filter's NumberFilter) accepts (Python's
// Decimal: any Unicode decimal digits), truncated
// toward zero as Django's IntegerField does with a Decimal lookup value.
struct DecimalAsInteger {
  bool valid = false;     // false: "Enter a number."
  bool in_range = false;  // false: finite but outside int64 (matches nothing)
  int64_t value = 0;
};
DecimalAsInteger django_decimal_to_integer(std::string_view text);
// The same grammar read as a double (for float columns, and for integers
// beyond int64, which then compare as the number they are).
std::optional<double> django_decimal_to_double(std::string_view s);

// Where a URL's user info ends: its authority's last `@` (npos: no user
// info). A password may hold `@`, `/` or `?` itself, so the last `@` before
// the first `/` or before the first `?`, whichever is later, ends it.
size_t url_user_info_end(std::string_view url);
// The URL with its user info's password shown as *** (user:***@host/...),
// for messages, logs and saved state.
std::string mask_url_password(std::string_view url);

// Python's uuid.UUID(text): "urn:"/"uuid:" and dashes removed, braces
// stripped, 32 hex digits; the canonical lower-case 8-4-4-4-12 form.
std::optional<std::string> python_uuid(std::string_view s);

// PostgreSQL UPPER() on a UTF-8 database with a libc locale (C.UTF-8): each
// code point through towupper_l.
std::string unicode_upper(std::string_view s);

// Whether unicode_upper(haystack) contains `upper_needle` (already upper-
// cased); allocation-free when the haystack is ASCII.
bool contains_upper(std::string_view haystack, std::string_view upper_needle);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view s);
void append_html_escaped(std::string& out, std::string_view s);

}  // namespace ll2::text
