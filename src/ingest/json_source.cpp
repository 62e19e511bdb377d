#include "ingest/json_source.hpp"

#include <fmt/format.h>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <unordered_set>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ll2::ingest {

const JsonNode* JsonNode::get(std::string_view k) const {
  for (const auto& m : members()) {
    if (m.key == k) return &m;
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

using Type = JsonNode::Type;

// Builds the tree bottom-up: the children of each open container wait on one
// stack and move into `nodes` as one block when it closes, so every
// container's children are contiguous. Until finish(), a container refers to
// its block by index (the vector still grows).
class Builder {
 public:
  // `items`, when given, hears each value of the document's list (see
  // parse_json_items) as soon as it is complete.
  Builder(JsonParse& out, size_t source_size, const ItemSink* items = nullptr)
      : out_(out), capacity_(source_size + 16), items_(items) {
    // A streamed document keeps one item's nodes at a time.
    out_.nodes.reserve(items_ != nullptr ? 4096 : source_size / 16 + 16);
    pending_.reserve(256);
  }

  // Room for `n` more bytes of decoded text; stays valid (never moves).
  char* string_space(size_t n) {
    if (!out_.strings) out_.strings = std::make_unique<char[]>(capacity_);
    if (used_ + n > capacity_) return nullptr;
    return out_.strings.get() + used_;
  }
  std::string_view commit_string(size_t n) {
    std::string_view s(out_.strings.get() + used_, n);
    used_ += n;
    return s;
  }
  std::string_view copy(const char* s, size_t n) {
    char* p = string_space(n);
    if (p == nullptr) return {};  // cannot happen: decoded text is never longer than its source
    std::memcpy(p, s, n);
    return commit_string(n);
  }

  void key(std::string_view k) { key_ = k; }
  // Nodes are filled where they stay: one built aside and copied in is
  // read back before its parts are stored (a store-forwarding stall).
  void scalar(Type t, size_t offset, std::string_view text = {}, bool b = false) {
    JsonNode& n = pending_.emplace_back();
    n.type = t;
    n.offset = offset;
    n.text = text;
    n.boolean = b;
    n.key = key_;
    key_ = {};
    if (list_depth_ != 0 && frames_.size() == list_depth_) item_done();
  }
  size_t depth() const { return frames_.size(); }
  void open(Type t, size_t offset) {
    // The list: the root array, or the root object's "results" array.
    if (items_ != nullptr && t == Type::Array && list_depth_ == 0 &&
        (frames_.empty() ||
         (frames_.size() == 1 && frames_[0].type == Type::Object && key_ == "results"))) {
      list_depth_ = frames_.size() + 1;
      list_mark_ = out_.nodes.size();
    }
    frames_.push_back({t, offset, pending_.size(), key_});
    key_ = {};
  }
  // False when the object closed has a key twice. `end`: just past it.
  bool close(bool check_keys, size_t end) {
    const Frame f = frames_.back();
    frames_.pop_back();
    const size_t n = pending_.size() - f.start;
    if (check_keys && f.type == Type::Object && n > 1 && has_duplicate(f.start, n)) return false;
    const size_t first = out_.nodes.size();
    out_.nodes.insert(out_.nodes.end(), pending_.begin() + static_cast<std::ptrdiff_t>(f.start),
                      pending_.end());
    pending_.resize(f.start + 1);
    JsonNode& c = pending_.back();
    c = JsonNode{};
    c.type = f.type;
    c.offset = f.offset;
    c.end = end;
    c.size = static_cast<uint32_t>(n);
    c.key = f.key;
    // NOLINTNEXTLINE(performance-no-int-to-ptr): an index into `nodes` until resolve()
    c.children = reinterpret_cast<const JsonNode*>(static_cast<uintptr_t>(first));
    if (frames_.size() + 1 == list_depth_) list_depth_ = 0;  // the list itself closed
    if (list_depth_ != 0 && frames_.size() == list_depth_) item_done();
    return true;
  }
  // The root, with every container's children resolved to pointers.
  void finish() {
    out_.root_node = std::make_unique<JsonNode>(pending_.back());
    JsonNode* base = out_.nodes.data();
    for (auto& n : out_.nodes) resolve(n, base);
    resolve(*out_.root_node, base);
    out_.root = out_.root_node.get();
  }

 private:
  struct Frame {
    Type type;
    size_t offset;
    size_t start;  // where its children begin in pending_
    std::string_view key;
  };

  // Until finish(), a container's children are an index into `nodes`.
  static void resolve(JsonNode& n, const JsonNode* base) {
    if (n.type == Type::Array || n.type == Type::Object)
      n.children = base + reinterpret_cast<uintptr_t>(n.children);
  }

  // An item of the list is complete: it is handed over with its nodes (all
  // at list_mark_ or later) resolved, then left in the tree empty, and the
  // next item reuses its nodes, which are still in the cache.
  void item_done() {
    JsonNode item = pending_.back();
    const JsonNode* base = out_.nodes.data();
    for (size_t i = list_mark_; i < out_.nodes.size(); ++i) resolve(out_.nodes[i], base);
    resolve(item, base);
    (*items_)(item, pending_.size() - 1 - frames_.back().start);
    out_.nodes.resize(list_mark_);
    pending_.back().size = 0;
    pending_.back().children = nullptr;  // index 0, with no children
  }

  bool has_duplicate(size_t start, size_t n) {
    const JsonNode* m = pending_.data() + start;
    // Objects of one kind list the same keys in the same order: the same
    // keys as an object found without a duplicate have none (n comparisons,
    // where checking every pair takes n * n / 2).
    if (distinct_.size() <= n) distinct_.resize(n + 1);
    std::vector<std::string_view>& seen = distinct_[n];
    if (seen.size() == n) {
      size_t i = 0;
      while (i < n && same_key(m[i].key, seen[i])) ++i;
      if (i == n) return false;
    }
    if (has_duplicate_pair(m, n)) return true;
    seen.resize(n);
    for (size_t i = 0; i < n; ++i) seen[i] = m[i].key;
    return false;
  }
  bool has_duplicate_pair(const JsonNode* m, size_t n) {
    if (n <= 24) {
      for (size_t i = 1; i < n; ++i) {
        for (size_t j = 0; j < i; ++j) {
          // Size and first byte first: most pairs differ there, without a call.
          const std::string_view x = m[i].key;
          const std::string_view y = m[j].key;
          if (x.size() == y.size() && (x.empty() || x[0] == y[0]) && x == y) return true;
        }
      }
      return false;
    }
    keys_.clear();
    for (size_t i = 0; i < n; ++i) keys_.push_back(m[i].key);
    std::sort(keys_.begin(), keys_.end());
    return std::adjacent_find(keys_.begin(), keys_.end()) != keys_.end();
  }

  JsonParse& out_;
  size_t capacity_;
  size_t used_ = 0;
  std::vector<JsonNode> pending_;
  std::vector<Frame> frames_;
  std::vector<std::string_view> keys_;
  // Per member count, the keys of the last object of that size found to
  // have no duplicate (views that live as long as the parse).
  std::vector<std::vector<std::string_view>> distinct_;
  std::string_view key_;
  const ItemSink* items_;
  size_t list_depth_ = 0;  // frames_.size() inside the list being streamed (0: none)
  size_t list_mark_ = 0;   // the size of `nodes` when it opened
};

// ---- The fast scanner: well-formed documents of the usual kind. It gives
// up (returns false) on anything else, and RapidJSON decides.

// 1 for the bytes a string's plain run stops at: '"', '\\', controls, non-ASCII.
constexpr std::array<uint8_t, 256> kStringStop = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  return t;
}();

// Where a string's plain run from `p` stops (the first byte kStringStop
// names, or `end`): 16 bytes at a time where SSE2 is there.
const char* plain_run(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Compared as signed bytes, controls and bytes past 0x7F are both below 0x20.
    const __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    if (const int mask = _mm_movemask_epi8(stop); mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && !kStringStop[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

class FastParser {
 public:
  FastParser(const char* begin, const char* end, size_t base, Builder& b,
             const ParseProgress& progress)
      : begin_(begin), p_(begin), end_(end), base_(base), b_(b), progress_(progress) {}

  bool parse() {
    ws();
    if (!value()) return false;
    ws();
    return p_ == end_;
  }

 private:
  size_t pos(const char* p) const { return base_ + static_cast<size_t>(p - begin_); }

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool value() {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{':
        return object();
      case '[':
        return array();
      case '"': {
        std::string_view s;
        if (!string(s)) return false;
        // As RapidJSON's reader tells it: the value's length back from its end.
        const size_t end = pos(p_);
        const size_t length = s.size() + 2;
        b_.scalar(Type::String, end >= length + base_ ? end - length : base_, s);
        return true;
      }
      case 't':
        return literal("true", Type::Bool, true);
      case 'f':
        return literal("false", Type::Bool, false);
      case 'n':
        return literal("null", Type::Null, false);
      default:
        return number();
    }
  }

  bool literal(std::string_view word, Type t, bool b) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0)
      return false;
    p_ += word.size();
    // null's position is its start; a boolean's is its end (what the
    // reader's position tells after the token).
    b_.scalar(t, t == Type::Null ? pos(p_) - 4 : pos(p_), {}, b);
    return true;
  }

  bool number() {
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return false;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      const char* digits = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == digits) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      bool negative = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) negative = *p_++ == '-';
      const char* digits = p_;
      int exp = 0;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
        if (exp < 10000) exp = exp * 10 + (*p_ - '0');
        ++p_;
      }
      if (p_ == digits) return false;
      // The reader calls a positive exponent past 308 (less the fraction's
      // digits) too big: such numbers are left to it.
      if (!negative && exp > 308) return false;
    }
    // So are very long numbers (an integer part past 308 digits is too big).
    if (p_ - start > 300) return false;
    b_.scalar(Type::Number, pos(start), std::string_view(start, static_cast<size_t>(p_ - start)));
    return true;
  }

  // One well-formed UTF-8 sequence (RFC 3629) at p_, advanced past.
  bool utf8() {
    const auto* u = reinterpret_cast<const unsigned char*>(p_);
    const auto left = static_cast<size_t>(end_ - p_);
    const unsigned char c = u[0];
    const auto cont = [&](size_t i) { return i < left && (u[i] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(1)) return false;
      p_ += 2;
      return true;
    }
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return false;
      if (c == 0xE0 && u[1] < 0xA0) return false;  // overlong
      if (c == 0xED && u[1] > 0x9F) return false;  // surrogates
      p_ += 3;
      return true;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return false;
      if (c == 0xF0 && u[1] < 0x90) return false;  // overlong
      if (c == 0xF4 && u[1] > 0x8F) return false;  // past U+10FFFF
      p_ += 4;
      return true;
    }
    return false;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // A string at p_ (the opening quote); a view of the source when it has no
  // escapes, else decoded into the document's storage.
  bool string(std::string_view& out) {
    const char* start = ++p_;
    while (true) {
      p_ = plain_run(p_, end_);
      if (p_ >= end_) return false;
      const char c = *p_;
      if (c == '"') {
        out = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') break;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (!utf8()) return false;
    }
    // Escapes: decode from the start (never longer than the source).
    char* dst = b_.string_space(static_cast<size_t>(end_ - start));
    if (dst == nullptr) return false;
    auto n = static_cast<size_t>(p_ - start);
    std::memcpy(dst, start, n);
    while (true) {
      if (p_ >= end_) return false;
      const char c = *p_;
      if (c == '"') {
        ++p_;
        out = b_.commit_string(n);
        return true;
      }
      if (c == '\\') {
        if (end_ - p_ < 2) return false;
        const char e = p_[1];
        p_ += 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            dst[n++] = e;
            break;
          case 'b':
            dst[n++] = '\b';
            break;
          case 'f':
            dst[n++] = '\f';
            break;
          case 'n':
            dst[n++] = '\n';
            break;
          case 'r':
            dst[n++] = '\r';
            break;
          case 't':
            dst[n++] = '\t';
            break;
          case 'u': {
            if (end_ - p_ < 4) return false;
            unsigned cp = 0;
            for (int i = 0; i < 4; ++i) {
              const int h = hex(p_[i]);
              if (h < 0) return false;
              cp = cp * 16 + static_cast<unsigned>(h);
            }
            p_ += 4;
            if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // surrogates: the reader's
            if (cp < 0x80) {
              dst[n++] = static_cast<char>(cp);
            } else if (cp < 0x800) {
              dst[n++] = static_cast<char>(0xC0 | (cp >> 6));
              dst[n++] = static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              dst[n++] = static_cast<char>(0xE0 | (cp >> 12));
              dst[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              dst[n++] = static_cast<char>(0x80 | (cp & 0x3F));
            }
            break;
          }
          default:
            return false;
        }
        continue;
      }
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20) return false;
      if (u < 0x80) {
        dst[n++] = c;
        ++p_;
        continue;
      }
      const char* seq = p_;
      if (!utf8()) return false;
      std::memcpy(dst + n, seq, static_cast<size_t>(p_ - seq));
      n += static_cast<size_t>(p_ - seq);
    }
  }

  // An object or an array from its opening bracket to its closing one:
  // `member` reads each member (a key and its value, or a value), and commas
  // stand between them.
  template <typename Member>
  bool container(Type type, char close, Member member) {
    if (b_.depth() >= kMaxJsonDepth) return false;
    const bool is_object = type == Type::Object;
    b_.open(type, pos(p_));
    ++p_;
    ws();
    if (p_ < end_ && *p_ == close) {
      ++p_;
      return b_.close(is_object, pos(p_));
    }
    while (true) {
      if (!member()) return false;
      ws();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
        ws();
        continue;
      }
      if (*p_ != close) return false;
      ++p_;
      return b_.close(is_object, pos(p_));
    }
  }

  bool object() {
    if (progress_ && p_ - told_ >= kProgressStep) {
      told_ = p_;
      progress_(pos(p_));
    }
    return container(Type::Object, '}', [this] {
      if (p_ >= end_ || *p_ != '"') return false;
      std::string_view k;
      if (!string(k)) return false;
      ws();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      ws();
      b_.key(k);
      return value();
    });
  }

  bool array() {
    return container(Type::Array, ']', [this] { return value(); });
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  size_t base_;
  Builder& b_;
  const ParseProgress& progress_;
  static constexpr ptrdiff_t kProgressStep = ptrdiff_t{1} << 20;
  const char* told_ = begin_;
};

// ---- RapidJSON's reader: the reference, and the judge of every document
// the scanner gives up on.
class ReferenceHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ReferenceHandler> {
 public:
  // `base`: where the stream starts in the file (after a byte order mark).
  ReferenceHandler(const rapidjson::MemoryStream& stream, size_t base, Builder& b)
      : stream_(stream), base_(base), b_(b) {}

  bool Null() {
    b_.scalar(Type::Null, node_offset(4));
    return attached();
  }
  bool Bool(bool v) {
    b_.scalar(Type::Bool, node_offset(0), {}, v);
    return attached();
  }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool /*copy*/) {
    b_.scalar(Type::Number, node_offset(len), b_.copy(s, len));
    return attached();
  }
  bool String(const char* s, rapidjson::SizeType len, bool /*copy*/) {
    b_.scalar(Type::String, node_offset(len + 2), b_.copy(s, len));
    return attached();
  }
  bool StartObject() { return open(Type::Object); }
  // A key seen twice in one object is refused: Python's json would keep the
  // last value, RapidJSON's DOM the first; which one LL2 meant is unknown.
  bool Key(const char* s, rapidjson::SizeType len, bool /*copy*/) {
    std::string key(s, len);
    if (!seen_.back().insert(key).second) {
      const size_t end = stream_.Tell();
      duplicate = Duplicate{path_to(key), key, base_ + (end >= len + 2 ? end - len - 2 : 0)};
      return false;
    }
    b_.key(b_.copy(s, len));
    keys_.push_back(std::move(key));
    return true;
  }
  bool EndObject(rapidjson::SizeType /*members*/) { return close(); }
  bool StartArray() { return open(Type::Array); }
  bool EndArray(rapidjson::SizeType /*items*/) { return close(); }

  std::optional<size_t> too_deep_offset;  // the bracket that went one level too deep
  struct Duplicate {
    std::string path;  // JSON path of the repeated key
    std::string key;
    size_t offset;  // where it starts in the file (approximately, with escapes)
  };
  std::optional<Duplicate> duplicate;

 private:
  // Tell() is just past the token; step back to where the value began.
  size_t node_offset(size_t length) const {
    const size_t end = stream_.Tell();
    return base_ + (end >= length ? end - length : 0);
  }
  // RapidJSON's reader recurses once per level, after this returns true: a
  // refusal here bounds its depth as well as ours.
  bool open(Type t) {
    if (frames_.size() >= kMaxJsonDepth) {
      too_deep_offset = stream_.Tell() - 1;
      return false;
    }
    b_.open(t, node_offset(1));
    frames_.push_back({t, 0});
    seen_.emplace_back();
    return true;
  }
  bool close() {
    frames_.pop_back();
    seen_.pop_back();
    b_.close(false, base_ + stream_.Tell());  // keys were checked as they came
    return attached();
  }
  // A value was added to the innermost open container.
  bool attached() {
    if (frames_.empty()) return true;
    Frame& parent = frames_.back();
    ++parent.count;
    if (parent.type == Type::Object) keys_.pop_back();
    return true;
  }
  // "$.results[3].launch.name" for a key of the innermost open object: each
  // open container sits in its parent at the next index or the pending key.
  std::string path_to(const std::string& key) const {
    std::string path = "$";
    size_t pending = 0;
    for (size_t i = 1; i < frames_.size(); ++i) {
      const Frame& parent = frames_[i - 1];
      if (parent.type == Type::Array)
        path += fmt::format("[{}]", parent.count);
      else
        path += "." + keys_[pending++];
    }
    return path + "." + key;
  }

  struct Frame {
    Type type;
    size_t count;  // values attached so far
  };
  const rapidjson::MemoryStream& stream_;
  size_t base_;
  Builder& b_;
  std::vector<Frame> frames_;
  std::vector<std::string> keys_;                      // pending keys of the open objects
  std::vector<std::unordered_set<std::string>> seen_;  // keys of each open object
};

}  // namespace

JsonParse parse_json_reference(std::string_view source) {
  // A UTF-8 byte order mark carries no data; RFC 8259 §8.1 lets parsers
  // ignore it, and Windows tools write one. Offsets stay the file's.
  const size_t start = source.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  rapidjson::MemoryStream stream(source.data() + start, source.size() - start);
  JsonParse out;
  Builder builder(out, source.size());
  ReferenceHandler handler(stream, start, builder);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseStopWhenDoneFlag;
  const auto result = reader.Parse<kFlags>(stream, handler);
  const auto failed = [&out]() -> JsonParse {
    JsonParse e;
    e.error = std::move(out.error);
    e.error_path = std::move(out.error_path);
    e.error_offset = out.error_offset;
    e.too_deep = out.too_deep;
    return e;
  };
  if (handler.too_deep_offset) {
    out.error = fmt::format("nesting deeper than {} levels", kMaxJsonDepth);
    out.error_offset = start + *handler.too_deep_offset;
    out.too_deep = true;
    return failed();
  }
  if (handler.duplicate) {
    out.error = fmt::format("duplicate key \"{}\" in one object (which value is meant is unknown)",
                            handler.duplicate->key);
    out.error_path = handler.duplicate->path;
    out.error_offset = handler.duplicate->offset;
    return failed();
  }
  if (result.IsError()) {
    out.error = rapidjson::GetParseError_En(result.Code());
    out.error_offset = start + result.Offset();
    return failed();
  }
  // Anything but whitespace after the document is an error too.
  for (size_t i = start + stream.Tell(); i < source.size(); ++i) {
    const char c = source[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out.error = "The document root must not be followed by other values.";
      out.error_offset = i;
      return failed();
    }
  }
  builder.finish();
  return out;
}

JsonParse parse_json(std::string_view source, const ParseProgress& progress) {
  const size_t start = source.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  {
    JsonParse out;
    Builder builder(out, source.size());
    FastParser fast(source.data() + start, source.data() + source.size(), start, builder, progress);
    if (fast.parse()) {
      builder.finish();
      return out;
    }
  }
  return parse_json_reference(source);
}

std::optional<JsonParse> parse_json_items(std::string_view source, const ItemSink& item) {
  const size_t start = source.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  JsonParse out;
  Builder builder(out, source.size(), &item);
  const ParseProgress no_progress;
  FastParser fast(source.data() + start, source.data() + source.size(), start, builder,
                  no_progress);
  if (!fast.parse()) return std::nullopt;
  builder.finish();
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
