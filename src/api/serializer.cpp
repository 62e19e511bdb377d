#include "api/serializer.hpp"

#include <unordered_set>

#include "util/datetime.hpp"

namespace ll2::api {

namespace {
std::string id_text(const Value& id) {
  if (const auto* i = std::get_if<int64_t>(&id)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&id)) return *s;
  return {};
}
}  // namespace

std::string RowCache::key(const void* decl, const Value& id) {
  std::string k(reinterpret_cast<const char*>(&decl), sizeof decl);
  k += id_text(id);
  return k;
}

void RowCache::refresh() {
  const uint64_t v = store_.data_version();
  if (!have_version_ || v != version_) {
    rows_.clear();
    related_.clear();
    owned_.clear();
    kind_generations_.reset();
    version_ = v;
    have_version_ = true;
  }
}

const RowCache::KindGenerations& RowCache::kind_generations() {
  if (!kind_generations_) {
    kind_generations_.emplace();
    for (auto& [kind, generation] : store_.kind_generations())
      kind_generations_->emplace(std::move(kind), generation);
  }
  return *kind_generations_;
}

void RowCache::limit_size() {
  if (rows_.size() + related_.size() + owned_.size() < max_entries_) return;
  // Full: an eighth of each map goes, every eighth entry in the map's own
  // order (which follows no age), so a request frees a bounded share of the
  // rows, not all of them at once (a whole cache freed is a stall of a tenth
  // of a second at 200,000 rows).
  const auto thin = [](auto& map) {
    size_t i = 0;
    for (auto it = map.begin(); it != map.end();) it = i++ % 8 == 0 ? map.erase(it) : std::next(it);
  };
  thin(rows_);
  thin(related_);
  thin(owned_);
}

RowCache::RowPtr RowCache::load(const Kind& kind, const Value& id) {
  std::string k = key(&kind, id);
  if (const auto it = rows_.find(k); it != rows_.end()) return it->second;
  RowPtr row;
  if (auto loaded = store_.load(kind, id)) row = std::make_shared<const Row>(std::move(*loaded));
  limit_size();
  rows_.emplace(std::move(k), row);
  return row;
}

RowCache::IdsPtr RowCache::related_ids(const Kind& owner_kind, const Field& field,
                                       const Value& owner) {
  std::string k = key(&field, owner);
  if (const auto it = related_.find(k); it != related_.end()) return it->second;
  auto ids =
      std::make_shared<const std::vector<Value>>(store_.related_ids(owner_kind, field, owner));
  limit_size();
  related_.emplace(std::move(k), ids);
  return ids;
}

void RowCache::prefetch(const View& view, const std::vector<Value>& ids) {
  prefetch(view, ids, 0);
}

void RowCache::prefetch(const View& view, const std::vector<Value>& ids, int depth) {
  if (ids.empty() || depth > 16) return;  // views nest a few levels; 16 bounds a cycle
  const Kind& kind = *view.kind;
  std::vector<Value> missing;
  for (const auto& id : ids) {
    if (!rows_.contains(key(&kind, id))) missing.push_back(id);
  }
  std::unordered_map<std::string, RowPtr> found;
  if (!missing.empty()) {
    for (auto& row : store_.load_many(kind, missing)) {
      auto k = key(&kind, row[0]);
      found.emplace(std::move(k), std::make_shared<const Row>(std::move(row)));
    }
    for (const auto& id : missing) {
      limit_size();
      auto k = key(&kind, id);
      const auto it = found.find(k);
      rows_.emplace(std::move(k), it == found.end() ? nullptr : it->second);  // null: absent
    }
  }
  // The rows just loaded or cached before: what they point at comes next.
  std::vector<RowPtr> rows;
  for (const auto& id : ids) {
    std::string k = key(&kind, id);
    if (const auto it = found.find(k); it != found.end()) {
      rows.push_back(it->second);
    } else if (const auto cached = rows_.find(k); cached != rows_.end() && cached->second) {
      rows.push_back(cached->second);
    }
  }
  prefetch_nested(view, rows, depth);
}

void RowCache::prefetch_nested(const View& view, const std::vector<RowPtr>& rows, int depth) {
  const Kind& kind = *view.kind;
  for (const auto& vf : view.fields) {
    if (vf.view == nullptr || vf.field == nullptr) continue;
    const Field& f = *vf.field;
    if (f.relation == Relation::ForeignKey) {
      std::vector<Value> targets;
      for (const auto& row : rows) {
        const Value& v = (*row)[static_cast<size_t>(f.column)];
        if (!is_null(v)) targets.push_back(v);
      }
      prefetch(*vf.view, targets, depth + 1);
      continue;
    }
    // Relations of id-less rows are not batched (they have no id to own by).
    if (kind.id_type == model::IdType::None) continue;
    // Each owner once: its list is moved into the cache below, and a second
    // copy of it (an object twice on a page) would find it moved-from if
    // limit_size() emptied the cache in between.
    std::vector<Value> owners;
    std::unordered_set<std::string> seen;
    for (const auto& row : rows) {
      std::string k = key(&f, (*row)[0]);
      const auto& cache = f.relation == Relation::Rows ? owned_.count(k) : related_.count(k);
      if (cache == 0 && seen.insert(std::move(k)).second) owners.push_back((*row)[0]);
    }
    if (f.relation == Relation::Rows) {
      if (!owners.empty()) {
        std::unordered_map<std::string, std::vector<Row>> lists;
        for (auto& [owner, row] : store_.owned_rows_many(f, owners))
          lists[key(&f, owner)].push_back(std::move(row));
        for (const auto& owner : owners) {
          limit_size();
          auto k = key(&f, owner);
          auto it = lists.find(k);
          owned_.emplace(std::move(k),
                         std::make_shared<const std::vector<Row>>(
                             it == lists.end() ? std::vector<Row>{} : std::move(it->second)));
        }
      }
      std::vector<RowPtr> owned;
      for (const auto& row : rows) {
        if (const auto it = owned_.find(key(&f, (*row)[0])); it != owned_.end()) {
          for (const auto& r : *it->second) owned.push_back(std::make_shared<const Row>(r));
        }
      }
      prefetch_nested(*vf.view, owned, depth + 1);
      continue;
    }
    if (!owners.empty()) {
      std::unordered_map<std::string, std::vector<Value>> lists;
      for (auto& [owner, target] : store_.related_ids_many(kind, f, owners))
        lists[key(&f, owner)].push_back(std::move(target));
      for (const auto& owner : owners) {
        limit_size();
        auto k = key(&f, owner);
        auto it = lists.find(k);
        related_.emplace(std::move(k),
                         std::make_shared<const std::vector<Value>>(
                             it == lists.end() ? std::vector<Value>{} : std::move(it->second)));
      }
    }
    std::vector<Value> targets;
    for (const auto& row : rows) {
      if (const auto it = related_.find(key(&f, (*row)[0])); it != related_.end())
        targets.insert(targets.end(), it->second->begin(), it->second->end());
    }
    prefetch(*vf.view, targets, depth + 1);
  }
}

RowCache::RowsPtr RowCache::owned_rows(const Field& field, const Value& owner) {
  std::string k = key(&field, owner);
  if (const auto it = owned_.find(k); it != owned_.end()) return it->second;
  auto rows = std::make_shared<const std::vector<Row>>(store_.owned_rows(field, owner));
  limit_size();
  owned_.emplace(std::move(k), rows);
  return rows;
}

FragmentCache::Json RowCache::fragment(const std::string& key) {
  if (!fragments_) return nullptr;
  return fragments_->find(key, version_,
                          [this]() -> const KindGenerations& { return kind_generations(); });
}

void RowCache::store_fragment(const std::string& key, const View& view, std::string json) {
  if (fragments_)
    fragments_->insert(key, std::make_shared<const std::string>(std::move(json)), version_,
                       view_reads(view));
}

std::string Serializer::fragment_key(const View& view, const Value& id) const {
  std::string key = RowCache::key(&view, id);
  key += '\0';
  key += urls_.base;
  key += '\0';
  key += urls_.format_suffix;
  key += '\0';
  key += urls_.query;
  key += '\0';
  key += urls_.prefix;
  return key;
}

FragmentCache::Json Serializer::cached(const View& view, const Value& id) {
  return cache_.fragment(fragment_key(view, id));
}

void Serializer::write_cached(json::Writer& out, const View& view, const Row& row) {
  const std::string key = fragment_key(view, row[0]);
  if (const auto kept = cache_.fragment(key)) {
    out.raw(*kept);
    return;
  }
  render_and_keep(out, view, row, key);
}

void Serializer::write_and_keep(json::Writer& out, const View& view, const Row& row) {
  render_and_keep(out, view, row, fragment_key(view, row[0]));
}

void Serializer::render_and_keep(json::Writer& out, const View& view, const Row& row,
                                 const std::string& key) {
  std::string json;
  json::Writer fresh(json);
  write(fresh, view, row);
  out.raw(json);
  cache_.store_fragment(key, view, std::move(json));
}

void Serializer::write_column(json::Writer& out, const Field& field, const Value& v) {
  if (is_null(v)) {
    out.null();
    return;
  }
  switch (field.type) {
    case ColumnType::Integer:
      if (const auto* i = std::get_if<int64_t>(&v))
        out.integer(*i);
      else if (const auto* d = std::get_if<double>(&v))
        out.integer(static_cast<int64_t>(*d));
      else
        out.null();
      return;
    case ColumnType::Float:  // in the form it was imported in (sql::keeps_integer_form)
      if (const auto* d = std::get_if<double>(&v))
        out.number(*d);
      else if (const auto* i = std::get_if<int64_t>(&v))
        out.integer(*i);
      else
        out.null();
      return;
    case ColumnType::Boolean:
      out.boolean(std::get_if<int64_t>(&v) != nullptr && std::get<int64_t>(v) != 0);
      return;
    case ColumnType::DateTime:
      if (const auto* i = std::get_if<int64_t>(&v))
        out.string(datetime::format_datetime(*i));
      else
        out.null();
      return;
    case ColumnType::Duration:
      if (const auto* i = std::get_if<int64_t>(&v))
        out.string(datetime::format_duration(*i));
      else
        out.null();
      return;
    case ColumnType::Text:
    case ColumnType::Date:
      if (const auto* s = std::get_if<std::string>(&v))
        out.string(*s);
      else
        out.null();
      return;
  }
}

void Serializer::write(json::Writer& out, const View& view, const Row& row) {
  json::Writer* const outer = out_;
  out_ = &out;
  out.begin_object();
  for (const auto& vf : view.fields) {
    out.key(vf.key);
    vf.type->write(*this, vf, view, row);
  }
  out.end_object();
  out_ = outer;
}

json::Writer& Serializer::json() {
  return *out_;
}

void Serializer::column(const Field& field, const Value& value) {
  write_column(*out_, field, value);
}

void Serializer::url(std::string_view segment, const Value& id) {
  std::string url;
  url.reserve(urls_.base.size() + urls_.prefix.size() + segment.size() + urls_.query.size() + 48);
  url += urls_.base;
  url += urls_.prefix;
  url += segment;
  url += '/';
  url += id_text(id);
  url +=
      urls_.format_suffix.empty() ? std::string_view("/") : std::string_view(urls_.format_suffix);
  url += urls_.query;
  out_->string(url);
}

void Serializer::object(const View& view, const Row& row) {
  write(*out_, view, row);
}

RowCache::RowPtr Serializer::load(const Kind& kind, const Value& id) {
  return cache_.load(kind, id);
}

RowCache::IdsPtr Serializer::related_ids(const Kind& owner_kind, const Field& field,
                                         const Value& owner) {
  return cache_.related_ids(owner_kind, field, owner);
}

RowCache::RowsPtr Serializer::owned_rows(const Field& field, const Value& owner) {
  return cache_.owned_rows(field, owner);
}

void Serializer::write_composed(json::Writer& out, const View& view, const ComposedObject& object) {
  out.begin_object();
  for (const auto& vf : view.fields) {
    out.key(vf.key);
    const ComposedObject::Relation* r = vf.field != nullptr ? object.find(*vf.field) : nullptr;
    if (const std::string* constant = vf.type->constant(vf)) {
      out.string(*constant);
    } else if (vf.view == nullptr) {
      out.null();  // a composed object has no id, url or columns of its own
    } else if (!vf.many) {
      if (r != nullptr && !r->object.empty())
        write_composed(out, *vf.view, r->object.front());
      else
        out.null();
    } else {
      out.begin_array();
      if (r != nullptr) {
        for (const auto& row : r->rows) write(out, *vf.view, row);
        cache_.prefetch(*vf.view, r->ids);
        for (const auto& id : r->ids) {
          if (const auto row = cache_.load(*vf.field->target_kind, id))
            write_cached(out, *vf.view, *row);
        }
      }
      out.end_array();
    }
  }
  out.end_object();
}

}  // namespace ll2::api
