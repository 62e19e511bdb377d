#include "api/serializer.hpp"

#include <map>
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

// What one level read, kept until its objects are followed: limit_size may
// drop it from the cache meanwhile.
struct RowCache::LevelReads {
  std::unordered_map<std::string, RowPtr> rows;
  std::unordered_map<std::string, IdsPtr> related;
  std::unordered_map<std::string, RowsPtr> owned;
};

namespace {

// What `k` holds: as this level read it, else as the cache holds it.
template <class Map>
typename Map::mapped_type read_or_cached(const Map& read, const Map& cache, const std::string& k) {
  if (const auto it = read.find(k); it != read.end()) return it->second;
  if (const auto it = cache.find(k); it != cache.end()) return it->second;
  return nullptr;
}

// The answer's lists by owner key (RowCache::key of the relation and owner).
template <class T>
std::unordered_map<std::string, std::vector<T>> by_owner(const Field& f,
                                                         std::vector<std::pair<Value, T>>& pairs) {
  std::unordered_map<std::string, std::vector<T>> lists;
  for (auto& [owner, item] : pairs) lists[RowCache::key(&f, owner)].push_back(std::move(item));
  return lists;
}

}  // namespace

void RowCache::prefetch(const View& view, const std::vector<Value>& ids) {
  Level level{{&view, ids}};
  // Views nest a few levels; 16 bounds a cycle.
  for (int depth = 0; depth <= 16 && !level.empty(); ++depth) level = prefetch_level(level);
}

RowCache::Level RowCache::prefetch_level(const Level& level) {
  using What = store::BatchRead::What;
  std::vector<store::BatchRead> reads;
  std::map<std::pair<const void*, const void*>, size_t> read_of;  // (kind, field) -> reads[i]
  std::unordered_set<std::string> asked;
  const auto ask = [&](What what, const Kind& kind, const Field* field, const Value& id) {
    const void* decl = field != nullptr ? static_cast<const void*>(field) : &kind;
    if (!asked.insert(key(decl, id)).second) return;
    const auto [it, added] = read_of.emplace(std::pair{&kind, field}, reads.size());
    if (added) reads.push_back({what, &kind, field, {}});
    reads[it->second].ids.push_back(id);
  };
  for (const auto& [view, ids] : level) {
    const Kind& kind = *view->kind;
    for (const auto& id : ids) {
      if (!rows_.contains(key(&kind, id))) ask(What::Rows, kind, nullptr, id);
    }
    // Relations of id-less rows are not batched (they have no id to own by).
    if (kind.id_type == IdType::None) continue;
    for (const auto& vf : view->fields) {
      if (vf.view == nullptr || vf.field == nullptr) continue;
      const Field& f = *vf.field;
      if (f.relation == Relation::ForeignKey) continue;  // needs the rows: next level
      const bool owned = f.relation == Relation::Rows;
      for (const auto& id : ids) {
        const std::string k = key(&f, id);
        if (!(owned ? owned_.contains(k) : related_.contains(k)))
          ask(owned ? What::OwnedRows : What::RelatedIds, kind, &f, id);
      }
    }
  }
  LevelReads read;
  if (!reads.empty()) {
    // Each answer is kept as it comes: a read cut short by its deadline
    // keeps what it read, and the request asked again gets further.
    store_.read_each(reads,
                     [&](size_t i, store::BatchAnswer& answer) { keep(reads[i], answer, read); });
  }
  Level next;
  std::unordered_set<std::string> queued;
  for (const auto& [view, ids] : level) {
    for (const auto& id : ids) {
      if (const RowPtr row = read_or_cached(read.rows, rows_, key(view->kind, id)))
        follow(*view, *row, read, next, queued);
    }
  }
  return next;
}

// Every id asked for gets an entry (absent rows a null one, owners without
// related objects an empty list), so none is asked for again.
void RowCache::keep(const store::BatchRead& asked, store::BatchAnswer& answer, LevelReads& read) {
  switch (asked.what) {
    case store::BatchRead::What::Rows:
      for (auto& row : answer.rows) {
        std::string k = key(asked.kind, row[0]);
        read.rows.emplace(std::move(k), std::make_shared<const Row>(std::move(row)));
      }
      for (const auto& id : asked.ids) {
        limit_size();
        std::string k = key(asked.kind, id);
        const auto it = read.rows.find(k);
        rows_.emplace(std::move(k), it == read.rows.end() ? nullptr : it->second);
      }
      break;
    case store::BatchRead::What::RelatedIds: {
      auto lists = by_owner(*asked.field, answer.pairs);
      for (const auto& owner : asked.ids) {
        limit_size();
        std::string k = key(asked.field, owner);
        auto ids = std::make_shared<const std::vector<Value>>(std::move(lists[k]));
        read.related.emplace(k, ids);
        related_.emplace(std::move(k), std::move(ids));
      }
      break;
    }
    case store::BatchRead::What::OwnedRows: {
      auto lists = by_owner(*asked.field, answer.owned);
      for (const auto& owner : asked.ids) {
        limit_size();
        std::string k = key(asked.field, owner);
        auto rows = std::make_shared<const std::vector<Row>>(std::move(lists[k]));
        read.owned.emplace(k, rows);
        owned_.emplace(std::move(k), std::move(rows));
      }
      break;
    }
  }
}

void RowCache::follow(const View& view, const Row& row, const LevelReads& read, Level& next,
                      std::unordered_set<std::string>& queued) {
  const auto queue = [&](const View& v, const Value& id) {
    if (queued.insert(key(&v, id)).second) next[&v].push_back(id);
  };
  for (const auto& vf : view.fields) {
    if (vf.view == nullptr || vf.field == nullptr) continue;
    const Field& f = *vf.field;
    if (f.relation == Relation::ForeignKey) {
      const Value& v = row[static_cast<size_t>(f.column)];
      if (!is_null(v)) queue(*vf.view, v);
      continue;
    }
    if (view.kind->id_type == IdType::None) continue;
    const std::string k = key(&f, row[0]);
    if (f.relation == Relation::Rows) {
      if (const RowsPtr owned = read_or_cached(read.owned, owned_, k)) {
        for (const Row& r : *owned) follow(*vf.view, r, read, next, queued);
      }
      continue;
    }
    if (const IdsPtr ids = read_or_cached(read.related, related_, k)) {
      for (const auto& id : *ids) queue(*vf.view, id);
    }
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
