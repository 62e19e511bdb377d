#include "store/change_log.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstring>

#include "json/writer.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace ll2::store::sql {

using model::Field;
using model::Kind;

namespace {

// The column types of ll2d's own tables in a dialect.
struct OwnTypes {
  explicit OwnTypes(Dialect d) : pg(d == Dialect::Postgres) {}
  bool pg;
  std::string text = pg ? "TEXT COLLATE \"C\"" : "TEXT";
  std::string integer = pg ? "BIGINT" : "INTEGER";
  // An integer key that never reuses a number, even once its rows are gone.
  std::string serial_key =
      pg ? "GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "PRIMARY KEY AUTOINCREMENT";
};

}  // namespace

TableDef change_table(Dialect d) {
  const OwnTypes t(d);
  const std::string& text = t.text;
  const std::string& integer = t.integer;
  return {"ll2d_change",
          {{"seq", integer, t.serial_key, false},
           {"written_at", integer, "NOT NULL", false},
           {"kind", text, "NOT NULL", false},
           {"object_id", text, "NOT NULL", false},
           {"op", text, "NOT NULL", false},
           {"fields", text, "NOT NULL", false},
           {"types", text, "NOT NULL", false},
           {"watched", text, "", false},
           {"reminder_before", integer, "", false}},
          {},
          false};
}

std::vector<TableDef> feed_tables(Dialect d) {
  const OwnTypes t(d);
  const bool pg = t.pg;
  const std::string& text = t.text;
  const std::string& integer = t.integer;
  return {// A created entry's fields, kept once per list (ChangeRecorder::add_row).
          {"ll2d_change_fields",
           {{"id", integer, "PRIMARY KEY", false}, {"fields", text, "NOT NULL", false}},
           {},
           false},
          {"ll2d_reminder",
           {{"kind", text, "NOT NULL", false},
            {"object_id", text, "NOT NULL", false},
            {"at", integer, "NOT NULL", false},
            {"before_us", integer, "NOT NULL", false}},
           "kind, object_id, at, before_us",
           !pg},
          {"ll2d_lease",
           {{"name", text, "PRIMARY KEY", false},
            {"holder", text, "NOT NULL", false},
            {"expires", integer, "NOT NULL", false}},
           {},
           false},
          // Webhooks (notify/hooks.hpp) and their deliveries.
          {"ll2d_hook",
           {{"id", integer, t.serial_key, false},
            {"url", text, "NOT NULL", false},
            {"query", text, "NOT NULL", false},
            {"secret", text, "NOT NULL", false},
            {"created", integer, "NOT NULL", false},
            {"cursor", integer, "NOT NULL", false}},
           {},
           false},
          {"ll2d_delivery",
           {{"hook_id", integer, "NOT NULL", false},
            {"seq", integer, "NOT NULL", false},
            {"state", text, "NOT NULL", false},
            {"attempts", integer, "NOT NULL", false},
            {"next_at", integer, "NOT NULL", false},
            {"status", integer, "NOT NULL", false},
            {"error", text, "NOT NULL", false}},
           "hook_id, seq",
           !pg}};
}

std::vector<IndexDef> change_indexes() {
  // Retention drops by time (a write); a stream of one launch reads by
  // object (only reads: a bulk load builds it at the end, sorted, rather
  // than inserting each entry at its random place).
  return {{"ll2d_change__written_at", "ll2d_change", {"written_at"}, false},
          {"ll2d_change__object_id", "ll2d_change", {"object_id", "seq"}, true}};
}

void ChangeLogSettings::apply(WriteSession& session) const {
  session.log_changes = retention.count() > 0;
  if (!session.log_changes) return;
  session.now = clock ? clock()
                      : std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  session.retention = std::chrono::duration_cast<std::chrono::microseconds>(retention).count();
}

ChangeLogSettings change_log_settings(const OpenOptions& options) {
  return {options.changes_retention, options.clock};
}

namespace {

std::string id_text(const Value& id) {
  if (const auto* i = std::get_if<int64_t>(&id)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&id)) return *s;
  return {};
}

void write_value(json::Writer& w, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v))
    w.integer(*i);
  else if (const auto* d = std::get_if<double>(&v))
    w.number(*d);
  else if (const auto* s = std::get_if<std::string>(&v))
    w.string(*s);
  else
    w.null();
}

Value read_value(const rapidjson::Value& v) {
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsNumber()) return v.GetDouble();
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  return std::monostate{};
}

bool truthy(const Value& v) {
  const auto* i = std::get_if<int64_t>(&v);
  return i != nullptr && *i != 0;
}

void add_event(std::vector<std::string>& events, std::string type) {
  if (std::find(events.begin(), events.end(), type) == events.end())
    events.push_back(std::move(type));
}

void add_field(std::vector<const Field*>& fields, const Field* f) {
  if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
}

// SELECT 1, then per written field whether the write changes it (0/1),
// then the kind's watched columns, of the object's stored row.
const std::string& compare_statement(const ObjectWrite& write, std::string& key) {
  key.assign("C");
  key += std::to_string(write.kind->serial);
  for (const auto& [field, _] : write.values)
    key += "," + std::to_string(field - write.kind->fields.data());
  return statement_text(key, [&] {
    std::string select = "SELECT 1";
    for (const auto& [field, _] : write.values) {
      std::string differs;
      if (keeps_integer_form(*field))
        differs = fmt::format("o.{} IS DISTINCT FROM ? OR ", quote(integer_form_column(*field)));
      differs += fmt::format("o.{} IS DISTINCT FROM ?", quote(column_name(*field)));
      select += fmt::format(", CASE WHEN {} THEN 1 ELSE 0 END", differs);
    }
    for (const auto& w : write.kind->watched) select += ", o." + quote(column_name(*w.field));
    return fmt::format("{} FROM {} o WHERE o.id = ?", select, quote(write.kind->name));
  });
}

}  // namespace

ChangeRecorder::Entry& ChangeRecorder::entry(const Kind& kind, const Value& id, const char* op,
                                             bool* added) {
  const auto [it, is_new] = index_.try_emplace({&kind, id}, entries_.size());
  if (added != nullptr) *added = is_new;
  if (is_new) {
    Entry& e = entries_.emplace_back();
    e.kind = &kind;
    e.id = id;
    e.op = op;
  }
  return entries_[it->second];
}

std::optional<std::string> ChangeRecorder::look_up(const std::vector<ObjectWrite>& objects) {
  std::map<const Kind*, std::vector<Value>> ids;
  for (const auto& o : objects) ids[o.kind].push_back(o.id);
  for (const auto& [kind_of_ids, of_kind] : ids) {
    const Kind* kind = kind_of_ids;  // a lambda cannot capture a structured binding
    const std::string& select =
        statement_text(fmt::format("E{}/{}", static_cast<int>(s_.dialect), kind->serial),
                       [&] { return select_ids_in(*kind, s_.dialect); });
    auto rows = s_.query(select, {ids_in_parameter(of_kind, s_.dialect)});
    if (auto* e = std::get_if<std::string>(&rows)) return std::move(*e);
    std::set<Value>& stored = stored_[kind];
    for (auto& row : std::get<std::vector<Row>>(rows)) stored.insert(std::move(row.front()));
  }
  looked_up_ = true;
  return std::nullopt;
}

bool ChangeRecorder::may_create(const ObjectWrite& write) const {
  return !index_.contains({write.kind, write.id});
}

// What an object's write logs when its row is not stored yet.
void ChangeRecorder::created(const ObjectWrite& write) {
  bool added = false;
  Entry& c = entry(*write.kind, write.id, "created", &added);
  if (added) {  // a write names each field once
    c.fields.reserve(write.values.size());
    for (const auto& [field, value] : write.values) c.fields.push_back(field);
  } else {
    for (const auto& [field, value] : write.values) add_field(c.fields, field);
  }
  for (const auto& w : write.kind->watched) {
    if (const Value* v = write.value_of(w.field)) c.watched.push_back({w.field_name, {}, *v});
  }
}

std::variant<bool, std::string> ChangeRecorder::object(const ObjectWrite& write) {
  const Kind& kind = *write.kind;
  if (looked_up_ && !index_.contains({&kind, write.id})) {
    const auto it = stored_.find(&kind);
    if (it == stored_.end() || !it->second.contains(write.id)) {
      created(write);
      return true;
    }
  }
  params_.clear();
  for (const auto& [field, value] : write.values) {
    if (keeps_integer_form(*field)) params_.push_back(integer_form(value));
    params_.push_back(value);
  }
  params_.push_back(write.id);
  auto rows = s_.query(compare_statement(write, key_), params_);
  if (auto* e = std::get_if<std::string>(&rows)) return std::move(*e);
  const auto& found = std::get<std::vector<Row>>(rows);
  if (found.empty()) {
    created(write);
    return true;
  }
  const Row& row = found.front();
  std::vector<const Field*> changed;
  for (size_t i = 0; i < write.values.size(); ++i) {
    if (truthy(row[1 + i])) changed.push_back(write.values[i].first);
  }
  if (changed.empty()) return false;
  Entry& c = entry(kind, write.id, "updated");
  for (const Field* f : changed) add_field(c.fields, f);
  const size_t watched_at = 1 + write.values.size();
  for (size_t i = 0; i < kind.watched.size(); ++i) {
    const model::Watch& w = kind.watched[i];
    if (std::find(changed.begin(), changed.end(), w.field) == changed.end()) continue;
    const Value& after = *write.value_of(w.field);
    c.watched.push_back({w.field_name, row[watched_at + i], after});
    if (!w.event.empty() && (!w.only_to_true || truthy(after)))
      add_event(c.events, kind.name + "." + w.event);
  }
  return true;
}

void ChangeRecorder::relation(const Kind& kind, const Value& owner, const Field& field) {
  add_field(entry(kind, owner, "updated").fields, &field);
}

void ChangeRecorder::deleted(const Kind& kind, const Value& id) {
  Entry& c = entry(kind, id, "deleted");
  if (std::strcmp(c.op, "deleted") != 0) {  // written, then deleted, in one batch: gone
    c.op = "deleted";
    c.fields.clear();
    c.watched.clear();
    c.events.clear();
  }
}

std::variant<bool, std::string> ChangeRecorder::reminder(const ReminderWrite& r) {
  static const std::string record =
      "INSERT INTO ll2d_reminder (kind, object_id, at, before_us) VALUES (?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING";
  const int64_t before = s_.changed_rows();
  if (auto e = s_.run(record, {r.kind->name, id_text(r.id), r.at, r.before})) return *e;
  if (s_.changed_rows() == before) return false;
  if (!r.announce) return true;
  Entry c;
  c.kind = r.kind;
  c.id = r.id;
  c.op = "reminder";
  c.watched.push_back({r.kind->remind_of_name, r.at, r.at});
  c.reminder_before = r.before;
  entries_.push_back(std::move(c));  // never merged: one entry per reminder
  return true;
}

namespace {

constexpr size_t kChangeColumns = 8;
constexpr size_t kListReference = 20;  // `#` and up to 19 digits
// Rows per INSERT at most: a power of two, so that any count is sent as at
// most log2(kMaxRowsPerInsert) + 1 statement shapes (each prepared once),
// and far below both backends' parameter limits (SQLite 32,766, PostgreSQL
// 65,535).
constexpr size_t kMaxRowsPerInsert = 256;

// INSERT of `rows` entries at once (one row per entry, in order: their seq
// numbers are given in that order on both backends).
const std::string& insert_changes(size_t rows) {
  return statement_text("L" + std::to_string(rows), [rows] {
    std::string sql =
        "INSERT INTO ll2d_change (written_at, kind, object_id, op, fields, types, watched, "
        "reminder_before) VALUES ";
    for (size_t i = 0; i < rows; ++i)
      sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)";
    return sql;
  });
}

}  // namespace

void ChangeRecorder::add_row(const Entry& c) {
  // Types are stored ` a b `, so that one is matched as `% a %`.
  std::string types = fmt::format(" {}.{} ", c.kind->name, c.op);
  for (const auto& t : c.events) {
    types += t;
    types += ' ';
  }
  Value watched;
  if (!c.watched.empty()) {
    std::string out;
    json::Writer w(out);
    w.begin_array();
    for (const auto& v : c.watched) {
      w.begin_array();
      w.string(v.field);
      write_value(w, v.before);
      write_value(w, v.after);
      w.end_array();
    }
    w.end_array();
    watched = std::move(out);
  }
  std::string fields;
  for (const Field* f : c.fields) {
    if (!fields.empty()) fields += ' ';
    fields += f->name;
  }
  // A created object names every field its write gave, the same list for
  // each object of a kind printed alike: a list longer than its reference
  // is kept once, and the entry names it `#<id>`. Its id is its hash (63
  // bits), so a batch writes each of its lists without first asking which
  // are stored.
  if (std::strcmp(c.op, "created") == 0 && fields.size() > kListReference) {
    const auto id = static_cast<int64_t>(XXH3_64bits(fields.data(), fields.size()) >> 1);
    if (field_lists_.try_emplace(id, fields).second) new_lists_.push_back(id);
    fields = "#" + std::to_string(id);
  }
  params_.emplace_back(s_.now);
  params_.emplace_back(c.kind->name);
  params_.emplace_back(id_text(c.id));
  params_.emplace_back(c.op);
  params_.emplace_back(std::move(fields));
  params_.emplace_back(std::move(types));
  params_.push_back(std::move(watched));
  params_.push_back(c.reminder_before > 0 ? Value(c.reminder_before) : Value());
}

std::optional<std::string> ChangeRecorder::flush() {
  if (entries_.empty()) return std::nullopt;
  // The entries in order, as few statements as the chunk sizes allow: the
  // largest chunk that fits, then the next smaller power of two.
  for (size_t at = 0; at < entries_.size();) {
    size_t rows = kMaxRowsPerInsert;
    while (rows > entries_.size() - at) rows /= 2;
    params_.clear();
    params_.reserve(rows * kChangeColumns);
    for (size_t i = at; i < at + rows; ++i) add_row(entries_[i]);
    if (auto e = s_.run(insert_changes(rows), params_)) return e;
    at += rows;
  }
  static const std::string keep_list =
      "INSERT INTO ll2d_change_fields (id, fields) VALUES (?, ?) ON CONFLICT (id) DO NOTHING";
  for (const int64_t id : new_lists_) {
    if (auto e = s_.run(keep_list, {id, field_lists_.at(id)})) return e;
  }
  new_lists_.clear();
  entries_.clear();
  index_.clear();
  stored_.clear();
  looked_up_ = false;
  if (s_.retention <= 0) return std::nullopt;
  static const std::string expire = "DELETE FROM ll2d_change WHERE written_at < ?";
  return s_.run(expire, {s_.now - s_.retention});
}

Statement select_changes(const ChangeQuery& q) {
  Statement st;
  // A created entry's `#<id>` is its list of fields in ll2d_change_fields.
  st.sql =
      "SELECT seq, written_at, kind, object_id, op, CASE WHEN c.fields LIKE '#%' THEN "
      "COALESCE((SELECT l.fields FROM ll2d_change_fields l WHERE l.id = CAST(substr(c.fields, 2) "
      "AS BIGINT)), '') ELSE c.fields END, types, watched, reminder_before FROM ll2d_change c "
      "WHERE seq > ?";
  st.params.emplace_back(q.since);
  const auto any_of = [&](const std::vector<std::string>& values, const char* test) {
    if (values.empty()) return;
    st.sql += " AND (";
    for (size_t i = 0; i < values.size(); ++i) {
      st.sql += i == 0 ? "" : " OR ";
      st.sql += test;
    }
    st.sql += ")";
  };
  any_of(q.kinds, "kind = ?");
  for (const auto& k : q.kinds) st.params.emplace_back(k);
  // LIKE with `\` escaping its wildcards (`_` is in every type's name).
  any_of(q.types, "types LIKE ? ESCAPE '\\'");
  for (const auto& t : q.types) {
    std::string pattern = "% ";
    for (const char ch : t) {
      if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
      pattern += ch;
    }
    st.params.emplace_back(pattern + " %");
  }
  if (q.id) {
    st.sql += " AND object_id = ?";
    st.params.emplace_back(id_text(*q.id));
  }
  st.sql += " ORDER BY seq LIMIT ?";
  st.params.emplace_back(q.limit);
  return st;
}

Change change_from_row(const model::Registry& schema, const Row& row) {
  const auto text = [&](size_t i) {
    const auto* s = std::get_if<std::string>(&row[i]);
    return s != nullptr ? *s : std::string();
  };
  const auto integer = [&](size_t i) {
    const auto* v = std::get_if<int64_t>(&row[i]);
    return v != nullptr ? *v : 0;
  };
  Change c;
  c.seq = integer(0);
  c.at = integer(1);
  c.kind = text(2);
  c.op = text(4);
  const Kind* kind = schema.find_kind(c.kind);
  const std::string id = text(3);
  c.id = id;
  if (kind != nullptr && kind->id_type == model::IdType::Integer)
    c.id = static_cast<int64_t>(std::strtoll(id.c_str(), nullptr, 10));
  const auto words = [](const std::string& list, std::vector<std::string>& into) {
    for (const auto word : text::split_stripped(list, ' ')) {
      if (!word.empty()) into.emplace_back(word);
    }
  };
  words(text(5), c.fields);
  words(text(6), c.types);
  c.reminder_before = integer(8);
  rapidjson::Document doc;
  const std::string watched = text(7);
  if (!watched.empty() && !doc.Parse(watched.c_str()).HasParseError() && doc.IsArray()) {
    for (const auto& item : doc.GetArray()) {
      if (!item.IsArray() || item.Size() != 3 || !item[0].IsString()) continue;
      c.watched.push_back({item[0].GetString(), read_value(item[1]), read_value(item[2])});
    }
  }
  return c;
}

}  // namespace ll2::store::sql

namespace ll2::store {

std::vector<Change> Store::changes(const ChangeQuery& query) {
  const sql::Statement s = sql::select_changes(query);
  std::vector<Change> out;
  for (const Row& row : statement_rows(s.sql, s.params))
    out.push_back(sql::change_from_row(schema(), row));
  return out;
}

int64_t Store::last_change() {
  const auto found = statement_rows(sql::kSelectLastChange, {});
  const auto* seq = found.empty() ? nullptr : std::get_if<int64_t>(&found.front().front());
  return seq != nullptr ? *seq : 0;
}

std::variant<std::vector<Row>, std::string> Store::execute(const std::string& sql,
                                                           const std::vector<Value>& params) {
  try {
    return statement_rows(sql, params);
  } catch (const StoreError& e) {
    return std::string(e.what());
  }
}

}  // namespace ll2::store
