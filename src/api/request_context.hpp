// What the stages of a request share (engine.cpp runs them in order): the
// request as they read it, the route, how an API response is finished.
// Internal to src/api.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "api/engine.hpp"
#include "api/routing.hpp"
#include "api/serializer.hpp"
#include "util/query_string.hpp"

namespace ll2::api {

// A worker thread's connection and row cache, one per engine (engine.cpp).
struct Engine::ThreadState {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<RowCache> cache;
  std::chrono::steady_clock::time_point opened;
};

}  // namespace ll2::api

namespace ll2::api::stages {

enum class Format { Json, Html };

// What every response of an LL2 view carries (its http_method_names is
// ['get'], and renderers are chosen by Accept).
inline constexpr const char* kAllow = "GET";
inline constexpr const char* kVary = "Accept";

struct Context {
  const Request& request;
  const model::Catalog& catalog;  // every version served
  std::string path;               // decoded path
  std::string query;              // raw query string
  text::QueryParams params;
  std::string base;  // scheme://host
  Format format = Format::Json;
  int indent = 0;   // JSON: Accept's `indent` parameter (0: compact)
  UrlContext urls;  // how URLs in the body are built
};

// The request's path (decoded) and query, as handle() reads them.
Context request_context(const Request& request, const model::Catalog& catalog,
                        const std::string& public_url);

// DRF's answer to an error raised before a renderer was chosen: JSON
// {"detail": ...} with the view's Allow and Vary headers.
Response json_error(int status, std::string_view message, bool omit_body = false);

// Renders `json_body` as the negotiated format chose (JSON, or the browsable
// page showing it, with `count` for a list) with the view's headers.
void finish(Response& r, const Context& ctx, const Route& route, std::string json_body,
            int64_t count = -1);

// The absolute URL of this path with `query` (a list's next and previous).
std::string page_link(const Context& ctx, const std::string& query);

// The last stage of an API response: an entity tag of its bytes (the same
// on every node running this ll2d), and 304 Not Modified when the client
// has them already. As Django's ConditionalGetMiddleware answers a 304: the
// headers but no body and no Content-Type.
void conditional_get(const Request& request, Response& r);

}  // namespace ll2::api::stages
