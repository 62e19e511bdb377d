// The open vocabulary of view fields (DRF's serializer field classes): a
// field type owns how a key links to its kind at start-up, how it prints,
// the OpenAPI property it documents, what an import reads back from it and
// which other kinds it reads. A new kind of field is one new type here, and
// the serializer, the OpenAPI writer, the importer and the response cache
// take it as it is.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/value.hpp"

namespace ll2::json {
class Writer;
}

namespace ll2::model {

struct Field;
struct Kind;
struct View;
struct ViewField;
class Registry;
enum class ColumnType;

// What a field type prints through and reads with; the serializer
// (api/serializer) implements it over the request's snapshot.
class FieldOutput {
 public:
  virtual ~FieldOutput() = default;
  virtual json::Writer& json() = 0;
  // A stored column's value, in DRF's form for its type.
  virtual void column(const Field& field, const Value& value) = 0;
  // The absolute URL of object `id` at `segment` (launches) in the version served.
  virtual void url(std::string_view segment, const Value& id) = 0;
  // A nested object printed with `view`.
  virtual void object(const View& view, const Row& row) = 0;
  // Reads, cached per request thread. Null: no such object.
  virtual std::shared_ptr<const Row> load(const Kind& kind, const Value& id) = 0;
  virtual std::shared_ptr<const std::vector<Value>> related_ids(const Kind& owner_kind,
                                                                const Field& field,
                                                                const Value& owner) = 0;
  virtual std::shared_ptr<const std::vector<Row>> owned_rows(const Field& field,
                                                             const Value& owner) = 0;
};

class FieldType {
 public:
  virtual ~FieldType() = default;
  // Links `vf` to `view`'s kind (vf.field, vf.view, vf.hops); each problem
  // found is a start-up error.
  virtual void resolve(ViewField& vf, const View& view, const Registry& registry,
                       std::vector<std::string>& problems) const = 0;
  // Prints the value of `vf` for the object `row` of the view's kind.
  virtual void write(FieldOutput& out, const ViewField& vf, const View& view,
                     const Row& row) const = 0;
  // The members of its OpenAPI property object (inside `{}`).
  virtual void schema(json::Writer& w, const ViewField& vf, const View& view) const = 0;
  // The field of the view's kind an import reads this key back into; null:
  // none (an id, a URL, a constant, a value computed or read elsewhere).
  virtual const Field* imported_into(const ViewField& vf) const;
  // Whether the key holds the URL of the object imported_into points at
  // (a hyperlinked relation), not the object.
  virtual bool imported_as_url() const { return false; }
  // The constant it prints whatever the object (a composed object's
  // response_mode); null when it prints the object's data.
  virtual const std::string* constant(const ViewField& vf) const;
  // What it reads beyond its view's kind and a nested view's own reads, as
  // api/reads names them ("kind" and "kind.relation"): a dotted source's hops.
  virtual void reads(const ViewField& vf, std::set<std::string>& out) const;
};

using FieldTypePtr = std::shared_ptr<const FieldType>;

// OpenAPI's type and format of a column type ({"type":"string","format":"date"}).
struct TypeFormat {
  const char* type;
  const char* format = nullptr;
};
TypeFormat openapi_type(ColumnType type);
void write_type(json::Writer& w, TypeFormat t);
// "#/components/schemas/<name>", and the {"$ref": ...} object holding it.
std::string schema_ref(const std::string& schema_name);
void write_ref(json::Writer& w, const std::string& schema_name);

// The types every version uses (model/field_types.cpp).
namespace field_types {
const FieldTypePtr& id();      // the object's id
const FieldTypePtr& column();  // a stored column of the kind
const FieldTypePtr& url();     // the object's own URL (text: the route segment)
const FieldTypePtr& mode();    // a constant response_mode (text: the value)
const FieldTypePtr& nested();  // a relation printed with a view (text: the view name)
// A column reached through foreign keys (DRF's `source="pad.location.name"`;
// the ViewField's source is the path, `pad__location__name`).
const FieldTypePtr& path();
// A foreign key printed as its target's URL (DRF's HyperlinkedRelatedField;
// text: the target's route segment).
const FieldTypePtr& link();
}  // namespace field_types

// A value computed from columns of the view's kind, printed as `type`
// (2.4.0's `deorbited`: whether a station has a deorbit date). `compute`
// gets the columns' values in the order named.
using ComputeFn = std::function<Value(const std::vector<Value>& columns)>;
FieldTypePtr computed(ColumnType type, std::vector<std::string> columns, ComputeFn compute);

}  // namespace ll2::model
