#include "ingest/importer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <map>
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

std::string value_key(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

class Collector {
 public:
  Collector(std::string_view source, const std::string& file) : source_(source), file_(file) {}

  std::optional<ImportError> error;
  store::WriteBatch batch;
  int64_t objects = 0;

  // Merges one object of `kind` and everything nested in it; returns its id.
  std::optional<Value> object(const Kind& kind, const JsonNode& node, const std::string& path) {
    if (node.type != JsonNode::Type::Object)
      return fail(node, path, fmt::format("expected an object, got {}", node.type_name()));
    const JsonNode* id_node = node.get("id");
    std::optional<Value> id;
    if (id_node == nullptr && kind.numbered) {
      // LL2 prints no id for it: numbered in file order, so importing a newer
      // response of the same shape replaces the older one.
      id = Value(++numbers_[&kind]);
    } else {
      if (id_node == nullptr) return fail(node, path, "missing \"id\"");
      id = parse_id(kind, *id_node, path + ".id");
    }
    if (!id) return std::nullopt;
    if (!check_meta(node, path)) return std::nullopt;
    auto values = fields(kind, node, path, *id);
    if (!values) return std::nullopt;
    ++objects;
    const std::string key = kind.name + '\0' + value_key(*id);
    auto it = index_.find(key);
    if (it == index_.end()) {
      index_.emplace(key, batch.objects.size());
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
  std::nullopt_t fail(const JsonNode& node, const std::string& path, std::string message) {
    if (!error) {
      const auto [line, col] = line_column(source_, node.offset);
      error = ImportError{file_, path, line, col, std::move(message)};
    }
    return std::nullopt;
  }

  std::optional<Value> parse_id(const Kind& kind, const JsonNode& n, const std::string& path) {
    if (kind.id_type == model::IdType::Uuid) {
      if (n.type != JsonNode::Type::String || !valid_uuid(n.text))
        return fail(n, path, "expected a UUID string");
      return Value(lower(n.text));
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
  bool check_meta(const JsonNode& node, const std::string& path) {
    if (const JsonNode* m = node.get("response_mode")) {
      if (m->type != JsonNode::Type::String ||
          (m->text != "list" && m->text != "normal" && m->text != "detailed")) {
        fail(*m, path + ".response_mode",
             fmt::format(
                 "unknown response_mode {} (expected list, normal or detailed)",
                 m->type == JsonNode::Type::String ? "\"" + m->text + "\"" : m->type_name()));
        return false;
      }
    }
    if (const JsonNode* u = node.get("url"); u != nullptr && u->type != JsonNode::Type::String) {
      fail(*u, path + ".url", fmt::format("expected a string, got {}", u->type_name()));
      return false;
    }
    return true;
  }

  std::optional<Value> column(const Field& f, const JsonNode& n, const std::string& path) {
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
        return Value(n.text);
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
  std::optional<Values> fields(const Kind& kind, const JsonNode& node, const std::string& path,
                               const Value& owner) {
    Values values;
    for (const auto& [key, child] : node.members) {
      const Field* f = kind.field_for_key(key);
      if (f == nullptr) continue;  // id, url, response_mode, or a key this version does not store
      std::string child_path = path;
      child_path += '.';
      child_path += key;
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
          for (size_t i = 0; i < child.items.size(); ++i) {
            auto id = object(*f->target_kind, child.items[i], fmt::format("{}[{}]", child_path, i));
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
            for (size_t i = 0; i < child.items.size(); ++i) {
              auto id =
                  object(*f->target_kind, child.items[i], fmt::format("{}[{}]", child_path, i));
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
          for (size_t i = 0; i < child.items.size(); ++i) {
            const JsonNode& item = child.items[i];
            const std::string item_path = fmt::format("{}[{}]", child_path, i);
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

  void set_link(store::LinkWrite link) {
    const std::string key =
        link.kind->name + '\0' + link.field->name + '\0' + value_key(link.owner);
    auto [it, inserted] = link_index_.emplace(key, batch.links.size());
    if (inserted)
      batch.links.push_back(std::move(link));
    else
      batch.links[it->second] = std::move(link);
  }
  void set_rows(store::RowsWrite rows) {
    const std::string key =
        rows.field->owner->name + '\0' + rows.field->name + '\0' + value_key(rows.owner);
    auto [it, inserted] = rows_index_.emplace(key, batch.rows.size());
    if (inserted)
      batch.rows.push_back(std::move(rows));
    else
      batch.rows[it->second] = std::move(rows);
  }

  std::string_view source_;
  const std::string& file_;
  std::map<std::string, size_t> index_;
  std::map<std::string, size_t> link_index_;
  std::map<std::string, size_t> rows_index_;
  std::map<const Kind*, int64_t> numbers_;  // the last number given, per numbered kind
};

}  // namespace

std::variant<Collected, ImportError> collect(const Kind* root, std::string_view source,
                                             const std::string& file_name) {
  JsonParse parsed = parse_json(source);
  if (!parsed.root) {
    const auto [line, col] = line_column(source, parsed.error_offset);
    const bool ours = parsed.too_deep || parsed.error_path != "$";  // not RapidJSON's syntax error
    return ImportError{file_name, parsed.error_path, line, col,
                       ours ? parsed.error : "invalid JSON: " + parsed.error};
  }
  const JsonNode& doc = *parsed.root;
  Collector c(source, file_name);
  Collected out;
  std::optional<ImportError> unknown;
  const auto one = [&](const JsonNode& node, const std::string& path) {
    const Kind* kind = root;
    if (kind == nullptr && node.type != JsonNode::Type::Object) {
      const auto [line, col] = line_column(source, node.offset);
      unknown = ImportError{file_name, path, line, col,
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
            file_name, path, line, col,
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
  const auto each = [&](const JsonNode& list, const std::string& path) {
    for (size_t i = 0; i < list.items.size() && !c.error && !unknown; ++i)
      one(list.items[i], fmt::format("{}[{}]", path, i));
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
    one(doc, "$");
  }
  if (unknown) return *unknown;
  if (c.error) return *c.error;
  out.stats.objects = c.objects;
  out.batch = std::move(c.batch);
  return out;
}

std::variant<ImportStats, ImportError> import_file(store::Store& store, const Kind* root,
                                                   const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ImportError{path, "", 0, 0, "cannot read the file"};
  std::ostringstream text;
  text << in.rdbuf();
  const std::string source = std::move(text).str();
  auto collected = collect(root, source, path);
  if (auto* e = std::get_if<ImportError>(&collected)) return *e;
  auto& c = std::get<Collected>(collected);
  if (auto err = store.write(c.batch))
    return ImportError{path, "", 0, 0, "database error: " + *err};
  return c.stats;
}

}  // namespace ll2::ingest
