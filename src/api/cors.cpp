// django-cors-headers' middleware around the engine's answers.
#include <algorithm>
#include <cctype>

#include "api/engine.hpp"
#include "util/text.hpp"

namespace ll2::api {

namespace {

// django-cors-headers' defaults.
constexpr const char* kCorsAllowHeaders =
    "accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, "
    "x-csrftoken, x-requested-with";
constexpr const char* kCorsAllowMethods = "DELETE, GET, OPTIONS, PATCH, POST, PUT";
constexpr const char* kCorsMaxAge = "86400";

// Django's patch_vary_headers: add a header name unless it is there already.
void add_vary(Response& r, std::string_view name) {
  for (auto& [key, value] : r.headers) {
    if (key != "Vary") continue;
    for (const std::string_view v : text::split_stripped(value, ',')) {
      if (std::equal(v.begin(), v.end(), name.begin(), name.end(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return;
    }
    value += ", ";
    value += name;
    return;
  }
  r.headers.emplace_back("Vary", std::string(name));
}

// The scheme and host[:port] of an origin, as urlsplit compares them.
std::string origin_key(std::string_view origin) {
  std::string out(origin);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

void Engine::apply_cors(const Request& request, Response& response) const {
  add_vary(response, "origin");
  if (request.origin.empty()) return;
  if (options_.cors_origins.empty()) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else {
    const std::string key = origin_key(request.origin);
    if (std::find(options_.cors_origins.begin(), options_.cors_origins.end(), key) ==
        options_.cors_origins.end())
      return;
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(request.origin));
  }
  if (request.method == "OPTIONS") {
    response.headers.emplace_back("Access-Control-Allow-Headers", kCorsAllowHeaders);
    response.headers.emplace_back("Access-Control-Allow-Methods", kCorsAllowMethods);
    response.headers.emplace_back("Access-Control-Max-Age", kCorsMaxAge);
  }
}

Response Engine::handle_with_cors(const Request& request) const {
  Response response;
  if (request.method == "OPTIONS" && request.preflight_method) {
    // A preflight is answered before any view: 200, empty (the middleware's
    // own HttpResponse), on any path.
    response.content_type = "text/html; charset=utf-8";
  } else {
    response = handle(request);
  }
  apply_cors(request, response);
  return response;
}

}  // namespace ll2::api
