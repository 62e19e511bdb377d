// One access log line per answered request, as logfmt (key=value pairs) or
// as one JSON object, with the same keys in the same order either way:
//   time client method path status bytes us host ua id
// Pure: the server gathers a record and writes the line this returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ll2::http {

enum class AccessLogFormat { Logfmt, Json };

struct AccessRecord {
  int64_t time_us = 0;      // when the answer was written, microseconds since the epoch (UTC)
  std::string_view client;  // the address the throttle counts the request against
  // What the parser never got (a bad request line, no Host, no User-Agent) is
  // empty: "-" in logfmt, null in JSON.
  std::string_view method;
  std::string_view path;  // the request target, query included
  unsigned status = 0;
  size_t bytes = 0;  // of the body
  int64_t us = 0;    // from the complete header to the answer
  std::string_view host;
  std::string_view ua;
  std::string_view id;  // the request id, as X-Request-ID tells it
};

// The line, '\n' included.
std::string format_access(const AccessRecord& record, AccessLogFormat format);

// A logfmt value: as is when it is printable ASCII without space, '"', '='
// or '\\'; else quoted, with '"' and '\\' escaped and any byte outside
// 0x20..0x7e written as \xNN. Empty is "-".
std::string logfmt_value(std::string_view value);

// RFC 3339 in UTC with milliseconds: 2026-12-06T09:18:30.123Z.
std::string rfc3339_millis(int64_t time_us);

// The id an incoming X-Request-ID gives, if it is one to keep: 1 to 200
// printable ASCII characters (0x21..0x7e) and nothing else.
std::optional<std::string_view> incoming_request_id(std::string_view header);
// A new id: 32 random lower-case hex digits.
std::string new_request_id();

}  // namespace ll2::http
