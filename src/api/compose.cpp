#include "api/compose.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

namespace ll2::api {

const ComposedObject::Relation* ComposedObject::find(const Field& field) const {
  for (const auto& r : relations) {
    if (r.field == &field) return &r;
  }
  return nullptr;
}

namespace {

store::ListQuery query(const model::Composed& c) {
  store::ListQuery q;
  q.kind = c.source;
  for (const auto& o : c.order) {
    const bool descending = o.starts_with('-');
    q.order.push_back({descending ? o.substr(1) : o, descending});
  }
  q.limit = c.limit > 0 ? c.limit : INT64_MAX;
  q.offset = 0;
  q.count = false;
  return q;
}

std::vector<Value> select_ids(const model::Composed& c, store::Store& store,
                              const model::FilterContext& context) {
  store::ListQuery q = query(c);
  if (c.where) {
    q.where = c.where(context);
    context.note_clock(*q.kind, q.where);
  }
  return store.list(q).ids;
}

// The objects a stored object lists under the part's field, in the order
// they were imported (LL2's).
std::vector<Value> stored_ids(const model::Composed& c, store::Store& store, const Value& owner) {
  return store.related_ids(*c.target->owner, *c.target, owner);
}

std::string id_key(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

// The selected objects' rows, owner by owner in selection order, as rows of
// the composed relation's kind.
std::vector<Row> select_rows(const model::Composed& c, store::Store& store,
                             const model::FilterContext& context) {
  const std::vector<Value> owners = select_ids(c, store, context);
  std::vector<Row> out;
  if (owners.empty()) return out;
  std::map<std::string, std::vector<Row>> by_owner;
  for (auto& [owner, row] : store.owned_rows_many(*c.source_rows, owners))
    by_owner[id_key(owner)].push_back(std::move(row));
  const Kind& kind = *c.target->target_kind;
  for (const auto& owner : owners) {
    for (const Row& source : by_owner[id_key(owner)]) {
      Row row(static_cast<size_t>(kind.column_count) + 1);
      size_t k = 0;
      for (const auto& f : kind.fields) {
        if (f.relation != Relation::Column) continue;
        const Field* from = c.row_columns[k++];
        if (from != nullptr)
          row[static_cast<size_t>(f.column)] = source[static_cast<size_t>(from->column)];
      }
      out.push_back(std::move(row));
    }
  }
  return out;
}

ComposedObject::Relation& relation_for(ComposedObject& object, const Field* field) {
  for (auto& r : object.relations) {
    if (r.field == field) return r;
  }
  object.relations.push_back({field, {}, {}, {}});
  return object.relations.back();
}

// An imported object's relation as it was imported (once per field).
void fill_stored(ComposedObject::Relation& r, const model::Composed& c, store::Store& store,
                 const model::FilterContext& context, const Value& owner) {
  switch (c.target->relation) {
    case Relation::ForeignKey: {
      const auto row = store.load(*c.target->owner, owner);
      const Value* target = row ? &(*row)[static_cast<size_t>(c.target->column)] : nullptr;
      if (target != nullptr && !is_null(*target))
        r.object.assign(1, compose(c.parts, store, context, target));
      break;
    }
    case Relation::Rows:
      r.rows = store.owned_rows(*c.target, owner);
      break;
    default:
      r.ids = stored_ids(c, store, owner);
      break;
  }
}

}  // namespace

ComposedObject compose(const std::vector<model::Composed>& parts, store::Store& store,
                       const model::FilterContext& context, const Value* stored) {
  ComposedObject object;
  for (const auto& c : parts) {
    const bool seen = object.find(*c.target) != nullptr;
    ComposedObject::Relation& r = relation_for(object, c.target);
    if (stored != nullptr) {
      if (!seen) fill_stored(r, c, store, context, *stored);
      continue;
    }
    switch (c.target->relation) {
      case Relation::ForeignKey:
        r.object.assign(1, compose(c.parts, store, context));
        break;
      case Relation::Rows:
        // Parts joined on one field may name the same row twice (one stream
        // for a launch and its event): it is listed once.
        for (auto& row : select_rows(c, store, context)) {
          if (std::find(r.rows.begin(), r.rows.end(), row) == r.rows.end())
            r.rows.push_back(std::move(row));
        }
        break;
      default:
        for (auto& id : select_ids(c, store, context)) {
          if (std::find(r.ids.begin(), r.ids.end(), id) == r.ids.end())
            r.ids.push_back(std::move(id));
        }
        break;
    }
  }
  return object;
}

}  // namespace ll2::api
