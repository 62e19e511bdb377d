#pragma once

#include <string>

#include "api/declarations.hpp"

namespace ll2::api {

// The endpoint documentation LL2 shows (Modes, Filters, Search, Ordering,
// Number of results, Format, Help) as Markdown, generated from the same
// declaration that drives the queries, so the two cannot disagree.
// `link_suffix` is appended to example links (e.g. "&format=api").
std::string resource_docs_markdown(const Resource& r, const std::string& link_suffix);

// CommonMark to HTML (raw HTML in the source is not passed through).
std::string markdown_to_html(const std::string& markdown);

}  // namespace ll2::api
