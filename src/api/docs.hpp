#pragma once

#include <string>
#include <vector>

#include "api/declarations.hpp"

namespace ll2::api {

// The endpoint documentation LL2 shows (Modes, Filters, Search, Ordering,
// Number of results, Format, Help) as Markdown, generated from the same
// declaration that drives the queries, so the two cannot disagree.
// Example links are relative (`./?limit=2`, as LL2's OpenAPI text has them)
// or absolute paths with `link_suffix` appended (e.g. "&format=api").
struct DocLinks {
  bool relative = false;
  std::string suffix;
};
// The docs of a resource's list route, or of one of its actions.
std::string resource_docs_markdown(const model::Version& version, const Resource& r,
                                   const model::Action* action, const DocLinks& links);
// DRF's view name of a route: "Launch", "Upcoming Launch".
std::string route_name(const Resource& r, const model::Action* action);
// The route of a resource or action below its version's prefix (launches/upcoming).
std::string route_path(const Resource& r, const model::Action* action);
// The filters, search fields and modes a route takes, as its docs list them.
std::vector<const Filter*> route_filters(const Resource& r, const model::Action* action);
std::vector<std::string> route_search_fields(const Resource& r, const model::Action* action);

// CommonMark to HTML (raw HTML in the source is not passed through).
std::string markdown_to_html(const std::string& markdown);

}  // namespace ll2::api
