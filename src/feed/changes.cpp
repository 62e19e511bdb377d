#include "feed/changes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "util/datetime.hpp"
#include "util/text.hpp"

namespace ll2::feed {

using model::Field;
using model::Kind;

std::vector<std::string> types_of(const Kind& kind) {
  std::vector<std::string> out;
  for (const char* op : {"created", "updated", "deleted"}) out.push_back(kind.name + "." + op);
  if (kind.remind_of != nullptr) out.push_back(kind.name + ".reminder");
  for (const auto& w : kind.watched) {
    std::string type = kind.name + "." + w.event;
    if (!w.event.empty() && std::find(out.begin(), out.end(), type) == out.end())
      out.push_back(std::move(type));
  }
  return out;
}

namespace {

// A whole number in [low, high], with DRF IntegerField's messages.
std::variant<int64_t, std::string> bounded_integer(std::string_view text, int64_t low,
                                                   int64_t high) {
  const std::string_view t = text::python_strip(text);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size())
    return std::string("A valid integer is required.");
  if (v < low) return fmt::format("Ensure this value is greater than or equal to {}.", low);
  if (v > high) return fmt::format("Ensure this value is less than or equal to {}.", high);
  return v;
}

// A comma-separated list whose every item is one of `allowed`.
std::vector<std::string> choices(std::string_view text, const std::set<std::string>& allowed,
                                 std::vector<std::string>& problems) {
  std::vector<std::string> out;
  for (const std::string_view item : text::split_stripped(text, ',')) {
    if (item.empty()) continue;
    if (!allowed.contains(std::string(item))) {
      problems.push_back(
          fmt::format("Select a valid choice. {} is not one of the available choices.", item));
    } else if (std::find(out.begin(), out.end(), item) == out.end()) {
      out.emplace_back(item);
    }
  }
  return out;
}

// Kinds with ids of their own: those an entry can name.
std::vector<const Kind*> logged_kinds(const model::Registry& schema) {
  std::vector<const Kind*> out;
  for (const auto& k : schema.kinds()) {
    if (k->id_type != model::IdType::None) out.push_back(k.get());
  }
  return out;
}

}  // namespace

std::variant<store::ChangeQuery, QueryProblems> parse_change_query(const model::Registry& schema,
                                                                   const ChangeParams& params) {
  store::ChangeQuery q;
  QueryProblems problems;
  const auto integer = [&](const char* name, std::string_view text, int64_t low, int64_t high,
                           int64_t& into) {
    if (text.empty()) return;
    auto v = bounded_integer(text, low, high);
    if (auto* e = std::get_if<std::string>(&v))
      problems[name].push_back(std::move(*e));
    else
      into = std::get<int64_t>(v);
  };
  integer("since", params.since, 0, INT64_MAX, q.since);
  integer("limit", params.limit, 1, kMaxChangeLimit, q.limit);
  std::set<std::string> kinds;
  std::set<std::string> types;
  for (const Kind* k : logged_kinds(schema)) {
    kinds.insert(k->name);
    for (auto& t : types_of(*k)) types.insert(std::move(t));
  }
  std::vector<std::string> bad;
  q.kinds = choices(params.kinds, kinds, bad);
  if (!bad.empty()) problems["kinds"] = std::move(bad);
  bad.clear();
  q.types = choices(params.types, types, bad);
  if (!bad.empty()) problems["types"] = std::move(bad);
  if (const std::string_view id = text::python_strip(params.id); !id.empty())
    q.id = std::string(id);
  if (!problems.empty()) return problems;
  return q;
}

namespace {

// A foreign key's object as the feed shows it: its id, and its name and
// abbrev when it has them (a launch status: Go, TBD, Success...).
void write_target(json::Writer& out, const Kind& target, const Value& id, store::Store& store) {
  out.begin_object();
  out.key("id");
  if (const auto* i = std::get_if<int64_t>(&id))
    out.integer(*i);
  else
    out.string(std::get<std::string>(id));
  const std::optional<Row> row = store.load(target, id);
  for (const char* name : {"name", "abbrev"}) {
    const Field* f = target.field(name);
    if (row && f != nullptr && f->column > 0) {
      const auto* text = std::get_if<std::string>(&(*row)[static_cast<size_t>(f->column)]);
      out.key(name);
      if (text != nullptr)
        out.string(*text);
      else
        out.null();
    }
  }
  out.end_object();
}

void write_value(json::Writer& out, const Field* field, const Value& v, store::Store& store) {
  if (is_null(v)) {
    out.null();
  } else if (field != nullptr && field->relation == model::Relation::ForeignKey &&
             field->target_kind != nullptr) {
    write_target(out, *field->target_kind, v, store);
  } else if (const auto* i = std::get_if<int64_t>(&v)) {
    if (field != nullptr && field->type == model::ColumnType::DateTime)
      out.string(datetime::format_datetime(*i));
    else if (field != nullptr && field->type == model::ColumnType::Boolean)
      out.boolean(*i != 0);
    else
      out.integer(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    out.number(*d);
  } else {
    out.string(std::get<std::string>(v));
  }
}

// The path of the object's detail route in `first` (the first version, the
// store's schema), if it has one.
std::string object_path(const model::Registry& first, const Kind* kind, const Value& id) {
  if (kind == nullptr) return {};
  for (const auto& r : first.routes()) {
    if (r.resource->kind != kind || !r.detail || r.action != nullptr || r.mode != nullptr) continue;
    const std::string text = std::holds_alternative<int64_t>(id)
                                 ? std::to_string(std::get<int64_t>(id))
                                 : std::get<std::string>(id);
    return fmt::format("{}{}/{}/", first.version().prefix, r.path, text);
  }
  return {};
}

}  // namespace

void write_change(json::Writer& out, const store::Change& c, store::Store& store,
                  std::string_view base) {
  const Kind* kind = store.schema().find_kind(c.kind);
  out.begin_object();
  out.key("seq");
  out.integer(c.seq);
  out.key("time");
  out.string(datetime::format_datetime(c.at));
  out.key("kind");
  out.string(c.kind);
  out.key("id");
  write_value(out, nullptr, c.id, store);
  out.key("op");
  out.string(c.op);
  out.key("types");
  out.begin_array();
  for (const auto& t : c.types) out.string(t);
  out.end_array();
  out.key("fields");
  out.begin_array();
  for (const auto& f : c.fields) out.string(f);
  out.end_array();
  out.key("changes");
  out.begin_object();
  // (A reminder's watched value is the time it reminds of, under "reminder".)
  for (const auto& w : c.reminder_before > 0 ? std::vector<store::WatchedChange>() : c.watched) {
    const Field* f = kind != nullptr ? kind->field(w.field) : nullptr;
    out.key(w.field);
    out.begin_object();
    out.key("old");
    write_value(out, f, w.before, store);
    out.key("new");
    write_value(out, f, w.after, store);
    out.end_object();
  }
  out.end_object();
  if (c.reminder_before > 0) {
    out.key("reminder");
    out.begin_object();
    out.key("before_seconds");
    out.integer(c.reminder_before / 1'000'000);
    out.key("at");
    const int64_t* at = c.watched.empty() ? nullptr : std::get_if<int64_t>(&c.watched[0].after);
    if (at != nullptr)
      out.string(datetime::format_datetime(*at));
    else
      out.null();
    out.end_object();
  }
  out.key("url");
  const std::string path = object_path(store.schema(), kind, c.id);
  if (path.empty())
    out.null();
  else
    out.string(fmt::format("{}{}", base, path));
  out.end_object();
}

std::variant<int64_t, QueryProblems> print_changes(store::Store& store, const ChangeParams& params,
                                                   std::string_view base, std::FILE* out) {
  ChangeParams paged = params;
  paged.limit = {};
  auto parsed = parse_change_query(store.schema(), paged);
  int64_t wanted = INT64_MAX;
  if (!params.limit.empty()) {
    auto limit = bounded_integer(params.limit, 1, INT64_MAX);
    if (auto* e = std::get_if<std::string>(&limit)) {
      QueryProblems problems;
      if (auto* more = std::get_if<QueryProblems>(&parsed)) problems = std::move(*more);
      problems["limit"].push_back(std::move(*e));
      return problems;
    }
    wanted = std::get<int64_t>(limit);
  }
  if (auto* problems = std::get_if<QueryProblems>(&parsed)) return std::move(*problems);
  store::ChangeQuery q = std::get<store::ChangeQuery>(parsed);
  const store::ReadSnapshot snapshot(store);
  if (snapshot.error())
    throw store::StoreError(store::StoreError::Cause::Failed, *snapshot.error());
  int64_t printed = 0;
  std::string line;
  while (printed < wanted) {
    q.limit = std::min(kMaxChangeLimit, wanted - printed);
    const std::vector<store::Change> page = store.changes(q);
    for (const auto& c : page) {
      line.clear();
      json::Writer w(line);
      write_change(w, c, store, base);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), out);
    }
    printed += static_cast<int64_t>(page.size());
    if (static_cast<int64_t>(page.size()) < q.limit) break;
    q.since = page.back().seq;
  }
  return printed;
}

}  // namespace ll2::feed
