// Deterministic synthetic LL2 data: the same events and seed always give the
// same bytes. The world is written to a store in batches (world.hpp) and
// every page is rendered from it by the engine, so the pages are exactly
// what `ll2d serve` answers for them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/schema.hpp"

namespace ll2::ingest {

struct GenerateOptions {
  int64_t events = 1000;  // docking events; everything else is scaled to them
  uint64_t seed = 1;
  std::string out_dir;
  int64_t page_size = 100;
  // Routes to write pages for (docking_events, launches, config/orbits);
  // empty: every paginated route. The world is the same either way.
  std::vector<std::string> only;
  // Where the world is built; empty: a temporary file in out_dir, removed
  // afterwards. A given file must not exist yet, and is kept.
  std::string db_path;
  // Threads rendering pages, each a fixed run of each route's pages; the
  // same number always gives the same bytes.
  int threads = 1;
  // Objects written to the store per transaction while the world is built,
  // and ids of a route read ahead per query while its pages are rendered
  // (about 10 MB of UUIDs): what bounds memory. The bytes are the same for
  // any sizes; tests make them tiny.
  int64_t batch_objects = 20'000;
  int64_t id_window = 100'000;
  std::function<void(const std::string&)> progress;  // progress lines, may be empty
  // Figures for a progress line, may be empty: the phase ("world": objects
  // made of about how many; "pages": pages written of all routes'), done and
  // total. A phase's first call comes from the calling thread before any
  // other; later ones from any thread.
  std::function<void(std::string_view phase, int64_t done, int64_t total)> advance;
  // The world's "now" (microseconds since the epoch): its dates move with it,
  // in whole days. Unset: 2025-06-01T00:00:00Z, the world as it always was.
  std::optional<int64_t> now;
  // The API version whose pages are written, each through that version's
  // own list route and prefix (one of the versions the caller serves);
  // nullptr: the first, 2.3.0. The world is the same for every version.
  const model::Registry* version = nullptr;
};

struct GenerateStats {
  int64_t pages = 0;
  int64_t routes = 0;
  int64_t objects = 0;
};

// Pages of `options.version` (nullptr: `catalog`'s first) as it serves them.
std::variant<GenerateStats, std::string> generate(const model::Catalog& catalog,
                                                  const GenerateOptions& options);

// Where the pages of `route` (a resource's path, in every version) go:
// docking events at the top of out_dir (as ever), every other route in
// out_dir/<route>/.
std::string route_directory(const std::string& out_dir, const std::string& route);

}  // namespace ll2::ingest
