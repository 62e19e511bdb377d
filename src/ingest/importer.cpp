#include "ingest/importer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "ingest/json_source.hpp"
#include "util/datetime.hpp"
#include "util/hash.hpp"

#include <pthread.h>

namespace ll2::ingest {

using model::ColumnType;
using model::Field;
using model::Kind;
using model::Relation;
namespace fs = std::filesystem;

std::string ImportError::to_string() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}: {}", file, line, column, json_path, message);
}

namespace {

bool valid_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Where a value is in the document, built into text only for a message.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // a member of the parent
  size_t index = 0;      // or an item of the parent
  bool is_item = false;
  std::string_view root;  // the top: "$" or "$.results"

  static Path top(std::string_view root) { return Path{nullptr, {}, 0, false, root}; }
  Path member(std::string_view k) const { return Path{this, k, 0, false, {}}; }
  Path item(size_t i) const { return Path{this, {}, i, true, {}}; }
  std::string str() const {
    if (parent == nullptr) return std::string(root);
    std::string out = parent->str();
    if (!is_item) {
      out += '.';
      out += key;
    } else {
      out += fmt::format("[{}]", index);
    }
    return out;
  }
};

// An object, a relation of an owner, or id-less rows of an owner, by id.
struct IdKey {
  const void* scope;  // the kind, or the field
  Value id;
  bool operator==(const IdKey&) const = default;
};
struct IdKeyHash {
  size_t operator()(const IdKey& k) const {
    size_t h = std::hash<const void*>()(k.scope);
    if (const auto* i = std::get_if<int64_t>(&k.id))
      h ^= std::hash<int64_t>()(*i) * 0x9E3779B97F4A7C15ULL;
    else if (const auto* s = std::get_if<std::string>(&k.id))
      h ^= std::hash<std::string>()(*s) * 0x9E3779B97F4A7C15ULL;
    return h;
  }
};

class Collector {
 public:
  Collector(const model::Catalog& versions, std::string_view source, const std::string& file,
            bool reuse_repeats)
      : versions_(versions), source_(source), file_(file), reuse_repeats_(reuse_repeats) {
    read_as(versions_.first(), false);
  }

  // The objects that follow are read as `version` prints them (its computed
  // keys skipped, its hyperlinks read as ids); `known` false: as the first
  // version does, until an object's url says otherwise.
  void read_as(const model::Registry& version, bool known = true) {
    version_ = &version;
    version_known_ = known;
    keys_ = &keys_by_version_[&version];
  }

  std::optional<ImportError> error;
  store::WriteBatch batch;
  int64_t objects = 0;

  // Merges one object of `kind` and everything nested in it; returns its id.
  std::optional<Value> object(const Kind& kind, const JsonNode& node, const Path& path) {
    if (node.type != JsonNode::Type::Object)
      return fail(node, path, fmt::format("expected an object, got {}", node.type_name()));
    const Meta meta = meta_of(node);
    const JsonNode* id_node = meta.id;
    std::optional<Value> id;
    if (id_node == nullptr && kind.numbered) {
      // LL2 prints no id for it: numbered in file order, so importing a newer
      // response of the same shape replaces the older one.
      id = Value(++numbers_[&kind]);
      ++numbered_;
    } else {
      if (id_node == nullptr) return fail(node, path, "missing \"id\"");
      id = parse_id(kind, *id_node, path.member("id"));
    }
    if (!id) return std::nullopt;
    // The same text of the same object again (a station, an agency or an
    // image repeated in every event of a page): if nothing it merged has
    // changed since, merging it again would change nothing.
    Known& known = known_[IdKey{&kind, *id}];
    std::vector<View>* views = nullptr;
    const std::string_view text = node.end > node.offset
                                      ? source_.substr(node.offset, node.end - node.offset)
                                      : std::string_view();
    size_t same_text = kNone;  // the view of this text merged before, if any
    if (reuse_repeats_ && !text.empty() && !kind.numbered) {
      views = &known.views;
      for (size_t i = 0; i < views->size() && same_text == kNone; ++i) {
        const View& v = (*views)[i];
        if (v.size != text.size() || std::memcmp(v.text, text.data(), text.size()) != 0) continue;
        same_text = i;
        if (unchanged_since(v)) {
          objects += v.objects;
          // What it merged counts as touched by the objects around it.
          touched_.insert(touched_.end(), touched_.begin() + static_cast<std::ptrdiff_t>(v.first),
                          touched_.begin() + static_cast<std::ptrdiff_t>(v.last));
          return id;
        }
      }
    }
    const size_t first_touched = touched_.size();
    const int64_t objects_before = objects;
    const int64_t numbered_before = numbered_;
    if (!check_meta(meta, path)) return std::nullopt;
    auto values = fields_as_printed(kind, meta, node, path, *id);
    if (!values) return std::nullopt;
    ++objects;
    const bool inserted = known.index == kNone;
    if (inserted) known.index = batch.objects.size();
    touch(kObject, known.index);
    if (views != nullptr && numbered_ == numbered_before) {
      // Numbered objects inside take the next numbers each time: not a repeat.
      // It replaces the view of the same text found above (objects inside
      // add views of shorter texts only), which stays where it was.
      const View v{
          text.data(), text.size(), first_touched, touched_.size(), objects - objects_before, seq_};
      if (same_text != kNone)
        (*views)[same_text] = v;
      else
        views->push_back(v);
    }
    if (inserted) {
      batch.objects.push_back({&kind, *id, std::move(*values)});
    } else {
      auto& existing = batch.objects[known.index].values;
      for (auto& [field, value] : *values) {
        bool replaced = false;
        for (auto& [f, v] : existing) {
          if (f == field) {
            v = value;
            replaced = true;
          }
        }
        if (!replaced) existing.emplace_back(field, std::move(value));
      }
    }
    return id;
  }

 private:
  std::nullopt_t fail(const JsonNode& node, const Path& path, std::string message) {
    if (!error) {
      const auto [line, col] = line_column(source_, node.offset);
      error = ImportError{file_, path.str(), line, col, std::move(message)};
    }
    return std::nullopt;
  }

  std::optional<Value> parse_id(const Kind& kind, const JsonNode& n, const Path& path) {
    if (kind.id_type == model::IdType::Uuid) {
      if (n.type != JsonNode::Type::String || !valid_uuid(n.text))
        return fail(n, path, "expected a UUID string");
      return Value(lower(std::string(n.text)));
    }
    auto v = integer(n);
    if (!v) return fail(n, path, fmt::format("expected an integer id, got {}", n.type_name()));
    // LL2's ids are database keys: never negative (most start at 1, some
    // configuration objects at 0, such as net_precision 0, "Second").
    if (*v < 0) return fail(n, path, fmt::format("negative id {} (LL2 ids are 0 or more)", *v));
    return Value(*v);
  }

  static std::optional<int64_t> integer(const JsonNode& n) {
    if (n.type != JsonNode::Type::Number) return std::nullopt;
    int64_t v = 0;
    const auto* end = n.text.data() + n.text.size();
    const auto res = std::from_chars(n.text.data(), end, v);
    if (res.ec != std::errc() || res.ptr != end) return std::nullopt;
    return v;
  }

  // The members read here rather than stored as fields, found in one pass.
  struct Meta {
    const JsonNode* id = nullptr;
    const JsonNode* response_mode = nullptr;
    const JsonNode* url = nullptr;
  };
  static Meta meta_of(const JsonNode& node) {
    Meta meta;
    for (const JsonNode& m : node.members()) {
      // The size first: most keys are of none of these three sizes.
      const std::string_view k = m.key;
      const JsonNode** slot = k.size() == 2 && k == "id"               ? &meta.id
                              : k.size() == 3 && k == "url"            ? &meta.url
                              : k.size() == 13 && k == "response_mode" ? &meta.response_mode
                                                                       : nullptr;
      if (slot != nullptr && *slot == nullptr) *slot = &m;
    }
    return meta;
  }

  // `response_mode` is an enum; `url` is derived. Both are checked, not stored.
  bool check_meta(const Meta& meta, const Path& path) {
    if (const JsonNode* m = meta.response_mode) {
      if (m->type != JsonNode::Type::String ||
          (m->text != "list" && m->text != "normal" && m->text != "detailed")) {
        fail(*m, path.member("response_mode"),
             fmt::format("unknown response_mode {} (expected list, normal or detailed)",
                         m->type == JsonNode::Type::String ? fmt::format("\"{}\"", m->text)
                                                           : std::string(m->type_name())));
        return false;
      }
    }
    if (const JsonNode* u = meta.url; u != nullptr && u->type != JsonNode::Type::String) {
      fail(*u, path.member("url"), fmt::format("expected a string, got {}", u->type_name()));
      return false;
    }
    return true;
  }

  std::optional<Value> column(const Field& f, const JsonNode& n, const Path& path) {
    using T = JsonNode::Type;
    if (n.type == T::Null) return Value();
    const auto wrong = [&](const char* expected) {
      return fail(n, path, fmt::format("expected {} or null, got {}", expected, n.type_name()));
    };
    switch (f.type) {
      case ColumnType::Integer: {
        auto v = integer(n);
        if (!v) return wrong("an integer");
        return Value(*v);
      }
      case ColumnType::Float: {
        if (n.type != T::Number) return wrong("a number");
        // Kept in the form LL2 sent it: 84 stays an integer, 84.0 a float
        // (an integer beyond 64 bits is kept as a float).
        if (n.text.find_first_of(".eE") == std::string_view::npos) {
          if (auto i = integer(n)) return Value(*i);
        }
        double d = 0;
        const auto* end = n.text.data() + n.text.size();
        const auto res = std::from_chars(n.text.data(), end, d);
        if (res.ec != std::errc() || res.ptr != end) return wrong("a finite number");
        return Value(d);
      }
      case ColumnType::Boolean:
        if (n.type != T::Bool) return wrong("a boolean");
        return Value(int64_t{n.boolean ? 1 : 0});
      case ColumnType::Text:
        if (n.type != T::String) return wrong("a string");
        return Value(std::string(n.text));
      case ColumnType::DateTime: {
        if (n.type != T::String) return wrong("a date-time string");
        auto t = datetime::parse_django_datetime(n.text);
        if (!t) return fail(n, path, fmt::format("invalid date-time \"{}\"", n.text));
        return Value(*t);
      }
      case ColumnType::Date: {
        if (n.type != T::String) return wrong("a date string");
        auto d = datetime::parse_date(n.text);
        if (!d) return fail(n, path, fmt::format("invalid date \"{}\"", n.text));
        return Value(*d);
      }
      case ColumnType::Duration: {
        if (n.type != T::String) return wrong("a duration string");
        auto d = datetime::parse_duration(n.text);
        if (!d) return fail(n, path, fmt::format("invalid duration \"{}\"", n.text));
        return Value(*d);
      }
    }
    return wrong("a value");
  }

  using Values = std::vector<std::pair<const Field*, Value>>;

  // fields(), read as the version the object's url is of when no object
  // around it said so: every top-level object, and those inside one without
  // a url (a 2.4.0 page of objects without urls).
  std::optional<Values> fields_as_printed(const Kind& kind, const Meta& meta, const JsonNode& node,
                                          const Path& path, const Value& id) {
    const JsonNode* url = version_known_ ? nullptr : meta.url;
    const model::Registry* version =
        url != nullptr ? versions_.for_url(url->text) : nullptr;  // a string: checked
    if (version == nullptr) return fields(kind, node, path, id);
    const model::Registry& outer = *version_;
    read_as(*version);
    auto values = fields(kind, node, path, id);
    read_as(outer, false);
    return values;
  }

  // The columns of one object (or id-less row); relations are collected into
  // the batch as a side effect, owned by `owner`.
  std::optional<Values> fields(const Kind& kind, const JsonNode& node, const Path& path,
                               const Value& owner) {
    Values values;
    values.reserve(node.size);
    KeyOrder& order = keys_->orders[&kind];
    for (size_t i = 0; i < node.size; ++i) {
      const JsonNode& child = node.children[i];
      const Field* f = field_for_key(order, i, kind, child.key);
      if (f == nullptr) continue;  // id, url, response_mode, or a key this version does not store
      const Path child_path = path.member(child.key);
      switch (f->relation) {
        case Relation::Column: {
          auto v = column(*f, child, child_path);
          if (!v) return std::nullopt;
          values.emplace_back(f, std::move(*v));
          break;
        }
        case Relation::ForeignKey: {
          if (child.type == JsonNode::Type::Null) {
            values.emplace_back(f, Value());
            break;
          }
          auto id =
              child.type == JsonNode::Type::String && version_->import_key(kind, child.key).url
                  ? id_in_url(*f->target_kind, child, child_path)
                  : object(*f->target_kind, child, child_path);
          if (!id) return std::nullopt;
          values.emplace_back(f, std::move(*id));
          break;
        }
        case Relation::ManyToMany:
        case Relation::Children: {
          if (child.type != JsonNode::Type::Array) {
            return fail(child, child_path,
                        fmt::format("expected an array, got {}", child.type_name()));
          }
          std::vector<Value> targets;
          targets.reserve(child.size);
          for (size_t i = 0; i < child.size; ++i) {
            auto id = object(*f->target_kind, child.children[i], child_path.item(i));
            if (!id) return std::nullopt;
            targets.push_back(std::move(*id));
          }
          set_link({&kind, f, owner, std::move(targets)});
          break;
        }
        case Relation::Reverse: {
          // The listed objects are merged and will point at the owner; see
          // the store for what happens to those no longer listed.
          std::vector<Value> targets;
          if (f->one) {
            if (child.type != JsonNode::Type::Null) {
              auto id = object(*f->target_kind, child, child_path);
              if (!id) return std::nullopt;
              targets.push_back(std::move(*id));
            }
          } else {
            if (child.type != JsonNode::Type::Array) {
              return fail(child, child_path,
                          fmt::format("expected an array, got {}", child.type_name()));
            }
            targets.reserve(child.size);
            for (size_t i = 0; i < child.size; ++i) {
              auto id = object(*f->target_kind, child.children[i], child_path.item(i));
              if (!id) return std::nullopt;
              targets.push_back(std::move(*id));
            }
          }
          set_link({&kind, f, owner, std::move(targets)});
          break;
        }
        case Relation::Rows: {
          if (child.type != JsonNode::Type::Array) {
            return fail(child, child_path,
                        fmt::format("expected an array, got {}", child.type_name()));
          }
          store::RowsWrite rows{f, owner, {}};
          for (size_t i = 0; i < child.size; ++i) {
            const JsonNode& item = child.children[i];
            const Path item_path = child_path.item(i);
            if (item.type != JsonNode::Type::Object) {
              return fail(item, item_path,
                          fmt::format("expected an object, got {}", item.type_name()));
            }
            auto row = fields(*f->target_kind, item, item_path, Value());
            if (!row) return std::nullopt;
            ++objects;
            rows.rows.push_back(std::move(*row));
          }
          set_rows(std::move(rows));
          break;
        }
      }
    }
    return values;
  }

  // A hyperlink's target: the id its URL ends with (…/rockets/7/).
  std::optional<Value> id_in_url(const Kind& target, const JsonNode& n, const Path& path) {
    std::string_view url = n.text.substr(0, n.text.find_first_of("?#"));
    while (url.ends_with('/')) url.remove_suffix(1);
    const std::string_view last = url.substr(url.rfind('/') + 1);
    if (url.find("://") != std::string_view::npos) {
      if (target.id_type == model::IdType::Uuid && valid_uuid(last))
        return Value(lower(std::string(last)));
      int64_t id = -1;
      const auto res = std::from_chars(last.data(), last.data() + last.size(), id);
      if (target.id_type != model::IdType::Uuid && res.ec == std::errc() &&
          res.ptr == last.data() + last.size() && id >= 0)
        return Value(id);
    }
    return fail(n, path,
                fmt::format("expected the URL of a {} (ending in its id), got \"{}\"", target.name,
                            n.text));
  }

  // A key LL2 prints, as the field that stores it (cached per kind). The
  // objects of a kind list their keys in the same order, so the key met at
  // the same position last time is tried first: a comparison, not a hash.
  using KeyOrder = std::vector<std::pair<std::string_view, const Field*>>;
  const Field* field_for_key(KeyOrder& order, size_t position, const Kind& kind,
                             std::string_view key) {
    if (position < order.size() && same_key(order[position].first, key))
      return order[position].second;
    auto [it, inserted] = keys_->fields.try_emplace(FieldKey{&kind, key}, nullptr);
    if (inserted) it->second = version_->import_key(kind, key).field;
    if (position >= order.size()) order.resize(position + 1);
    order[position] = {key, it->second};
    return it->second;
  }

  // Each change to an entry of the batch is numbered, so a repeated view can
  // tell whether what it merged was changed since.
  enum Entry : uint32_t { kObject = 0, kLink = 1, kRows = 2 };
  struct View {
    const char* text;  // in the source
    size_t size;
    size_t first, last;  // what merging it touched: touched_[first, last)
    int64_t objects;     // how many objects it counts
    uint64_t done;       // seq_ when it was merged
  };
  void touch(Entry e, size_t index) {
    auto& changed = changed_[e];
    if (changed.size() <= index) changed.resize(index + 1);
    changed[index] = ++seq_;
    touched_.push_back(static_cast<uint32_t>(e) << 30 | static_cast<uint32_t>(index));
  }
  bool unchanged_since(const View& v) const {
    for (size_t i = v.first; i < v.last; ++i) {
      const uint32_t t = touched_[i];
      if (changed_[t >> 30][t & 0x3FFFFFFF] > v.done) return false;
    }
    return true;
  }

  void set_link(store::LinkWrite link) {
    auto [it, inserted] =
        link_index_.try_emplace(IdKey{link.field, link.owner}, batch.links.size());
    touch(kLink, it->second);
    if (inserted)
      batch.links.push_back(std::move(link));
    else
      batch.links[it->second] = std::move(link);
  }
  void set_rows(store::RowsWrite rows) {
    auto [it, inserted] = rows_index_.try_emplace(IdKey{rows.field, rows.owner}, batch.rows.size());
    touch(kRows, it->second);
    if (inserted)
      batch.rows.push_back(std::move(rows));
    else
      batch.rows[it->second] = std::move(rows);
  }

  const model::Catalog& versions_;  // those an object's url can be of
  std::string_view source_;
  const std::string& file_;
  bool reuse_repeats_;
  struct FieldKey {
    const Kind* kind;
    std::string_view key;
    bool operator==(const FieldKey&) const = default;
  };
  struct FieldKeyHash {
    size_t operator()(const FieldKey& k) const {
      return std::hash<const void*>()(k.kind) ^ std::hash<std::string_view>()(k.key);
    }
  };
  // An object met in the file: its entry in the batch, and the texts of it
  // merged (one lookup per object for both).
  static constexpr size_t kNone = ~size_t{0};
  struct Known {
    size_t index = kNone;
    std::vector<View> views;
  };
  std::unordered_map<IdKey, Known, IdKeyHash> known_;
  std::unordered_map<IdKey, size_t, IdKeyHash> link_index_;  // by field and owner
  std::unordered_map<IdKey, size_t, IdKeyHash> rows_index_;  // by field and owner
  // The fields keys are read into, per version: by kind and key, and per
  // kind the keys by position.
  struct KeyCache {
    std::unordered_map<FieldKey, const Field*, FieldKeyHash> fields;
    std::unordered_map<const Kind*, KeyOrder> orders;
  };
  std::map<const model::Registry*, KeyCache> keys_by_version_;
  const model::Registry* version_ = nullptr;
  bool version_known_ = false;
  KeyCache* keys_ = nullptr;
  std::vector<uint32_t> touched_;                 // entries touched, in order (Entry << 30 | index)
  std::array<std::vector<uint64_t>, 3> changed_;  // per Entry and index: seq_ of its last change
  uint64_t seq_ = 0;
  int64_t numbered_ = 0;                    // objects numbered so far
  std::map<const Kind*, int64_t> numbers_;  // the last number given, per numbered kind
};

// The resource an object's url names, in the API version (of `versions`)
// the url is of.
const model::Resource* resource_by_url(const model::Catalog& versions, std::string_view url) {
  const model::Registry* version = versions.for_url(url);
  return version != nullptr ? version->find_resource_by_url(url) : nullptr;
}

// Why an object's url names nothing ll2d serves. A url of another LL2 API
// version (/2.2.0/) says which, so nobody is left guessing.
std::string unknown_url(const model::Catalog& versions, std::string_view url) {
  std::string_view version;
  for (size_t start = 0; start < url.size() && version.empty();) {
    const size_t end = std::min(url.find('/', start), url.size());
    const std::string_view segment = url.substr(start, end - start);
    const bool numbers_and_dots =
        std::count(segment.begin(), segment.end(), '.') == 2 &&
        segment.find_first_not_of("0123456789.") == std::string_view::npos;
    if (numbers_and_dots) version = segment;
    start = end + 1;
  }
  if (!version.empty() && versions.find(version) == nullptr) {
    return fmt::format(
        "its \"url\" is of LL2 API {}, and ll2d serves {}: import JSON from LL2's /{}/ "
        "endpoints",
        version, versions.names(), versions.first().version().name);
  }
  return "its \"url\" names no resource ll2d serves; name it with --resource";
}

// The top-level objects of one document, collected in order until the
// first error.
class Events {
 public:
  Events(const model::Catalog& versions, const Kind* root, std::string_view source,
         const std::string& file_name, const CollectOptions& options)
      : versions_(versions),
        root_(root),
        source_(source),
        file_(file_name),
        progress_(options.progress),
        c_(versions, source, file_name, options.reuse_repeats) {}

  bool failed() const { return c_.error || unknown_; }

  // One top-level object (an item of the list, or the document itself).
  void one(const JsonNode& node, const Path& path) {
    if (failed()) return;
    const Kind* kind = root_ != nullptr ? root_ : kind_by_url(node, path);
    if (kind == nullptr) return;
    c_.object(*kind, node, path);
    ++out_.stats.events;
    if (progress_) progress_(node.offset, c_.objects);
  }

  // The document's shape checked, and its objects collected unless
  // `listed` (each item of its list went through one() as it was parsed).
  std::variant<Collected, ImportError> result(const JsonNode& doc, bool listed) {
    if (doc.type == JsonNode::Type::Object && doc.get("results") != nullptr) {
      const JsonNode& results = *doc.get("results");
      if (results.type != JsonNode::Type::Array) {
        const auto [line, col] = line_column(source_, results.offset);
        return ImportError{file_, "$.results", line, col,
                           fmt::format("expected an array, got {}", results.type_name())};
      }
      if (!listed) each(results, "$.results");
    } else if (doc.type == JsonNode::Type::Array) {
      if (!listed) each(doc, "$");
    } else {
      one(doc, Path::top("$"));
    }
    if (unknown_) return *unknown_;
    if (c_.error) return *c_.error;
    out_.stats.objects = c_.objects;
    out_.batch = std::move(c_.batch);
    return std::move(out_);
  }

 private:
  void each(const JsonNode& list, std::string_view root) {
    const Path top = Path::top(root);
    for (size_t i = 0; i < list.size && !failed(); ++i) one(list.children[i], top.item(i));
  }

  // Without --resource, the kind is the resource the object's url names.
  const Kind* kind_by_url(const JsonNode& node, const Path& path) {
    const auto refuse = [&](std::string message) -> const Kind* {
      const auto [line, col] = line_column(source_, node.offset);
      unknown_ = ImportError{file_, path.str(), line, col, std::move(message)};
      return nullptr;
    };
    if (node.type != JsonNode::Type::Object)
      return refuse(fmt::format("expected an object, got {}", node.type_name()));
    const JsonNode* url = node.get("url");
    const model::Resource* r = url != nullptr && url->type == JsonNode::Type::String
                                   ? resource_by_url(versions_, url->text)
                                   : nullptr;
    if (r != nullptr) return r->kind;
    return refuse(url == nullptr
                      ? "no \"url\" tells which resource this object belongs to; name it with "
                        "--resource"
                      : unknown_url(versions_, url->text));
  }

  const model::Catalog& versions_;
  const Kind* root_;
  std::string_view source_;
  const std::string& file_;
  const CollectProgress& progress_;
  Collector c_;
  Collected out_;
  std::optional<ImportError> unknown_;
};

// Whether the document (after a byte order mark and whitespace) is an array.
bool is_array(std::string_view source) {
  if (source.starts_with(kUtf8Bom)) source.remove_prefix(kUtf8Bom.size());
  const size_t first = source.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && source[first] == '[';
}

}  // namespace

std::variant<Collected, ImportError> collect(const model::Catalog& versions, const Kind* root,
                                             std::string_view source, const std::string& file_name,
                                             const CollectOptions& options) {
  {
    // Each object of a page is collected as soon as it is parsed, while its
    // text and its nodes are still in the cache.
    Events events(versions, root, source, file_name, options);
    const Path top = Path::top(is_array(source) ? "$" : "$.results");
    const ItemSink item = [&](const JsonNode& node, size_t i) { events.one(node, top.item(i)); };
    if (auto parsed = parse_json_items(source, item)) return events.result(*parsed->root, true);
  }
  // The scanner gave up (an error, or what it leaves to RapidJSON's reader):
  // the reader decides, and what was collected meanwhile is dropped.
  JsonParse parsed = parse_json_reference(source);
  if (!parsed.root) {
    const auto [line, col] = line_column(source, parsed.error_offset);
    const bool ours = parsed.too_deep || parsed.error_path != "$";  // not RapidJSON's syntax error
    return ImportError{file_name, parsed.error_path, line, col,
                       ours ? parsed.error : "invalid JSON: " + parsed.error};
  }
  Events events(versions, root, source, file_name, options);
  return events.result(*parsed.root, false);
}

namespace {

// The file's bytes, or why they cannot be read (as the system says it).
std::variant<std::string, ImportError> read_file(const std::string& path) {
  const auto cannot = [&path](int error) {
    return ImportError{path, "", 0, 0,
                       fmt::format("cannot read the file: {}", std::strerror(error))};
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) return cannot(EISDIR);
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot(errno != 0 ? errno : EIO);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::string text;
  if (size > 0) {
    text.resize(static_cast<size_t>(size));
    in.read(text.data(), size);
    text.resize(static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return cannot(EIO);
  // Whatever a stream that cannot tell its size still holds.
  std::ostringstream rest;
  rest << in.rdbuf();
  text += std::move(rest).str();
  return text;
}

std::variant<Collected, ImportError> read_and_collect(const model::Catalog& versions,
                                                      const ImportFile& file,
                                                      const CollectProgress& progress = {}) {
  auto source = read_file(file.path);
  if (auto* e = std::get_if<ImportError>(&source)) return *e;
  const std::string& text = std::get<std::string>(source);
  auto collected = collect(versions, file.root, text, file.path, {true, progress});
  if (const auto* c = std::get_if<Collected>(&collected); c && progress)
    progress(text.size(), c->stats.objects);
  return collected;
}

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// An open-addressing table of 64-bit keys (0 is never a key): one probe
// into one array, where a node-based map would chase a pointer per lookup.
template <typename V>
class FlatTable {
 public:
  FlatTable() { slots_.resize(1024); }
  size_t size() const { return used_; }
  void clear() {
    slots_.assign(1024, Slot{});
    used_ = 0;
  }
  const V* find(uint64_t key) const {
    for (size_t i = key & mask();; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == 0) return nullptr;
    }
  }
  // Asks for the cache line a probe for `key` starts at.
  void prefetch(uint64_t key) const { __builtin_prefetch(&slots_[key & mask()]); }
  void put(uint64_t key, const V& value) {
    if ((used_ + 1) * 10 > slots_.size() * 7) grow();
    for (size_t i = key & mask();; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (s.key == key) {
        s.value = value;
        return;
      }
      if (s.key == 0) {
        s = {key, value};
        ++used_;
        return;
      }
    }
  }
  void erase(uint64_t key) {
    size_t i = key & mask();
    for (;; i = (i + 1) & mask()) {
      if (slots_[i].key == key) break;
      if (slots_[i].key == 0) return;
    }
    // Backward shift: later keys of the same run move into the hole.
    for (size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
      if (slots_[j].key == 0) break;
      const size_t home = slots_[j].key & mask();
      const bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --used_;
  }

 private:
  struct Slot {
    uint64_t key = 0;
    V value{};
  };
  size_t mask() const { return slots_.size() - 1; }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    used_ = 0;
    for (const Slot& s : old) {
      if (s.key != 0) put(s.key, s.value);
    }
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

// What this import has written, to leave out writes that would change
// nothing: a view of an agency, a station or an image repeated in file after
// file. Each entry says that a part of the database (a row's columns, a
// relation's members, an owner's rows) is exactly what a write with that
// fingerprint leaves. Writes that may change such a part by another way bump
// a counter the entry was made under, which retires it: a reverse relation's
// write (it moves foreign keys of rows it does not name), the filling of
// derived keys (of rows whose write left them null), the other side of a
// many-to-many table. Forgetting is always safe (the write is done, and
// changes nothing if nothing differs), so a batch that is undone, a commit
// that fails, another writer, or the memory bound all clear it.
class Elider {
 public:
  // `schema`: the kinds written (the store's).
  explicit Elider(const model::Registry& schema) {
    std::unordered_map<const Field*, uint8_t> roles;
    for (const auto& kp : schema.kinds()) {
      const Kind& k = *kp;
      for (const auto& f : k.fields) {
        if (f.relation == Relation::Reverse && f.via_field != nullptr &&
            f.via_field->relation == Relation::ForeignKey)
          roles[f.via_field] |= kMovedKey;
      }
      for (const auto& d : k.derivations) {
        roles[d.target] |= kFilledKey;
        const Kind* source = d.second->relation == Relation::ForeignKey ? d.first->target_kind
                                                                        : d.second->target_kind;
        derived_.push_back({&k, source, d.target});
      }
    }
    for (const auto& kp : schema.kinds()) {
      std::vector<uint8_t> of_kind;
      for (const auto& f : kp->fields) {
        const auto it = roles.find(&f);
        of_kind.push_back(it == roles.end() ? 0 : it->second);
      }
      if (std::any_of(of_kind.begin(), of_kind.end(), [](uint8_t r) { return r != 0; }))
        roles_.emplace(kp.get(), std::move(of_kind));
    }
  }

  void clear() {
    objects_.clear();
    links_.clear();
    rows_.clear();
    owner_of_.clear();
    fields_.clear();
  }

  // Takes out of `batch` the writes known to change nothing, and notes what
  // the others will leave (clear() when they are not written after all).
  void filter(store::WriteBatch& batch) {
    if (objects_.size() + links_.size() + rows_.size() + owner_of_.size() + fields_.size() >
        kMaxEntries)
      clear();
    leave_out_known(batch.objects, objects_, [&](const auto& o) { return key_of(o.kind, o.id); });
    leave_out_known(batch.links, links_, [&](const auto& l) { return key_of(l.field, l.owner); });
    std::erase_if(batch.rows, [this](const store::RowsWrite& r) { return known(r); });
    // The derived keys are filled for what is left: their values may move.
    std::unordered_set<const Kind*> written;
    for (const auto& o : batch.objects) written.insert(o.kind);
    for (const auto& d : derived_) {
      if (written.contains(d.kind) || written.contains(d.source)) {
        ++epoch(d.kind, kFilled);
        ++epoch(d.target, kPointers);
      }
    }
  }

 private:
  static constexpr size_t kMaxEntries = 4'000'000;  // about 300 MB
  static constexpr size_t kAhead = 8;               // writes between a prefetch and its probe
  // An object's print that says its fields are compared one by one (no
  // counter reaches it).
  static constexpr uint64_t kByField = ~uint64_t{0};

  // 128 bits of what a write says, its object or owner included: a
  // difference goes unnoticed with probability 2^-128.
  struct Print {
    uint64_t a = 0, b = 0;
    uint64_t under = 0;   // the counter it was made under (0: none applies; kByField)
    uint64_t filled = 0;  // and the derived keys' (0: it leaves none null)
    uint64_t view = 0;    // which fields it gives
    bool operator==(const Print&) const = default;
  };
  struct Derived {
    const Kind* kind;
    const Kind* source;
    const Field* target;
  };

  // The counters: each counts the writes that may have changed one part of
  // the database by another way than the entries that depend on it.
  enum Role {
    kColumns,   // a kind: its foreign keys that reverse relations set
    kFilled,    // a kind: its derived keys, filled where they are null
    kPointers,  // a foreign key: which rows point where (reverse relations through it)
    kForward,   // a many-to-many field: writes from its own side
    kBackward,  // the same table: writes from the other side
  };
  uint64_t& epoch(const void* p, Role r) { return epochs_[{p, r}]; }

  void add(const void* p) {
    const auto v = reinterpret_cast<uintptr_t>(p);
    buf_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void add(const Value& v) {
    const char tag = static_cast<char>(v.index());
    buf_ += tag;
    if (const auto* i = std::get_if<int64_t>(&v)) {
      buf_.append(reinterpret_cast<const char*>(i), sizeof *i);
    } else if (const auto* d = std::get_if<double>(&v)) {
      buf_.append(reinterpret_cast<const char*>(d), sizeof *d);
    } else if (const auto* t = std::get_if<std::string>(&v)) {
      const uint64_t n = t->size();
      buf_.append(reinterpret_cast<const char*>(&n), sizeof n);
      buf_ += *t;
    }
  }
  // Where a write's entry is: its object, or its relation or rows and owner.
  uint64_t key_of(const void* scope, const Value& id) {
    buf_.clear();
    add(scope);
    add(id);
    const uint64_t k = XXH3_64bits_withSeed(buf_.data(), buf_.size(), 0x452821E638D01377ULL);
    return k == 0 ? 1 : k;
  }
  // The print of buf_ (which starts with what key_of put there): XXH3's 128
  // bits in one pass.
  Print print(uint64_t under, uint64_t filled = 0) const {
    const XXH128_hash_t h = XXH3_128bits_withSeed(buf_.data(), buf_.size(), 0x243F6A8885A308D3ULL);
    return {h.low64, h.high64, under, filled};
  }
  static bool holds(const FlatTable<Print>& table, uint64_t key, const Print& p) {
    const Print* found = table.find(key);
    return found != nullptr && *found == p;
  }
  static void note(FlatTable<Print>& table, uint64_t key, const Print& p) { table.put(key, p); }

  // Takes the known writes out of `writes`. A table of millions of entries
  // is probed at a place the cache rarely holds: the places of the writes a
  // few ahead (`entry` gives each one's) are fetched meanwhile.
  template <class Write, class Entry>
  void leave_out_known(std::vector<Write>& writes, const FlatTable<Print>& table, Entry entry) {
    ahead_.clear();
    for (const auto& w : writes) ahead_.push_back(entry(w));
    std::erase_if(writes, [&](const Write& w) {
      const auto i = static_cast<size_t>(&w - writes.data());  // as it was before
      if (i + kAhead < ahead_.size()) table.prefetch(ahead_[i + kAhead]);
      return known(w);
    });
  }

  bool known(const store::ObjectWrite& o) {
    const uint64_t key = key_of(o.kind, o.id);
    const Print* had = objects_.find(key);
    if (had != nullptr && had->under == kByField) return known_by_field(o, key);
    // Whether it sets a column that is also set another way: a foreign key
    // that reverse relations move, or a derived key left null (a derived key
    // is only filled where it is null, so a value the write gives stays).
    const uint8_t* roles = roles_of(*o.kind);
    bool moved = false;
    bool filled = false;
    uint64_t view = 0;
    for (const auto& [f, v] : o.values) {
      add(f);
      add(v);
      view = mix(view ^ reinterpret_cast<uintptr_t>(f));
      if (roles == nullptr) continue;
      const uint8_t r = role(roles, *o.kind, f);
      moved = moved || (r & kMovedKey) != 0;
      filled = filled || (std::holds_alternative<std::monostate>(v) && (r & kFilledKey) != 0);
    }
    Print p =
        print(moved ? epoch(o.kind, kColumns) + 1 : 0, filled ? epoch(o.kind, kFilled) + 1 : 0);
    p.view = view;
    if (had != nullptr && *had == p) return true;
    if (had != nullptr && had->view != view) {
      // Printed in another view before (an agency in a launch and in a
      // program): one print per object would change at every other write,
      // so its fields are compared one by one from now on.
      note(objects_, key, Print{0, 0, kByField, 0, 0});
      note_fields(o, key, roles);
      return false;
    }
    note(objects_, key, p);
    may_have_moved(o, roles);
    return false;
  }

  // An object compared field by field: its write changes nothing when every
  // value it gives is the one written last to that field, under the same
  // counters. The fields it has not given yet are unknown, so their first
  // write is sent.
  bool known_by_field(const store::ObjectWrite& o, uint64_t key) {
    // Each field's slot is somewhere else in a large table: all are asked
    // for before the first is read.
    field_keys_.clear();
    for (const auto& fv : o.values) {
      field_keys_.push_back(field_key(key, fv.first));
      fields_.prefetch(field_keys_.back());
    }
    const uint8_t* roles = roles_of(*o.kind);
    bool same = true;
    for (size_t i = 0; i < o.values.size() && same; ++i) {
      const Print* last = fields_.find(field_keys_[i]);
      same = last != nullptr &&
             *last == field_print(*o.kind, roles, o.values[i].first, o.values[i].second);
    }
    if (same) return true;
    note_fields(o, key, roles);
    may_have_moved(o, roles);
    return false;
  }
  // `roles`: roles_of(*o.kind), looked up once by the caller (here and below).
  void note_fields(const store::ObjectWrite& o, uint64_t key, const uint8_t* roles) {
    for (const auto& [f, v] : o.values)
      note(fields_, field_key(key, f), field_print(*o.kind, roles, f, v));
  }
  // A value's print, made under the counters that retire it as an object's
  // print would be (a key reverse relations move, a derived key left null).
  Print field_print(const Kind& kind, const uint8_t* roles, const Field* f, const Value& v) {
    const uint8_t r = role(roles, kind, f);
    const bool moved = (r & kMovedKey) != 0;
    const bool filled = std::holds_alternative<std::monostate>(v) && (r & kFilledKey) != 0;
    buf_.clear();
    add(v);
    return print(moved ? epoch(&kind, kColumns) + 1 : 0, filled ? epoch(&kind, kFilled) + 1 : 0);
  }
  // A write sent may move its row in or out of reverse relations through
  // the keys it sets.
  void may_have_moved(const store::ObjectWrite& o, const uint8_t* roles) {
    if (roles == nullptr) return;
    for (const auto& [f, v] : o.values) {
      if (role(roles, *o.kind, f) != 0) ++epoch(f, kPointers);
    }
  }
  // A field's roles, by its place in its kind: a foreign key that reverse
  // relations also set, a key filled by derivation where it is null.
  static constexpr uint8_t kMovedKey = 1;
  static constexpr uint8_t kFilledKey = 2;
  // The roles of a kind's fields (kMovedKey, kFilledKey), or null when none
  // of them has one (most kinds: their fields are not looked up one by one).
  const uint8_t* roles_of(const Kind& kind) const {
    const auto it = roles_.find(&kind);
    return it == roles_.end() ? nullptr : it->second.data();
  }
  static uint8_t role(const uint8_t* roles, const Kind& kind, const Field* f) {
    return roles == nullptr ? 0 : roles[f - kind.fields.data()];
  }
  // A 64-bit mix (splitmix64's finalizer): keys spread over the table.
  static uint64_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
  }
  static uint64_t field_key(uint64_t object, const Field* f) {
    const uint64_t k = mix(object ^ mix(reinterpret_cast<uintptr_t>(f)));
    return k == 0 ? 1 : k;
  }

  bool known(const store::LinkWrite& l) {
    const Field& f = *l.field;
    const uint64_t entry = key_of(&f, l.owner);
    for (const auto& t : l.targets) add(t);
    if (f.relation == Relation::ManyToMany) {
      // The owner's rows of the table; the other side's writes change them.
      const Print p = print(epoch(&f, kBackward) + 1);
      if (holds(links_, entry, p)) return true;
      note(links_, entry, p);
      ++epoch(&f, kForward);
      return false;
    }
    if (f.relation == Relation::Reverse && f.via_field->relation == Relation::ManyToMany) {
      const Print p = print(epoch(f.via_field, kForward) + 1);
      if (holds(links_, entry, p)) return true;
      note(links_, entry, p);
      ++epoch(f.via_field, kBackward);
      return false;
    }
    if (f.relation != Relation::Reverse) {
      // Children, through their owner_id, which only these writes set: the
      // write takes the rows it names from their owners (whose entries go)
      // and detaches the owner's others (its own entry is replaced).
      const Print p = print(0);
      if (holds(links_, entry, p)) return true;
      std::vector<uint64_t> children;
      children.reserve(l.targets.size());
      for (const auto& t : l.targets) children.push_back(key_of(f.target_kind, t));
      for (const uint64_t child : children) {
        const uint64_t* owner = owner_of_.find(child);
        if (owner != nullptr && *owner != entry) links_.erase(*owner);
        owner_of_.put(child, entry);
      }
      note(links_, entry, p);
      return false;
    }
    // A reverse relation through a foreign entry: the write moves rows it
    // does not name (out of this owner's list), and so do writes of that
    // entry on the rows themselves: any of them retires every entry of the
    // same entry, its own kept.
    if (holds(links_, entry, print(epoch(f.via_field, kPointers) + 1))) return true;
    const uint64_t now = ++epoch(f.via_field, kPointers);
    note(links_, entry, print(now + 1));
    ++epoch(f.target_kind, kColumns);
    return false;
  }

  bool known(const store::RowsWrite& r) {
    const uint64_t key = key_of(r.field, r.owner);
    for (const auto& row : r.rows) {
      buf_ += '(';
      for (const auto& [f, v] : row) {
        add(f);
        add(v);
      }
    }
    const Print p = print(0);
    if (holds(rows_, key, p)) return true;
    note(rows_, key, p);
    return false;
  }

  struct RoleHash {
    size_t operator()(const std::pair<const void*, Role>& k) const {
      return std::hash<const void*>()(k.first) ^ static_cast<size_t>(k.second);
    }
  };
  std::unordered_map<const Kind*, std::vector<uint8_t>> roles_;  // see roles_of
  std::vector<Derived> derived_;
  std::unordered_map<std::pair<const void*, Role>, uint64_t, RoleHash> epochs_;
  FlatTable<Print> objects_;
  FlatTable<Print> links_;
  FlatTable<Print> rows_;
  FlatTable<uint64_t> owner_of_;  // children (kind, id): the links_ entry listing them
  FlatTable<Print> fields_;       // (object, field): the value written last, by field
  std::string buf_;
  std::vector<uint64_t> ahead_;       // the batch's keys, for prefetching
  std::vector<uint64_t> field_keys_;  // an object's fields' keys in fields_
};

// A file read and validated (and, once its turn came, filtered).
struct Checked {
  size_t index = 0;
  std::variant<Collected, ImportError> result;
  double seconds = 0;      // reading, validating and filtering it
  bool by_writer = false;  // read by the writer thread (its progress heard once, whole)
  size_t bytes = 0;        // how far reading it went, and the objects it held
  int64_t objects = 0;
};

// The files between reading and writing. Reading and validating a file
// needs nothing but the file, so either thread does it: the reader thread,
// and the writer whenever it would otherwise wait for the next file. The
// steps that must follow file order stay on one thread each: leaving out
// repeats (the reader's Elider) and writing (the writer's). What the reader
// left out holds only while the writes before it succeed and nobody else
// writes between two of the import's transactions; when either fails, the
// writer restarts the reader at the next file to write, nothing remembered.
class Pipeline {
 public:
  Pipeline(store::Store& store, const model::Catalog& versions,
           const std::vector<ImportFile>& files, const ImportOptions& options)
      : versions_(versions), files_(files), options_(options), elider_(store.schema()) {}

  // The reader thread's work, until stop().
  void read() {
    std::vector<store::WriteBatch> freeing;
    uint64_t my_round = 0;
    size_t next = 0;  // the next file to filter, in order
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] {
        return stop_ || round_ != my_round || !spent_.empty() || collected_.contains(next) ||
               claimable();
      });
      if (stop_) return;
      if (round_ != my_round) {
        my_round = round_;
        next = restart_at_;
        elider_.clear();
        continue;
      }
      freeing.swap(spent_);
      if (!freeing.empty()) {
        lock.unlock();
        freeing.clear();  // freed by the thread that made them, off the lock
        lock.lock();
        continue;
      }
      if (auto it = collected_.find(next); it != collected_.end()) {
        Checked c = std::move(it->second);
        collected_.erase(it);
        lock.unlock();
        filter(c);
        lock.lock();
        if (round_ != my_round) continue;  // filtered for a round that was abandoned
        ready_.push_back(std::move(c));
        ++next;
        changed_.notify_all();
        continue;
      }
      collect_claimed(lock, my_round, false);
    }
  }

  // The next file to write, in order; while there is none, the writer
  // reads and validates a file itself.
  Checked next_to_write(bool& more_waiting) {
    std::unique_lock lock(mutex_);
    while (ready_.empty()) {
      if (claimable()) {
        collect_claimed(lock, round_, true);
      } else {
        changed_.wait(lock);
      }
    }
    Checked next = std::move(ready_.front());
    ready_.pop_front();
    ++taken_;
    more_waiting = !ready_.empty();
    changed_.notify_all();
    return next;
  }

  // A written (or dropped) batch, for the reader to free.
  void give_back(store::WriteBatch batch) {
    std::lock_guard lock(mutex_);
    spent_.push_back(std::move(batch));
    changed_.notify_all();
  }

  // Everything read after `from` is dropped and read again.
  void restart_at(size_t from) {
    std::lock_guard lock(mutex_);
    const auto drop = [this](Checked& c) {
      if (auto* collected = std::get_if<Collected>(&c.result))
        spent_.push_back(std::move(collected->batch));
    };
    for (auto& c : ready_) drop(c);
    for (auto& [_, c] : collected_) drop(c);
    ready_.clear();
    collected_.clear();
    ++round_;
    restart_at_ = from;
    next_claim_ = from;
    taken_ = from;
    changed_.notify_all();
  }

  void stop() {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }

 private:
  // A file may be read while fewer than files_ahead (at least one) wait
  // between the writer and the file being read.
  bool claimable() const {
    return next_claim_ < files_.size() &&
           next_claim_ < taken_ + std::max<size_t>(1, options_.files_ahead);
  }

  // Reads the next unclaimed file off the lock, and leaves it for the
  // reader to filter. Only the reader thread tells progress: it is heard
  // on one thread (the writer's files are told whole, when filtered).
  void collect_claimed(std::unique_lock<std::mutex>& lock, uint64_t round, bool by_writer) {
    const size_t i = next_claim_++;
    lock.unlock();
    Checked c = collect_file(i, by_writer);
    lock.lock();
    if (round_ != round) return;  // read for a round that was abandoned
    collected_.emplace(c.index, std::move(c));
    changed_.notify_all();
  }

  Checked collect_file(size_t i, bool by_writer) {
    Checked c{i, ImportError{}, 0, by_writer};
    const auto t0 = Clock::now();
    try {
      CollectProgress progress = [&c](size_t at, int64_t n) {
        c.bytes = at;
        c.objects = n;
      };
      if (!by_writer && options_.reading)
        progress = [this, i](size_t at, int64_t n) { options_.reading(i, at, n); };
      c.result = read_and_collect(versions_, files_[i], progress);
    } catch (const std::exception& e) {  // out of memory: this file is not imported
      c.result =
          ImportError{files_[i].path, "", 0, 0, fmt::format("cannot import it: {}", e.what())};
    }
    c.seconds = since(t0);
    return c;
  }

  // On the reader thread, in file order.
  void filter(Checked& c) {
    if (c.by_writer && options_.reading) options_.reading(c.index, c.bytes, c.objects);
    auto* collected = std::get_if<Collected>(&c.result);
    if (collected == nullptr || !options_.leave_out_repeats) return;
    const auto t0 = Clock::now();
    elider_.filter(collected->batch);
    c.seconds += since(t0);
  }

  const model::Catalog& versions_;
  const std::vector<ImportFile>& files_;
  const ImportOptions& options_;
  Elider elider_;  // the reader thread's
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<size_t, Checked> collected_;  // read and validated, waiting to be filtered
  std::deque<Checked> ready_;            // filtered, waiting to be written
  size_t next_claim_ = 0;                // the next file nobody has begun to read
  size_t taken_ = 0;                     // files the writer has taken
  bool stop_ = false;
  uint64_t round_ = 0;     // bumped by each restart; files of older rounds are dropped
  size_t restart_at_ = 0;  // where the current round starts
  // Written batches go back to the reader thread to be freed there, off
  // the writer's path.
  std::vector<store::WriteBatch> spent_;
};

}  // namespace

void import_files(store::Store& store, const model::Catalog& versions,
                  const std::vector<ImportFile>& files,
                  const std::function<void(size_t, const FileOutcome&)>& done,
                  const ImportOptions& options) {
  Pipeline pipeline(store, versions, files, options);
  std::thread reader([&pipeline] {
    pthread_setname_np(pthread_self(), "ll2d-reader");  // for top -H and perf
    pipeline.read();
  });
  // Files written in the open transaction, told once it commits.
  std::vector<std::pair<size_t, FileOutcome>> pending;
  bool open = false;
  bool committed_before = false;  // a transaction of this import committed
  int64_t objects = 0;
  auto opened_at = Clock::now();
  // After a failed write rolled the transaction back: the files that were
  // written in it (all validated and written once) are read and written
  // again, one transaction each, so a file whose write fails takes nothing
  // else with it. (A rare path: the usual one has no savepoints to pay for.)
  const auto redo = [&](std::vector<std::pair<size_t, FileOutcome>>& written) {
    for (auto& [i, outcome] : written) {
      if (!std::holds_alternative<ImportStats>(outcome.result)) continue;
      auto again = read_and_collect(versions, files[i]);
      std::optional<std::string> e;
      if (auto* bad = std::get_if<ImportError>(&again)) {
        outcome.result = std::move(*bad);
        continue;
      }
      auto& batch = std::get<Collected>(again).batch;
      e = store.begin_write();
      if (!e) e = store.write_part(batch);
      if (!e) e = store.commit_write();
      if (e) {
        outcome.result = ImportError{files[i].path, "", 0, 0, "database error: " + *e};
      }
    }
  };
  // Commits the open transaction and tells its files' fate; whether it
  // committed (a failed commit leaves what the reader left out unwritten).
  const auto commit = [&] {
    bool ok = true;
    if (open) {
      if (auto e = store.commit_write()) {
        ok = false;
        for (auto& [i, outcome] : pending) {
          if (std::holds_alternative<ImportStats>(outcome.result)) {
            outcome.result = ImportError{
                files[i].path, "", 0, 0,
                fmt::format("database error: {} (its transaction was rolled back)", *e)};
          }
        }
      } else {
        committed_before = true;
      }
    }
    open = false;
    objects = 0;
    for (const auto& [i, outcome] : pending) done(i, outcome);
    pending.clear();
    return ok;
  };
  try {
    for (size_t n = 0; n < files.size();) {
      bool more_waiting = false;
      Checked next = pipeline.next_to_write(more_waiting);
      FileOutcome outcome;
      outcome.seconds = next.seconds;
      outcome.read_by_writer = next.by_writer;
      if (auto* e = std::get_if<ImportError>(&next.result)) {
        outcome.result = std::move(*e);
      } else {
        auto& c = std::get<Collected>(next.result);
        const auto t0 = Clock::now();
        std::optional<std::string> error;
        if (!open) {
          bool others_wrote = true;
          error = store.begin_write(&others_wrote);
          if (!error) {
            open = true;
            opened_at = Clock::now();
            if (others_wrote && committed_before) {
              // What was left out of this file and those after it assumed
              // the database as our last commit left it: read them again.
              pipeline.give_back(std::move(c.batch));
              pipeline.restart_at(n);
              continue;
            }
          }
        }
        if (!error) {
          error = store.write_part(c.batch);
          if (error) {
            // The transaction is gone, with the files written before this
            // one in it: they are written again, each on its own.
            open = false;
            redo(pending);
          }
        }
        outcome.seconds += since(t0);
        if (error) {
          outcome.result =
              ImportError{files[next.index].path, "", 0, 0, "database error: " + *error};
        } else {
          outcome.result = c.stats;
          objects += static_cast<int64_t>(c.batch.objects.size());
        }
        pipeline.give_back(std::move(c.batch));
        // The reader counted this file as written when it left repeats of it
        // out of the next ones: they are read again.
        if (error) pipeline.restart_at(n + 1);
      }
      pending.emplace_back(next.index, std::move(outcome));
      ++n;
      // Commit when the transaction is big or old enough, or nothing
      // follows; between files of one page of data, nothing else waits.
      if (!open || objects >= options.objects_per_transaction ||
          since(opened_at) >= options.seconds_per_transaction || n == files.size() ||
          (!more_waiting && since(opened_at) >= options.seconds_per_transaction / 4)) {
        if (!commit() && n < files.size()) pipeline.restart_at(n);
      }
    }
    commit();
  } catch (...) {
    if (open) store.abort_write();
    pipeline.stop();
    reader.join();
    throw;
  }
  pipeline.stop();
  reader.join();
}

std::variant<ImportStats, ImportError> import_file(store::Store& store,
                                                   const model::Catalog& versions, const Kind* root,
                                                   const std::string& path) {
  auto text = read_file(path);
  if (auto* e = std::get_if<ImportError>(&text)) return *e;
  const std::string& source = std::get<std::string>(text);
  auto collected = collect(versions, root, source, path);
  if (auto* e = std::get_if<ImportError>(&collected)) return *e;
  auto& c = std::get<Collected>(collected);
  if (auto err = store.write(c.batch))
    return ImportError{path, "", 0, 0, "database error: " + *err};
  return c.stats;
}

}  // namespace ll2::ingest
