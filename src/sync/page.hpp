// What the mirror reads of an upstream's answers before it imports them: a
// list page's envelope with each result's id and last_updated, a detail's id,
// and /2.3.0/api-throttle/'s report. Everything goes through the importer's
// JSON reader, which refuses nesting deeper than 64 levels before anything
// recurses, so no answer can exhaust the stack. Errors are values (a message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/value.hpp"
#include "sync/budget.hpp"

namespace ll2::sync {

struct PageInfo {
  int64_t count = 0;
  bool has_next = false;
  int64_t results = 0;  // how many results the page holds
  std::vector<Value> ids;
  std::string newest;  // the largest last_updated (ISO 8601 strings in UTC sort as times)
};
std::variant<PageInfo, std::string> read_page(std::string_view body);

// The id of a detail answer (an object with an integer or string id).
std::variant<Value, std::string> read_object_id(std::string_view body);

// An /api-throttle/ answer. One that cannot be true (a window longer than a
// day, a wait longer than its window, a negative number, a limit beyond a
// million calls) is refused, so that a hostile upstream cannot make the
// mirror wait for decades.
std::variant<UpstreamReport, std::string> read_report(std::string_view body);

}  // namespace ll2::sync
