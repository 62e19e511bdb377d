#include "ingest/json_source.hpp"

#include <fmt/format.h>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

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
  explicit TreeBuilder(const rapidjson::MemoryStream& stream) : stream_(stream) {}

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
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    keys_.emplace_back(s, len);
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(JsonNode::Type::Array); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  std::optional<JsonNode> root;
  std::optional<size_t> too_deep_offset;  // the bracket that went one level too deep

 private:
  // Tell() is just past the token; step back to where the value began.
  JsonNode node(JsonNode::Type t, size_t length = 0) const {
    JsonNode n;
    n.type = t;
    const size_t end = stream_.Tell();
    n.offset = end >= length ? end - length : 0;
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
    return true;
  }
  bool close() {
    JsonNode done = std::move(stack_.back());
    stack_.pop_back();
    return attach(std::move(done));
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
  std::vector<JsonNode> stack_;
  std::vector<std::string> keys_;
};

}  // namespace

JsonParse parse_json(std::string_view source) {
  rapidjson::MemoryStream stream(source.data(), source.size());
  TreeBuilder builder(stream);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseStopWhenDoneFlag;
  JsonParse out;
  const auto result = reader.Parse<kFlags>(stream, builder);
  if (builder.too_deep_offset) {
    out.error = fmt::format("nesting deeper than {} levels", kMaxJsonDepth);
    out.error_offset = *builder.too_deep_offset;
    out.too_deep = true;
    return out;
  }
  if (result.IsError()) {
    out.error = rapidjson::GetParseError_En(result.Code());
    out.error_offset = result.Offset();
    return out;
  }
  // Anything but whitespace after the document is an error too.
  for (size_t i = stream.Tell(); i < source.size(); ++i) {
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
  for (size_t i = 0; i < offset && i < source.size(); ++i) {
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
