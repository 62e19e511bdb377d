#include "model/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <stdexcept>

namespace ll2::model {

std::string Kind::path_for(std::string_view documented) const {
  for (const auto& [prefix, replacement] : aliases) {
    if (documented == prefix) return replacement;
    if (documented.starts_with(prefix) && documented.substr(prefix.size()).starts_with("__"))
      return replacement + std::string(documented.substr(prefix.size()));
  }
  return std::string(documented);
}

const Field* Kind::field(std::string_view n) const {
  for (const auto& f : fields) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

const Field* Kind::field_for_key(std::string_view key) const {
  if (const auto it = key_aliases.find(key); it != key_aliases.end()) return it->second;
  return field(key);
}

const Mode* Resource::mode(std::string_view name) const {
  for (const auto& m : modes) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Filter& Resource::change_filter(std::string_view param) {
  for (auto& f : filters) {
    if (f.param == param) return f;
  }
  throw std::logic_error(fmt::format("resource {} has no filter {}", path, param));
}

const Action* Resource::action(std::string_view name) const {
  for (const auto& a : actions) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::optional<ResolvedPath> resolve_path(const Kind& root, std::string_view path) {
  ResolvedPath out;
  const Kind* kind = &root;
  while (true) {
    const size_t sep = path.find("__");
    const std::string_view head = path.substr(0, sep);
    out.leaf_kind = kind;
    if (head == "id") {
      if (sep != std::string_view::npos) return std::nullopt;
      return out;
    }
    const Field* f = kind->field(head);
    if (f == nullptr) return std::nullopt;
    if (sep == std::string_view::npos) {
      out.leaf = f;
      return out;
    }
    if (f->relation == Relation::Column || f->target_kind == nullptr) return std::nullopt;
    out.hops.push_back(f);
    if (f->relation != Relation::ForeignKey) out.many = true;
    kind = f->target_kind;
    path.remove_prefix(sep + 2);
  }
}

Registry::Registry(Version version)
    : version_(std::move(version)),
      kinds_(std::make_shared<std::vector<std::unique_ptr<Kind>>>()) {}

Registry Registry::derived(const Registry& base, Version version) {
  Registry r(std::move(version));
  r.kinds_ = base.kinds_;
  r.owns_kinds_ = false;
  for (const auto& v : base.declared_views_) r.views_.push_back(std::make_unique<View>(v));
  for (const auto& res : base.declared_resources_)
    r.resources_.push_back(std::make_unique<Resource>(res));
  return r;
}

Kind& Registry::kind(std::string name, IdType id_type) {
  // One database for every version: a later version's kinds are its base's.
  if (!owns_kinds_)
    throw std::logic_error("API " + version_.name + " declares kind " + name +
                           ": kinds are declared once, by the first version");
  static std::atomic<uint64_t> next_serial{1};
  auto k = std::make_unique<Kind>();
  k->name = std::move(name);
  k->serial = next_serial++;
  k->id_type = id_type;
  kinds_->push_back(std::move(k));
  return *kinds_->back();
}

View& Registry::view(std::string name, std::string kind_name, std::vector<ViewField> fields) {
  auto v = std::make_unique<View>();
  v->name = std::move(name);
  v->kind_name = std::move(kind_name);
  v->fields = std::move(fields);
  // A later version's serializer of the same name replaces its base's.
  for (auto& existing : views_) {
    if (!owns_kinds_ && existing->name == v->name) {
      existing = std::move(v);
      return *existing;
    }
  }
  views_.push_back(std::move(v));
  return *views_.back();
}

Resource& Registry::resource(Resource r) {
  for (auto& existing : resources_) {
    if (!owns_kinds_ && existing->path == r.path) {
      existing = std::make_unique<Resource>(std::move(r));
      return *existing;
    }
  }
  resources_.push_back(std::make_unique<Resource>(std::move(r)));
  return *resources_.back();
}

void Registry::drop_resource(std::string_view path) {
  std::erase_if(resources_, [&](const auto& r) { return r->path == path; });
}

View& View::set(ViewField f) {
  for (auto& existing : fields) {
    if (existing.key == f.key) {
      existing = std::move(f);
      return *this;
    }
  }
  fields.push_back(std::move(f));
  return *this;
}

View& View::insert_before(const std::string& before, ViewField f) {
  const auto at = std::find_if(fields.begin(), fields.end(),
                               [&](const ViewField& x) { return x.key == before; });
  if (at == fields.end()) throw std::logic_error("view " + name + " declares no key " + before);
  fields.insert(at, std::move(f));
  return *this;
}

View& Registry::change_view(std::string_view name) {
  for (auto& v : views_) {
    if (v->name == name) return *v;
  }
  throw std::logic_error(
      fmt::format("API {} changes view {}, which it does not have", version_.name, name));
}

Resource& Registry::change_resource(std::string_view path) {
  for (auto& r : resources_) {
    if (r->path == path) return *r;
  }
  throw std::logic_error(
      fmt::format("API {} changes resource {}, which it does not have", version_.name, path));
}

const Kind* Registry::find_kind(std::string_view name) const {
  for (const auto& k : *kinds_) {
    if (k->name == name) return k.get();
  }
  return nullptr;
}

const Route* Registry::find_route(std::string_view path) const {
  const auto it = std::lower_bound(routes_.begin(), routes_.end(), path,
                                   [](const Route& r, std::string_view p) { return r.path < p; });
  return it != routes_.end() && it->path == path ? &*it : nullptr;
}

Kind* Registry::find_kind_mutable(std::string_view name) {
  for (const auto& k : *kinds_) {
    if (k->name == name) return k.get();
  }
  return nullptr;
}

const View* Registry::find_view(std::string_view name) const {
  for (const auto& v : views_) {
    if (v->name == name) return v.get();
  }
  return nullptr;
}

const Resource* Registry::find_resource_by_url(std::string_view url) const {
  const size_t start = url.find(version_.prefix);
  if (start == std::string_view::npos) return nullptr;
  std::string_view path = url.substr(start + version_.prefix.size());
  path = path.substr(0, path.find_first_of("?#"));
  // Drop the last segment (the id, possibly with a format suffix).
  while (path.ends_with('/')) path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return nullptr;
  const Route* route = find_route(path.substr(0, slash));
  return route != nullptr && route->detail ? route->resource : nullptr;
}

const Resource* Registry::find_resource(std::string_view path) const {
  for (const auto& r : resources_) {
    if (r->path == path) return r.get();
  }
  return nullptr;
}

namespace {

// A path a filter or search may use: through any relation, ending on a
// column, a relation or an id.
bool valid_path(const Kind* kind, std::string_view path) {
  return resolve_path(*kind, kind->path_for(path)).has_value();
}

// A path ORDER BY may use: through foreign keys (and reverse ones), ending
// on a column, a foreign key or an id.
bool valid_ordering_path(const Kind* kind, std::string_view path) {
  const auto p = resolve_path(*kind, kind->path_for(path));
  // Many-valued hops only through reverse foreign keys (ordered by their
  // least or greatest value).
  const bool hops_ok = p && std::all_of(p->hops.begin(), p->hops.end(), [](const Field* f) {
                         return f->relation == Relation::ForeignKey ||
                                (f->relation == Relation::Reverse && f->via_field != nullptr &&
                                 f->via_field->relation == Relation::ForeignKey);
                       });
  return hops_ok && (p->leaf == nullptr || p->leaf->relation == Relation::Column ||
                     p->leaf->relation == Relation::ForeignKey);
}

// Fills in what a filter's declaration leaves to its path; an error message
// when the two do not fit.
std::optional<std::string> resolve_filter(const Kind& root, Filter& f) {
  f.kind = f.value;
  // A custom or unsupported number is an id or a count, unless Decimal.
  if (!f.unsupported.empty() || f.custom) f.integer = f.kind == ValueKind::Number;
  if (!f.unsupported.empty()) return std::nullopt;
  if (f.custom) {
    if (f.kind == ValueKind::Auto) return "a custom filter needs a value kind";
    return std::nullopt;
  }
  f.path = root.path_for(f.path);
  const auto p = resolve_path(root, f.path);
  if (!p) return "bad path " + f.path;
  const Field* leaf = p->leaf;
  const bool relation_end = leaf != nullptr && leaf->relation != Relation::Column;
  if (leaf == nullptr || relation_end) {
    // Ids: of the path's last kind, or of what the relation points to.
    f.id_kind = relation_end ? leaf->target_kind : p->leaf_kind;
    if (f.kind == ValueKind::Auto) {
      if (relation_end && f.lookup == Lookup::Exact)
        f.kind =
            leaf->relation == Relation::ForeignKey ? ValueKind::Choice : ValueKind::MultipleChoice;
      else
        f.kind = f.id_kind->id_type == IdType::Uuid ? ValueKind::Uuid : ValueKind::Number;
    }
    if (f.kind == ValueKind::Choice || f.kind == ValueKind::MultipleChoice)
      f.choice_kind = f.id_kind;
    f.integer = f.id_kind->id_type != IdType::Uuid;
    return std::nullopt;
  }
  const bool part =
      f.lookup == Lookup::Year || f.lookup == Lookup::Month || f.lookup == Lookup::Day;
  if (f.kind == ValueKind::Auto) {
    if (part || f.lookup == Lookup::IsNull) {
      f.kind = part ? ValueKind::Number : ValueKind::Boolean;
    } else {
      switch (leaf->type) {
        case ColumnType::Integer:
        case ColumnType::Float:
        case ColumnType::Duration:
          f.kind = ValueKind::Number;
          break;
        case ColumnType::Boolean:
          f.kind = ValueKind::Boolean;
          break;
        case ColumnType::DateTime:
          f.kind = ValueKind::DateTime;
          break;
        case ColumnType::Date:
          f.kind = ValueKind::Date;
          break;
        case ColumnType::Text:
          f.kind = ValueKind::Text;
          break;
      }
    }
  }
  f.integer = part || leaf->type == ColumnType::Integer || leaf->type == ColumnType::Duration;
  if (part && leaf->type != ColumnType::DateTime && leaf->type != ColumnType::Date)
    return "date parts need a date or date-time column";
  return std::nullopt;
}

// Every field path a predicate compares, for checking them at start-up.
void predicate_paths(const Predicate& p, std::vector<std::string>& out) {
  if (p.kind == Predicate::Kind::Compare) out.push_back(p.path);
  for (const auto& c : p.children) predicate_paths(c, out);
}

// Resolves the parts of a composed object of `kind`; problems name `where`.
void resolve_composed(const Registry& registry, const Kind& kind, std::vector<Composed>& parts,
                      const std::string& where, std::vector<std::string>& problems) {
  for (auto& c : parts) {
    const std::string at = fmt::format("{}: compose {}", where, c.field);
    c.target = kind.field(c.field);
    if (c.target == nullptr || c.target->target_kind == nullptr) {
      problems.push_back(at + ": no such relation of " + kind.name);
      continue;
    }
    const Kind& target = *c.target->target_kind;
    if (c.target->relation == Relation::ForeignKey) {
      // An object of its own, composed in turn (never stored, never selected).
      if (c.parts.empty() || c.where || !c.rows.empty())
        problems.push_back(at + ": a foreign key is composed from parts only");
      resolve_composed(registry, target, c.parts, at, problems);
      continue;
    }
    if (!c.parts.empty()) problems.push_back(at + ": only a foreign key has parts");
    c.source = c.from.empty() ? &target : registry.find_kind(c.from);
    if (c.source == nullptr) {
      problems.push_back(at + ": unknown kind " + c.from);
      continue;
    }
    if (c.target->relation == Relation::Rows) {
      c.source_rows = c.source->field(c.rows);
      if (c.source_rows == nullptr || c.source_rows->relation != Relation::Rows) {
        problems.push_back(fmt::format("{}: {} has no rows {}", at, c.source->name, c.rows));
        continue;
      }
      const Kind& from_rows = *c.source_rows->target_kind;
      for (const auto& [to, from] : c.rename) {
        const Field* a = target.field(to);
        const Field* b = from_rows.field(from);
        if (a == nullptr || b == nullptr || a->relation != Relation::Column ||
            b->relation != Relation::Column)
          problems.push_back(fmt::format("{}: cannot rename {} to {}", at, from, to));
      }
      c.row_columns.clear();
      for (const auto& f : target.fields) {
        if (f.relation != Relation::Column) continue;
        std::string name = f.name;
        for (const auto& [to, from] : c.rename) {
          if (to == f.name) name = from;
        }
        const Field* s = from_rows.field(name);
        c.row_columns.push_back(s != nullptr && s->relation == Relation::Column ? s : nullptr);
      }
    } else if (c.target->relation == Relation::Column || !c.rows.empty() || c.source != &target) {
      problems.push_back(at + ": a list relation lists objects of its own target kind");
      continue;
    }
    if (c.limit < 0) problems.push_back(at + ": negative limit");
    if (c.where) {
      std::vector<std::string> paths;
      predicate_paths(c.where(FilterContext{}), paths);
      for (const auto& p : paths) {
        if (!resolve_path(*c.source, p)) problems.push_back(fmt::format("{}: bad path {}", at, p));
      }
    }
    for (const auto& o : c.order) {
      if (!valid_ordering_path(c.source, o.starts_with('-') ? o.substr(1) : o))
        problems.push_back(fmt::format("{}: bad ordering {}", at, o));
    }
  }
}

// A view of a composed object prints what its parts fill, and nothing else.
void check_composed_view(const View& view, const std::vector<Composed>& parts,
                         const std::string& where, std::vector<std::string>& problems) {
  for (const auto& vf : view.fields) {
    if (vf.type->constant(vf) != nullptr) continue;
    const auto part = std::find_if(parts.begin(), parts.end(),
                                   [&](const Composed& c) { return c.target == vf.field; });
    // Only relations printed with a view are composed.
    if (vf.field == nullptr || vf.view == nullptr || part == parts.end()) {
      problems.push_back(
          fmt::format("{}: view {} prints {}, which is not composed", where, view.name, vf.key));
    } else if (vf.field->relation == Relation::ForeignKey && vf.view != nullptr) {
      check_composed_view(*vf.view, part->parts, where, problems);
    }
  }
}

}  // namespace

namespace {

// Expands a view that extends another into its full key list, parents first.
// `state`: 1 while a view is being expanded (a cycle), 2 once it is done.
void expand(View& v, const std::map<std::string, View*, std::less<>>& by_name,
            std::map<const View*, int>& state, std::vector<std::string>& problems) {
  if (v.parent.empty() || state[&v] == 2) return;
  if (state[&v] == 1) {
    problems.push_back(fmt::format("view {}: extends itself through {}", v.name, v.parent));
    return;
  }
  state[&v] = 1;
  const auto it = by_name.find(v.parent);
  if (it == by_name.end()) {
    problems.push_back(fmt::format("view {}: extends unknown view {}", v.name, v.parent));
    state[&v] = 2;
    return;
  }
  View& parent = *it->second;
  expand(parent, by_name, state, problems);
  if (parent.kind_name != v.kind_name) {
    problems.push_back(
        fmt::format("view {}: extends {}, a view of {}", v.name, parent.name, parent.kind_name));
  }
  std::vector<ViewField> out;
  std::vector<bool> used(v.fields.size(), false);
  for (const auto& inherited : parent.fields) {
    const ViewField* replacement = nullptr;
    for (size_t i = 0; i < v.fields.size(); ++i) {
      if (v.fields[i].key == inherited.key) {
        replacement = &v.fields[i];
        used[i] = true;
      }
    }
    out.push_back(replacement != nullptr ? *replacement : inherited);
  }
  for (size_t i = 0; i < v.fields.size(); ++i) {
    if (!used[i]) out.push_back(v.fields[i]);
  }
  for (const auto& key : v.omit) {
    const auto gone =
        std::find_if(out.begin(), out.end(), [&](const ViewField& f) { return f.key == key; });
    if (gone == out.end()) {
      problems.push_back(
          fmt::format("view {}: omits {}, which {} does not have", v.name, key, parent.name));
    } else {
      out.erase(gone);
    }
  }
  v.fields = std::move(out);
  state[&v] = 2;
}

}  // namespace

std::vector<std::string> Registry::resolve() {
  std::vector<std::string> problems;
  declared_views_.clear();
  declared_resources_.clear();
  for (const auto& v : views_) declared_views_.push_back(*v);
  for (const auto& r : resources_) declared_resources_.push_back(*r);
  // A later version's kinds were resolved with its base.
  if (owns_kinds_) resolve_kinds(problems);
  resolve_views(problems);
  resolve_resources(problems);
  build_routes(problems);
  find_import_exceptions(problems);
  return problems;
}

// The keys this version's views print otherwise than their kind's field of
// that name (or alias) is stored: each view of a kind must agree.
void Registry::find_import_exceptions(std::vector<std::string>& problems) {
  import_exceptions_.clear();
  for (const auto& v : views_) {
    if (v->kind == nullptr) continue;
    for (const auto& vf : v->fields) {
      if (!vf.type || vf.key == "id" || vf.key == "url" || vf.key == "response_mode") continue;
      const ImportKey read{vf.type->imported_into(vf), vf.type->imported_as_url()};
      const Field* usual = v->kind->field_for_key(vf.key);
      if (read.field == usual && !read.url) continue;
      // A key no view stores and the kind has no field of: nothing to say.
      if (read.field == nullptr && usual == nullptr) continue;
      const auto [it, added] = import_exceptions_[v->kind].try_emplace(vf.key, read);
      if (!added && (it->second.field != read.field || it->second.url != read.url)) {
        problems.push_back(fmt::format("view {}: key {} is read back unlike in another view of {}",
                                       v->name, vf.key, v->kind_name));
      }
    }
  }
}

ImportKey Registry::import_key(const Kind& kind, std::string_view key) const {
  if (const auto of_kind = import_exceptions_.find(&kind); of_kind != import_exceptions_.end()) {
    if (const auto it = of_kind->second.find(key); it != of_kind->second.end()) return it->second;
  }
  return {kind.field_for_key(key), false};
}

void Registry::resolve_kinds(std::vector<std::string>& problems) {
  auto& kinds = *kinds_;
  std::set<std::string> names;
  for (auto& k : kinds) {
    if (!names.insert(k->name).second) problems.push_back("duplicate kind " + k->name);
    int column = 0;
    k->float_columns.clear();
    for (auto& f : k->fields) {
      f.owner = k.get();
      if (f.relation == Relation::Column || f.relation == Relation::ForeignKey) f.column = ++column;
      if (f.relation == Relation::Column && f.type == ColumnType::Float)
        k->float_columns.push_back(f.column);
      if (f.relation != Relation::Column) {
        Kind* target = nullptr;
        for (auto& t : kinds) {
          if (t->name == f.target) target = t.get();
        }
        if (target == nullptr) {
          problems.push_back(fmt::format("{}.{}: unknown kind {}", k->name, f.name, f.target));
          continue;
        }
        f.target_kind = target;
        if (f.relation == Relation::Children || f.relation == Relation::Rows) target->owned = true;
        if (f.relation == Relation::Rows && target->id_type != IdType::None) {
          problems.push_back(fmt::format("{}.{}: rows need an id-less kind", k->name, f.name));
        }
        if (f.relation != Relation::Rows && f.relation != Relation::ForeignKey &&
            k->id_type == IdType::None) {
          // Id-less rows have nothing a link table or a foreign key could name.
          problems.push_back(fmt::format(
              "{}.{}: an id-less kind can only hold columns and foreign keys", k->name, f.name));
        }
        if (f.relation != Relation::Rows && target->id_type == IdType::None) {
          problems.push_back(
              fmt::format("{}.{}: id-less {} can only be rows", k->name, f.name, f.target));
        }
      }
    }
    k->column_count = column;
  }
  // Reverse relations, once every field knows its target.
  for (auto& k : kinds) {
    for (auto& f : k->fields) {
      if (f.relation != Relation::Reverse || f.target_kind == nullptr) continue;
      f.via_field = f.target_kind->field(f.via);
      const bool fk = f.via_field != nullptr && f.via_field->relation == Relation::ForeignKey;
      const bool m2m = f.via_field != nullptr && f.via_field->relation == Relation::ManyToMany;
      if ((!fk && !m2m) || f.via_field->target_kind != k.get()) {
        problems.push_back(fmt::format("{}.{}: {}.{} is not a foreign key or many-to-many to {}",
                                       k->name, f.name, f.target, f.via, k->name));
        f.via_field = nullptr;
      } else if (f.one && !fk) {
        problems.push_back(
            fmt::format("{}.{}: a one-to-one reverse needs a foreign key", k->name, f.name));
      }
      if (!f.order_by.empty()) {
        const Field* o = f.target_kind->field(f.order_by);
        if (o == nullptr || o->relation != Relation::Column) {
          problems.push_back(fmt::format("{}.{}: {} has no column {} to order by", k->name, f.name,
                                         f.target, f.order_by));
        }
      }
    }
  }
  // Watched fields: columns or foreign keys of their own kind.
  for (auto& k : kinds) {
    for (auto& w : k->watched) {
      w.field = k->field(w.field_name);
      if (w.field == nullptr || w.field->column <= 0)
        problems.push_back(
            fmt::format("{}: cannot watch {}: no such column", k->name, w.field_name));
    }
    if (!k->remind_of_name.empty()) {
      k->remind_of = k->field(k->remind_of_name);
      if (k->remind_of == nullptr || k->remind_of->type != ColumnType::DateTime)
        problems.push_back(fmt::format("{}: cannot remind of {}: no date-time column", k->name,
                                       k->remind_of_name));
    }
  }
  // Derived foreign keys: fk__relation ending on the same kind as the field.
  for (auto& k : kinds) {
    for (auto& d : k->derivations) {
      d.target = k->field(d.field);
      const size_t sep = d.path.find("__");
      d.first = sep == std::string::npos ? nullptr : k->field(d.path.substr(0, sep));
      if (d.first != nullptr && d.first->relation == Relation::ForeignKey && d.first->target_kind)
        d.second = d.first->target_kind->field(d.path.substr(sep + 2));
      const bool second_ok =
          d.second != nullptr && (d.second->relation == Relation::ForeignKey ||
                                  (d.second->relation == Relation::Reverse && d.second->one));
      if (d.target == nullptr || d.target->relation != Relation::ForeignKey || !second_ok ||
          d.second->target_kind != d.target->target_kind) {
        problems.push_back(fmt::format("{}: cannot derive {} from {}", k->name, d.field, d.path));
      }
    }
  }
}

void Registry::resolve_views(std::vector<std::string>& problems) {
  std::map<std::string, View*, std::less<>> by_name;
  for (auto& v : views_) {
    if (!by_name.emplace(v->name, v.get()).second) problems.push_back("duplicate view " + v->name);
  }
  std::map<const View*, int> state;
  for (auto& v : views_) expand(*v, by_name, state, problems);
  for (auto& v : views_) {
    v->kind = find_kind(v->kind_name);
    if (v->kind == nullptr) {
      problems.push_back(fmt::format("view {}: unknown kind {}", v->name, v->kind_name));
      continue;
    }
    Kind& kind = *find_kind_mutable(v->kind_name);
    std::set<std::string> keys;
    for (auto& vf : v->fields) {
      if (!keys.insert(vf.key).second)
        problems.push_back(fmt::format("view {}: duplicate key {}", v->name, vf.key));
      if (!vf.type) {
        problems.push_back(fmt::format("view {}: {} has no field type", v->name, vf.key));
        continue;
      }
      vf.type->resolve(vf, *v, *this, problems);
      const Field* imported = vf.type->imported_into(vf);
      if (imported != nullptr && !vf.source.empty()) {
        // The importer reads the key back into the same field, whichever view
        // printed it: a key may stand for one field of its kind only.
        const Field* same_name = kind.field(vf.key);
        const auto [alias, added] = kind.key_aliases.emplace(vf.key, imported);
        if ((same_name != nullptr && same_name != imported) || alias->second != imported) {
          problems.push_back(fmt::format("view {}: key {} from {} clashes with another field",
                                         v->name, vf.key, vf.source));
        }
      }
    }
  }
  // Nested views must render the kind the relation points to.
  for (auto& v : views_) {
    for (auto& vf : v->fields) {
      if (vf.view != nullptr && vf.field != nullptr && vf.view->kind != vf.field->target_kind) {
        problems.push_back(fmt::format("view {}: {} renders {} with a view of {}", v->name, vf.key,
                                       vf.field->target, vf.view->kind_name));
      }
    }
  }
}

void Registry::resolve_resources(std::vector<std::string>& problems) {
  for (auto& r : resources_) {
    // Without a kind named, the resource serves the kind its views render.
    if (r->kind_name.empty() && !r->modes.empty()) {
      if (const View* v = find_view(r->modes.front().view)) r->kind_name = v->kind_name;
    }
    r->kind = find_kind(r->kind_name);
    if (r->kind == nullptr) {
      problems.push_back(fmt::format("resource {}: unknown kind {}", r->path, r->kind_name));
      continue;
    }
    for (auto& m : r->modes) {
      m.resolved = find_view(m.view);
      if (m.resolved == nullptr || m.resolved->kind != r->kind) {
        problems.push_back(
            fmt::format("resource {}: mode {} has no view of {}", r->path, m.name, r->kind_name));
      }
    }
    if (r->paginated && r->kind->model.empty())
      problems.push_back(fmt::format("resource {}: kind {} names no LL2 model for its 404", r->path,
                                     r->kind_name));
    if (r->modes.size() == 1) r->list_mode = r->detail_mode = r->modes.front().name;
    if (r->mode(r->list_mode) == nullptr || r->mode(r->detail_mode) == nullptr) {
      problems.push_back(fmt::format("resource {}: default modes must be declared", r->path));
    }
    std::set<std::string> params;
    const auto check_filters = [&](std::vector<Filter>& filters) {
      for (auto& f : filters) {
        if (auto e = resolve_filter(*r->kind, f))
          problems.push_back(fmt::format("resource {}: filter {}: {}", r->path, f.param, *e));
        if (!f.choice_of.empty()) {
          f.choice_kind = f.id_kind = find_kind(f.choice_of);
          if (f.choice_kind == nullptr)
            problems.push_back(
                fmt::format("resource {}: filter {}: no kind {}", r->path, f.param, f.choice_of));
          else
            f.integer = f.choice_kind->id_type != IdType::Uuid;
        }
      }
    };
    check_filters(r->filters);
    for (const auto& f : r->filters) {
      if (!params.insert(f.param).second)
        problems.push_back(fmt::format("resource {}: duplicate filter {}", r->path, f.param));
    }
    for (auto& a : r->actions) {
      check_filters(a.extra_filters);
      for (const auto& o : a.default_ordering) {
        if (!valid_ordering_path(r->kind, o.starts_with('-') ? o.substr(1) : o))
          problems.push_back(fmt::format("resource {}/{}: bad ordering {}", r->path, a.name, o));
      }
    }
    for (const auto& o : r->default_ordering) {
      if (!valid_ordering_path(r->kind, o.starts_with('-') ? o.substr(1) : o))
        problems.push_back(fmt::format("resource {}: bad default ordering {}", r->path, o));
    }
    for (const auto& p : r->search_fields) {
      if (!valid_path(r->kind, p))
        problems.push_back(fmt::format("resource {}: bad search path {}", r->path, p));
    }
    for (const auto& p : r->ordering_fields) {
      if (!valid_ordering_path(r->kind, p))
        problems.push_back(fmt::format("resource {}: bad ordering path {}", r->path, p));
    }
    if (!r->paginated && r->compose.empty())
      problems.push_back(fmt::format("resource {}: a single object must be composed", r->path));
    if (!r->compose.empty()) {
      // The engine composes a single object (in place of one imported) only.
      if (r->paginated)
        problems.push_back(fmt::format("resource {}: only a single object is composed", r->path));
      resolve_composed(*this, *r->kind, r->compose, "resource " + r->path, problems);
      for (const auto& m : r->modes) {
        if (m.resolved != nullptr)
          check_composed_view(*m.resolved, r->compose, "resource " + r->path, problems);
      }
    }
  }
}

// DRF's router registers each resource's list, then its extra actions;
// a version with mode routes gives every other mode a list of its own.
void Registry::build_routes(std::vector<std::string>& problems) {
  routes_.clear();
  for (const auto& r : resources_) {
    routes_.push_back({r->path, r.get(), nullptr, nullptr, r->paginated});
    for (const auto& a : r->actions) routes_.push_back({r->path + "/" + a.name, r.get(), &a});
    if (!version_.mode_routes) continue;
    for (const auto& m : r->modes) {
      if (m.name != r->list_mode && m.own_route)
        routes_.push_back(
            {r->path + "/" + version_.mode_route(m.name), r.get(), nullptr, &m, false});
    }
  }
  std::sort(routes_.begin(), routes_.end(),
            [](const Route& a, const Route& b) { return a.path < b.path; });
  for (size_t i = 1; i < routes_.size(); ++i) {
    if (routes_[i].path == routes_[i - 1].path)
      problems.push_back("two routes at " + version_.prefix + routes_[i].path);
  }
}

Value FilterContext::value_of(std::string_view kind_name, const Value& id,
                              std::string_view field) const {
  const Kind* kind = version != nullptr ? version->find_kind(kind_name) : nullptr;
  const Field* f = kind != nullptr ? kind->field(field) : nullptr;
  if (f == nullptr || f->column < 0 || !load) return std::monostate{};
  const auto row = load(*kind, id);
  return row ? row->at(static_cast<size_t>(f->column)) : Value{};
}

std::vector<Value> FilterContext::names_of(std::string_view kind,
                                           const std::vector<Value>& ids) const {
  std::vector<Value> names;
  for (const auto& id : ids) {
    Value name = value_of(kind, id, "name");
    if (!is_null(name)) names.push_back(std::move(name));
  }
  return names;
}

Predicate FilterContext::named_as(std::string_view kind, const std::vector<Value>& ids,
                                  std::string path) const {
  std::vector<Value> names = names_of(kind, ids);
  if (names.empty()) return Predicate::nothing();
  return Predicate::compare(std::move(path), Lookup::In, std::move(names));
}

Predicate FilterContext::since_now(std::string path, Lookup lookup, int64_t offset) const {
  Predicate p = Predicate::compare(std::move(path), lookup, now + offset);
  p.clock_offset = offset;
  return p;
}

void FilterContext::note_clock(const Kind& kind, const Predicate& where) const {
  if (clock_edges == nullptr) return;
  if (where.clock_offset) clock_edges->push_back({&kind, where.path, *where.clock_offset});
  for (const auto& child : where.children) note_clock(kind, child);
}

namespace declare {

KindBuilder& KindBuilder::col(std::string name, ColumnType type) {
  Field f;
  f.name = std::move(name);
  f.relation = Relation::Column;
  f.type = type;
  k.fields.push_back(std::move(f));
  return *this;
}

namespace {
KindBuilder& many(KindBuilder& b, std::initializer_list<const char*> names, ColumnType t) {
  for (const char* n : names) b.col(n, t);
  return b;
}
KindBuilder& relation(KindBuilder& b, std::string name, std::string target, Relation r) {
  Field f;
  f.name = std::move(name);
  f.relation = r;
  f.target = std::move(target);
  b.k.fields.push_back(std::move(f));
  return b;
}
}  // namespace

KindBuilder& KindBuilder::integer(std::initializer_list<const char*> n) {
  return many(*this, n, ColumnType::Integer);
}
KindBuilder& KindBuilder::text(std::initializer_list<const char*> n) {
  return many(*this, n, ColumnType::Text);
}
KindBuilder& KindBuilder::flt(std::initializer_list<const char*> n) {
  return many(*this, n, ColumnType::Float);
}
KindBuilder& KindBuilder::boolean(std::initializer_list<const char*> n) {
  return many(*this, n, ColumnType::Boolean);
}
KindBuilder& KindBuilder::datetime(std::initializer_list<const char*> n) {
  return many(*this, n, ColumnType::DateTime);
}
KindBuilder& KindBuilder::fk(std::string name, std::string target) {
  return relation(*this, std::move(name), std::move(target), Relation::ForeignKey);
}
KindBuilder& KindBuilder::m2m(std::string name, std::string target) {
  return relation(*this, std::move(name), std::move(target), Relation::ManyToMany);
}
KindBuilder& KindBuilder::children(std::string name, std::string target) {
  return relation(*this, std::move(name), std::move(target), Relation::Children);
}
KindBuilder& KindBuilder::rows(std::string name, std::string target) {
  return relation(*this, std::move(name), std::move(target), Relation::Rows);
}
KindBuilder& KindBuilder::reverse(std::string name, std::string target, std::string via,
                                  std::string order_by) {
  relation(*this, std::move(name), std::move(target), Relation::Reverse);
  k.fields.back().via = std::move(via);
  k.fields.back().order_by = std::move(order_by);
  return *this;
}
KindBuilder& KindBuilder::reverse_one(std::string name, std::string target, std::string via) {
  reverse(std::move(name), std::move(target), std::move(via));
  k.fields.back().one = true;
  return *this;
}

KindBuilder& KindBuilder::alias(std::string prefix, std::string replacement) {
  k.aliases.emplace_back(std::move(prefix), std::move(replacement));
  return *this;
}

KindBuilder& KindBuilder::numbered() {
  k.numbered = true;
  return *this;
}

KindBuilder& KindBuilder::model(std::string class_name) {
  k.model = std::move(class_name);
  return *this;
}

KindBuilder& KindBuilder::derive(std::string field, std::string path) {
  k.derivations.push_back({std::move(field), std::move(path), nullptr, nullptr, nullptr});
  return *this;
}

KindBuilder& KindBuilder::watch(std::string field, std::string event, bool only_to_true) {
  k.watched.push_back({std::move(field), std::move(event), only_to_true, nullptr});
  return *this;
}

KindBuilder& KindBuilder::reminders_before(std::string field) {
  k.remind_of_name = std::move(field);
  return *this;
}

namespace {
const char* lookup_suffix(Lookup l) {
  switch (l) {
    case Lookup::Exact:
      return "";
    case Lookup::IExact:
      return "__iexact";
    case Lookup::Contains:
      return "__contains";
    case Lookup::IContains:
      return "__icontains";
    case Lookup::StartsWith:
      return "__startswith";
    case Lookup::IStartsWith:
      return "__istartswith";
    case Lookup::Gt:
      return "__gt";
    case Lookup::Gte:
      return "__gte";
    case Lookup::Lt:
      return "__lt";
    case Lookup::Lte:
      return "__lte";
    case Lookup::In:
      return "__in";
    case Lookup::IsNull:
      return "__isnull";
    case Lookup::Year:
      return "__year";
    case Lookup::Month:
      return "__month";
    case Lookup::Day:
      return "__day";
  }
  return "";
}
}  // namespace

std::vector<Filter> lookups(const std::string& path, std::initializer_list<Lookup> which) {
  std::vector<Filter> out;
  for (const Lookup l : which) {
    Filter f;
    f.param = path + lookup_suffix(l);
    f.path = path;
    f.lookup = l;
    f.csv = l == Lookup::In;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Filter> exact(const std::string& path) {
  return lookups(path, {Lookup::Exact});
}

std::vector<Filter> range(const std::string& path) {
  return lookups(path, {Lookup::Exact, Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte});
}

Filter filter(std::string param, std::string path, Lookup lookup, ValueKind value) {
  Filter f;
  f.param = std::move(param);
  f.path = std::move(path);
  f.lookup = lookup;
  f.value = value;
  f.csv = lookup == Lookup::In;
  return f;
}

Filter in_list(std::string param, std::string path, ValueKind value) {
  return filter(std::move(param), std::move(path), Lookup::In, value);
}

Filter custom(std::string param, ValueKind value, CustomFilter build, bool csv) {
  Filter f;
  f.param = std::move(param);
  f.value = value;
  f.custom = std::move(build);
  f.csv = csv;
  return f;
}

Filter custom_choice(std::string param, std::string kind, CustomFilter build) {
  Filter f = custom(std::move(param), ValueKind::Choice, std::move(build));
  f.choice_of = std::move(kind);
  return f;
}

Filter date_part(std::string param, std::string path, Lookup part) {
  Filter f = filter(std::move(param), std::move(path), part, ValueKind::Decimal);
  f.csv = true;
  return f;
}

std::vector<Filter> date_parts(const std::string& path) {
  return {date_part(path + "__day", path, Lookup::Day),
          date_part(path + "__month", path, Lookup::Month),
          date_part(path + "__year", path, Lookup::Year)};
}

Filter unsupported(std::string param, ValueKind value, std::string reason, bool csv) {
  Filter f;
  f.param = std::move(param);
  f.value = value;
  f.unsupported = std::move(reason);
  f.csv = csv;
  return f;
}

namespace {
constexpr int64_t kDay = int64_t{24} * 3600 * 1000000;  // microseconds
}  // namespace

// The window and order are ll2-server-facts §7's reconstruction (the 2020
// code, LL2's FAQ), as the DRF peer serves them.
Action upcoming(const std::string& field) {
  Action a;
  a.name = "upcoming";
  a.base = [field](const FilterContext& c) { return c.since_now(field, Lookup::Gte, -kDay); };
  a.default_ordering = {field};
  a.extra_filters = {custom("hide_recent_previous", ValueKind::Boolean,
                            [field](const std::vector<Value>& v, const FilterContext& c) {
                              if (std::get<int64_t>(v.at(0)) == 0) return Predicate{};
                              return c.since_now(field, Lookup::Gte);
                            })};
  a.title = "Upcoming";
  return a;
}

Action previous(const std::string& field, std::vector<std::string> tags) {
  Action a;
  a.name = "previous";
  a.base = [field](const FilterContext& c) { return c.since_now(field, Lookup::Lte); };
  a.default_ordering = {"-" + field};
  a.title = "Previous";
  a.tags = std::move(tags);
  return a;
}

std::vector<Filter> time_windows(const std::string& field) {
  const auto window = [field](std::string param, Lookup lookup, int64_t before_now) {
    return custom(std::move(param), ValueKind::Boolean,
                  [field, lookup, before_now](const std::vector<Value>& v, const FilterContext& c) {
                    if (std::get<int64_t>(v.at(0)) == 0) return Predicate{};
                    return c.since_now(field, lookup, -before_now);
                  });
  };
  return {window("previous", Lookup::Lte, 0), window("upcoming", Lookup::Gte, 0),
          window("upcoming_with_recent", Lookup::Gte, kDay)};
}

std::vector<Filter> filters(std::initializer_list<std::vector<Filter>> parts) {
  std::vector<Filter> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<ViewField> cols(std::initializer_list<const char*> keys) {
  std::vector<ViewField> out;
  for (const char* k : keys) out.push_back(col(k));
  return out;
}

std::vector<ViewField> fields(std::initializer_list<std::vector<ViewField>> parts) {
  std::vector<ViewField> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace declare

}  // namespace ll2::model
