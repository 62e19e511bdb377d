#include "http/access_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <iterator>
#include <random>

#include "json/writer.hpp"
#include "util/text.hpp"

namespace ll2::http {

namespace {

bool bare(unsigned char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != '=' && c != '\\';
}

// JSON strings must be UTF-8: a byte that is not part of a valid sequence
// becomes U+FFFD (json::append_string escapes quotes and control bytes).
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) text::append_utf8(out, text::next_code_point(s, i));
  return out;
}

void json_text(json::Writer& w, std::string_view key, std::string_view value) {
  w.key(key);
  const bool ascii = std::all_of(value.begin(), value.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (value.empty())
    w.null();
  else if (ascii)
    w.string(value);
  else
    w.string(valid_utf8(value));
}

std::string json_line(const AccessRecord& r) {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.key("time");
  w.string(rfc3339_millis(r.time_us));
  json_text(w, "client", r.client);
  json_text(w, "method", r.method);
  json_text(w, "path", r.path);
  w.key("status");
  w.integer(r.status);
  w.key("bytes");
  w.integer(static_cast<int64_t>(r.bytes));
  w.key("us");
  w.integer(r.us);
  json_text(w, "host", r.host);
  json_text(w, "ua", r.ua);
  json_text(w, "id", r.id);
  w.end_object();
  out += '\n';
  return out;
}

void append_logfmt(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += '-';
    return;
  }
  bool quote = false;
  for (const char ch : value) quote = quote || !bare(static_cast<unsigned char>(ch));
  if (!quote) {
    out += value;
    return;
  }
  out += '"';
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

// One string appended to, rather than a format of temporaries: this runs
// for every request.
std::string logfmt_line(const AccessRecord& r) {
  std::string out;
  out.reserve(160 + r.path.size() + r.ua.size());
  out += "time=";
  out += rfc3339_millis(r.time_us);
  out += " client=";
  append_logfmt(out, r.client);
  out += " method=";
  append_logfmt(out, r.method);
  // The path is always quoted (as the log has always written it), so a
  // shipper's pattern for it does not depend on what a client sent.
  out += " path=";
  const size_t path_at = out.size();
  append_logfmt(out, r.path);
  if (!r.path.empty() && out[path_at] != '"') {
    out.insert(path_at, 1, '"');
    out += '"';
  }
  fmt::format_to(std::back_inserter(out), " status={} bytes={} us={} host=", r.status, r.bytes,
                 r.us);
  append_logfmt(out, r.host);
  out += " ua=";
  append_logfmt(out, r.ua);
  out += " id=";
  append_logfmt(out, r.id);
  out += '\n';
  return out;
}

}  // namespace

std::string logfmt_value(std::string_view value) {
  std::string out;
  append_logfmt(out, value);
  return out;
}

std::string format_access(const AccessRecord& record, AccessLogFormat format) {
  return format == AccessLogFormat::Json ? json_line(record) : logfmt_line(record);
}

std::string rfc3339_millis(int64_t time_us) {
  const int64_t ms = time_us >= 0 ? time_us / 1000 : (time_us - 999) / 1000;
  const int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  // The calendar part changes once a second: kept per thread.
  thread_local int64_t cached_secs = INT64_MIN;
  thread_local std::string cached;  // "2026-12-06T09:18:30."
  if (secs != cached_secs) {
    const auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    cached = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_secs = secs;
  }
  const auto milli = static_cast<int>(ms - secs * 1000);
  std::string out = cached;
  out += static_cast<char>('0' + milli / 100);
  out += static_cast<char>('0' + milli / 10 % 10);
  out += static_cast<char>('0' + milli % 10);
  out += 'Z';
  return out;
}

std::optional<std::string_view> incoming_request_id(std::string_view header) {
  if (header.empty() || header.size() > 200) return std::nullopt;
  for (const char ch : header) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  }
  return header;
}

std::string new_request_id() {
  // Unique, not secret: a generator per thread, seeded once from the system.
  thread_local std::mt19937_64 random{[] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }()};
  return fmt::format("{:016x}{:016x}", random(), random());
}

}  // namespace ll2::http
