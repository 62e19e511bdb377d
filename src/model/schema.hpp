// The declarations the whole engine is driven by.
//
// A Kind is one LL2 object kind and one table: its columns and relations.
// A View is one serializer of a kind (AgencyMini, LaunchNormal, ...): the keys
// it prints, in wire order. A Resource is one endpoint (docking_events): its
// kind, its views per mode, filters, search fields and ordering fields.
// Storage, import, serialization, docs and HTML are all generated from these.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/field_type.hpp"
#include "model/predicate.hpp"
#include "model/value.hpp"
#include "model/version.hpp"

namespace ll2::model {

enum class ColumnType { Integer, Float, Boolean, Text, DateTime, Date, Duration };
enum class IdType { Integer, Uuid, None };  // None: id-less rows owned by a parent

enum class Relation {
  Column,      // a scalar column
  ForeignKey,  // column <name>_id holding the target's id
  ManyToMany,  // link table <kind>__<name> (owner_id, target_id)
  Children,    // target rows with their own ids, owned through target.owner_id
  Rows,        // id-less target rows kept in order, in table <kind>__<name> (owner_id, position)
  Reverse,     // target objects whose field `via` (a foreign key or many-to-many) points here
};

struct Kind;

struct Field {
  std::string name;
  Relation relation = Relation::Column;
  ColumnType type = ColumnType::Text;  // Column only
  std::string target;                  // relations: the target kind's name
  std::string via;                     // Reverse: the target's field pointing back here
  bool one = false;                    // Reverse through a one-to-one: an object, not a list
  std::string order_by;                // Reverse: a target column listed by (then id)
  const Kind* owner = nullptr;         // resolved: the kind that declares this field
  const Kind* target_kind = nullptr;   // resolved by the registry
  const Field* via_field = nullptr;    // resolved: Reverse's `via` on the target kind
  int column = -1;                     // Row index, for Column and ForeignKey
};

// A foreign key whose value follows from two others when an import leaves
// it unknown: a spacecraft flight's rocket is its launch's rocket.
struct Derivation {
  std::string field;  // the foreign key to fill
  std::string path;   // fk__relation: a foreign key, then a foreign key or one-to-one of its target
  const Field* target = nullptr;  // resolved: `field`
  const Field* first = nullptr;   // resolved: the first hop (a foreign key of this kind)
  const Field* second = nullptr;  // resolved: the second hop, on first's target kind
};

// A field whose changes the change log keeps with their old and new values
// (ll2d's change feed, src/feed/): what alerts about a launch need. `event`
// names the change's semantic type (`net_changed` makes `launch.net_changed`);
// empty: the values are kept, no type of its own. `only_to_true`: the type is
// given only when the new value is true (a webcast going live).
struct Watch {
  std::string field_name;
  std::string event;
  bool only_to_true = false;
  const Field* field = nullptr;  // resolved
};

struct Kind {
  std::string name;  // also the table name
  // Unique in the process (set by Registry::kind): caches of statement texts
  // key on it, never on an address a later registry's kind may reuse.
  uint64_t serial = 0;
  // The Django model's class name in LL2, which a detail route's 404 names
  // ("No Launch matches the given query."). Required on a detail route's kind.
  std::string model;
  IdType id_type = IdType::Integer;
  std::vector<Field> fields;
  std::vector<Derivation> derivations;
  std::vector<Watch> watched;  // in declaration order
  // The date-time the feed reminds of (`<kind>.reminder` before a launch's
  // NET); empty: none. Resolved into remind_of.
  std::string remind_of_name;
  const Field* remind_of = nullptr;
  // Path prefixes LL2's parameter names use, and the paths that answer
  // them here (rocket__spacecraftflight → spacecraftflight).
  std::vector<std::pair<std::string, std::string>> aliases;
  bool owned = false;  // has an owner_id column (Children/Rows targets)
  // LL2 prints these objects without an id (the Starship dashboard and its
  // halves): an import numbers them 1, 2, ... in the order a file lists them.
  bool numbered = false;
  int column_count = 0;            // Row size is 1 + column_count (id first)
  std::vector<int> float_columns;  // the Row positions of its Float columns
  // View keys printed from a differently named field (ViewField::from), so
  // that the importer reads such a key back into its field. Set by resolve().
  std::map<std::string, const Field*, std::less<>> key_aliases;

  const Field* field(std::string_view n) const;
  // A documented field path with its aliased prefix replaced.
  std::string path_for(std::string_view documented) const;
  // The field a JSON key of any of this kind's views is read into (null: none).
  const Field* field_for_key(std::string_view key) const;
  // Many-to-many link table, or the table of a Rows relation's rows.
  std::string link_table(const Field& f) const { return name + "__" + f.name; }
};

struct View;
class Registry;

struct ViewField {
  std::string key;
  FieldTypePtr type;               // how it prints, documents and imports (model/field_type.hpp)
  std::string text;                // the type's parameter: a URL's segment, a mode, a view's name
  const Field* field = nullptr;    // resolved: the field behind this key (a path's: its column)
  const View* view = nullptr;      // resolved: nested view
  std::vector<const Field*> hops;  // resolved: a path's foreign keys, a computed value's columns
  bool many = false;               // resolved: a nested list, not one object
  std::string source;              // the field printed under `key`, when named differently

  // DRF's `source=`: print the kind's field `field_name` under this key,
  // e.g. nested("docking_location", "DockingLocationX").from("docking_locations").
  ViewField from(std::string field_name) const {
    ViewField f = *this;
    f.source = std::move(field_name);
    return f;
  }
  const std::string& field_name() const { return source.empty() ? key : source; }
};

struct View {
  std::string name;
  std::string kind_name;
  // The keys in wire order. For a view that extends another, resolve()
  // replaces the declared keys with the full list (parent's keys first).
  std::vector<ViewField> fields;
  std::string parent;             // extends(): the parent view's name
  std::vector<std::string> omit;  // keys of the parent this view leaves out
  const Kind* kind = nullptr;

  // DRF serializer subclassing: this view has the parent's keys in the
  // parent's order; a key declared here again replaces the parent's in place
  // (another nested view, another response_mode), new keys are appended.
  View& extends(std::string parent_view) {
    parent = std::move(parent_view);
    return *this;
  }
  // Parent keys this view drops (a subclass setting the field to None).
  View& without(std::initializer_list<const char*> keys) {
    omit.insert(omit.end(), keys.begin(), keys.end());
    return *this;
  }
  // Declares `f` again in place (DRF: a field redeclared under the same
  // name), or appends it when the view declares no such key itself.
  View& set(ViewField f);
  // Declares `f` before the view's own key `before`.
  View& insert_before(const std::string& before, ViewField f);
};

// How a filter reads its parameter: django-filter's filter classes.
enum class ValueKind {
  Auto,            // from the field the path ends on (see Filter)
  Number,          // NumberFilter (a DecimalField): "Enter a number."
  Decimal,         // the same, documented as a decimal number (LL2's declared NumberFilters)
  DateTime,        // IsoDateTimeFilter: "Enter a valid date/time."
  Date,            // DateFilter: "Enter a valid date."
  Boolean,         // BooleanFilter: true/false/1/0 in any case; other values ignored
  Text,            // CharFilter
  Uuid,            // UUIDFilter: "Enter a valid UUID."
  Choice,          // ModelChoiceFilter: the id of an object that exists
  MultipleChoice,  // ModelMultipleChoiceFilter: repeated parameter, ORed; each must exist
};

// A comparison with the request's time as it lands in one kind's query: the
// rows it matches change when the time passes one of `path`'s values.
struct ClockEdge {
  const Kind* kind = nullptr;
  std::string path;
  int64_t offset = 0;  // compared with the time plus this (microseconds)
};

// What filters and actions may depend on besides their parameter.
struct FilterContext {
  // The request's time, microseconds since the epoch (UTC). A condition on
  // it is built with since_now(), never from this value directly: that is
  // how a cached answer knows when it expires.
  int64_t now = 0;
  // The API version asked for: value_of() finds kinds there (unset: none).
  const Registry* version = nullptr;
  // Where the queries built here note their conditions on the time (unset:
  // nobody asks).
  std::vector<ClockEdge>* clock_edges = nullptr;
  // One stored object's row (in the request's snapshot); unset: none can be
  // read.
  std::function<std::optional<Row>(const Kind& kind, const Value& id)> load;

  // A field of a stored object, for custom filters that match by what
  // another object holds; NULL when there is no such object or value.
  Value value_of(std::string_view kind, const Value& id, std::string_view field) const;
  // The names of those of these objects of `kind` that exist, in order.
  std::vector<Value> names_of(std::string_view kind, const std::vector<Value>& ids) const;
  // `path` (a name LL2 prints in place of an id) is the name of one of
  // these objects of `kind`; nothing matches when none of them exists.
  Predicate named_as(std::string_view kind, const std::vector<Value>& ids, std::string path) const;
  // `path` `lookup` the request's time plus `offset` (microseconds).
  Predicate since_now(std::string path, Lookup lookup, int64_t offset = 0) const;
  // Notes the conditions on the time in `where`, a query of `kind`.
  void note_clock(const Kind& kind, const Predicate& where) const;
};

// django-filter's `method=`: the parsed values (one, or a CSV filter's
// elements) become a condition the filter builds itself.
using CustomFilter =
    std::function<Predicate(const std::vector<Value>& values, const FilterContext& context)>;

struct Filter {
  std::string param;  // the query parameter: name, net__gte, status__ids
  std::string path;   // the field path it tests: net, status, pad__location__id
  Lookup lookup = Lookup::Exact;
  // Auto: a Choice for a foreign key or the exact id of a relation path's
  // end, MultipleChoice for a many-valued relation, otherwise the column's
  // kind (integers and floats are Numbers).
  ValueKind value = ValueKind::Auto;
  bool csv = false;         // comma-separated elements (BaseInFilter / BaseCSVFilter)
  CustomFilter custom;      // set: builds its own condition from the values
  std::string unsupported;  // set: why this server cannot apply it (a value is a 400)
  std::string choice_of;    // custom: its values are ids of this kind (ModelChoice)
  // Documented on the detail path too: LL2 declares it for the whole view
  // set, and DRF filters a detail's object as it filters a list.
  bool on_detail = false;
  // Resolved by the registry:
  ValueKind kind = ValueKind::Auto;   // never Auto
  bool integer = false;               // a Number compared with an integer column
  const Kind* choice_kind = nullptr;  // Choice / MultipleChoice: the kind ids must exist in
  const Kind* id_kind = nullptr;      // the kind whose ids the values are, when they are ids
};

// A route beside a resource's list with its own condition and default order,
// as DRF's extra actions (launches/upcoming, events/previous).
struct Action {
  std::string name;  // the path segment: upcoming
  std::function<Predicate(const FilterContext&)> base;
  std::vector<std::string> default_ordering;  // empty: the resource's
  std::vector<Filter> extra_filters;          // after the resource's own
  std::vector<std::string> omit_search;       // search fields this action does not search
  std::string title;                          // "Upcoming" (List Upcoming Launches)
  std::string filter_example;                 // the docs' filter example; empty: the resource's
  std::vector<std::string> tags;              // OpenAPI tags; empty: the resource's
};

// What fills one relation of an object LL2 computes from its other data
// instead of storing it (the Starship dashboard). A resource that declares
// parts answers one such object, composed at the request's time, when it
// stores none; the objects it stores (LL2's own, imported) are served with
// what was imported, each list in its part's order.
struct Composed {
  std::string field;  // a relation of the composed kind
  // The objects selected: those of kind `from` (empty: the relation's target
  // kind) matching `where`, in `order` (field paths, `-` descending; id
  // breaks ties), at most `limit` (0: no bound).
  std::string from;
  std::function<Predicate(const FilterContext&)> where;
  std::vector<std::string> order;
  int64_t limit = 0;
  // For a Rows relation: the rows of the selected objects' Rows relation
  // `rows`, column by column of the same name, except where `rename` maps
  // a composed column to a source column of another name.
  std::string rows;
  std::vector<std::pair<std::string, std::string>> rename;
  // For a foreign key to an object that is composed in turn: its parts.
  std::vector<Composed> parts;
  // Resolved by the registry:
  const Field* target = nullptr;          // `field`
  const Kind* source = nullptr;           // the kind objects are selected from
  const Field* source_rows = nullptr;     // `rows` on `source`
  std::vector<const Field*> row_columns;  // per column of the rows' kind: its source column
};

struct Mode {
  std::string name;  // normal, detailed, list
  std::string view;  // the view name
  const View* resolved = nullptr;
  // In a version whose modes are routes (2.4.0): whether this mode has a
  // list route of its own; false for a mode only the detail route prints.
  bool own_route = true;
};

struct Resource {
  std::string path;                           // URL segment: docking_events
  std::string kind_name;                      // root kind
  std::string singular;                       // "Docking Event" (page titles)
  std::string plural;                         // "Docking Events"
  std::vector<Mode> modes;                    // in the order the docs list them
  std::string list_mode = "normal";           // default mode of the list
  std::string detail_mode = "detailed";       // of the detail (with one mode: that one)
  std::vector<Filter> filters;                // in django-filter's field order
  std::vector<std::string> search_fields;     // field paths, as DRF's search_fields
  std::vector<std::string> ordering_fields;   // field paths through foreign keys
  std::vector<std::string> default_ordering;  // e.g. {"docking"}; id is always the tie-breaker
  std::vector<Action> actions;                // extra list routes (upcoming, previous)
  // false: the route answers one object (LL2's Starship dashboard), composed
  // or as imported; no list, no detail route.
  bool paginated = true;
  bool mode_parameter = true;     // false: one shape, `mode` is no parameter
  std::vector<Composed> compose;  // LL2 computes the object (not paginated)
  // OpenAPI: the operation tags, and the name the list's schemas are built
  // from (PaginatedPolymorphic<name>List; a single-mode list uses its view).
  std::vector<std::string> tags;
  std::string schema_name;
  bool openapi_summary = true;  // LL2's document gives a few operations no summary
  // Examples shown by the generated docs (LL2 shows one per section).
  std::string mode_example, filter_example, search_example, ordering_example;
  const Kind* kind = nullptr;

  const Mode* mode(std::string_view name) const;
  const Action* action(std::string_view name) const;
  // A declared filter, for a later version to change (a start-up error when
  // there is none).
  Filter& change_filter(std::string_view param);
};

// A field path resolved against a kind: the relations it walks, and what it
// ends on (a column, a relation itself, or the id when `leaf` is null).
struct ResolvedPath {
  std::vector<const Field*> hops;   // relations walked, in order
  const Field* leaf = nullptr;      // null: the id of the last kind
  const Kind* leaf_kind = nullptr;  // the kind `leaf` belongs to (or whose id it is)
  bool many = false;                // some hop is many-valued (not a foreign key)
};
// nullopt when a segment names no field or a column is followed by more.
std::optional<ResolvedPath> resolve_path(const Kind& root, std::string_view path);

// One route of a version, below its prefix: a resource's list (`launches`),
// an action's (`launches/upcoming`) or a mode's own list (2.4.0's
// `launches/mini`). Its detail route is `path/<id>` when it has one.
struct Route {
  std::string path;
  const Resource* resource = nullptr;
  const Action* action = nullptr;
  const Mode* mode = nullptr;  // a mode's own list: its view; else chosen as the resource says
  bool detail = true;          // `path/<id>/` answers one object
};

// How an import reads one key of an object of this version: into `field`
// (null: not read back, e.g. a value computed in this version), and whether
// the key holds the field's target's URL rather than the target itself.
struct ImportKey {
  const Field* field = nullptr;
  bool url = false;
};

// One version of the API, declared, resolved and cross-checked once at
// start-up: its views, resources and routes over kinds that every version
// shares (one database).
class Registry {
 public:
  explicit Registry(Version version = {});
  // A later version: `base`'s kinds (shared, not copied) and a copy of its
  // views and resources as declared, which this version's declarations then
  // replace (a view by name, a resource by path), extend or drop.
  static Registry derived(const Registry& base, Version version);

  // Only a version that owns its kinds (the first) declares kinds.
  Kind& kind(std::string name, IdType id_type = IdType::Integer);
  View& view(std::string name, std::string kind_name, std::vector<ViewField> fields);
  Resource& resource(Resource r);
  // An inherited resource this version does not serve.
  void drop_resource(std::string_view path);
  // An inherited resource or view, as declared, for this version to change in place.
  Resource& change_resource(std::string_view path);
  View& change_view(std::string_view name);

  // Links names to declarations; returns the problems found (empty = fine).
  std::vector<std::string> resolve();

  const Version& version() const { return version_; }
  const Kind* find_kind(std::string_view name) const;
  const View* find_view(std::string_view name) const;
  const Resource* find_resource(std::string_view path) const;
  // The resource an LL2 URL of this version names
  // (https://host/2.3.0/launches/upcoming/<id>/, /2.3.0/config/orbits/3.json):
  // by its route, actions included.
  const Resource* find_resource_by_url(std::string_view url) const;
  const std::vector<std::unique_ptr<Kind>>& kinds() const { return *kinds_; }
  const std::vector<std::unique_ptr<View>>& views() const { return views_; }
  const std::vector<std::unique_ptr<Resource>>& resources() const { return resources_; }
  // Every list route, by path (set by resolve()): routing, the API root,
  // OpenAPI and the docs all read this one table.
  const std::vector<Route>& routes() const { return routes_; }
  const Route* find_route(std::string_view path) const;
  // How an import reads `key` of an object of `kind` printed by this
  // version: as the kind's field of that key, unless this version's views
  // print the key otherwise (2.4.0's `deorbited` is computed, its stage's
  // `rocket` a URL).
  ImportKey import_key(const Kind& kind, std::string_view key) const;
  // The keys this version reads otherwise than their kind says, by kind.
  using ImportExceptions = std::map<const Kind*, std::map<std::string, ImportKey, std::less<>>>;
  const ImportExceptions& import_exceptions() const { return import_exceptions_; }

 private:
  Kind* find_kind_mutable(std::string_view name);
  void resolve_kinds(std::vector<std::string>& problems);
  void resolve_views(std::vector<std::string>& problems);
  void resolve_resources(std::vector<std::string>& problems);
  void build_routes(std::vector<std::string>& problems);
  void find_import_exceptions(std::vector<std::string>& problems);

  Version version_;
  std::shared_ptr<std::vector<std::unique_ptr<Kind>>> kinds_;
  bool owns_kinds_ = true;
  std::vector<std::unique_ptr<View>> views_;
  std::vector<std::unique_ptr<Resource>> resources_;
  // As declared, before resolve() (a derived version starts from these).
  std::vector<View> declared_views_;
  std::vector<Resource> declared_resources_;
  std::vector<Route> routes_;
  ImportExceptions import_exceptions_;
};

// Every version ll2d serves, in order (the first owns the kinds).
class Catalog {
 public:
  explicit Catalog(std::vector<Registry> versions);
  const std::vector<Registry>& versions() const { return versions_; }
  const Registry& first() const { return versions_.front(); }
  const Registry* find(std::string_view name) const;
  // The version whose prefix a path starts with (nullptr: none).
  const Registry* for_path(std::string_view path) const;
  // The version an LL2 object URL is of, by the prefix it holds.
  const Registry* for_url(std::string_view url) const;
  // The resource a route names (launches, launches/upcoming, 2.4.0's
  // rockets and launches/mini) in the first version that has it.
  const Resource* find_resource(std::string_view route) const;
  // The versions' names for people: "2.3.0 and 2.4.0".
  std::string names() const;

 private:
  std::vector<Registry> versions_;
};

// Builders for declarations (used by src/resources/*.cpp).
namespace declare {

// django-filter's `Meta.fields = {"net": ["gt", "lte"]}`: one filter per
// lookup, named `path__lookup` (`path` alone for exact).
std::vector<Filter> lookups(const std::string& path, std::initializer_list<Lookup> which);
// One exact filter named after its path.
std::vector<Filter> exact(const std::string& path);
// exact, gt, gte, lt and lte: what LL2 declares for its numbers and dates.
std::vector<Filter> range(const std::string& path);
// A declared filter whose name is not derived from its path.
Filter filter(std::string param, std::string path, Lookup lookup = Lookup::Exact,
              ValueKind value = ValueKind::Auto);
// A comma-separated list (BaseInFilter): `status__ids=1,2` → status__id IN (1, 2).
Filter in_list(std::string param, std::string path, ValueKind value = ValueKind::Auto);
// A filter with its own condition (django-filter's `method=`).
Filter custom(std::string param, ValueKind value, CustomFilter build, bool csv = false);
// A custom filter whose value is the id of an object of `kind` (django-filter's
// ModelChoiceFilter with `method=`: an id that does not exist is a 400).
Filter custom_choice(std::string param, std::string kind, CustomFilter build);
// `year=2024,2025`: a date-time's part, from a comma-separated list.
Filter date_part(std::string param, std::string path, Lookup part);
// 2.4.0's `<path>__day`, `<path>__month` and `<path>__year`.
std::vector<Filter> date_parts(const std::string& path);
// A documented filter this server cannot apply, because the data LL2
// publishes does not carry what it tests: a value is a 400 saying so.
Filter unsupported(std::string param, ValueKind value, std::string reason, bool csv = false);
// LL2's `upcoming` action on a date-time field: from 24 hours before now on
// (from now with hide_recent_previous=true), soonest first.
Action upcoming(const std::string& field);
// LL2's `previous` action: up to now, latest first.
Action previous(const std::string& field, std::vector<std::string> tags);
// 2.4.0's time windows as boolean filters, in place of 2.3.0's routes:
// `upcoming=true` from now on, `upcoming_with_recent=true` from 24 hours
// before now (2.3.0's upcoming/), `previous=true` up to now; false filters
// nothing.
std::vector<Filter> time_windows(const std::string& field);
// Concatenates filter lists, in django-filter's form order.
std::vector<Filter> filters(std::initializer_list<std::vector<Filter>> parts);

struct KindBuilder {
  Kind& k;
  KindBuilder& col(std::string name, ColumnType type);
  KindBuilder& integer(std::initializer_list<const char*> names);
  KindBuilder& text(std::initializer_list<const char*> names);
  KindBuilder& flt(std::initializer_list<const char*> names);
  KindBuilder& boolean(std::initializer_list<const char*> names);
  KindBuilder& datetime(std::initializer_list<const char*> names);
  KindBuilder& fk(std::string name, std::string target);
  KindBuilder& m2m(std::string name, std::string target);
  KindBuilder& children(std::string name, std::string target);
  KindBuilder& rows(std::string name, std::string target);
  // The `target` objects whose field `via` (a foreign key or a many-to-many
  // of the target) points at this object: a pad's location gives a
  // location its pads with reverse("pads", "pad", "location"). Listed in id
  // order, or by the target's column `order_by` then id (the ordering of
  // LL2's model, e.g. "name" for launcher configurations).
  KindBuilder& reverse(std::string name, std::string target, std::string via,
                       std::string order_by = {});
  // The same through a one-to-one: at most one object, rendered as an object.
  KindBuilder& reverse_one(std::string name, std::string target, std::string via);
  // `field` (a foreign key) is `path`'s end when an import leaves it unknown,
  // e.g. derive("rocket", "launch__rocket"): LL2 links some objects both ways
  // and each view tells only one.
  KindBuilder& derive(std::string field, std::string path);
  // Paths named `prefix__…` in filters, search and ordering go through
  // `replacement__…` instead.
  KindBuilder& alias(std::string prefix, std::string replacement);
  // LL2 prints no id for these objects; an import numbers them.
  KindBuilder& numbered();
  // LL2's Django model class name (Kind::model).
  KindBuilder& model(std::string class_name);
  // The change log keeps this column's old and new values (Watch).
  KindBuilder& watch(std::string field, std::string event = {}, bool only_to_true = false);
  // The feed sends `<kind>.reminder` entries before this date-time (Kind::remind_of).
  KindBuilder& reminders_before(std::string field);
};

inline ViewField view_field(std::string key, FieldTypePtr type, std::string text = {}) {
  ViewField f;
  f.key = std::move(key);
  f.type = std::move(type);
  f.text = std::move(text);
  return f;
}
inline ViewField id() {
  return view_field("id", field_types::id());
}
inline ViewField col(std::string key) {
  return view_field(std::move(key), field_types::column());
}
inline ViewField url(std::string segment) {
  return view_field("url", field_types::url(), std::move(segment));
}
inline ViewField mode(std::string value) {
  return view_field("response_mode", field_types::mode(), std::move(value));
}
// A relation rendered with another view; one object or a list, by relation.
inline ViewField nested(std::string key, std::string view) {
  return view_field(std::move(key), field_types::nested(), std::move(view));
}
// DRF's dotted source: a column reached through foreign keys,
// path("location_name", "pad__location__name").
inline ViewField path(std::string key, std::string source) {
  ViewField f = view_field(std::move(key), field_types::path());
  f.source = std::move(source);
  return f;
}
// DRF's HyperlinkedRelatedField: a foreign key printed as its target's URL
// at `segment` (hyperlink("rocket", "rockets")).
inline ViewField hyperlink(std::string key, std::string segment) {
  return view_field(std::move(key), field_types::link(), std::move(segment));
}
// A value computed from columns of the kind (model::computed).
inline ViewField computed(std::string key, ColumnType type, std::vector<std::string> columns,
                          ComputeFn compute) {
  return view_field(std::move(key), model::computed(type, std::move(columns), std::move(compute)));
}
// Plain columns in order.
std::vector<ViewField> cols(std::initializer_list<const char*> keys);
// Concatenates pieces of a field list.
std::vector<ViewField> fields(std::initializer_list<std::vector<ViewField>> parts);

}  // namespace declare

}  // namespace ll2::model
