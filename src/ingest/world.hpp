// The synthetic LL2 world: every kind an LL2 endpoint lists, generated from
// the declarations (columns, relations, what the pages show) plus the little
// the declarations cannot tell (name vocabularies, the statuses and types
// LL2 has, proportions, which dates come before which). Objects go to the
// store in batches; nothing is held beyond a few small tables.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::ingest {

// The mode a generated page of `r` is rendered in: detailed where the
// resource has it, else the mode of its detail route (its only one).
const model::Mode* page_mode(const model::Resource& r);

// Whether `generate` writes pages for `r` (not for the dashboard: it is not
// paginated, and `serve` composes it from the rest of the world).
bool has_pages(const model::Resource& r);

// How many objects of a kind a world of `events` docking events has, per
// 10,000 events and at least `minimum` (docs/synthetic-world.md's table).
struct Proportion {
  const char* kind;
  int64_t per_10k;
  int64_t minimum;
};
const std::vector<Proportion>& proportions();

using Progress = std::function<void(const std::string&)>;
// Figures for a progress line: objects made so far, of about how many the
// world will hold (an estimate from the planned counts).
using Advance = std::function<void(int64_t done, int64_t expected)>;

// Writes the world into `store` (the kinds and resources of its schema),
// about `batch_objects` objects per transaction, its dates moved by `shift`
// microseconds (world_shift); the number of objects written, or why not.
std::variant<int64_t, std::string> build_world(store::Store& store, int64_t events, uint64_t seed,
                                               const Progress& progress,
                                               size_t batch_objects = 20'000, int64_t shift = 0,
                                               const Advance& advance = {});
// How far a world's dates move for it to be generated at `now` (whole days;
// 0 without one: the world's own now, 2025-06-01T00:00:00Z).
int64_t world_shift(std::optional<int64_t> now);

}  // namespace ll2::ingest
