// ll2d's own OpenAPI 3 document, generated from the declarations: every
// served route with its parameters, and every view as a component schema
// with its properties in wire order. Served at /2.3.0/schema/; a test
// compares it with LL2's published document.
#pragma once

#include <string>

#include "api/declarations.hpp"
#include "json/writer.hpp"

namespace ll2::api {

// The document as JSON; `server` is the scheme and host it names.
std::string openapi_document(const Registry& registry, const std::string& server);

// A filter as a query parameter object (its value's type; an array for a
// comma-separated or repeated one): also what /ll2d/schema/ lists.
void write_filter_parameter(json::Writer& w, const Filter& f);
// A document's `servers`: the one ll2d answers at (`server` + "/").
void write_servers(json::Writer& w, const std::string& server);

}  // namespace ll2::api
