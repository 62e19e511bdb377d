// /ll2d/schema/: an OpenAPI 3 document of ll2d's own endpoints, outside
// LL2's namespace (the change feed, its stream, the live page), built from
// what the code serves: the kinds and types the feed can emit
// (feed::types_of), its parameters (below), the launch filters it takes.
#pragma once

#include <string>
#include <string_view>

#include "api/engine.hpp"

namespace ll2::api {

inline constexpr std::string_view kFeedSchemaPath = "/ll2d/schema/";

// The change feed's own parameters (feed::ChangeParams reads them), besides
// the launch filters: what the document lists for /ll2d/changes/ and its
// stream.
enum class ChangeParameterValue { Sequence, Limit, Kinds, Types, Text };
struct ChangeParameter {
  std::string_view name;
  ChangeParameterValue value;
  std::string_view description;
};
inline constexpr ChangeParameter kChangeParameters[] = {
    {"since", ChangeParameterValue::Sequence,
     "Entries after this sequence number (default 0: the oldest kept)."},
    {"limit", ChangeParameterValue::Limit, "At most this many entries."},
    {"kinds", ChangeParameterValue::Kinds, "Only entries of these kinds, comma-separated."},
    {"types", ChangeParameterValue::Types,
     "Only entries carrying one of these types, comma-separated."},
    {"id", ChangeParameterValue::Text, "Only this object's entries."},
};

// Whether `name` is one of them (which then is not read as a launch filter:
// `id` is both).
constexpr bool is_change_parameter(std::string_view name) {
  for (const auto& p : kChangeParameters) {
    if (p.name == name) return true;
  }
  return false;
}

// The document as JSON; `server` is the scheme and host it names, `first`
// the first API version (its kinds, and its launch filters the feed takes).
std::string feed_openapi_document(const model::Registry& first, const std::string& server);

// GET and HEAD of /ll2d/schema/ (405 otherwise), as /2.3.0/schema/ is served.
Response feed_schema_view(const Request& request, const model::Registry& first,
                          const std::string& server);

}  // namespace ll2::api
