#include "api/openapi.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

#include "api/docs.hpp"
#include "json/writer.hpp"

namespace ll2::api {

namespace {

using Writer = json::Writer;

std::string ref(const std::string& schema) {
  return "#/components/schemas/" + schema;
}

void write_ref(Writer& w, const std::string& schema) {
  w.begin_object();
  w.key("$ref");
  w.string(ref(schema));
  w.end_object();
}

// "type" and, where there is one, "format" (members of an open object).
struct TypeFormat {
  const char* type;
  const char* format = nullptr;
};

void write_type(Writer& w, TypeFormat t) {
  w.key("type");
  w.string(t.type);
  if (t.format != nullptr) {
    w.key("format");
    w.string(t.format);
  }
}

TypeFormat column_type(ColumnType type) {
  switch (type) {
    case ColumnType::Integer:
      return {"integer"};
    case ColumnType::Float:
      return {"number", "double"};
    case ColumnType::Boolean:
      return {"boolean"};
    case ColumnType::DateTime:
      return {"string", "date-time"};
    case ColumnType::Date:
      return {"string", "date"};
    case ColumnType::Duration:
    case ColumnType::Text:
      break;
  }
  return {"string"};
}

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

void id_schema(Writer& w, const Kind& kind) {
  write_type(w,
             kind.id_type == IdType::Uuid ? TypeFormat{"string", "uuid"} : TypeFormat{"integer"});
  w.key("readOnly");
  w.boolean(true);
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
    switch (vf.emit) {
      case Emit::Id:
        id_schema(w, *v.kind);
        break;
      case Emit::Column:
        write_type(w, column_type(vf.field->type));
        w.key("nullable");
        w.boolean(true);
        break;
      case Emit::Url:
        w.key("type");
        w.string("string");
        w.key("format");
        w.string("uri");
        w.key("readOnly");
        w.boolean(true);
        break;
      case Emit::Mode:
        w.key("type");
        w.string("string");
        w.key("readOnly");
        w.boolean(true);
        w.key("default");
        w.string(vf.text);
        break;
      case Emit::Nested:
        w.key("allOf");
        w.begin_array();
        write_ref(w, vf.view->name);
        w.end_array();
        w.key("nullable");
        w.boolean(true);
        break;
      case Emit::NestedList:
        w.key("type");
        w.string("array");
        w.key("items");
        write_ref(w, vf.view->name);
        break;
    }
    w.end_object();
  }
  w.end_object();
  w.end_object();
}

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

std::vector<Parameter> list_parameters(const Resource& r, const model::Action* action) {
  std::vector<Parameter> out;
  if (!r.paginated) return out;
  for (const Filter* f : route_filters(r, action)) {
    const bool many = f->csv || f->kind == ValueKind::MultipleChoice;
    out.push_back({f->param, [f, many](Writer& w) {
                     w.begin_object();
                     w.key("in");
                     w.string("query");
                     w.key("name");
                     w.string(f->param);
                     w.key("schema");
                     if (many) {
                       w.begin_object();
                       w.key("type");
                       w.string("array");
                       w.key("items");
                       value_schema(w, *f);
                       w.end_object();
                       w.key("explode");
                       w.boolean(f->kind == ValueKind::MultipleChoice);
                       w.key("style");
                       w.string("form");
                     } else {
                       value_schema(w, *f);
                     }
                     w.end_object();
                   }});
  }
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
  if (r.mode_parameter) {
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

std::string list_schema_name(const Resource& r) {
  if (!r.mode_parameter) return "Paginated" + r.modes.front().view + "List";
  return "PaginatedPolymorphic" + r.schema_name + "List";
}

std::string item_schema_name(const Resource& r) {
  if (!r.mode_parameter) return r.modes.front().view;
  return "Polymorphic" + r.schema_name;
}

void operation(Writer& w, const Resource& r, const model::Action* action, bool detail) {
  const std::string route = route_path(r, action);
  std::string operation_id = route;
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
  std::string description = resource_docs_markdown(r, action, {true, {}});
  while (!description.empty() && description.back() == '\n') description.pop_back();
  w.string(description);
  w.key("parameters");
  w.begin_array();
  if (detail) {
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
    for (const auto& p : list_parameters(r, action)) p.write(w);
  }
  w.end_array();
  w.key("tags");
  w.begin_array();
  for (const auto& t : action != nullptr && !action->tags.empty() ? action->tags : r.tags)
    w.string(t);
  w.end_array();
  w.key("responses");
  w.begin_object();
  w.key("200");
  w.begin_object();
  w.key("content");
  w.begin_object();
  w.key("application/json");
  w.begin_object();
  w.key("schema");
  if (detail) {
    write_ref(w, r.mode(r.detail_mode)->view);
  } else {
    write_ref(w, list_schema_name(r));
  }
  w.end_object();
  w.end_object();
  w.key("description");
  w.string("");
  w.end_object();
  w.end_object();
  w.end_object();
  w.end_object();
}

// PaginatedX and PolymorphicX wrappers of the endpoints' lists.
void wrapper_schemas(Writer& w, const Resource& r) {
  if (r.mode_parameter) {
    w.key(item_schema_name(r));
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
      w.string(ref(m.view));
    }
    w.end_object();
    w.end_object();
    w.end_object();
  }
  if (!r.paginated) return;
  w.key(list_schema_name(r));
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
  write_ref(w, item_schema_name(r));
  w.end_object();
  w.end_object();
  w.end_object();
}

}  // namespace

std::string openapi_document(const Registry& registry, const std::string& server) {
  std::string out;
  Writer w(out);
  w.begin_object();
  w.key("openapi");
  w.string("3.0.3");
  w.key("info");
  w.raw(
      R"({"title":"TheSpaceDevs LL2 API, as served by ll2d","version":"v2.3.0","license":{"name":"Apache License 2.0"}})");
  w.key("paths");
  w.begin_object();
  // In path order, as LL2's document lists them.
  std::map<std::string, std::pair<const Resource*, const model::Action*>> routes;
  for (const auto& r : registry.resources()) {
    routes[r->path] = {r.get(), nullptr};
    for (const auto& a : r->actions) routes[r->path + "/" + a.name] = {r.get(), &a};
  }
  for (const auto& [path, target] : routes) {
    // LL2's document declares the Starship dashboard an array of one object;
    // LL2 answers the object, and so does ll2d. Like api-throttle (the same
    // error), it is left out rather than documented wrongly.
    if (!target.first->paginated) continue;
    w.key("/2.3.0/" + path + "/");
    operation(w, *target.first, target.second, false);
    w.key("/2.3.0/" + path + "/{id}/");
    operation(w, *target.first, target.second, true);
  }
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
  for (const auto& r : registry.resources()) wrapper_schemas(w, *r);
  w.end_object();
  w.end_object();
  w.key("servers");
  w.begin_array();
  w.begin_object();
  w.key("url");
  w.string(server + "/");
  w.end_object();
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace ll2::api
