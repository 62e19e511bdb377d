#include "store/sql_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace ll2::store::sql {

using model::Field;
using model::Kind;
using model::Relation;

std::string quote(std::string_view identifier) {
  return fmt::format("\"{}\"", identifier);
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string column_name(const Field& f) {
  return f.relation == Relation::ForeignKey ? f.name + "_id" : f.name;
}

namespace {

const char* sql_type(const Field& f) {
  if (f.relation == Relation::ForeignKey) {
    return f.target_kind != nullptr && f.target_kind->id_type == model::IdType::Uuid ? "TEXT"
                                                                                     : "INTEGER";
  }
  switch (f.type) {
    case model::ColumnType::Float:
      return "REAL";
    case model::ColumnType::Text:
    case model::ColumnType::Date:
      return "TEXT";
    default:
      return "INTEGER";  // integers, booleans, date-times and durations
  }
}

const char* id_type(const Kind& k) {
  return k.id_type == model::IdType::Uuid ? "TEXT" : "INTEGER";
}

std::string row_columns(const Kind& k, std::string_view prefix) {
  std::string out = k.id_type == model::IdType::None ? "NULL" : fmt::format("{}id", prefix);
  for (const auto& f : k.fields) {
    if (f.column > 0) out += fmt::format(", {}{}", prefix, quote(column_name(f)));
  }
  return out;
}

// The column a path ends on, through LEFT JOINs for the foreign keys before
// it. Joins are shared by prefix, so one join serves several search fields.
class JoinPlan {
 public:
  explicit JoinPlan(const Kind* root) : root_(root) {}

  std::string column(std::string_view path) {
    const Kind* kind = root_;
    std::string alias = "t0";
    std::string prefix;
    while (true) {
      const size_t sep = path.find("__");
      const std::string_view head = path.substr(0, sep);
      const Field* f = head == "id" ? nullptr : kind->field(head);
      if (sep == std::string_view::npos) {
        return head == "id" ? alias + ".id" : fmt::format("{}.{}", alias, quote(column_name(*f)));
      }
      const std::string_view rest = path.substr(sep + 2);
      if (rest == "id") {  // docking_location__id reads the foreign key itself
        return fmt::format("{}.{}", alias, quote(column_name(*f)));
      }
      prefix += std::string(head) + "__";
      auto it = aliases_.find(prefix);
      if (it == aliases_.end()) {
        const std::string next = fmt::format("t{}", aliases_.size() + 1);
        joins_ += fmt::format(" LEFT JOIN {} {} ON {}.id = {}.{}", quote(f->target_kind->name),
                              next, next, alias, quote(column_name(*f)));
        it = aliases_.emplace(prefix, next).first;
      }
      alias = it->second;
      kind = f->target_kind;
      path = rest;
    }
  }
  const std::string& joins() const { return joins_; }

 private:
  const Kind* root_;
  std::map<std::string, std::string> aliases_;
  std::string joins_;
};

// The value an ORDER BY reads through a path with a many-valued hop (a
// reverse foreign key: payloadflight__rocket__launch__net): a correlated
// subquery taking the least value ascending and the greatest descending, so
// each row is listed once (Django's join would list it once per related row).
std::string many_value(const Kind& kind, const std::string& alias, std::string_view path,
                       bool descending, int& next_alias) {
  const size_t sep = path.find("__");
  const std::string_view head = path.substr(0, sep);
  if (head == "id") return alias + ".id";
  const Field* f = kind.field(head);
  if (sep == std::string_view::npos) return fmt::format("{}.{}", alias, quote(column_name(*f)));
  const std::string_view rest = path.substr(sep + 2);
  const Kind& target = *f->target_kind;
  const std::string inner = fmt::format("o{}", next_alias++);
  const std::string value = many_value(target, inner, rest, descending, next_alias);
  if (f->relation == Relation::ForeignKey) {
    return fmt::format("(SELECT {} FROM {} {} WHERE {}.id = {}.{})", value, quote(target.name),
                       inner, inner, alias, quote(column_name(*f)));
  }
  // A reverse foreign key (checked by the registry: ordering paths have no
  // other many-valued hops).
  return fmt::format("(SELECT {}({}) FROM {} {} WHERE {}.{} = {}.id)", descending ? "MAX" : "MIN",
                     value, quote(target.name), inner, inner, quote(column_name(*f->via_field)),
                     alias);
}

// Writes the condition that a field path satisfies `leaf` (a function of the
// SQL expression the path ends on). Each relation hop becomes an IN-subquery
// evaluated against the table that holds the next field, so a name is tested
// once per query instead of once per joined row; a path through a
// many-valued relation matches when any related row does (as a Django filter
// through a join), and a NULL foreign key never matches.
class PathMatcher {
 public:
  using Leaf = std::function<std::string(const std::string& expression)>;

  std::string match(const Kind& kind, const std::string& alias, std::string_view path,
                    const Leaf& leaf) {
    const size_t sep = path.find("__");
    const std::string_view head = path.substr(0, sep);
    if (head == "id") return leaf(alias + ".id");
    const Field* f = kind.field(head);
    const std::string_view rest =
        sep == std::string_view::npos ? std::string_view() : path.substr(sep + 2);
    if (f->relation == Relation::Column) return leaf(alias + "." + quote(f->name));
    const Kind& target = *f->target_kind;
    const bool target_id = rest.empty() || rest == "id";  // the relation's end, by id
    const std::string inner = fmt::format("s{}", next_alias_++);
    switch (f->relation) {
      case Relation::ForeignKey: {
        const std::string column = fmt::format("{}.{}", alias, quote(column_name(*f)));
        if (target_id) return leaf(column);
        return fmt::format("{} IN (SELECT {}.id FROM {} {} WHERE {})", column, inner,
                           quote(target.name), inner, match(target, inner, rest, leaf));
      }
      case Relation::ManyToMany: {
        const std::string link = inner + ".target_id";
        std::string cond;
        if (target_id) {
          cond = leaf(link);
        } else {
          const std::string t = fmt::format("s{}", next_alias_++);
          cond = fmt::format("{} IN (SELECT {}.id FROM {} {} WHERE {})", link, t,
                             quote(target.name), t, match(target, t, rest, leaf));
        }
        return fmt::format("{}.id IN (SELECT {}.owner_id FROM {} {} WHERE {})", alias, inner,
                           quote(kind.link_table(*f)), inner, cond);
      }
      case Relation::Children: {
        const std::string cond = target_id ? leaf(inner + ".id") : match(target, inner, rest, leaf);
        return fmt::format("{}.id IN (SELECT {}.owner_id FROM {} {} WHERE {})", alias, inner,
                           quote(target.name), inner, cond);
      }
      case Relation::Rows:
        return fmt::format("{}.id IN (SELECT {}.owner_id FROM {} {} WHERE {})", alias, inner,
                           quote(kind.link_table(*f)), inner, match(target, inner, rest, leaf));
      case Relation::Reverse: {
        const Field& via = *f->via_field;
        if (via.relation == Relation::ForeignKey) {
          const std::string cond =
              target_id ? leaf(inner + ".id") : match(target, inner, rest, leaf);
          return fmt::format("{}.id IN (SELECT {}.{} FROM {} {} WHERE {})", alias, inner,
                             quote(column_name(via)), quote(target.name), inner, cond);
        }
        // Through the target's many-to-many: its link rows name this object.
        std::string cond;
        if (target_id) {
          cond = leaf(inner + ".owner_id");
        } else {
          const std::string t = fmt::format("s{}", next_alias_++);
          cond = fmt::format("{}.owner_id IN (SELECT {}.id FROM {} {} WHERE {})", inner, t,
                             quote(target.name), t, match(target, t, rest, leaf));
        }
        return fmt::format("{}.id IN (SELECT {}.target_id FROM {} {} WHERE {})", alias, inner,
                           quote(target.link_table(via)), inner, cond);
      }
      case Relation::Column:
        break;
    }
    return "0";
  }

 private:
  int next_alias_ = 1;
};

const char* comparison(model::Lookup lookup) {
  switch (lookup) {
    case model::Lookup::Gt:
      return ">";
    case model::Lookup::Gte:
      return ">=";
    case model::Lookup::Lt:
      return "<";
    case model::Lookup::Lte:
      return "<=";
    default:
      return "=";
  }
}

std::string placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

// The SQL for one lookup on an expression; appends its parameters.
std::string lookup_sql(const std::string& x, model::Lookup lookup, const std::vector<Value>& values,
                       std::vector<Value>& params) {
  using model::Lookup;
  params.insert(params.end(), values.begin(), values.end());
  switch (lookup) {
    case Lookup::Exact:
    case Lookup::Gt:
    case Lookup::Gte:
    case Lookup::Lt:
    case Lookup::Lte:
      return fmt::format("{} {} ?", x, comparison(lookup));
    case Lookup::IExact:
      return fmt::format("ll2_upper({}) = ?", x);
    case Lookup::Contains:
      return fmt::format("instr(CAST({} AS TEXT), CAST(? AS TEXT)) > 0", x);
    case Lookup::IContains:
      return fmt::format("ll2_icontains({}, ?)", x);
    case Lookup::StartsWith:
      return fmt::format("instr(CAST({} AS TEXT), CAST(? AS TEXT)) = 1", x);
    case Lookup::IStartsWith:
      return fmt::format("instr(ll2_upper({}), ?) = 1", x);
    case Lookup::In:
      return fmt::format("{} IN ({})", x, placeholders(values.size()));
    case Lookup::Year:
    case Lookup::Month:
    case Lookup::Day: {
      // Date-times are microseconds since the epoch; the part is taken in UTC.
      const char* part = lookup == Lookup::Year ? "%Y" : lookup == Lookup::Month ? "%m" : "%d";
      return fmt::format("CAST(strftime('{}', {} / 1000000.0, 'unixepoch') AS INTEGER) IN ({})",
                         part, x, placeholders(values.size()));
    }
    case Lookup::IsNull:
      break;
  }
  params.resize(params.size() - values.size());
  return "0";
}

// A predicate as SQL; negations never see NULL (Django's exclude keeps rows
// whose path reaches nothing).
std::string predicate_sql(const Kind& root, const model::Predicate& p, PathMatcher& paths,
                          std::vector<Value>& params) {
  using K = model::Predicate::Kind;
  switch (p.kind) {
    case K::All:
      return "1";
    case K::Nothing:
      return "0";
    case K::And:
    case K::Or: {
      std::vector<std::string> parts;
      for (const auto& c : p.children) parts.push_back(predicate_sql(root, c, paths, params));
      return fmt::format("({})", fmt::join(parts, p.kind == K::And ? " AND " : " OR "));
    }
    case K::Not:
      return fmt::format("NOT COALESCE({}, 0)",
                         predicate_sql(root, p.children.at(0), paths, params));
    case K::Compare:
      break;
  }
  if (p.lookup == model::Lookup::IsNull) {
    // Django: true when the path reaches no value (a NULL column or foreign
    // key, no related rows), false when it reaches one.
    const std::string reaches =
        paths.match(root, "t0", p.path, [](const std::string& x) { return x + " IS NOT NULL"; });
    const auto* flag = p.values.empty() ? nullptr : std::get_if<int64_t>(&p.values[0]);
    return flag != nullptr && *flag != 0 ? fmt::format("NOT COALESCE({}, 0)", reaches) : reaches;
  }
  return paths.match(root, "t0", p.path, [&](const std::string& x) {
    return lookup_sql(x, p.lookup, p.values, params);
  });
}

}  // namespace

namespace {

// CREATE INDEX statements by name: several needs (a filter, a search hop, a
// reverse relation) may ask for the same one.
class Indexes {
 public:
  // An index on a foreign key or column of `kind`, named <kind>__<field>.
  void on_field(const Kind& kind, const Field& f) {
    add(kind.name + "__" + f.name, quote(kind.name), fmt::format("{}, id", quote(column_name(f))));
  }
  void add(const std::string& name, const std::string& table, const std::string& columns) {
    if (names_.insert(name).second) {
      statements_.push_back(fmt::format("CREATE INDEX {} ON {} ({})", quote(name), table, columns));
    }
  }
  std::vector<std::string> take() { return std::move(statements_); }

 private:
  std::set<std::string> names_;
  std::vector<std::string> statements_;
};

}  // namespace

std::vector<std::string> schema(const model::Registry& registry) {
  std::vector<std::string> out;
  Indexes indexes;
  for (const auto& kp : registry.kinds()) {
    const Kind& k = *kp;
    // An id-less kind has no table of its own: each Rows relation that holds
    // it has one (below), so owners of different kinds never share a table.
    if (k.id_type != model::IdType::None) {
      std::string cols = fmt::format("id {} PRIMARY KEY", id_type(k));
      if (k.owned) cols += ", owner_id INTEGER";
      for (const auto& f : k.fields) {
        if (f.column > 0) cols += fmt::format(", {} {}", quote(column_name(f)), sql_type(f));
      }
      out.push_back(fmt::format("CREATE TABLE {} ({})", quote(k.name), cols));
      if (k.owned) {
        indexes.add(k.name + "__owner", quote(k.name), "owner_id, id");
      }
    }
    for (const auto& f : k.fields) {
      if (f.relation == Relation::ManyToMany) {
        out.push_back(
            fmt::format("CREATE TABLE {} (owner_id {} NOT NULL, target_id {} NOT NULL, PRIMARY KEY "
                        "(owner_id, target_id)) "
                        "WITHOUT ROWID",
                        quote(k.link_table(f)), id_type(k), id_type(*f.target_kind)));
      } else if (f.relation == Relation::Rows) {
        std::string cols =
            fmt::format("owner_id {} NOT NULL, position INTEGER NOT NULL", id_type(k));
        for (const auto& c : f.target_kind->fields) {
          if (c.column > 0) cols += fmt::format(", {} {}", quote(column_name(c)), sql_type(c));
        }
        out.push_back(fmt::format("CREATE TABLE {} ({}, PRIMARY KEY (owner_id, position))",
                                  quote(k.link_table(f)), cols));
      } else if (f.relation == Relation::Reverse && f.via_field != nullptr) {
        // Reading a reverse relation looks the owner up by the target's key.
        const Kind& target = *f.target_kind;
        if (f.via_field->relation == Relation::ForeignKey) {
          // With an ordering column, the index hands the rows out in order.
          const std::string order = f.order_by.empty() ? "" : quote(f.order_by) + ", ";
          indexes.add(target.name + "__" + f.via_field->name, quote(target.name),
                      fmt::format("{}, {}id", quote(column_name(*f.via_field)), order));
        } else {
          const std::string link = target.link_table(*f.via_field);
          indexes.add(link + "__target", quote(link), "target_id, owner_id");
        }
      }
    }
  }
  // Indexes for what the endpoints filter and order by on their own table.
  for (const auto& rp : registry.resources()) {
    const model::Resource& r = *rp;
    std::set<std::string> columns;
    for (const auto& path : r.ordering_fields) columns.insert(path);
    for (const auto& f : r.filters) columns.insert(f.path.substr(0, f.path.find("__")));
    // Search tests each foreign key's target once, then looks events up by key.
    for (const auto& field : r.search_fields) {
      const std::string path = r.kind->path_for(field);
      columns.insert(path.substr(0, path.find("__")));
    }
    for (const auto& c : columns) {
      const Field* f = r.kind->field(c);
      if (f == nullptr || f->column <= 0) continue;
      indexes.on_field(*r.kind, *f);
    }
  }
  // Deeper hops of search paths (spacecraft_flight.spacecraft_id for
  // flight_vehicle_chaser__spacecraft__name): the IN-subqueries look them up.
  for (const auto& rp : registry.resources()) {
    for (const auto& field : rp->search_fields) {
      const std::string path = rp->kind->path_for(field);
      const Kind* kind = rp->kind;
      std::string_view rest = path;
      for (size_t sep = rest.find("__"); sep != std::string_view::npos; sep = rest.find("__")) {
        const Field* f = kind->field(rest.substr(0, sep));
        if (kind != rp->kind && f->column > 0) indexes.on_field(*kind, *f);
        kind = f->target_kind;
        rest.remove_prefix(sep + 2);
      }
    }
  }
  for (auto& index : indexes.take()) out.push_back(std::move(index));
  // Tables before indexes, each in name order: the schema does not depend on
  // the order in which resource files are declared.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    const bool a_index = a.starts_with("CREATE INDEX");
    const bool b_index = b.starts_with("CREATE INDEX");
    return a_index != b_index ? b_index : a < b;
  });
  return out;
}

std::string select_row(const Kind& k) {
  return fmt::format("SELECT {} FROM {} WHERE id = ?", row_columns(k, ""), quote(k.name));
}

std::vector<std::string> derived_updates(const model::Registry& registry) {
  std::vector<std::string> out;
  for (const auto& kp : registry.kinds()) {
    const Kind& k = *kp;
    for (const auto& d : k.derivations) {
      const std::string table = quote(k.name);
      const std::string field = quote(column_name(*d.target));
      const std::string first = quote(column_name(*d.first));
      std::string value;
      if (d.second->relation == Relation::ForeignKey) {
        value =
            fmt::format("(SELECT x.{} FROM {} x WHERE x.id = {}.{})", quote(column_name(*d.second)),
                        quote(d.first->target_kind->name), table, first);
      } else {  // a one-to-one seen from the other side
        value = fmt::format("(SELECT x.id FROM {} x WHERE x.{} = {}.{} ORDER BY x.id LIMIT 1)",
                            quote(d.second->target_kind->name),
                            quote(column_name(*d.second->via_field)), table, first);
      }
      out.push_back(fmt::format("UPDATE {} SET {} = {} WHERE {} IS NULL AND {} IS NOT NULL", table,
                                field, value, field, first));
    }
  }
  return out;
}

std::string select_exists(const Kind& k) {
  return fmt::format("SELECT 1 FROM {} WHERE id = ?", quote(k.name));
}

namespace {

// Where a relation's ids live: the table (or join), the column naming the
// owner, the column of the related id, and their order.
struct RelatedQuery {
  std::string from;
  std::string owner;
  std::string target;
  std::string order;
};

RelatedQuery related_query(const Kind& owner_kind, const Field& f) {
  if (f.relation == Relation::ManyToMany)
    return {quote(owner_kind.link_table(f)), "owner_id", "target_id", "target_id"};
  if (f.relation == Relation::Reverse) {
    const Field& via = *f.via_field;
    // PostgreSQL's ascending order puts NULLs last.
    const std::string order =
        f.order_by.empty() ? "" : fmt::format("{} ASC NULLS LAST, ", quote(f.order_by));
    if (via.relation == Relation::ManyToMany) {
      const std::string link = quote(f.target_kind->link_table(via));
      if (order.empty()) return {link, "target_id", "owner_id", "owner_id"};
      return {fmt::format("{} l JOIN {} t ON t.id = l.owner_id", link, quote(f.target_kind->name)),
              "l.target_id", "l.owner_id", fmt::format("t.{}t.id", order)};
    }
    return {quote(f.target_kind->name), quote(column_name(via)), "id", order + "id"};
  }
  return {quote(f.target_kind->name), "owner_id", "id", "id"};  // children
}

constexpr const char* kJsonIds = "(SELECT value FROM json_each(?))";

}  // namespace

std::string select_related_ids(const Kind& owner_kind, const Field& f) {
  const RelatedQuery q = related_query(owner_kind, f);
  return fmt::format("SELECT {} FROM {} WHERE {} = ? ORDER BY {}", q.target, q.from, q.owner,
                     q.order);
}

std::string select_related_ids_in(const Kind& owner_kind, const Field& f) {
  const RelatedQuery q = related_query(owner_kind, f);
  return fmt::format("SELECT {}, {} FROM {} WHERE {} IN {} ORDER BY {}, {}", q.owner, q.target,
                     q.from, q.owner, kJsonIds, q.owner, q.order);
}

std::string select_rows_in(const Kind& k) {
  return fmt::format("SELECT {} FROM {} WHERE id IN {}", row_columns(k, ""), quote(k.name),
                     kJsonIds);
}

std::string select_owned_rows_in(const Field& f) {
  return fmt::format("SELECT owner_id, {} FROM {} WHERE owner_id IN {} ORDER BY owner_id, position",
                     row_columns(*f.target_kind, ""), quote(f.owner->link_table(f)), kJsonIds);
}

std::string select_owned_rows(const Field& f) {
  return fmt::format("SELECT {} FROM {} WHERE owner_id = ? ORDER BY position",
                     row_columns(*f.target_kind, ""), quote(f.owner->link_table(f)));
}

ListStatements list(const ListQuery& q) {
  JoinPlan plan(q.kind);
  std::vector<std::string> conditions;
  std::vector<Value> params;
  PathMatcher paths;
  if (q.where.kind != model::Predicate::Kind::All)
    conditions.push_back(predicate_sql(*q.kind, q.where, paths, params));
  for (const auto& term : q.search_terms) {
    if (q.search_paths.empty()) break;  // nothing to search: no condition
    std::vector<std::string> any;
    for (const auto& p : q.search_paths) {
      any.push_back(paths.match(*q.kind, "t0", p, [&](const std::string& x) {
        params.emplace_back(term);
        return fmt::format("ll2_icontains({}, ?)", x);
      }));
    }
    conditions.push_back(fmt::format("({})", fmt::join(any, " OR ")));
  }
  std::string order;
  int next_order_alias = 1;
  for (const auto& key : q.order) {
    const auto path = model::resolve_path(*q.kind, key.path);
    const std::string value =
        path && path->many ? many_value(*q.kind, "t0", key.path, key.descending, next_order_alias)
                           : plan.column(key.path);
    // PostgreSQL's default: NULLs last ascending, first descending.
    order += fmt::format("{} {}, ", value, key.descending ? "DESC NULLS FIRST" : "ASC NULLS LAST");
  }
  order += "t0.id ASC";
  const std::string from = fmt::format("FROM {} t0{}", quote(q.kind->name), plan.joins());
  const std::string where =
      conditions.empty() ? "" : fmt::format(" WHERE {}", fmt::join(conditions, " AND "));
  ListStatements out;
  out.count = {fmt::format("SELECT COUNT(*) {}{}", from, where), params};
  out.page = {fmt::format("SELECT t0.id {}{} ORDER BY {} LIMIT ? OFFSET ?", from, where, order),
              params};
  out.page.params.emplace_back(q.limit);
  out.page.params.emplace_back(q.offset);
  return out;
}

}  // namespace ll2::store::sql
