// Routing: which view a request's path names (DRF's router patterns below
// each version's prefix, and ll2d's own paths), before anything is read.
#pragma once

#include <string>
#include <string_view>

#include "api/declarations.hpp"

namespace ll2::api::stages {

struct Route {
  enum Kind {
    None,
    Root,
    Schema,
    Health,
    Live,
    Ready,
    Changes,
    LivePage,    // /ll2d/live/ (Live is /healthz)
    FeedSchema,  // /ll2d/schema/
    List,
    Detail,
    ApiThrottle
  } kind = None;
  const Resource* resource = nullptr;
  const model::Action* action = nullptr;  // launches/upcoming
  std::string id;
  std::string format;                 // from a format suffix (docking_events/609.json)
  const Registry* version = nullptr;  // the API version the path is of
  const Mode* mode = nullptr;         // a mode's own list route (2.4.0's launches/mini/)
};

// DRF's router patterns below a version's prefix: `prefix/` and
// `prefix/{pk}/` with pk in [^/.]+, plus format-suffix variants
// `prefix.json` and `prefix/{pk}.json` (suffix in [a-z0-9]+, trailing slash
// optional). A prefix may have several segments (config/orbits,
// launches/upcoming).
Route route(const model::Catalog& catalog, std::string_view path);

}  // namespace ll2::api::stages
