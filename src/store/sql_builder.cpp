#include "store/sql_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "json/writer.hpp"
#include "store/change_log.hpp"

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

std::string integer_form_column(const Field& f) {
  return f.name + "__as_integer";
}

bool keeps_integer_form(const Field& f) {
  return f.relation == Relation::Column && f.type == model::ColumnType::Float;
}

int row_width(const Kind& k) {
  return k.column_count + 1 + static_cast<int>(k.float_columns.size());
}

void restore_integer_forms(const Kind& k, Row& row) {
  const size_t width = static_cast<size_t>(k.column_count) + 1;
  for (size_t i = 0; i < k.float_columns.size() && width + i < row.size(); ++i) {
    if (std::holds_alternative<int64_t>(row[width + i]))
      row[static_cast<size_t>(k.float_columns[i])] = row[width + i];
  }
  row.resize(width);
}

Value integer_form(const Value& v) {
  return std::holds_alternative<int64_t>(v) ? v : Value();
}

namespace {

// Integers are 64-bit on both (SQLite's INTEGER is; PostgreSQL's is not).
// PostgreSQL's text sorts by byte, as SQLite's does, whatever the
// database's locale.
const char* integer_type(Dialect d) {
  return d == Dialect::Postgres ? "BIGINT" : "INTEGER";
}
const char* text_type(Dialect d) {
  return d == Dialect::Postgres ? "TEXT COLLATE \"C\"" : "TEXT";
}

const char* sql_type(const Field& f, Dialect d) {
  if (f.relation == Relation::ForeignKey) {
    return f.target_kind != nullptr && f.target_kind->id_type == model::IdType::Uuid
               ? text_type(d)
               : integer_type(d);
  }
  switch (f.type) {
    case model::ColumnType::Float:
      return d == Dialect::Postgres ? "DOUBLE PRECISION" : "REAL";
    case model::ColumnType::Text:
    case model::ColumnType::Date:
      return text_type(d);
    default:
      return integer_type(d);  // integers, booleans, date-times and durations
  }
}

const char* id_type(const Kind& k, Dialect d) {
  return k.id_type == model::IdType::Uuid ? text_type(d) : integer_type(d);
}

// A kind's columns, then beside each float the integer it was imported as,
// if it was one (a REAL column would make 12742000 the float 12742000.0).
void add_columns(TableDef& t, const Kind& k, Dialect d) {
  for (const auto& f : k.fields) {
    if (f.column > 0) t.columns.push_back({column_name(f), sql_type(f, d), "", true});
  }
  for (const auto& f : k.fields) {
    if (keeps_integer_form(f))
      t.columns.push_back({integer_form_column(f), integer_type(d), "", true});
  }
}

std::string row_columns(const Kind& k, std::string_view prefix) {
  std::string out = k.id_type == model::IdType::None ? "NULL" : fmt::format("{}id", prefix);
  for (const auto& f : k.fields) {
    if (f.column > 0) out += fmt::format(", {}{}", prefix, quote(column_name(f)));
  }
  for (const auto& f : k.fields) {
    if (keeps_integer_form(f)) out += fmt::format(", {}{}", prefix, quote(integer_form_column(f)));
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
    return "FALSE";
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

// PostgreSQL's UPPER, which SQLite gets as ll2_upper. On PostgreSQL the text
// is taken in the database's default collation: the columns sort as "C",
// whose UPPER would change ASCII letters only.
std::string upper(const std::string& x, Dialect d) {
  if (d == Dialect::Postgres) return fmt::format("upper(CAST({} AS TEXT) COLLATE \"default\")", x);
  return fmt::format("ll2_upper({})", x);
}

// Where `needle` (a parameter) starts in `haystack`, from 1; 0: nowhere.
std::string position(const std::string& haystack, const std::string& needle, Dialect d) {
  return fmt::format("{}({}, {})", d == Dialect::Postgres ? "strpos" : "instr", haystack, needle);
}

// UPPER(haystack) contains the upper-cased needle, taken literally (no
// LIKE wildcards); a NULL haystack never matches.
std::string icontains(const std::string& x, Dialect d) {
  if (d == Dialect::Postgres) return position(upper(x, d), "?", d) + " > 0";
  return fmt::format("ll2_icontains({}, ?)", x);
}

// A day, month or year of a date (`YYYY-MM-DD` text) or a date-time
// (microseconds since the epoch, the part taken in UTC), as an integer.
std::string date_part_sql(const std::string& x, model::Lookup part, bool date, Dialect d) {
  using model::Lookup;
  if (date) {
    const char* range = part == Lookup::Year ? "1, 4" : part == Lookup::Month ? "6, 2" : "9, 2";
    return fmt::format("CAST(substr({}, {}) AS INTEGER)", x, range);
  }
  if (d == Dialect::Postgres) {
    const char* name = part == Lookup::Year ? "YEAR" : part == Lookup::Month ? "MONTH" : "DAY";
    return fmt::format(
        "CAST(EXTRACT({} FROM TIMESTAMP '1970-01-01' + {} * INTERVAL '1 microsecond') AS BIGINT)",
        name, x);
  }
  const char* format = part == Lookup::Year ? "%Y" : part == Lookup::Month ? "%m" : "%d";
  return fmt::format("CAST(strftime('{}', {} / 1000000.0, 'unixepoch') AS INTEGER)", format, x);
}

// The SQL for one lookup on an expression (`date`: a Date column's text);
// appends its parameters.
std::string lookup_sql(const std::string& x, model::Lookup lookup, const std::vector<Value>& values,
                       std::vector<Value>& params, Dialect d, bool date = false) {
  using model::Lookup;
  params.insert(params.end(), values.begin(), values.end());
  const std::string text = fmt::format("CAST({} AS TEXT)", x);
  switch (lookup) {
    case Lookup::Exact:
    case Lookup::Gt:
    case Lookup::Gte:
    case Lookup::Lt:
    case Lookup::Lte:
      return fmt::format("{} {} ?", x, comparison(lookup));
    case Lookup::IExact:
      return fmt::format("{} = ?", upper(x, d));
    case Lookup::Contains:
      return position(text, "CAST(? AS TEXT)", d) + " > 0";
    case Lookup::IContains:
      return icontains(x, d);
    case Lookup::StartsWith:
      return position(text, "CAST(? AS TEXT)", d) + " = 1";
    case Lookup::IStartsWith:
      return position(upper(x, d), "?", d) + " = 1";
    case Lookup::In:
      return fmt::format("{} IN ({})", x, placeholders(values.size()));
    case Lookup::Year:
    case Lookup::Month:
    case Lookup::Day:
      return fmt::format("{} IN ({})", date_part_sql(x, lookup, date, d),
                         placeholders(values.size()));
    case Lookup::IsNull:
      break;
  }
  params.resize(params.size() - values.size());
  return "FALSE";
}

// A predicate as SQL; negations never see NULL (Django's exclude keeps rows
// whose path reaches nothing).
std::string predicate_sql(const Kind& root, const model::Predicate& p, PathMatcher& paths,
                          std::vector<Value>& params, Dialect d) {
  using K = model::Predicate::Kind;
  switch (p.kind) {
    case K::All:
      return "TRUE";
    case K::Nothing:
      return "FALSE";
    case K::And:
    case K::Or: {
      std::vector<std::string> parts;
      for (const auto& c : p.children) parts.push_back(predicate_sql(root, c, paths, params, d));
      return fmt::format("({})", fmt::join(parts, p.kind == K::And ? " AND " : " OR "));
    }
    case K::Not:
      return fmt::format("NOT COALESCE({}, FALSE)",
                         predicate_sql(root, p.children.at(0), paths, params, d));
    case K::Compare:
      break;
  }
  if (p.lookup == model::Lookup::IsNull) {
    // Django: true when the path reaches no value (a NULL column or foreign
    // key, no related rows), false when it reaches one.
    const std::string reaches =
        paths.match(root, "t0", p.path, [](const std::string& x) { return x + " IS NOT NULL"; });
    const auto* flag = p.values.empty() ? nullptr : std::get_if<int64_t>(&p.values.front());
    return flag != nullptr && *flag != 0 ? fmt::format("NOT COALESCE({}, FALSE)", reaches)
                                         : reaches;
  }
  const auto resolved = model::resolve_path(root, p.path);
  const bool date =
      resolved && resolved->leaf != nullptr && resolved->leaf->type == model::ColumnType::Date;
  return paths.match(root, "t0", p.path, [&](const std::string& x) {
    return lookup_sql(x, p.lookup, p.values, params, d, date);
  });
}

}  // namespace

namespace {

// Indexes by name: several needs (a filter, a search hop, a reverse
// relation) may ask for the same one.
class Indexes {
 public:
  // An index on a foreign key or column of `kind`, named <kind>__<field>,
  // for the endpoints' reads.
  void on_field(const Kind& kind, const Field& f) {
    add(kind.name + "__" + f.name, kind.name, {quote(column_name(f)), "id"}, true);
  }
  void add(const std::string& name, const std::string& table, std::vector<std::string> columns,
           bool reads_only = false) {
    const auto [it, added] = names_.try_emplace(name, indexes_.size());
    if (added)
      indexes_.push_back({name, table, std::move(columns), reads_only});
    else
      indexes_[it->second].reads_only &= reads_only;
  }
  // The writes look rows up by this one too (derived keys).
  void used_by_writes(const std::string& name) {
    if (auto it = names_.find(name); it != names_.end()) indexes_[it->second].reads_only = false;
  }
  std::vector<IndexDef> take() { return std::move(indexes_); }

 private:
  std::map<std::string, size_t> names_;
  std::vector<IndexDef> indexes_;
};

}  // namespace

SchemaPlan schema_plan(const model::Registry& registry, Dialect d) {
  SchemaPlan plan;
  Indexes indexes;
  // The generation at which each kind's rows (or its relations) last
  // changed, so a cache that reads only some kinds outlives writes of others.
  plan.tables.push_back({std::string(kKindStateTable),
                         {{"kind", text_type(d), "PRIMARY KEY", false},
                          {"generation", integer_type(d), "NOT NULL", false}},
                         {},
                         false});
  if (d == Dialect::Sqlite) {
    // The database's generation, bumped by every write: the same number on
    // every connection (unlike PRAGMA data_version), so caches shared by
    // threads and processes can be keyed by it. PostgreSQL keeps it in its
    // own ll2d_state, made with the schema version (postgres_store.cpp).
    plan.tables.push_back({std::string(kStateTable),
                           {{"singleton", "INTEGER", "PRIMARY KEY CHECK (singleton = 1)", false},
                            {"generation", "INTEGER", "NOT NULL", false}},
                           {},
                           false});
  }
  for (const auto& kp : registry.kinds()) {
    const Kind& k = *kp;
    // An id-less kind has no table of its own: each Rows relation that holds
    // it has one (below), so owners of different kinds never share a table.
    if (k.id_type != model::IdType::None) {
      TableDef t{k.name, {{"id", id_type(k, d), "PRIMARY KEY", false}}, {}, false};
      if (k.owned) t.columns.push_back({"owner_id", integer_type(d), "", false});
      add_columns(t, k, d);
      plan.tables.push_back(std::move(t));
      if (k.owned) indexes.add(k.name + "__owner", k.name, {"owner_id", "id"});
    }
    for (const auto& f : k.fields) {
      if (f.relation == Relation::ManyToMany) {
        // `position`: the order the links were imported in, which is the
        // order LL2 prints them in (NULL for links written from the other
        // side of the relation, or before the column existed).
        plan.tables.push_back({k.link_table(f),
                               {{"owner_id", id_type(k, d), "NOT NULL", false},
                                {"target_id", id_type(*f.target_kind, d), "NOT NULL", false},
                                {"position", integer_type(d), "", false}},
                               "owner_id, target_id",
                               d == Dialect::Sqlite});
      } else if (f.relation == Relation::Rows) {
        TableDef t{k.link_table(f),
                   {{"owner_id", id_type(k, d), "NOT NULL", false},
                    {"position", integer_type(d), "NOT NULL", false}},
                   "owner_id, position",
                   false};
        add_columns(t, *f.target_kind, d);
        plan.tables.push_back(std::move(t));
      } else if (f.relation == Relation::Reverse && f.via_field != nullptr) {
        // Reading a reverse relation looks the owner up by the target's key.
        const Kind& target = *f.target_kind;
        if (f.via_field->relation == Relation::ForeignKey) {
          // With an ordering column, the index hands the rows out in order.
          std::vector<std::string> columns{quote(column_name(*f.via_field))};
          if (!f.order_by.empty()) columns.push_back(quote(f.order_by));
          columns.emplace_back("id");
          indexes.add(target.name + "__" + f.via_field->name, target.name, std::move(columns));
        } else {
          const std::string link = target.link_table(*f.via_field);
          indexes.add(link + "__target", link, {"target_id", "owner_id"});
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
  // Filling a derived key (fill_derived) looks rows up by its first hop, and
  // a one-to-one seen from the other side by that side's key.
  for (const auto& kp : registry.kinds()) {
    for (const auto& dv : kp->derivations) {
      indexes.used_by_writes(kp->name + "__" + dv.first->name);
      if (dv.second->relation != Relation::ForeignKey)
        indexes.used_by_writes(dv.second->target_kind->name + "__" + dv.second->via_field->name);
    }
  }
  // ll2d's own: `ll2d sync`'s state (per endpoint, and its call budget) and
  // the ids the current full walk of each endpoint has seen.
  plan.tables.push_back(
      {"ll2d_sync",
       {{"key", text_type(d), "PRIMARY KEY", false}, {"state", text_type(d), "NOT NULL", false}},
       {},
       false});
  plan.tables.push_back(
      {"ll2d_sync_seen",
       {{"walk", text_type(d), "NOT NULL", false}, {"object_id", text_type(d), "NOT NULL", false}},
       "walk, object_id",
       d == Dialect::Sqlite});
  plan.tables.push_back(change_table(d));
  for (auto& t : feed_tables(d)) plan.tables.push_back(std::move(t));
  plan.indexes = indexes.take();
  for (auto& i : change_indexes()) plan.indexes.push_back(std::move(i));
  // ll2d's own API keys (ll2d keys; read by the throttle), not an LL2
  // resource: only the key's SHA-256 is kept, the key itself never.
  plan.tables.push_back({"ll2d_api_key",
                         {{"prefix", text_type(d), "PRIMARY KEY", false},
                          {"hash", text_type(d), "NOT NULL", false},
                          {"label", text_type(d), "NOT NULL", false},
                          {"created", text_type(d), "NOT NULL", false},
                          {"rate", text_type(d), "", false},
                          {"revoked", text_type(d), "", false}},
                         {},
                         false});
  // The schema does not depend on the order in which resource files are
  // declared.
  std::sort(plan.tables.begin(), plan.tables.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::sort(plan.indexes.begin(), plan.indexes.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return plan;
}

std::string create_table(const TableDef& t, Dialect /*dialect*/) {
  std::string cols;
  for (const auto& c : t.columns) {
    if (!cols.empty()) cols += ", ";
    cols += fmt::format("{} {}", c.quoted ? quote(c.name) : c.name, c.type);
    if (!c.constraint.empty()) cols += " " + c.constraint;
  }
  if (!t.primary_key.empty()) cols += fmt::format(", PRIMARY KEY ({})", t.primary_key);
  return fmt::format("CREATE TABLE {} ({}){}", quote(t.name), cols,
                     t.without_rowid ? " WITHOUT ROWID" : "");
}

std::string create_index(const IndexDef& i) {
  return fmt::format("CREATE INDEX {} ON {} ({})", quote(i.name), quote(i.table),
                     fmt::join(i.columns, ", "));
}

std::vector<std::string> schema(const model::Registry& registry, Dialect d) {
  const SchemaPlan plan = schema_plan(registry, d);
  std::vector<std::string> out;
  for (const auto& t : plan.tables) out.push_back(create_table(t, d));
  for (const auto& i : plan.indexes) out.push_back(create_index(i));
  return out;
}

std::string select_row(const Kind& k) {
  return fmt::format("SELECT {} FROM {} WHERE id = ?", row_columns(k, ""), quote(k.name));
}

std::set<std::string> tables_written(const WriteBatch& batch) {
  std::set<std::string> tables;
  for (const auto& o : batch.objects) tables.insert(o.kind->name);
  for (const auto& l : batch.links) {
    const Field& f = *l.field;
    if (f.relation == Relation::ManyToMany)
      tables.insert(l.kind->link_table(f));
    else if (f.relation == Relation::Reverse && f.via_field->relation == Relation::ManyToMany)
      tables.insert(f.target_kind->link_table(*f.via_field));
    else
      tables.insert(f.target_kind->name);  // the related rows' foreign key or owner_id
  }
  for (const auto& r : batch.rows) tables.insert(r.field->owner->link_table(*r.field));
  for (const auto& d : batch.deletes) tables.insert(d.kind->name);
  return tables;
}

std::vector<std::string> touched_kinds(const model::Registry& schema, const WriteBatch& batch) {
  std::set<std::string> kinds;
  for (const auto& o : batch.objects) kinds.insert(o.kind->name);
  for (const auto& l : batch.links) {
    kinds.insert(l.kind->name);  // its relation, and the other side's
    if (l.field->target_kind != nullptr) kinds.insert(l.field->target_kind->name);
  }
  for (const auto& r : batch.rows) kinds.insert(r.field->owner->name);
  // A deleted object, and every kind that can point at it (its links to it
  // are gone too).
  for (const auto& d : batch.deletes) {
    kinds.insert(d.kind->name);
    for (const auto& k : schema.kinds()) {
      for (const auto& f : k->fields)
        if (f.target_kind == d.kind) kinds.insert(k->name);
    }
  }
  // A derived foreign key (derived_updates) may be filled in a kind the
  // batch does not name, when a kind it is derived through is written: that
  // changes the one field, named `kind.field`.
  std::vector<std::string> fields;
  for (const auto& k : schema.kinds()) {
    for (const auto& d : k->derivations) {
      const Kind* through[] = {k.get(), d.first->target_kind, d.second->target_kind,
                               d.second->owner};
      if (std::any_of(std::begin(through), std::end(through),
                      [&](const Kind* t) { return t != nullptr && kinds.contains(t->name); }))
        fields.push_back(k->name + "." + d.target->name);
    }
  }
  kinds.insert(fields.begin(), fields.end());
  return {kinds.begin(), kinds.end()};
}

const std::string& mark_kind_changed() {
  // Built once: writers find their statements by the string's address.
  static const std::string sql = fmt::format(
      // (`WHERE TRUE`: SQLite would read ON CONFLICT as a join's ON.)
      "INSERT INTO {} (kind, generation) SELECT CAST(? AS TEXT), generation FROM {} WHERE TRUE "
      "ON CONFLICT (kind) DO UPDATE SET generation = excluded.generation",
      quote(kKindStateTable), quote(kStateTable));
  return sql;
}

std::string select_sync_state() {
  return "SELECT key, state FROM ll2d_sync ORDER BY key";
}

std::string select_unseen_ids(const Kind& k) {
  // Ids compare as text: the seen marks of every kind share one table.
  return fmt::format(
      "SELECT id FROM {} t WHERE NOT EXISTS (SELECT 1 FROM ll2d_sync_seen s WHERE s.walk = ? AND "
      "s.object_id = CAST(t.id AS TEXT)) ORDER BY id",
      quote(k.name));
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
    return {quote(owner_kind.link_table(f)), "owner_id", "target_id",
            "position ASC NULLS LAST, target_id"};
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

// Many ids as one parameter, a JSON array (one statement shape whatever the
// count), read back as a column of the ids' type.
std::string ids_in(const Kind& kind, Dialect d) {
  if (d == Dialect::Postgres) {
    return fmt::format("(SELECT CAST(jsonb_array_elements_text(CAST(? AS jsonb)) AS {}))",
                       kind.id_type == model::IdType::Uuid ? "TEXT" : "BIGINT");
  }
  return "(SELECT value FROM json_each(?))";
}

// `column` is one of many ids (one parameter). PostgreSQL is given an array
// parameter (ids_array_parameter), not a set-returning function over JSON:
// it plans such a function for 100 rows, and then scans a table of a few
// thousand rows rather than look 100 ids up in its index (a semi-join: 3.6 ms
// for a page's launches, where `= ANY` of an array is 0.2 ms; launch__program,
// 1,179 rows: 0.14 ms a read against 0.02 ms). An array's length is known
// when a plan is made for it, and taken as 10 by a generic plan.
std::string any_of_ids(const std::string& column, const Kind& kind, Dialect d) {
  if (d == Dialect::Postgres)
    return fmt::format("{} = ANY (CAST(? AS {}[]))", column,
                       kind.id_type == model::IdType::Uuid ? "TEXT" : "BIGINT");
  return fmt::format("{} IN {}", column, ids_in(kind, d));
}

}  // namespace

// Ids are integers or UUIDs, so nothing needs escaping beyond what the JSON
// writer does.
Value ids_parameter(const std::vector<Value>& ids) {
  std::string out;
  json::Writer w(out);
  w.begin_array();
  for (const auto& id : ids) {
    if (const auto* i = std::get_if<int64_t>(&id))
      w.integer(*i);
    else if (const auto* t = std::get_if<std::string>(&id))
      w.string(*t);
  }
  w.end_array();
  return out;
}

Value ids_array_parameter(const std::vector<Value>& ids) {
  std::string out = "{";
  for (const auto& id : ids) {
    const auto* i = std::get_if<int64_t>(&id);
    const auto* t = std::get_if<std::string>(&id);
    if (i == nullptr && t == nullptr) continue;  // ids are never anything else
    if (out.size() > 1) out += ',';
    if (i != nullptr) {
      out += std::to_string(*i);
    } else {
      out += '"';
      for (const char c : *t) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
  }
  out += '}';
  return out;
}

std::string select_related_ids(const Kind& owner_kind, const Field& f) {
  const RelatedQuery q = related_query(owner_kind, f);
  return fmt::format("SELECT {} FROM {} WHERE {} = ? ORDER BY {}", q.target, q.from, q.owner,
                     q.order);
}

std::string select_related_ids_in(const Kind& owner_kind, const Field& f, Dialect d) {
  const RelatedQuery q = related_query(owner_kind, f);
  return fmt::format("SELECT {}, {} FROM {} WHERE {} ORDER BY {}, {}", q.owner, q.target, q.from,
                     any_of_ids(q.owner, owner_kind, d), q.owner, q.order);
}

std::string select_rows_in(const Kind& k, Dialect d) {
  return fmt::format("SELECT {} FROM {} WHERE {}", row_columns(k, ""), quote(k.name),
                     any_of_ids("id", k, d));
}

std::string select_ids_in(const Kind& k, Dialect d) {
  return fmt::format("SELECT id FROM {} WHERE {}", quote(k.name), any_of_ids("id", k, d));
}

Value ids_in_parameter(const std::vector<Value>& ids, Dialect d) {
  return d == Dialect::Postgres ? ids_array_parameter(ids) : ids_parameter(ids);
}

std::string select_owned_rows_in(const Field& f, Dialect d) {
  return fmt::format("SELECT owner_id, {} FROM {} WHERE {} ORDER BY owner_id, position",
                     row_columns(*f.target_kind, ""), quote(f.owner->link_table(f)),
                     any_of_ids("owner_id", *f.owner, d));
}

std::string select_owned_rows(const Field& f) {
  return fmt::format("SELECT {} FROM {} WHERE owner_id = ? ORDER BY position",
                     row_columns(*f.target_kind, ""), quote(f.owner->link_table(f)));
}

std::string select_path_values(const Kind& root, std::string_view path) {
  std::string joins;
  std::string alias = "t0";
  const Kind* kind = &root;
  int next = 1;
  const auto join = [&](const std::string& table, const std::string& on_left,
                        const std::string& on_right) {
    std::string a = fmt::format("p{}", next++);
    joins += fmt::format(" JOIN {} {} ON {}.{} = {}", quote(table), a, a, on_left, on_right);
    return a;
  };
  std::string value;
  while (value.empty()) {
    const size_t sep = path.find("__");
    const std::string_view head = path.substr(0, sep);
    const std::string_view rest =
        sep == std::string_view::npos ? std::string_view() : path.substr(sep + 2);
    if (head == "id") {
      value = alias + ".id";
      break;
    }
    const Field& f = *kind->field(head);
    if (f.relation == Relation::Column) {
      value = fmt::format("{}.{}", alias, quote(column_name(f)));
      break;
    }
    const Kind& target = *f.target_kind;
    const bool target_id = rest.empty() || rest == "id";
    switch (f.relation) {
      case Relation::ForeignKey: {
        const std::string fk = fmt::format("{}.{}", alias, quote(column_name(f)));
        if (target_id)
          value = fk;
        else
          alias = join(target.name, "id", fk);
        break;
      }
      case Relation::ManyToMany: {
        const std::string link = join(kind->link_table(f), "owner_id", alias + ".id");
        if (target_id)
          value = link + ".target_id";
        else
          alias = join(target.name, "id", link + ".target_id");
        break;
      }
      case Relation::Children:
        alias = join(target.name, "owner_id", alias + ".id");
        if (target_id) value = alias + ".id";
        break;
      case Relation::Rows:
        alias = join(kind->link_table(f), "owner_id", alias + ".id");
        break;
      case Relation::Reverse: {
        const Field& via = *f.via_field;
        if (via.relation == Relation::ForeignKey) {
          alias = join(target.name, quote(column_name(via)), alias + ".id");
          if (target_id) value = alias + ".id";
        } else {
          const std::string link = join(target.link_table(via), "target_id", alias + ".id");
          if (target_id)
            value = link + ".owner_id";
          else
            alias = join(target.name, "id", link + ".owner_id");
        }
        break;
      }
      case Relation::Column:
        break;
    }
    kind = &target;
    path = rest;
  }
  return fmt::format("SELECT t0.id, {} FROM {} t0{} WHERE {} IS NOT NULL", value, quote(root.name),
                     joins, value);
}

namespace {

// The joins one Django filter() makes for several paths: a LEFT JOIN per
// distinct path prefix, through any relation, so the paths' values are read
// from the same row combination (each of a launch's spacecraft flights is
// one combination; a launch without any is one, of NULLs).
class LeftJoins {
 public:
  LeftJoins(const Kind& root, std::string root_alias)
      : root_(root), root_alias_(std::move(root_alias)) {}

  // The expression `path` ends on.
  std::string column(std::string_view path) {
    std::string alias = root_alias_;
    std::string prefix;
    const Kind* kind = &root_;
    while (true) {
      const size_t sep = path.find("__");
      const std::string_view head = path.substr(0, sep);
      const std::string_view rest =
          sep == std::string_view::npos ? std::string_view() : path.substr(sep + 2);
      if (head == "id") return alias + ".id";
      const Field& f = *kind->field(head);
      if (f.relation == Relation::Column) return fmt::format("{}.{}", alias, quote(column_name(f)));
      const Kind& target = *f.target_kind;
      const bool target_id = rest.empty() || rest == "id";
      prefix += std::string(head) + "__";
      switch (f.relation) {
        case Relation::ForeignKey: {
          std::string fk = fmt::format("{}.{}", alias, quote(column_name(f)));
          if (target_id) return fk;
          alias = join(prefix, target.name, "id", fk);
          break;
        }
        case Relation::ManyToMany: {
          const std::string link =
              join(prefix + "link", kind->link_table(f), "owner_id", alias + ".id");
          if (target_id) return link + ".target_id";
          alias = join(prefix, target.name, "id", link + ".target_id");
          break;
        }
        case Relation::Children:
          alias = join(prefix, target.name, "owner_id", alias + ".id");
          if (target_id) return alias + ".id";
          break;
        case Relation::Rows:
          alias = join(prefix, kind->link_table(f), "owner_id", alias + ".id");
          break;
        case Relation::Reverse: {
          const Field& via = *f.via_field;
          if (via.relation == Relation::ForeignKey) {
            alias = join(prefix, target.name, quote(column_name(via)), alias + ".id");
            if (target_id) return alias + ".id";
          } else {
            const std::string link =
                join(prefix + "link", target.link_table(via), "target_id", alias + ".id");
            if (target_id) return link + ".owner_id";
            alias = join(prefix, target.name, "id", link + ".owner_id");
          }
          break;
        }
        case Relation::Column:
          break;
      }
      kind = &target;
      path = rest;
    }
  }
  const std::string& joins() const { return joins_; }

 private:
  std::string join(const std::string& key, const std::string& table, const std::string& column,
                   const std::string& equals) {
    if (const auto it = aliases_.find(key); it != aliases_.end()) return it->second;
    std::string alias = fmt::format("{}{}", root_alias_, aliases_.size() + 1);
    joins_ +=
        fmt::format(" LEFT JOIN {} {} ON {}.{} = {}", quote(table), alias, alias, column, equals);
    aliases_.emplace(key, alias);
    return alias;
  }

  const Kind& root_;
  std::string root_alias_;
  std::map<std::string, std::string> aliases_;
  std::string joins_;
};

bool any_many(const Kind& kind, const std::vector<std::string>& paths) {
  return std::any_of(paths.begin(), paths.end(), [&](const std::string& p) {
    const auto resolved = model::resolve_path(kind, p);
    return resolved && resolved->many;
  });
}

// DRF's search: every term in some search path. With one term, or no
// many-valued path, each term is tested on its own (an IN-subquery per path
// and term); otherwise all terms must hold in one row combination of the
// joined paths, as Django's one filter() with shared joins has it.
std::string search_sql(const ListQuery& q, PathMatcher& paths, std::vector<Value>& params,
                       Dialect d) {
  std::vector<std::string> terms;
  if (q.search_terms.size() < 2 || !any_many(*q.kind, q.search_paths)) {
    for (const auto& term : q.search_terms) {
      std::vector<std::string> any;
      for (const auto& p : q.search_paths) {
        any.push_back(paths.match(*q.kind, "t0", p, [&](const std::string& x) {
          params.emplace_back(term);
          return icontains(x, d);
        }));
      }
      terms.push_back(fmt::format("({})", fmt::join(any, " OR ")));
    }
    return fmt::format("{}", fmt::join(terms, " AND "));
  }
  LeftJoins joins(*q.kind, "j");
  std::vector<std::string> columns;
  for (const auto& p : q.search_paths) columns.push_back(joins.column(p));
  for (const auto& term : q.search_terms) {
    std::vector<std::string> any;
    for (const auto& c : columns) {
      params.emplace_back(term);
      any.push_back(icontains(c, d));
    }
    terms.push_back(fmt::format("({})", fmt::join(any, " OR ")));
  }
  return fmt::format("EXISTS (SELECT 1 FROM {} j{} WHERE j.id = t0.id AND {})", quote(q.kind->name),
                     joins.joins(), fmt::join(terms, " AND "));
}

}  // namespace

std::string select_search_rows(const Kind& root, const std::vector<std::string>& paths) {
  LeftJoins joins(root, "j");
  std::string columns;
  for (size_t i = 0; i < paths.size(); ++i)
    columns += fmt::format(", {} AS v{}", joins.column(paths[i]), i);
  return fmt::format(
      "SELECT * FROM (SELECT j.id{}, COUNT(*) OVER (PARTITION BY j.id) AS n FROM {} j{}) w "
      "WHERE w.n > 1",
      columns, quote(root.name), joins.joins());
}

ListStatements list(const ListQuery& q, Dialect d) {
  JoinPlan plan(q.kind);
  std::vector<std::string> conditions;
  std::vector<Value> params;
  PathMatcher paths;
  if (q.where.kind != model::Predicate::Kind::All)
    conditions.push_back(predicate_sql(*q.kind, q.where, paths, params, d));
  // Without search paths a search is no condition.
  if (!q.search_terms.empty() && !q.search_paths.empty())
    conditions.push_back(search_sql(q, paths, params, d));
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

namespace {

// Write statements by shape (the kind or table and the columns written),
// built once per process: a batch runs the same few shapes many times.
// The texts live as long as the process, each at one address (a store may
// know a statement by it); each thread looks them up in a copy of the index
// of its own, without the lock.
class StatementTexts {
 public:
  template <typename Build>
  const std::string& get(const std::string& key, Build build) {
    thread_local std::unordered_map<std::string, const std::string*> mine;
    if (const auto it = mine.find(key); it != mine.end()) return *it->second;
    std::lock_guard lock(mutex_);
    auto it = texts_.find(key);
    if (it == texts_.end()) it = texts_.emplace(key, build()).first;
    mine.emplace(key, &it->second);
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> texts_;  // values never move
};

StatementTexts& texts() {
  static auto* t = new StatementTexts();  // never destroyed: see above
  return *t;
}

}  // namespace

const std::string& statement_text(const std::string& key,
                                  const std::function<std::string()>& build) {
  return texts().get(key, build);
}

namespace {

void add_key(std::string& key, uint64_t v) {
  key.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// The columns a field's value is written to: a float's integer form first
// (written by every write of the float, so a later import in float form
// clears it), then the field's own.
std::vector<std::string> written_columns(const Field& f) {
  if (keeps_integer_form(f)) return {integer_form_column(f), column_name(f)};
  return {column_name(f)};
}

// `a IS DISTINCT FROM b` on both (SQLite has it since 3.39).
std::string differs(const std::string& table, const std::string& column) {
  return fmt::format("{}.{} IS DISTINCT FROM excluded.{}", table, column, column);
}

// Each target once, at the position of its first listing (what inserting
// them all in order with ON CONFLICT DO NOTHING keeps).
std::vector<std::pair<Value, int64_t>> first_listings(const std::vector<Value>& targets) {
  std::vector<std::pair<Value, int64_t>> out;
  out.reserve(targets.size());
  std::set<Value> seen;
  const bool small = targets.size() <= 32;
  for (size_t i = 0; i < targets.size(); ++i) {
    const Value& t = targets[i];
    bool repeated = false;
    if (small) {
      for (const auto& [v, _] : out) repeated = repeated || v == t;
    } else {
      repeated = !seen.insert(t).second;
    }
    if (!repeated) out.emplace_back(t, static_cast<int64_t>(i));
  }
  return out;
}

// Points `column` of `table`'s rows at `owner`: exactly the rows `targets`
// names (a reverse relation's foreign key, or children's owner_id). Only
// rows whose value changes are written.
std::optional<std::string> point_rows_at(const Kind& kind, const std::string& column,
                                         const Value& owner, const std::vector<Value>& targets,
                                         const Runner& run, Dialect d) {
  const std::string table = quote(kind.name);
  if (targets.empty()) {
    const std::string& detach = texts().get("Dall" + table + column, [&] {
      return fmt::format("UPDATE {} SET {} = NULL WHERE {} = ?", table, column, column);
    });
    return run(detach, {owner});
  }
  const std::string& detach =
      texts().get(fmt::format("Dkeep{}{}{}", static_cast<int>(d), table, column), [&] {
        return fmt::format("UPDATE {} SET {} = NULL WHERE {} = ? AND id NOT IN {}", table, column,
                           column, ids_in(kind, d));
      });
  if (auto e = run(detach, {owner, ids_parameter(targets)})) return e;
  const std::string& attach = texts().get("A" + table + column, [&] {
    return fmt::format("UPDATE {} SET {} = ? WHERE id = ? AND {} IS DISTINCT FROM ?", table, column,
                       column);
  });
  for (const auto& t : targets) {
    if (auto e = run(attach, {owner, t, owner})) return e;
  }
  return std::nullopt;
}

// A reverse relation's list is complete: the objects it names point at
// the owner afterwards, and the ones that pointed at it before and are no
// longer listed are detached (their foreign key becomes NULL, or their
// link row goes), which is what the reverse side of the relation says.
std::optional<std::string> write_reverse(const LinkWrite& link, const Runner& run, Dialect d) {
  const model::Field& via = *link.field->via_field;
  const model::Kind& target = *link.field->target_kind;
  if (via.relation == model::Relation::ManyToMany) {
    // Links still listed keep their row, and with it their position on the
    // other side; the others go.
    const std::string table = quote(target.link_table(via));
    if (link.targets.empty()) {
      const std::string& drop = texts().get("RDall" + table, [&] {
        return fmt::format("DELETE FROM {} WHERE target_id = ?", table);
      });
      return run(drop, {link.owner});
    }
    const std::string& drop =
        texts().get(fmt::format("RDkeep{}{}", static_cast<int>(d), table), [&] {
          return fmt::format("DELETE FROM {} WHERE target_id = ? AND owner_id NOT IN {}", table,
                             ids_in(target, d));
        });
    if (auto e = run(drop, {link.owner, ids_parameter(link.targets)})) return e;
    const std::string& add = texts().get("RI" + table, [&] {
      return fmt::format(
          "INSERT INTO {} (owner_id, target_id) VALUES (?, ?) ON CONFLICT DO NOTHING", table);
    });
    for (const auto& t : link.targets) {
      if (auto e = run(add, {t, link.owner})) return e;
    }
    return std::nullopt;
  }
  return point_rows_at(target, quote(column_name(via)), link.owner, link.targets, run, d);
}

// A many-to-many membership, in the order listed: the rows no longer listed
// go, the others are inserted or moved to their position.
std::optional<std::string> write_many(const LinkWrite& link, const Runner& run, Dialect d) {
  const std::string table = quote(link.kind->link_table(*link.field));
  if (link.targets.empty()) {
    const std::string& drop = texts().get(
        "MDall" + table, [&] { return fmt::format("DELETE FROM {} WHERE owner_id = ?", table); });
    return run(drop, {link.owner});
  }
  const std::string& drop = texts().get(fmt::format("MDkeep{}{}", static_cast<int>(d), table), [&] {
    return fmt::format("DELETE FROM {} WHERE owner_id = ? AND target_id NOT IN {}", table,
                       ids_in(*link.field->target_kind, d));
  });
  if (auto e = run(drop, {link.owner, ids_parameter(link.targets)})) return e;
  const std::string& put = texts().get("MI" + table, [&] {
    return fmt::format(
        "INSERT INTO {} AS l (owner_id, target_id, position) VALUES (?, ?, ?) ON CONFLICT "
        "(owner_id, target_id) DO UPDATE SET position = excluded.position WHERE l.position IS "
        "DISTINCT FROM excluded.position",
        table);
  });
  for (const auto& [t, position] : first_listings(link.targets)) {
    if (auto e = run(put, {link.owner, t, position})) return e;
  }
  return std::nullopt;
}

// An owner's id-less rows, replaced: each position's row is written whole
// (columns a view leaves out are NULL, as a fresh insert leaves them) where
// it differs, and rows past the new end go.
std::optional<std::string> write_rows(const RowsWrite& rows, const Runner& run) {
  const model::Kind& row_kind = *rows.field->target_kind;
  const std::string table = quote(rows.field->owner->link_table(*rows.field));
  const std::string& trim = texts().get("WD" + table, [&] {
    return fmt::format("DELETE FROM {} WHERE owner_id = ? AND position >= ?", table);
  });
  if (auto e = run(trim, {rows.owner, static_cast<int64_t>(rows.rows.size())})) return e;
  std::vector<const Field*> columns;
  for (const auto& f : row_kind.fields) {
    if (f.column > 0) columns.push_back(&f);
  }
  const std::string& put = texts().get("WI" + table, [&] {
    std::string names = "owner_id, position";
    std::string marks = "?, ?";
    std::string sets;
    std::string changed;
    for (const Field* f : columns) {
      for (const auto& name : written_columns(*f)) {
        const std::string c = quote(name);
        names += ", " + c;
        marks += ", ?";
        sets += fmt::format("{}{} = excluded.{}", sets.empty() ? "" : ", ", c, c);
        changed += fmt::format("{}{}", changed.empty() ? "" : " OR ", differs("r", c));
      }
    }
    if (sets.empty()) {
      return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING", table, names,
                         marks);
    }
    return fmt::format(
        "INSERT INTO {} AS r ({}) VALUES ({}) ON CONFLICT (owner_id, position) DO UPDATE SET {} "
        "WHERE {}",
        table, names, marks, sets, changed);
  });
  int64_t position = 0;
  std::vector<Value> params;
  for (const auto& row : rows.rows) {
    params.assign({rows.owner, position++});
    for (const Field* f : columns) {
      Value v;
      for (const auto& [field, value] : row) {
        if (field == f) v = value;
      }
      if (keeps_integer_form(*f)) params.push_back(integer_form(v));
      params.push_back(std::move(v));
    }
    if (auto e = run(put, params)) return e;
  }
  return std::nullopt;
}

// An object's keys seen: inserted, or updated where a value differs (a
// repeated view writes nothing); `insert_only`: inserted, or nothing when
// its row exists.
std::optional<std::string> write_object(const ObjectWrite& obj, const Runner& run,
                                        std::vector<Value>& params, std::string& key,
                                        bool insert_only = false) {
  key.assign(insert_only ? "N" : "O");
  // By the kind's serial and each field's place in it: the texts outlive
  // registries (tests make many), whose kinds may reuse an address.
  add_key(key, obj.kind->serial);
  for (const auto& [field, _] : obj.values)
    add_key(key, static_cast<uint64_t>(field - obj.kind->fields.data()));
  const std::string& stmt = texts().get(key, [&] {
    const std::string table = quote(obj.kind->name);
    if (obj.values.empty())
      return fmt::format("INSERT INTO {} (id) VALUES (?) ON CONFLICT DO NOTHING", table);
    std::string columns = "id";
    std::string marks = "?";
    std::string updates;
    std::string changed;
    for (const auto& [field, value] : obj.values) {
      for (const auto& name : written_columns(*field)) {
        const std::string c = quote(name);
        columns += ", " + c;
        marks += ", ?";
        updates += fmt::format("{}{} = excluded.{}", updates.empty() ? "" : ", ", c, c);
        changed += fmt::format("{}{}", changed.empty() ? "" : " OR ", differs("o", c));
      }
    }
    if (insert_only)
      return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT(id) DO NOTHING", table,
                         columns, marks);
    return fmt::format(
        "INSERT INTO {} AS o ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {} WHERE {}", table,
        columns, marks, updates, changed);
  });
  params.clear();
  params.push_back(obj.id);
  for (const auto& [field, value] : obj.values) {
    if (keeps_integer_form(*field)) params.push_back(integer_form(value));
    params.push_back(value);
  }
  return run(stmt, params);
}

// Whether a link points rows' `field` at its owner or at nothing
// (point_rows_at): a write the objects' own values do not show.
bool moves(const LinkWrite& l, const Field& field) {
  return l.field->relation == Relation::Reverse && l.field->via_field == &field;
}

// The objects of `kind` whose `target` may be NULL after the batch: those
// written, but for the ones whose write gave it a value (and none NULL).
std::vector<Value> maybe_unfilled(const WriteBatch& batch, const Kind& kind, const Field& target) {
  const bool by_links = std::any_of(batch.links.begin(), batch.links.end(),
                                    [&](const LinkWrite& l) { return moves(l, target); });
  std::set<Value> filled;
  std::set<Value> emptied;
  for (const auto& obj : batch.objects) {
    if (obj.kind != &kind || by_links) continue;
    if (const Value* v = obj.value_of(&target))
      (std::holds_alternative<std::monostate>(*v) ? emptied : filled).insert(obj.id);
  }
  std::vector<Value> out;
  for (const auto& obj : batch.objects) {
    if (obj.kind == &kind && (!filled.contains(obj.id) || emptied.contains(obj.id)))
      out.push_back(obj.id);
  }
  return out;
}

// The objects of `kind` whose `read` the batch may have changed: their
// write gave it, or a reverse link pointed them somewhere.
std::vector<Value> maybe_changed(const WriteBatch& batch, const Kind& kind, const Field& read) {
  std::vector<Value> out;
  for (const auto& obj : batch.objects) {
    if (obj.kind == &kind && obj.value_of(&read) != nullptr) out.push_back(obj.id);
  }
  for (const auto& l : batch.links) {
    if (moves(l, read)) out.insert(out.end(), l.targets.begin(), l.targets.end());
  }
  return out;
}

// Links LL2 gives from one side only (a flight's rocket via its launch),
// filled where the batch may have made them known: rows of the kind it
// wrote that may still lack the key, and rows whose first hop leads to an
// object whose second hop the batch may have changed. A row no write
// touched cannot have become fillable (every write fills what it can), so
// this is what filling the whole table would do. Rows are only written
// where a value is found (a NULL written over NULL is work for nothing).
std::optional<std::string> fill_derived(const model::Registry& schema, const WriteBatch& batch,
                                        const Runner& run, Dialect d) {
  for (const auto& kp : schema.kinds()) {
    const Kind& k = *kp;
    for (const auto& dv : k.derivations) {
      const std::string table = quote(k.name);
      const std::string field = quote(column_name(*dv.target));
      const std::string first = quote(column_name(*dv.first));
      std::string value;
      const Kind* source = nullptr;  // whose writes can change the value
      const Field* read = nullptr;   // the source's field the value comes from
      std::string through;           // the first hop's values those writes lead to
      if (dv.second->relation == Relation::ForeignKey) {
        value = fmt::format("(SELECT x.{} FROM {} x WHERE x.id = {}.{})",
                            quote(column_name(*dv.second)), quote(dv.first->target_kind->name),
                            table, first);
        source = dv.first->target_kind;
        read = dv.second;
        through = ids_in(*source, d);
      } else {  // a one-to-one seen from the other side
        const Kind& other = *dv.second->target_kind;
        const std::string via = quote(column_name(*dv.second->via_field));
        value = fmt::format("(SELECT x.id FROM {} x WHERE x.{} = {}.{} ORDER BY x.id LIMIT 1)",
                            quote(other.name), via, table, first);
        source = &other;
        read = dv.second->via_field;
        through = fmt::format("(SELECT y.{} FROM {} y WHERE y.id IN {})", via, quote(other.name),
                              ids_in(other, d));
      }
      const std::string update = fmt::format(
          "UPDATE {} SET {} = {} WHERE {} IS NULL AND {} IS NOT NULL AND {} IS NOT NULL", table,
          field, value, field, first, value);
      if (const auto ids = maybe_unfilled(batch, k, *dv.target); !ids.empty()) {
        const std::string& stmt =
            texts().get(fmt::format("F{}/{}/{}", static_cast<int>(d), k.name, dv.field),
                        [&] { return fmt::format("{} AND id IN {}", update, ids_in(k, d)); });
        if (auto e = run(stmt, {ids_parameter(ids)})) return e;
      }
      if (const auto ids = maybe_changed(batch, *source, *read); !ids.empty()) {
        const std::string& stmt =
            texts().get(fmt::format("G{}/{}/{}", static_cast<int>(d), k.name, dv.field),
                        [&] { return fmt::format("{} AND {} IN {}", update, first, through); });
        if (auto e = run(stmt, {ids_parameter(ids)})) return e;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {

// The statements that delete objects: each row, the link rows it owns and
// the links that point at it. Other objects' foreign keys to it stay (LL2
// changes those objects too, and the next page that holds them says what
// they point at now).
std::vector<std::string> delete_statements(const model::Registry& schema, const Kind& kind) {
  std::vector<std::string> statements{fmt::format("DELETE FROM {} WHERE id = ?", quote(kind.name))};
  for (const auto& f : kind.fields) {
    if (f.relation == model::Relation::ManyToMany || f.relation == model::Relation::Rows)
      statements.push_back(
          fmt::format("DELETE FROM {} WHERE owner_id = ?", quote(kind.link_table(f))));
  }
  for (const auto& kp : schema.kinds()) {
    for (const auto& f : kp->fields) {
      if (f.relation == model::Relation::ManyToMany && f.target_kind == &kind)
        statements.push_back(
            fmt::format("DELETE FROM {} WHERE target_id = ?", quote(kp->link_table(f))));
    }
  }
  return statements;
}

std::optional<std::string> write_link(const LinkWrite& link, const Runner& run, Dialect d) {
  if (link.field->relation == model::Relation::ManyToMany) return write_many(link, run, d);
  if (link.field->relation == model::Relation::Reverse) return write_reverse(link, run, d);
  // children: their owner_id
  return point_rows_at(*link.field->target_kind, "owner_id", link.owner, link.targets, run, d);
}

// The data of a batch; each change noted in `log` when there is one.
std::optional<std::string> write_data(const model::Registry& schema, const WriteBatch& batch,
                                      const WriteSession& s, ChangeRecorder* log) {
  std::vector<Value> params;
  std::string key;
  // What a statement changed, when the log needs to know.
  const auto changed_since = [&](int64_t before) {
    return log != nullptr && s.changed_rows() != before;
  };
  const auto rows_now = [&] { return log != nullptr ? s.changed_rows() : 0; };
  // Whether an object's row exists: on SQLite its insert tells (a statement
  // costs no round trip, and a new row is then found once, not twice); on
  // PostgreSQL one statement per kind asks before the batch's writes.
  const bool insert_tells = s.dialect == Dialect::Sqlite;
  if (log != nullptr && !insert_tells) {
    if (auto e = log->look_up(batch.objects)) return e;
  }
  for (const auto& obj : batch.objects) {
    if (log != nullptr && insert_tells && log->may_create(obj)) {
      const int64_t before = rows_now();
      if (auto e = write_object(obj, s.run, params, key, true)) return e;
      if (changed_since(before)) {
        log->created(obj);
        continue;
      }
    }
    if (log != nullptr) {
      auto needed = log->object(obj);
      if (auto* e = std::get_if<std::string>(&needed)) return std::move(*e);
      if (!std::get<bool>(needed)) continue;
    }
    if (auto e = write_object(obj, s.run, params, key)) return e;
  }
  for (const auto& link : batch.links) {
    const int64_t before = rows_now();
    if (auto e = write_link(link, s.run, s.dialect)) return e;
    if (changed_since(before)) log->relation(*link.kind, link.owner, *link.field);
  }
  for (const auto& rows : batch.rows) {
    const int64_t before = rows_now();
    if (auto e = write_rows(rows, s.run)) return e;
    if (changed_since(before)) log->relation(*rows.field->owner, rows.owner, *rows.field);
  }
  for (const auto& reminder : batch.reminders) {
    if (log == nullptr) break;  // nothing to remind of without a log
    auto recorded = log->reminder(reminder);
    if (auto* e = std::get_if<std::string>(&recorded)) return std::move(*e);
  }
  for (const auto& del : batch.deletes) {
    const std::vector<std::string> statements = delete_statements(schema, *del.kind);
    for (const auto& id : del.ids) {
      const int64_t before = rows_now();
      if (auto e = s.run(statements.front(), {id})) return e;
      if (changed_since(before)) log->deleted(*del.kind, id);
      for (size_t i = 1; i < statements.size(); ++i) {
        if (auto e = s.run(statements[i], {id})) return e;
      }
    }
  }
  return log != nullptr ? log->flush() : std::nullopt;
}

}  // namespace

std::optional<std::string> write_batch(const model::Registry& schema, const WriteBatch& batch,
                                       const WriteSession& s) {
  const Runner& run = s.run;
  std::optional<ChangeRecorder> log;
  if (s.log_changes && batch.changes_data()) log.emplace(s);
  if (auto e = write_data(schema, batch, s, log ? &*log : nullptr)) return e;
  for (const auto& [key, state] : batch.sync_state) {
    if (auto e = run("INSERT INTO ll2d_sync (key, state) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                     "SET state = excluded.state",
                     {key, state}))
      return e;
  }
  for (const auto& seen : batch.seen) {
    if (seen.reset) {
      if (auto e = run("DELETE FROM ll2d_sync_seen WHERE walk = ?", {seen.walk})) return e;
    }
    for (const auto& id : seen.ids) {
      const Value text =
          std::holds_alternative<int64_t>(id) ? Value(std::to_string(std::get<int64_t>(id))) : id;
      if (auto e = run("INSERT INTO ll2d_sync_seen (walk, object_id) VALUES (?, ?) ON CONFLICT DO "
                       "NOTHING",
                       {seen.walk, text}))
        return e;
    }
  }
  return fill_derived(schema, batch, run, s.dialect);
}

ApiKey api_key_from_row(const std::vector<Value>& row) {
  const auto text = [&](size_t i) {
    const auto* s = i < row.size() ? std::get_if<std::string>(&row[i]) : nullptr;
    return s != nullptr ? *s : std::string();
  };
  return {text(0), text(1), text(2), text(3), text(4), text(5)};
}

std::vector<Value> api_key_params(const ApiKey& key) {
  return {key.prefix, key.hash, key.label, key.created,
          key.rate.empty() ? Value(std::monostate{}) : Value(key.rate)};
}

}  // namespace ll2::store::sql
