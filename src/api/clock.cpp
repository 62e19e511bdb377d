#include "api/clock.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace ll2::api {

namespace {

// When the time plus `edge.offset` first reaches a stored value of the
// edge's column: the smallest value at or past it, less the offset.
std::optional<int64_t> crossing(const model::ClockEdge& edge, int64_t now, store::Store& store,
                                RowCache& rows) {
  const model::Field* field = edge.kind->field(edge.path);
  if (field == nullptr || field->relation != model::Relation::Column ||
      field->type != model::ColumnType::DateTime)
    return std::nullopt;
  store::ListQuery q;
  q.kind = edge.kind;
  q.where = model::Predicate::compare(edge.path, model::Lookup::Gte, now + edge.offset);
  q.order = {{edge.path, false}};
  q.limit = 1;
  q.offset = 0;
  q.count = false;
  const store::Page next = store.list(q);
  if (next.ids.empty()) return std::numeric_limits<int64_t>::max();
  const auto row = rows.load(*edge.kind, next.ids.front());
  const Value* value = row ? &(*row)[static_cast<size_t>(field->column)] : nullptr;
  const auto* at = value != nullptr ? std::get_if<int64_t>(value) : nullptr;
  if (at == nullptr) return std::nullopt;
  return *at - edge.offset;
}

}  // namespace

std::optional<int64_t> clock_expiry(const std::vector<model::ClockEdge>& edges, int64_t now,
                                    store::Store& store, RowCache& rows) {
  int64_t expires = std::numeric_limits<int64_t>::max();
  for (size_t i = 0; i < edges.size(); ++i) {
    const auto& edge = edges[i];
    const auto same = [&edge](const model::ClockEdge& e) {
      return e.kind == edge.kind && e.path == edge.path && e.offset == edge.offset;
    };
    if (std::any_of(edges.begin(), edges.begin() + static_cast<std::ptrdiff_t>(i), same)) continue;
    const auto at = crossing(edge, now, store, rows);
    if (!at || *at <= now) return std::nullopt;
    expires = std::min(expires, *at);
  }
  return expires;
}

}  // namespace ll2::api
