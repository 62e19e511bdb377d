// The browsable API page (`?format=api`, or Accept: text/html).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "api/declarations.hpp"
#include "util/query_string.hpp"

namespace ll2::api {

struct PageInput {
  const model::Version* version = nullptr;  // the API version the page is of
  const Resource* resource = nullptr;       // null for the API root
  const model::Action* action = nullptr;
  bool is_list = false;
  std::string method;
  std::string full_path;  // decoded path and raw query, as in the request line
  int status = 200;
  const text::QueryParams* params = nullptr;
  std::string base;                                          // scheme://host of absolute URLs
  std::string json;                                          // the compact JSON body the page shows
  int64_t count = -1;                                        // lists: the total, for the pager
  std::vector<std::pair<std::string, std::string>> headers;  // of the JSON response shown
};

// The page's stylesheet, served at /static/ll2d.css, and its ETag.
const std::string& stylesheet();
const std::string& stylesheet_etag();
inline constexpr const char* kStylesheetPath = "/static/ll2d.css";

std::string render_page(const PageInput& page);

const char* status_reason(int status);

}  // namespace ll2::api
