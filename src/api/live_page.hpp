// /ll2d/live/: a page of the next launches with countdowns that follows the
// change stream (/ll2d/changes/stream) as NETs and statuses change, without
// a reload. Plain HTML, CSS and JavaScript served by ll2d: no external assets.
#pragma once

#include <string_view>

#include "api/engine.hpp"
#include "store/store.hpp"

namespace ll2::api {

inline constexpr std::string_view kLivePagePath = "/ll2d/live/";

// The page (GET and HEAD; 405 otherwise). Its embedded configuration holds
// the change log's end, read in a snapshot, so the stream it opens starts
// where the launches it lists were read: nothing falls between. `prefix` is
// the API version whose upcoming launches it lists ("/2.3.0/").
Response live_page(const Request& request, store::Store& store, store::Deadline deadline,
                   std::string_view prefix);

}  // namespace ll2::api
