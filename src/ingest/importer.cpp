#include "ingest/importer.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <fstream>
#include <map>
#include <unordered_map>
#include <sstream>

#include "ingest/json_source.hpp"
#include "util/datetime.hpp"

namespace ll2::ingest {

using model::ColumnType;
using model::Field;
using model::Kind;
using model::Relation;

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
  std::string_view key;   // a member of the parent
  size_t index = 0;       // or an item of the parent
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
  Collector(std::string_view source, const std::string& file, bool reuse_repeats)
      : source_(source), file_(file), reuse_repeats_(reuse_repeats) {}

  std::optional<ImportError> error;
  store::WriteBatch batch;
  int64_t objects = 0;

  // Merges one object of `kind` and everything nested in it; returns its id.
  std::optional<Value> object(const Kind& kind, const JsonNode& node, const Path& path) {
    if (node.type != JsonNode::Type::Object)
      return fail(node, path, fmt::format("expected an object, got {}", node.type_name()));
    const JsonNode* id_node = node.get("id");
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
    std::vector<View>* views = nullptr;
    const std::string_view text = node.end > node.offset
                                      ? source_.substr(node.offset, node.end - node.offset)
                                      : std::string_view();
    if (reuse_repeats_ && !text.empty() && !kind.numbered) {
      views = &views_[IdKey{&kind, *id}];
      for (const View& v : *views) {
        if (v.size == text.size() && std::memcmp(v.text, text.data(), text.size()) == 0 &&
            unchanged_since(v)) {
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
    if (!check_meta(node, path)) return std::nullopt;
    auto values = fields(kind, node, path, *id);
    if (!values) return std::nullopt;
    ++objects;
    auto [it, inserted] = index_.try_emplace(IdKey{&kind, *id}, batch.objects.size());
    touch(kObject, it->second);
    if (views != nullptr && numbered_ == numbered_before) {
      // Numbered objects inside take the next numbers each time: not a repeat.
      View v{text.data(), text.size(), first_touched, touched_.size(), objects - objects_before,
             seq_};
      bool replaced = false;
      for (View& old : *views) {
        if (old.size == v.size && std::memcmp(old.text, v.text, v.size) == 0) {
          old = v;
          replaced = true;
        }
      }
      if (!replaced) views->push_back(v);
    }
    if (inserted) {
      batch.objects.push_back({&kind, *id, std::move(*values)});
    } else {
      auto& existing = batch.objects[it->second].values;
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

  // `response_mode` is an enum; `url` is derived. Both are checked, not stored.
  bool check_meta(const JsonNode& node, const Path& path) {
    if (const JsonNode* m = node.get("response_mode")) {
      if (m->type != JsonNode::Type::String ||
          (m->text != "list" && m->text != "normal" && m->text != "detailed")) {
        fail(*m, path.member("response_mode"),
             fmt::format("unknown response_mode {} (expected list, normal or detailed)",
                         m->type == JsonNode::Type::String ? fmt::format("\"{}\"", m->text)
                                                           : std::string(m->type_name())));
        return false;
      }
    }
    if (const JsonNode* u = node.get("url"); u != nullptr && u->type != JsonNode::Type::String) {
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

  // The columns of one object (or id-less row); relations are collected into
  // the batch as a side effect, owned by `owner`.
  std::optional<Values> fields(const Kind& kind, const JsonNode& node, const Path& path,
                               const Value& owner) {
    Values values;
    values.reserve(node.size);
    for (const JsonNode& child : node.members()) {
      const Field* f = field_for_key(kind, child.key);
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
          auto id = object(*f->target_kind, child, child_path);
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

  // A key LL2 prints, as the field that stores it (cached per kind).
  const Field* field_for_key(const Kind& kind, std::string_view key) {
    auto [it, inserted] = fields_.try_emplace(FieldKey{&kind, key}, nullptr);
    if (inserted) it->second = kind.field_for_key(key);
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
    auto [it, inserted] = link_index_.try_emplace(IdKey{link.field, link.owner}, batch.links.size());
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
  std::unordered_map<IdKey, size_t, IdKeyHash> index_;       // objects
  std::unordered_map<IdKey, size_t, IdKeyHash> link_index_;  // by field and owner
  std::unordered_map<IdKey, size_t, IdKeyHash> rows_index_;  // by field and owner
  std::unordered_map<FieldKey, const Field*, FieldKeyHash> fields_;
  std::unordered_map<IdKey, std::vector<View>, IdKeyHash> views_;  // texts merged, by object
  std::vector<uint32_t> touched_;              // entries touched, in order (Entry << 30 | index)
  std::array<std::vector<uint64_t>, 3> changed_;  // per Entry and index: seq_ of its last change
  uint64_t seq_ = 0;
  int64_t numbered_ = 0;  // objects numbered so far
  std::map<const Kind*, int64_t> numbers_;  // the last number given, per numbered kind
};

}  // namespace

std::variant<Collected, ImportError> collect(const Kind* root, std::string_view source,
                                             const std::string& file_name, bool reuse_repeats) {
  JsonParse parsed = parse_json(source);
  if (!parsed.root) {
    const auto [line, col] = line_column(source, parsed.error_offset);
    const bool ours = parsed.too_deep || parsed.error_path != "$";  // not RapidJSON's syntax error
    return ImportError{file_name, parsed.error_path, line, col,
                       ours ? parsed.error : "invalid JSON: " + parsed.error};
  }
  const JsonNode& doc = *parsed.root;
  Collector c(source, file_name, reuse_repeats);
  Collected out;
  std::optional<ImportError> unknown;
  const auto one = [&](const JsonNode& node, const Path& path) {
    const Kind* kind = root;
    if (kind == nullptr && node.type != JsonNode::Type::Object) {
      const auto [line, col] = line_column(source, node.offset);
      unknown = ImportError{file_name, path.str(), line, col,
                            fmt::format("expected an object, got {}", node.type_name())};
      return;
    }
    if (kind == nullptr) {
      const JsonNode* url = node.type == JsonNode::Type::Object ? node.get("url") : nullptr;
      const model::Resource* r = url != nullptr && url->type == JsonNode::Type::String
                                     ? model::registry().find_resource_by_url(url->text)
                                     : nullptr;
      if (r == nullptr) {
        const auto [line, col] = line_column(source, node.offset);
        unknown = ImportError{
            file_name, path.str(), line, col,
            url == nullptr ? "no \"url\" tells which resource this object belongs to; name it "
                             "with --resource"
                           : "its \"url\" names no resource ll2d serves; name it with --resource"};
        return;
      }
      kind = r->kind;
    }
    c.object(*kind, node, path);
    ++out.stats.events;
  };
  const auto each = [&](const JsonNode& list, std::string_view root) {
    const Path top = Path::top(root);
    for (size_t i = 0; i < list.size && !c.error && !unknown; ++i) one(list.children[i], top.item(i));
  };
  if (doc.type == JsonNode::Type::Object && doc.get("results") != nullptr) {
    const JsonNode& results = *doc.get("results");
    if (results.type != JsonNode::Type::Array) {
      const auto [line, col] = line_column(source, results.offset);
      return ImportError{file_name, "$.results", line, col,
                         fmt::format("expected an array, got {}", results.type_name())};
    }
    each(results, "$.results");
  } else if (doc.type == JsonNode::Type::Array) {
    each(doc, "$");
  } else {
    one(doc, Path::top("$"));
  }
  if (unknown) return *unknown;
  if (c.error) return *c.error;
  out.stats.objects = c.objects;
  out.batch = std::move(c.batch);
  return out;
}

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::string text;
  if (size > 0) {
    text.resize(static_cast<size_t>(size));
    in.read(text.data(), size);
    text.resize(static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return std::nullopt;
  // Whatever a stream that cannot tell its size still holds.
  std::ostringstream rest;
  rest << in.rdbuf();
  text += std::move(rest).str();
  return text;
}

std::variant<Collected, ImportError> read_and_collect(const Kind* root, const std::string& path) {
  const auto source = read_file(path);
  if (!source) return ImportError{path, "", 0, 0, "cannot read the file"};
  return collect(root, *source, path);
}

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

void import_files(store::Store& store, const std::vector<ImportFile>& files,
                  const std::function<void(size_t, const FileOutcome&)>& done,
                  const ImportOptions& options) {
  struct Checked {
    size_t index;
    std::variant<Collected, ImportError> result;
    double seconds;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Checked> ready;
  bool stop = false;
  (void)model::registry();  // built before the second thread reads it
  std::thread reader([&] {
    for (size_t i = 0; i < files.size(); ++i) {
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || ready.size() < std::max<size_t>(1, options.files_ahead); });
        if (stop) return;
      }
      const auto t0 = Clock::now();
      std::variant<Collected, ImportError> result = ImportError{};
      try {
        result = read_and_collect(files[i].root, files[i].path);
      } catch (const std::exception& e) {  // out of memory: this file is not imported
        result = ImportError{files[i].path, "", 0, 0, fmt::format("cannot import it: {}", e.what())};
      }
      const double seconds = since(t0);
      std::lock_guard lock(mutex);
      ready.push_back({i, std::move(result), seconds});
      changed.notify_all();
    }
  });
  // Files written in the open transaction, told once it commits.
  std::vector<std::pair<size_t, FileOutcome>> pending;
  bool open = false;
  int64_t objects = 0;
  auto opened_at = Clock::now();
  const auto commit = [&] {
    if (open) {
      if (auto e = store.commit_write()) {
        for (auto& [i, outcome] : pending) {
          if (std::holds_alternative<ImportStats>(outcome.result)) {
            outcome.result = ImportError{
                files[i].path, "", 0, 0,
                fmt::format("database error: {} (its transaction was rolled back)", *e)};
          }
        }
      }
    }
    open = false;
    objects = 0;
    for (const auto& [i, outcome] : pending) done(i, outcome);
    pending.clear();
  };
  try {
    for (size_t n = 0; n < files.size(); ++n) {
      Checked next;
      bool more_waiting = false;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !ready.empty(); });
        next = std::move(ready.front());
        ready.pop_front();
        more_waiting = !ready.empty();
        changed.notify_all();
      }
      FileOutcome outcome;
      outcome.seconds = next.seconds;
      if (auto* e = std::get_if<ImportError>(&next.result)) {
        outcome.result = std::move(*e);
      } else {
        auto& c = std::get<Collected>(next.result);
        const auto t0 = Clock::now();
        std::optional<std::string> error;
        if (!open) {
          error = store.begin_write();
          if (!error) {
            open = true;
            opened_at = Clock::now();
          }
        }
        if (!error) error = store.write_part(c.batch);
        outcome.seconds += since(t0);
        if (error) {
          outcome.result = ImportError{files[next.index].path, "", 0, 0, "database error: " + *error};
        } else {
          outcome.result = c.stats;
          objects += static_cast<int64_t>(c.batch.objects.size());
        }
        c = Collected{};  // its memory goes now, not after the next file
      }
      pending.emplace_back(next.index, std::move(outcome));
      // Commit when the transaction is big or old enough, or nothing
      // follows; between files of one page of data, nothing else waits.
      if (!open || objects >= options.objects_per_transaction ||
          since(opened_at) >= options.seconds_per_transaction || n + 1 == files.size() ||
          (!more_waiting && since(opened_at) >= options.seconds_per_transaction / 4)) {
        commit();
      }
    }
    commit();
  } catch (...) {
    if (open) store.abort_write();
    {
      std::lock_guard lock(mutex);
      stop = true;
      changed.notify_all();
    }
    reader.join();
    throw;
  }
  reader.join();
}

std::variant<ImportStats, ImportError> import_file(store::Store& store, const Kind* root,
                                                   const std::string& path) {
  const auto text = read_file(path);
  if (!text) return ImportError{path, "", 0, 0, "cannot read the file"};
  const std::string& source = *text;
  auto collected = collect(root, source, path);
  if (auto* e = std::get_if<ImportError>(&collected)) return *e;
  auto& c = std::get<Collected>(collected);
  if (auto err = store.write(c.batch))
    return ImportError{path, "", 0, 0, "database error: " + *err};
  return c.stats;
}

}  // namespace ll2::ingest
