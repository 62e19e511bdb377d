// Objects LL2 computes from its other data instead of storing them (the
// Starship dashboard): each relation a resource's `compose` declares is
// filled by a list query on the store at the request's time.
#pragma once

#include <vector>

#include "api/declarations.hpp"
#include "store/store.hpp"

namespace ll2::api {

struct ComposedObject {
  struct Relation {
    const Field* field = nullptr;
    std::vector<Value> ids;              // a list relation: the objects, in order
    std::vector<Row> rows;               // a Rows relation: its rows
    std::vector<ComposedObject> object;  // a foreign key: the object composed for it (one)
  };
  std::vector<Relation> relations;  // in declaration order; a field declared twice is joined

  const Relation* find(const Field& field) const;
};

// Runs every part's query inside the caller's read snapshot. With `stored`
// (the id of an object of this kind that an import wrote: LL2's own), each
// relation holds what was imported instead, in the imported order.
ComposedObject compose(const std::vector<model::Composed>& parts, store::Store& store,
                       const model::FilterContext& context, const Value* stored = nullptr);

}  // namespace ll2::api
