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

struct JsonParse {
  std::optional<JsonNode> root;
  std::string error;  // RapidJSON's message when root is empty
  size_t error_offset = 0;
};

JsonParse parse_json(std::string_view source);

// 1-based line and column of a byte offset.
std::pair<size_t, size_t> line_column(std::string_view source, size_t offset);

}  // namespace ll2::ingest
