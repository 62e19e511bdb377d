// JSON documents with source positions, so the importer can name the line and
// column of a bad value. Numbers are kept as their source text so integers
// and floats are told apart exactly.
//
// A document is parsed in one pass by a small scanner into one block of
// nodes: strings without escapes are views of the source, so a node costs no
// allocation of its own. Whatever that scanner does not take on (any error,
// an exponent, a surrogate escape, a repeated key, nesting past the limit) is
// parsed again by RapidJSON's reader, which decides: its messages and
// positions are the ones reported, and a document it accepts builds the same
// tree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll2::ingest {

struct JsonNode {
  enum class Type : uint8_t { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  uint32_t size = 0;                   // Array, Object: how many items or members
  size_t offset = 0;                   // byte offset of the value in the source
  size_t end = 0;                      // Array, Object: just past its closing bracket
  std::string_view text;               // String: the value; Number: its source text
  std::string_view key;                // a member's key (empty for items and the root)
  const JsonNode* children = nullptr;  // items or members, contiguous

  // Array: the items. Object: the members (each with its key).
  std::span<const JsonNode> items() const { return {children, size}; }
  std::span<const JsonNode> members() const { return {children, size}; }
  const JsonNode* get(std::string_view key) const;
  const char* type_name() const;
};

// Whether two keys are the same, compared in place: keys are short, and
// most comparisons are of equal ones, where a call to memcmp costs more than
// the bytes.
inline bool same_key(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const auto word = [](const char* p) {
    uint64_t w = 0;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  // 8 bytes at a time, the last 8 (overlapping the others) at the end.
  for (size_t i = 0; i + 8 < n; i += 8) {
    if (word(a.data() + i) != word(b.data() + i)) return false;
  }
  return word(a.data() + n - 8) == word(b.data() + n - 8);
}

// Arrays and objects nest at most this deep (LL2's deepest responses nest
// about 15 levels). The limit keeps the parser, the tree and the importer,
// which all recurse, far from the end of the stack.
constexpr size_t kMaxJsonDepth = 64;

// Skipped at the start of a document (RFC 8259 §8.1 allows ignoring it).
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The parsed document. Its nodes view the source text (which must outlive
// them) and storage of its own, so it is moved, never copied.
struct JsonParse {
  const JsonNode* root = nullptr;  // null: see error
  std::string error;  // why root is null: RapidJSON's message, the depth limit, a duplicate key
  std::string error_path = "$";  // JSON path of the problem, when known
  size_t error_offset = 0;
  bool too_deep = false;  // the document nests deeper than kMaxJsonDepth

  JsonParse() = default;
  JsonParse(JsonParse&&) = default;
  JsonParse& operator=(JsonParse&&) = default;
  JsonParse(const JsonParse&) = delete;
  JsonParse& operator=(const JsonParse&) = delete;

  std::vector<JsonNode> nodes;      // every node but the root's own copy, children contiguous
  std::unique_ptr<char[]> strings;  // decoded strings (escapes, RapidJSON's copies)
  std::unique_ptr<JsonNode> root_node;
};

// `progress`, when given, hears the offset reached about every MiB.
using ParseProgress = std::function<void(size_t offset)>;
JsonParse parse_json(std::string_view source, const ParseProgress& progress = {});
// parse_json for a document that is a list of values (an array, or an object
// with a "results" array): each of them is handed to `item` as soon as it is
// complete, with its index in the list, and then left in the tree with no
// members or items, so one value's nodes are kept at a time (they stay in
// the cache). Nothing (nullopt) when the fast scanner gave up: `item` may
// have heard some values, and parse_json decides.
using ItemSink = std::function<void(const JsonNode& item, size_t index)>;
std::optional<JsonParse> parse_json_items(std::string_view source, const ItemSink& item);
// The same through RapidJSON's reader alone (what parse_json falls back to);
// for tests that hold the two to the same result.
JsonParse parse_json_reference(std::string_view source);

// 1-based line and column of a byte offset.
std::pair<size_t, size_t> line_column(std::string_view source, size_t offset);

}  // namespace ll2::ingest
