// What an answer reads, in the names ll2d_kind_state keeps generations by:
// the kinds whose rows or relations it prints or selects by, and
// `kind.field` for each foreign key it follows (a derived key filled later
// changes only that). A cached answer outlives every write that touches
// none of them: an import of launches leaves the docking-event lists that
// print no launch as they are.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/declarations.hpp"

namespace ll2::api {

using Reads = std::shared_ptr<const std::vector<std::string>>;
// Each name's generation: when its rows or relations last changed (absent:
// never written, 0).
using KindGenerations = std::unordered_map<std::string, uint64_t>;
// Whether none of `reads` changed after `generation`.
bool unchanged_since(const std::vector<std::string>& reads, uint64_t generation,
                     const KindGenerations& now);

// The kinds a field path passes through, from `kind` on, and each relation
// it follows as `kind.field`.
void kinds_on_path(const Kind& kind, std::string_view path, std::set<std::string>& out);

// What rendering `view` reads, nested views included.
void view_reads(const View& view, std::set<std::string>& out);
// The same, built once per view.
const Reads& view_reads(const View& view);

// What a list or detail of `resource` in `mode` may read: its view's reads
// and every path its filters, search and orderings select by (all of them,
// whichever a request uses). Built once per mode.
const Reads& resource_reads(const Resource& resource, const Mode& mode);

}  // namespace ll2::api
