// Date-times as LL2 stores and prints them. Instants are microseconds since
// the Unix epoch, UTC; that orders and compares as integers in every backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ll2::datetime {

// Python 3.11's datetime.fromisoformat (what the peer's and LL2's Python
// runs): a date YYYY-MM-DD, YYYYMMDD, YYYY-Www[-D] or YYYYWww[D], then any
// one character and HH[[:]MM[[:]SS[{.,}ffffff…]]], then Z or ±HH[[:]MM[[:]SS
// [.ffffff]]]; a value without offset is UTC. nullopt where it raises.
std::optional<int64_t> parse_iso_format(std::string_view s);

// Django 5.2's parse_datetime: parse_iso_format, else its regex
// YYYY-M-D[T ]H:M[:S[{.,}ffffff]] with optional whitespace and a Z or
// ±HH[[:]MM] offset. nullopt where Django returns None or raises
// (out-of-range fields, |offset| >= 24h).
std::optional<int64_t> parse_django_datetime(std::string_view s);

// What LL2's date-time filters accept (the peer's IsoDateTimeField): the
// value stripped of whitespace, then parse_django_datetime.
std::optional<int64_t> parse_filter_datetime(std::string_view s);

// DRF's DateTimeField output: 2024-06-06T06:48:00Z, with .ffffff only when
// the microseconds are non-zero.
std::string format_datetime(int64_t micros);

// A calendar date YYYY-MM-DD (Django's parse_date); returns it normalised.
std::optional<std::string> parse_date(std::string_view s);

// What a date filter (Django's forms.DateField) accepts: YYYY-MM-DD,
// MM/DD/YYYY or MM/DD/YY, surrounding whitespace ignored; normalised.
std::optional<std::string> parse_filter_date(std::string_view s);

// Django's parse_duration (its own "DD HH:MM:SS.ffffff" form and ISO 8601
// "P…DT…H…M…S"), to microseconds.
std::optional<int64_t> parse_duration(std::string_view s);
// Django's duration_string: "[D ]HH:MM:SS[.ffffff]".
std::string format_duration(int64_t micros);

int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

}  // namespace ll2::datetime
