#include "http/access_log.hpp"

#include <fmt/format.h>

#include <array>
#include <ctime>
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
  if (value.empty())
    w.null();
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

std::string logfmt_line(const AccessRecord& r) {
  // The path is always quoted (as the log has always written it), so a
  // shipper's pattern for it does not depend on what a client sent.
  std::string path = logfmt_value(r.path);
  if (!r.path.empty() && path.front() != '"') path = "\"" + path + "\"";
  return fmt::format(
      "time={} client={} method={} path={} status={} bytes={} us={} host={} ua={} id={}\n",
      rfc3339_millis(r.time_us), logfmt_value(r.client), logfmt_value(r.method), path, r.status,
      r.bytes, r.us, logfmt_value(r.host), logfmt_value(r.ua), logfmt_value(r.id));
}

}  // namespace

std::string logfmt_value(std::string_view value) {
  if (value.empty()) return "-";
  bool quote = false;
  for (const char ch : value) quote = quote || !bare(static_cast<unsigned char>(ch));
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::string format_access(const AccessRecord& record, AccessLogFormat format) {
  return format == AccessLogFormat::Json ? json_line(record) : logfmt_line(record);
}

std::string rfc3339_millis(int64_t time_us) {
  const int64_t ms = time_us >= 0 ? time_us / 1000 : (time_us - 999) / 1000;
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(ms - static_cast<int64_t>(secs) * 1000));
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
