// How long an answer that depends on the time stays true. An upcoming list
// (NET from 24 hours ago on) holds the same rows until the time passes one
// of their NETs; the stored data tells when that is, so the answer can be
// reused until then instead of rendered again for every request.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "api/serializer.hpp"
#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::api {

// The first instant (microseconds, UTC) after which the queries that noted
// `edges` at `now` may match other rows, from the stored values of their
// paths: INT64_MAX when no stored value lies ahead of any edge; nullopt when
// it cannot be told (a path through a relation, a value that is no time) or
// is `now` itself. Reads in the request's snapshot.
std::optional<int64_t> clock_expiry(const std::vector<model::ClockEdge>& edges, int64_t now,
                                    store::Store& store, RowCache& rows);

}  // namespace ll2::api
