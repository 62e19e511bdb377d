#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ll2 {

// One stored value: NULL, an integer (also booleans, date-times and durations
// in microseconds), a float, or text (also UUIDs and dates).
using Value = std::variant<std::monostate, int64_t, double, std::string>;

inline bool is_null(const Value& v) {
  return std::holds_alternative<std::monostate>(v);
}

// A stored object: its id first, then one value per column of its kind, in
// the kind's column order.
using Row = std::vector<Value>;

}  // namespace ll2
