#include "api/openapi.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "api/docs.hpp"
#include "json/writer.hpp"

namespace ll2::api {

namespace {

using Writer = json::Writer;

using model::TypeFormat;
using model::write_ref;
using model::write_type;

// The type of one element of a filter's value.
TypeFormat value_type(const Filter& f) {
  switch (f.kind) {
    case ValueKind::DateTime:
      return {"string", "date-time"};
    case ValueKind::Date:
      return {"string", "date"};
    case ValueKind::Boolean:
      return {"boolean"};
    case ValueKind::Text:
      return {"string"};
    case ValueKind::Uuid:
      return {"string", "uuid"};
    case ValueKind::Decimal:
      return {"number"};
    case ValueKind::Choice:
    case ValueKind::MultipleChoice:
      return f.integer ? TypeFormat{"integer"} : TypeFormat{"string", "uuid"};  // an id
    case ValueKind::Number:
    case ValueKind::Auto:
      break;
  }
  return f.integer ? TypeFormat{"integer"} : TypeFormat{"number", "float"};
}

void value_schema(Writer& w, const Filter& f) {
  w.begin_object();
  write_type(w, value_type(f));
  w.end_object();
}

void view_schema(Writer& w, const View& v) {
  w.begin_object();
  w.key("type");
  w.string("object");
  w.key("properties");
  w.begin_object();
  for (const auto& vf : v.fields) {
    w.key(vf.key);
    w.begin_object();
    vf.type->schema(w, vf, v);
    w.end_object();
  }
  w.end_object();
  w.end_object();
}

}  // namespace

void write_filter_parameter(json::Writer& w, const Filter& f) {
  const bool many = f.csv || f.kind == ValueKind::MultipleChoice;
  w.begin_object();
  w.key("in");
  w.string("query");
  w.key("name");
  w.string(f.param);
  w.key("schema");
  if (many) {
    w.begin_object();
    w.key("type");
    w.string("array");
    w.key("items");
    value_schema(w, f);
    w.end_object();
    w.key("explode");
    w.boolean(f.kind == ValueKind::MultipleChoice);
    w.key("style");
    w.string("form");
  } else {
    value_schema(w, f);
  }
  w.end_object();
}

namespace {

struct Parameter {
  std::string name;
  std::function<void(Writer&)> write;  // the whole parameter object
};

Parameter query_parameter(const std::string& name, std::function<void(Writer&)> schema,
                          std::string description = {}) {
  return {name,
          [name, schema = std::move(schema), description = std::move(description)](Writer& w) {
            w.begin_object();
            w.key("in");
            w.string("query");
            w.key("name");
            w.string(name);
            w.key("schema");
            schema(w);
            if (!description.empty()) {
              w.key("description");
              w.string(description);
            }
            w.end_object();
          }};
}

// With a `mode` parameter the list is polymorphic (one schema per mode);
// otherwise it prints one view.
bool polymorphic(const model::Version& version, const Resource& r) {
  return r.mode_parameter && !version.mode_routes;
}

std::vector<Parameter> list_parameters(const model::Version& version, const Resource& r,
                                       const model::Action* action) {
  std::vector<Parameter> out;
  if (!r.paginated) return out;
  for (const Filter* f : route_filters(r, action))
    out.push_back({f->param, [f](Writer& w) { write_filter_parameter(w, *f); }});
  const auto integer = [](Writer& w) {
    w.begin_object();
    w.key("type");
    w.string("integer");
    w.end_object();
  };
  const auto string = [](Writer& w) {
    w.begin_object();
    w.key("type");
    w.string("string");
    w.end_object();
  };
  out.push_back(query_parameter("limit", integer, "Number of results to return per page."));
  out.push_back(
      query_parameter("offset", integer, "The initial index from which to return the results."));
  out.push_back(
      query_parameter("ordering", string, "Which field to use when ordering the results."));
  out.push_back(query_parameter("search", string, "A search term."));
  if (polymorphic(version, r)) {
    std::vector<std::string> modes;
    for (const auto& m : r.modes) modes.push_back(m.name);
    std::sort(modes.begin(), modes.end());
    out.push_back(query_parameter(
        "mode",
        [modes](Writer& w) {
          w.begin_object();
          w.key("type");
          w.string("string");
          w.key("enum");
          w.begin_array();
          for (const auto& m : modes) w.string(m);
          w.end_array();
          w.end_object();
        },
        "Level of detail in the response."));
  }
  std::sort(out.begin(), out.end(),
            [](const Parameter& a, const Parameter& b) { return a.name < b.name; });
  return out;
}

// The view a route's list prints without a `mode`: a mode's own route's,
// else the resource's default.
const std::string& route_view(const model::Route& route) {
  return route.mode != nullptr ? route.mode->view
                               : route.resource->mode(route.resource->list_mode)->view;
}

std::string list_schema_name(const model::Version& version, const model::Route& route) {
  if (!polymorphic(version, *route.resource)) return "Paginated" + route_view(route) + "List";
  return "PaginatedPolymorphic" + route.resource->schema_name + "List";
}

std::string item_schema_name(const model::Version& version, const model::Route& route) {
  if (!polymorphic(version, *route.resource)) return route_view(route);
  return "Polymorphic" + route.resource->schema_name;
}

// An operation's responses: 200 with JSON of the named schema.
void ok_response(Writer& w, const std::string& schema) {
  w.key("responses");
  w.begin_object();
  w.key("200");
  w.begin_object();
  w.key("content");
  w.begin_object();
  w.key("application/json");
  w.begin_object();
  w.key("schema");
  write_ref(w, schema);
  w.end_object();
  w.end_object();
  w.key("description");
  w.string("");
  w.end_object();
  w.end_object();
}

void operation(Writer& w, const model::Version& version, const model::Route& route, bool detail) {
  const Resource& r = *route.resource;
  const model::Action* action = route.action;
  std::string operation_id = route.path;
  std::replace(operation_id.begin(), operation_id.end(), '/', '_');
  w.begin_object();
  w.key("get");
  w.begin_object();
  w.key("operationId");
  w.string(operation_id + (detail ? "_retrieve" : "_list"));
  const std::string title = action != nullptr ? action->title + " " : "";
  if (r.openapi_summary) {
    w.key("summary");
    w.string(detail ? "Get " + title + r.singular : "List " + title + r.plural);
  }
  w.key("description");
  std::string description = resource_docs_markdown(version, r, action, {true, {}});
  while (!description.empty() && description.back() == '\n') description.pop_back();
  w.string(description);
  w.key("parameters");
  w.begin_array();
  if (detail) {
    for (const Filter& f : r.filters)
      if (f.on_detail) write_filter_parameter(w, f);
    const bool uuid = r.kind->id_type == IdType::Uuid;
    w.begin_object();
    w.key("in");
    w.string("path");
    w.key("name");
    w.string("id");
    w.key("schema");
    w.begin_object();
    write_type(w, uuid ? TypeFormat{"string", "uuid"} : TypeFormat{"integer"});
    w.end_object();
    w.key("description");
    w.string(
        (uuid ? "A UUID string identifying this " : "A unique integer value identifying this ") +
        r.singular + ".");
    w.key("required");
    w.boolean(true);
    w.end_object();
  } else {
    for (const auto& p : list_parameters(version, r, action)) p.write(w);
  }
  w.end_array();
  w.key("tags");
  w.begin_array();
  for (const auto& t : action != nullptr && !action->tags.empty() ? action->tags : r.tags)
    w.string(t);
  w.end_array();
  ok_response(w, detail ? r.mode(r.detail_mode)->view : list_schema_name(version, route));
  w.end_object();
  w.end_object();
}

// The throttle's report (http/throttle.cpp answers it), as LL2 documents it.
constexpr const char* kThrottleSchema = "APIThrottle";

void throttle_operation(Writer& w, const model::Version& version) {
  w.key(version.prefix + version.throttle_path + "/");
  w.begin_object();
  w.key("get");
  w.begin_object();
  w.key("operationId");
  std::string operation_id = version.throttle_path;
  std::replace(operation_id.begin(), operation_id.end(), '/', '_');
  std::replace(operation_id.begin(), operation_id.end(), '-', '_');
  w.string(operation_id);
  w.key("description");
  w.string("Returns throttle information for the current user");
  w.key("summary");
  w.string("Get API throttle status");
  w.key("tags");
  w.raw(R"(["api-throttle"])");
  ok_response(w, kThrottleSchema);
  w.end_object();
  w.end_object();
}

void throttle_schema(Writer& w) {
  w.key(kThrottleSchema);
  w.raw(R"({"type":"object","properties":{"your_request_limit":{"type":"integer"},)"
        R"("limit_frequency_secs":{"type":"integer"},"current_use":{"type":"integer"},)"
        R"("next_use_secs":{"type":"integer"},"ident":{"type":"string"}},"required":)"
        R"(["current_use","ident","limit_frequency_secs","next_use_secs","your_request_limit"]})");
}

// PaginatedX and PolymorphicX wrappers of a route's list.
void wrapper_schemas(Writer& w, const model::Version& version, const model::Route& route) {
  const Resource& r = *route.resource;
  if (polymorphic(version, r)) {
    w.key(item_schema_name(version, route));
    w.begin_object();
    w.key("oneOf");
    w.begin_array();
    for (const auto& m : r.modes) write_ref(w, m.view);
    w.end_array();
    w.key("discriminator");
    w.begin_object();
    w.key("propertyName");
    w.string("response_mode");
    w.key("mapping");
    w.begin_object();
    for (const auto& m : r.modes) {
      w.key(m.name);
      w.string(model::schema_ref(m.view));
    }
    w.end_object();
    w.end_object();
    w.end_object();
  }
  if (!r.paginated) return;
  w.key(list_schema_name(version, route));
  w.begin_object();
  w.key("type");
  w.string("object");
  w.key("required");
  w.begin_array();
  w.string("count");
  w.string("results");
  w.end_array();
  w.key("properties");
  w.begin_object();
  w.key("count");
  w.raw(R"({"type":"integer","example":123})");
  w.key("next");
  w.raw(R"({"type":"string","nullable":true,"format":"uri"})");
  w.key("previous");
  w.raw(R"({"type":"string","nullable":true,"format":"uri"})");
  w.key("results");
  w.begin_object();
  w.key("type");
  w.string("array");
  w.key("items");
  write_ref(w, item_schema_name(version, route));
  w.end_object();
  w.end_object();
  w.end_object();
}

}  // namespace

void write_servers(json::Writer& w, const std::string& server) {
  w.key("servers");
  w.begin_array();
  w.begin_object();
  w.key("url");
  w.string(server + "/");
  w.end_object();
  w.end_array();
}

std::string openapi_document(const Registry& registry, const std::string& server) {
  const model::Version& version = registry.version();
  std::string out;
  Writer w(out);
  w.begin_object();
  w.key("openapi");
  w.string("3.0.3");
  w.key("info");
  w.begin_object();
  w.key("title");
  w.string(version.title);
  w.key("version");
  w.string("v" + version.name);
  w.key("license");
  w.raw(R"({"name":"Apache License 2.0"})");
  w.end_object();
  w.key("paths");
  w.begin_object();
  // In path order, as LL2's document lists them (the route table's order).
  bool throttle_due = version.throttle_documented;
  for (const auto& route : registry.routes()) {
    if (throttle_due && route.path > version.throttle_path) {
      throttle_operation(w, version);
      throttle_due = false;
    }
    // LL2's document declares the Starship dashboard an array of one object;
    // LL2 answers the object, and so does ll2d. Like api-throttle (the same
    // error), it is left out rather than documented wrongly.
    if (!route.resource->paginated) continue;
    w.key(version.prefix + route.path + "/");
    operation(w, version, route, false);
    if (!route.detail) continue;
    w.key(version.prefix + route.path + "/{id}/");
    operation(w, version, route, true);
  }
  if (throttle_due) throttle_operation(w, version);
  w.end_object();
  w.key("components");
  w.begin_object();
  w.key("schemas");
  w.begin_object();
  std::map<std::string, const View*> views;
  for (const auto& v : registry.views()) views[v->name] = v.get();
  for (const auto& [name, v] : views) {
    w.key(name);
    view_schema(w, *v);
  }
  if (version.throttle_documented) throttle_schema(w);
  // Each wrapper once: an action's list and a mode's list may share one.
  std::set<std::string> wrapped;
  for (const auto& route : registry.routes()) {
    if (wrapped.insert(list_schema_name(version, route)).second) wrapper_schemas(w, version, route);
  }
  w.end_object();
  w.end_object();
  write_servers(w, server);
  w.end_object();
  return out;
}

}  // namespace ll2::api
