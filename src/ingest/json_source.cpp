#include "ingest/json_source.hpp"

#include <fmt/format.h>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <unordered_set>

namespace ll2::ingest {

const JsonNode* JsonNode::get(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

const char* JsonNode::type_name() const {
  switch (type) {
    case Type::Null:
      return "null";
    case Type::Bool:
      return "a boolean";
    case Type::Number:
      return "a number";
    case Type::String:
      return "a string";
    case Type::Array:
      return "an array";
    case Type::Object:
      return "an object";
  }
  return "?";
}

namespace {

class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  // `base`: where the stream starts in the file (after a byte order mark).
  TreeBuilder(const rapidjson::MemoryStream& stream, size_t base) : stream_(stream), base_(base) {}

  bool Null() { return scalar(JsonNode::Type::Null); }
  bool Bool(bool b) {
    JsonNode n = node(JsonNode::Type::Bool);
    n.boolean = b;
    return attach(std::move(n));
  }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    JsonNode n = node(JsonNode::Type::Number, len);
    n.text.assign(s, len);
    return attach(std::move(n));
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    JsonNode n = node(JsonNode::Type::String, len + 2);
    n.text.assign(s, len);
    return attach(std::move(n));
  }
  bool StartObject() { return open(JsonNode::Type::Object); }
  // A key seen twice in one object is refused: Python's json would keep the
  // last value, RapidJSON's DOM the first; which one LL2 meant is unknown.
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    std::string key(s, len);
    if (!seen_.back().insert(key).second) {
      const size_t end = stream_.Tell();
      duplicate = Duplicate{path_to(key), key, base_ + (end >= len + 2 ? end - len - 2 : 0)};
      return false;
    }
    keys_.push_back(std::move(key));
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(JsonNode::Type::Array); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  std::optional<JsonNode> root;
  std::optional<size_t> too_deep_offset;  // the bracket that went one level too deep
  struct Duplicate {
    std::string path;  // JSON path of the repeated key
    std::string key;
    size_t offset;  // where it starts in the file (approximately, with escapes)
  };
  std::optional<Duplicate> duplicate;

 private:
  // Tell() is just past the token; step back to where the value began.
  JsonNode node(JsonNode::Type t, size_t length = 0) const {
    JsonNode n;
    n.type = t;
    const size_t end = stream_.Tell();
    n.offset = base_ + (end >= length ? end - length : 0);
    return n;
  }
  bool scalar(JsonNode::Type t) {
    const size_t length = t == JsonNode::Type::Null ? 4 : 0;
    return attach(node(t, length));
  }
  // RapidJSON's reader recurses once per level, after this returns true: a
  // refusal here bounds its depth as well as ours.
  bool open(JsonNode::Type t) {
    if (stack_.size() >= kMaxJsonDepth) {
      too_deep_offset = stream_.Tell() - 1;
      return false;
    }
    stack_.push_back(node(t, 1));
    seen_.emplace_back();
    return true;
  }
  bool close() {
    JsonNode done = std::move(stack_.back());
    stack_.pop_back();
    seen_.pop_back();
    return attach(std::move(done));
  }
  // "$.results[3].launch.name" for a key of the innermost open object: each
  // open container sits in its parent at the next index or the pending key.
  std::string path_to(const std::string& key) const {
    std::string path = "$";
    size_t pending = 0;
    for (size_t i = 1; i < stack_.size(); ++i) {
      const JsonNode& parent = stack_[i - 1];
      if (parent.type == JsonNode::Type::Array)
        path += fmt::format("[{}]", parent.items.size());
      else
        path += "." + keys_[pending++];
    }
    return path + "." + key;
  }
  bool attach(JsonNode n) {
    if (stack_.empty()) {
      root = std::move(n);
      return true;
    }
    JsonNode& parent = stack_.back();
    if (parent.type == JsonNode::Type::Array) {
      parent.items.push_back(std::move(n));
    } else {
      parent.members.push_back({std::move(keys_.back()), std::move(n)});
      keys_.pop_back();
    }
    return true;
  }

  const rapidjson::MemoryStream& stream_;
  size_t base_;
  std::vector<JsonNode> stack_;
  std::vector<std::string> keys_;
  std::vector<std::unordered_set<std::string>> seen_;  // keys of each open container
};

}  // namespace

JsonParse parse_json(std::string_view source) {
  // A UTF-8 byte order mark carries no data; RFC 8259 §8.1 lets parsers
  // ignore it, and Windows tools write one. Offsets stay the file's.
  const size_t start = source.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  rapidjson::MemoryStream stream(source.data() + start, source.size() - start);
  TreeBuilder builder(stream, start);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseStopWhenDoneFlag;
  JsonParse out;
  const auto result = reader.Parse<kFlags>(stream, builder);
  if (builder.too_deep_offset) {
    out.error = fmt::format("nesting deeper than {} levels", kMaxJsonDepth);
    out.error_offset = start + *builder.too_deep_offset;
    out.too_deep = true;
    return out;
  }
  if (builder.duplicate) {
    out.error = fmt::format("duplicate key \"{}\" in one object (which value is meant is unknown)",
                            builder.duplicate->key);
    out.error_path = builder.duplicate->path;
    out.error_offset = builder.duplicate->offset;
    return out;
  }
  if (result.IsError()) {
    out.error = rapidjson::GetParseError_En(result.Code());
    out.error_offset = start + result.Offset();
    return out;
  }
  // Anything but whitespace after the document is an error too.
  for (size_t i = start + stream.Tell(); i < source.size(); ++i) {
    const char c = source[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out.error = "The document root must not be followed by other values.";
      out.error_offset = i;
      return out;
    }
  }
  out.root = std::move(builder.root);
  return out;
}

std::pair<size_t, size_t> line_column(std::string_view source, size_t offset) {
  size_t line = 1;
  size_t col = 1;
  // An editor does not show a byte order mark as a column.
  const size_t start = source.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  for (size_t i = start; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}

}  // namespace ll2::ingest
