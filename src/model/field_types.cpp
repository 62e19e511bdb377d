// The view field types every version uses (model/field_type.hpp).
#include <fmt/format.h>

#include "json/writer.hpp"
#include "model/schema.hpp"

namespace ll2::model {

const Field* FieldType::imported_into(const ViewField& /*vf*/) const {
  return nullptr;
}

const std::string* FieldType::constant(const ViewField& /*vf*/) const {
  return nullptr;
}

void FieldType::reads(const ViewField& /*vf*/, std::set<std::string>& /*out*/) const {}

TypeFormat openapi_type(ColumnType type) {
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

void write_type(json::Writer& w, TypeFormat t) {
  w.key("type");
  w.string(t.type);
  if (t.format != nullptr) {
    w.key("format");
    w.string(t.format);
  }
}

std::string schema_ref(const std::string& schema_name) {
  return "#/components/schemas/" + schema_name;
}

void write_ref(json::Writer& w, const std::string& schema_name) {
  w.begin_object();
  w.key("$ref");
  w.string(schema_ref(schema_name));
  w.end_object();
}

namespace {

void read_only(json::Writer& w) {
  w.key("readOnly");
  w.boolean(true);
}

void nullable(json::Writer& w) {
  w.key("nullable");
  w.boolean(true);
}

// The kind's field named by the key (or its source); a problem when absent.
const Field* own_field(const ViewField& vf, const View& view, std::vector<std::string>& problems) {
  const Field* f = view.kind->field(vf.field_name());
  if (f == nullptr)
    problems.push_back(
        fmt::format("view {}: {} has no field {}", view.name, view.kind_name, vf.field_name()));
  return f;
}

class IdField final : public FieldType {
 public:
  void resolve(ViewField& /*vf*/, const View& /*view*/, const Registry& /*registry*/,
               std::vector<std::string>& /*problems*/) const override {}
  void write(FieldOutput& out, const ViewField& /*vf*/, const View& /*view*/,
             const Row& row) const override {
    const Value& id = row[0];
    if (const auto* i = std::get_if<int64_t>(&id))
      out.json().integer(*i);
    else if (const auto* s = std::get_if<std::string>(&id))
      out.json().string(*s);
    else
      out.json().null();
  }
  void schema(json::Writer& w, const ViewField& /*vf*/, const View& view) const override {
    write_type(w, view.kind->id_type == model::IdType::Uuid ? TypeFormat{"string", "uuid"}
                                                            : TypeFormat{"integer"});
    read_only(w);
  }
};

class ColumnField final : public FieldType {
 public:
  void resolve(ViewField& vf, const View& view, const Registry& /*registry*/,
               std::vector<std::string>& problems) const override {
    vf.field = own_field(vf, view, problems);
    if (vf.field != nullptr && vf.field->relation != Relation::Column)
      problems.push_back(fmt::format("view {}: {} is a relation, not a column", view.name, vf.key));
  }
  void write(FieldOutput& out, const ViewField& vf, const View& /*view*/,
             const Row& row) const override {
    out.column(*vf.field, row[static_cast<size_t>(vf.field->column)]);
  }
  void schema(json::Writer& w, const ViewField& vf, const View& /*view*/) const override {
    write_type(w, openapi_type(vf.field->type));
    nullable(w);
  }
  const Field* imported_into(const ViewField& vf) const override { return vf.field; }
};

class UrlField final : public FieldType {
 public:
  void resolve(ViewField& /*vf*/, const View& /*view*/, const Registry& /*registry*/,
               std::vector<std::string>& /*problems*/) const override {}
  void write(FieldOutput& out, const ViewField& vf, const View& /*view*/,
             const Row& row) const override {
    out.url(vf.text, row[0]);
  }
  void schema(json::Writer& w, const ViewField& /*vf*/, const View& /*view*/) const override {
    write_type(w, {"string", "uri"});
    read_only(w);
  }
};

class ModeField final : public FieldType {
 public:
  void resolve(ViewField& /*vf*/, const View& /*view*/, const Registry& /*registry*/,
               std::vector<std::string>& /*problems*/) const override {}
  void write(FieldOutput& out, const ViewField& vf, const View& /*view*/,
             const Row& /*row*/) const override {
    out.json().string(vf.text);
  }
  void schema(json::Writer& w, const ViewField& vf, const View& /*view*/) const override {
    write_type(w, {"string"});
    read_only(w);
    w.key("default");
    w.string(vf.text);
  }
  const std::string* constant(const ViewField& vf) const override { return &vf.text; }
};

class NestedField final : public FieldType {
 public:
  void resolve(ViewField& vf, const View& view, const Registry& registry,
               std::vector<std::string>& problems) const override {
    vf.field = own_field(vf, view, problems);
    if (vf.field == nullptr) return;
    if (vf.field->relation == Relation::Column) {
      problems.push_back(fmt::format("view {}: {} is a column, not a relation", view.name, vf.key));
      return;
    }
    vf.many = !(vf.field->relation == Relation::ForeignKey ||
                (vf.field->relation == Relation::Reverse && vf.field->one));
    vf.view = registry.find_view(vf.text);
    if (vf.view == nullptr)
      problems.push_back(fmt::format("view {}: unknown view {}", view.name, vf.text));
  }
  void write(FieldOutput& out, const ViewField& vf, const View& view,
             const Row& row) const override {
    if (vf.many) {
      write_list(out, vf, view, row);
      return;
    }
    std::shared_ptr<const Row> nested;
    if (vf.field->relation == Relation::Reverse) {  // one-to-one: the first, if any
      const auto ids = out.related_ids(*view.kind, *vf.field, row[0]);
      if (!ids->empty()) nested = out.load(*vf.field->target_kind, ids->front());
    } else {
      const Value& target = row[static_cast<size_t>(vf.field->column)];
      if (!is_null(target)) nested = out.load(*vf.field->target_kind, target);
    }
    if (nested)
      out.object(*vf.view, *nested);
    else
      out.json().null();
  }
  void schema(json::Writer& w, const ViewField& vf, const View& /*view*/) const override {
    if (vf.many) {
      w.key("type");
      w.string("array");
      w.key("items");
      write_ref(w, vf.view->name);
      return;
    }
    w.key("allOf");
    w.begin_array();
    write_ref(w, vf.view->name);
    w.end_array();
    nullable(w);
  }
  const Field* imported_into(const ViewField& vf) const override { return vf.field; }

 private:
  static void write_list(FieldOutput& out, const ViewField& vf, const View& view, const Row& row) {
    // The lists are held here: the cache may drop its copy while they print.
    out.json().begin_array();
    if (vf.field->relation == Relation::Rows) {
      const auto rows = out.owned_rows(*vf.field, row[0]);
      for (const auto& r : *rows) out.object(*vf.view, r);
    } else {
      const auto ids = out.related_ids(*view.kind, *vf.field, row[0]);
      for (const auto& id : *ids) {
        if (const auto r = out.load(*vf.field->target_kind, id)) out.object(*vf.view, *r);
      }
    }
    out.json().end_array();
  }
};

// The foreign keys `a__b__c` walks from `kind`, and the column it ends on.
void resolve_hops(ViewField& vf, const View& view, std::vector<std::string>& problems) {
  const Kind* kind = view.kind;
  std::string_view path = vf.source;
  while (kind != nullptr) {
    const size_t sep = path.find("__");
    const Field* f = kind->field(path.substr(0, sep));
    if (f == nullptr) break;
    if (sep == std::string_view::npos) {
      if (f->relation == Relation::Column) {
        vf.field = f;
        return;
      }
      break;
    }
    if (f->relation != Relation::ForeignKey) break;
    vf.hops.push_back(f);
    kind = f->target_kind;
    path.remove_prefix(sep + 2);
  }
  problems.push_back(fmt::format("view {}: {} is no column through foreign keys from {}", view.name,
                                 vf.source, view.kind_name));
}

class PathField final : public FieldType {
 public:
  void resolve(ViewField& vf, const View& view, const Registry& /*registry*/,
               std::vector<std::string>& problems) const override {
    resolve_hops(vf, view, problems);
  }
  void write(FieldOutput& out, const ViewField& vf, const View& /*view*/,
             const Row& row) const override {
    std::shared_ptr<const Row> at;
    const Row* current = &row;
    for (const Field* hop : vf.hops) {
      const Value& target = (*current)[static_cast<size_t>(hop->column)];
      at = is_null(target) ? nullptr : out.load(*hop->target_kind, target);
      if (!at) {
        out.json().null();
        return;
      }
      current = at.get();
    }
    out.column(*vf.field, (*current)[static_cast<size_t>(vf.field->column)]);
  }
  void schema(json::Writer& w, const ViewField& vf, const View& /*view*/) const override {
    write_type(w, openapi_type(vf.field->type));
    read_only(w);
  }
  void reads(const ViewField& vf, std::set<std::string>& out) const override {
    for (const Field* hop : vf.hops) {
      out.insert(hop->owner->name + "." + hop->name);
      out.insert(hop->target_kind->name);
    }
  }
};

class LinkField final : public FieldType {
 public:
  void resolve(ViewField& vf, const View& view, const Registry& /*registry*/,
               std::vector<std::string>& problems) const override {
    vf.field = own_field(vf, view, problems);
    if (vf.field != nullptr && vf.field->relation != Relation::ForeignKey)
      problems.push_back(fmt::format("view {}: {} links a foreign key only", view.name, vf.key));
  }
  void write(FieldOutput& out, const ViewField& vf, const View& /*view*/,
             const Row& row) const override {
    const Value& target = row[static_cast<size_t>(vf.field->column)];
    if (is_null(target))
      out.json().null();
    else
      out.url(vf.text, target);
  }
  void schema(json::Writer& w, const ViewField& /*vf*/, const View& /*view*/) const override {
    write_type(w, {"string", "uri"});
    read_only(w);
    nullable(w);
  }
  void reads(const ViewField& vf, std::set<std::string>& out) const override {
    out.insert(vf.field->owner->name + "." + vf.field->name);
  }
  const Field* imported_into(const ViewField& vf) const override { return vf.field; }
  bool imported_as_url() const override { return true; }
};

class ComputedField final : public FieldType {
 public:
  ComputedField(ColumnType type, std::vector<std::string> columns, ComputeFn compute)
      : columns_(std::move(columns)), compute_(std::move(compute)) {
    shown_.type = type;  // printed as a column of the computed type
  }
  void resolve(ViewField& vf, const View& view, const Registry& /*registry*/,
               std::vector<std::string>& problems) const override {
    for (const auto& name : columns_) {
      const Field* f = view.kind->field(name);
      if (f == nullptr || f->relation != Relation::Column)
        problems.push_back(fmt::format("view {}: {} is computed from {}, no column of {}",
                                       view.name, vf.key, name, view.kind_name));
      else
        vf.hops.push_back(f);
    }
  }
  void write(FieldOutput& out, const ViewField& vf, const View& /*view*/,
             const Row& row) const override {
    std::vector<Value> in;
    in.reserve(vf.hops.size());
    for (const Field* f : vf.hops) in.push_back(row[static_cast<size_t>(f->column)]);
    out.column(shown_, compute_(in));
  }
  void schema(json::Writer& w, const ViewField& /*vf*/, const View& /*view*/) const override {
    write_type(w, openapi_type(shown_.type));
    read_only(w);
  }

 private:
  Field shown_;
  std::vector<std::string> columns_;
  ComputeFn compute_;
};

}  // namespace

FieldTypePtr computed(ColumnType type, std::vector<std::string> columns, ComputeFn compute) {
  return std::make_shared<ComputedField>(type, std::move(columns), std::move(compute));
}

namespace field_types {

#define LL2D_FIELD_TYPE(name, cls)                         \
  const FieldTypePtr& name() {                             \
    static const FieldTypePtr t = std::make_shared<cls>(); \
    return t;                                              \
  }
LL2D_FIELD_TYPE(id, IdField)
LL2D_FIELD_TYPE(column, ColumnField)
LL2D_FIELD_TYPE(url, UrlField)
LL2D_FIELD_TYPE(mode, ModeField)
LL2D_FIELD_TYPE(nested, NestedField)
LL2D_FIELD_TYPE(path, PathField)
LL2D_FIELD_TYPE(link, LinkField)
#undef LL2D_FIELD_TYPE

}  // namespace field_types

}  // namespace ll2::model
