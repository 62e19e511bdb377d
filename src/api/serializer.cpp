#include "api/serializer.hpp"

#include "util/datetime.hpp"

namespace ll2::api {

namespace {
constexpr size_t kMaxFragmentBytes = size_t{64} << 20;  // rendered JSON, per worker thread

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
    fragments_.clear();
    fragment_bytes_ = 0;
    version_ = v;
    have_version_ = true;
  }
}

void RowCache::limit_size() {
  if (rows_.size() + related_.size() >= max_entries_) {
    rows_.clear();
    related_.clear();
  }
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

std::string* RowCache::fragment(const std::string& key) {
  const auto it = fragments_.find(key);
  return it == fragments_.end() ? nullptr : &it->second;
}

void RowCache::store_fragment(const std::string& key, std::string json) {
  if (fragment_bytes_ + json.size() > kMaxFragmentBytes) {
    fragments_.clear();
    fragment_bytes_ = 0;
  }
  fragment_bytes_ += json.size();
  fragments_.emplace(key, std::move(json));
}

void Serializer::write_cached(json::Writer& out, const View& view, const Row& row) {
  std::string key = RowCache::key(&view, row[0]);
  key += '\0';
  key += urls_.base;
  key += '\0';
  key += urls_.format_suffix;
  key += '\0';
  key += urls_.query;
  if (const std::string* cached = cache_.fragment(key)) {
    out.raw(*cached);
    return;
  }
  std::string json;
  json::Writer fresh(json);
  write(fresh, view, row);
  out.raw(json);
  cache_.store_fragment(key, std::move(json));
}

void write_id(json::Writer& out, const Value& id) {
  if (const auto* i = std::get_if<int64_t>(&id)) {
    out.integer(*i);
  } else if (const auto* s = std::get_if<std::string>(&id)) {
    out.string(*s);
  } else {
    out.null();
  }
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
    case ColumnType::Float:
      if (const auto* d = std::get_if<double>(&v))
        out.number(*d);
      else if (const auto* i = std::get_if<int64_t>(&v))
        out.number(static_cast<double>(*i));
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
  out.begin_object();
  for (const auto& vf : view.fields) {
    out.key(vf.key);
    switch (vf.emit) {
      case Emit::Id:
        write_id(out, row[0]);
        break;
      case Emit::Column:
        write_column(out, *vf.field, row[static_cast<size_t>(vf.field->column)]);
        break;
      case Emit::Url: {
        std::string url;
        url.reserve(urls_.base.size() + vf.text.size() + urls_.query.size() + 48);
        url += urls_.base;
        url += "/2.3.0/";
        url += vf.text;
        url += '/';
        url += id_text(row[0]);
        url += urls_.format_suffix.empty() ? std::string_view("/")
                                           : std::string_view(urls_.format_suffix);
        url += urls_.query;
        out.string(url);
        break;
      }
      case Emit::Mode:
        out.string(vf.text);
        break;
      case Emit::Nested: {
        RowCache::RowPtr nested;
        if (vf.field->relation == Relation::Reverse) {  // one-to-one: the first, if any
          const RowCache::IdsPtr ids = cache_.related_ids(*view.kind, *vf.field, row[0]);
          if (!ids->empty()) nested = cache_.load(*vf.field->target_kind, ids->front());
        } else {
          const Value& target = row[static_cast<size_t>(vf.field->column)];
          if (!is_null(target)) nested = cache_.load(*vf.field->target_kind, target);
        }
        if (!nested) {
          out.null();
        } else {
          write(out, *vf.view, *nested);
        }
        break;
      }
      case Emit::NestedList: {
        out.begin_array();
        if (vf.field->relation == Relation::Rows) {
          for (const auto& r : cache_.store().owned_rows(*vf.field, row[0]))
            write(out, *vf.view, r);
        } else {
          const RowCache::IdsPtr ids = cache_.related_ids(*view.kind, *vf.field, row[0]);
          for (const auto& id : *ids) {
            if (const auto r = cache_.load(*vf.field->target_kind, id)) write(out, *vf.view, *r);
          }
        }
        out.end_array();
        break;
      }
    }
  }
  out.end_object();
}

}  // namespace ll2::api
