// JSON documents with source positions, so the importer can name the line and
// column of a bad value. Parsed with RapidJSON's SAX reader; numbers are kept
// as their source text so integers and floats are told apart exactly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll2::ingest {

struct JsonMember;

struct JsonNode {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  size_t offset = 0;  // byte offset of the value in the source
  bool boolean = false;
  std::string text;  // String: the value; Number: its source text
  std::vector<JsonNode> items;
  std::vector<JsonMember> members;

  const JsonNode* get(std::string_view key) const;
  const char* type_name() const;
};

struct JsonMember {
  std::string key;
  JsonNode value;
};

// Arrays and objects nest at most this deep (LL2's deepest responses nest
// about 15 levels). The limit keeps the parser, the tree and the importer,
// which all recurse, far from the end of the stack.
constexpr size_t kMaxJsonDepth = 64;

// Skipped at the start of a document (RFC 8259 §8.1 allows ignoring it).
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct JsonParse {
  std::optional<JsonNode> root;
  std::string error;  // why root is empty: RapidJSON's message, the depth limit, a duplicate key
  std::string error_path = "$";  // JSON path of the problem, when known
  size_t error_offset = 0;
  bool too_deep = false;  // the document nests deeper than kMaxJsonDepth
};

JsonParse parse_json(std::string_view source);

// 1-based line and column of a byte offset.
std::pair<size_t, size_t> line_column(std::string_view source, size_t offset);

}  // namespace ll2::ingest
