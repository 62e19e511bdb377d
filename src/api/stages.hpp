// The stages of a request before and around the views, in the order
// Engine::handle runs them. Each returns a response when it is the one that
// answers. Internal to src/api.
#pragma once

#include <optional>
#include <string>

#include "api/request_context.hpp"

namespace ll2::api::stages {

// 1. Static assets of the browsable page.
std::optional<Response> static_asset(const Context& ctx);

// 2. A path no route matches: Django's APPEND_SLASH redirect when the
// slashed path would route, else Django's 404 page.
Response not_routed(const Context& ctx);

// 3. Methods: OPTIONS answers DRF's SimpleMetadata; only GET and HEAD go on.
std::optional<Response> method_stage(const Context& ctx, const Route& rt);

// 4. The renderer, by format suffix, `format` or Accept; and how URLs in the
// body carry the format along (DRF's reverse()).
std::optional<Response> negotiation_stage(Context& ctx, const Route& rt);

// 5a. The API root: every route of the version by name.
Response api_root(const Context& ctx, const Route& rt);

// 5b. The version's OpenAPI document, generated once per version where it
// depends on nothing but the declarations (with --public-url).
Response schema_document(const Context& ctx, const Registry& version,
                         const std::string& public_url);

}  // namespace ll2::api::stages
