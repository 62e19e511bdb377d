#include "api/changes_view.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "api/feed_schema.hpp"
#include "api/params.hpp"
#include "feed/changes.hpp"
#include "json/writer.hpp"

namespace ll2::api {

namespace {

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.headers = {{"Allow", "GET, HEAD"}};
  r.body = std::move(body);
  return r;
}

// The resource whose filters narrow the feed to some launches.
const model::Resource& launches(const model::Registry& first) {
  return *first.find_resource("launches");
}

bool is_launch_filter(const model::Registry& first, std::string_view param) {
  const auto& filters = launches(first).filters;
  return std::any_of(filters.begin(), filters.end(),
                     [&](const model::Filter& f) { return f.param == param; });
}

// The launch ids among `ids` that the request's launch filters select.
std::variant<std::vector<Value>, Response> selected_launches(store::Store& store,
                                                             const ChangeSelection& s,
                                                             std::vector<Value> ids, int64_t now) {
  SelectContext context;
  context.filter.now = now;
  context.filter.version = s.version;
  context.filter.load = [&store](const model::Kind& kind, const Value& id) {
    return store.load(kind, id);
  };
  context.exists = [&store](const model::Kind& kind, const Value& id) {
    return store.exists(kind, id);
  };
  auto selected = select(launches(*s.version), s.params, /*detail=*/true, context);
  if (auto* errors = std::get_if<FieldErrors>(&selected))
    return json_response(400, errors_body(*errors));
  store::ListQuery q = std::get<Selection>(selected).query;
  q.limit = static_cast<int64_t>(ids.size());
  q.offset = 0;
  q.count = false;
  q.order.clear();
  q.where.require(model::Predicate::compare("id", model::Lookup::In, std::move(ids)));
  return store.list(q).ids;
}

}  // namespace

std::variant<ChangeSelection, Response> select_changes(const model::Registry& first,
                                                       std::string_view query,
                                                       std::string_view last_event_id) {
  ChangeSelection s;
  s.version = &first;
  s.params = text::QueryParams::parse(query);
  const auto get = [&](std::string_view name) { return s.params.get(name).value_or(""); };
  auto parsed =
      feed::parse_change_query(first, {last_event_id.empty() ? get("since") : last_event_id,
                                       get("limit"), get("kinds"), get("types"), get("id")});
  if (auto* problems = std::get_if<feed::QueryProblems>(&parsed))
    return json_response(400, errors_body(FieldErrors(problems->begin(), problems->end())));
  s.query = std::get<store::ChangeQuery>(parsed);
  for (const auto& [name, value] : s.params.items()) {
    // `id` is the feed's (any kind's object), not the launches' filter.
    if (is_launch_filter(first, name) && !is_change_parameter(name)) s.launch_filtered = true;
  }
  // Only launches can pass a launch filter.
  if (s.launch_filtered) s.query.kinds = {launches(first).kind->name};
  return s;
}

std::variant<std::vector<store::Change>, Response> read_changes(store::Store& store,
                                                                const ChangeSelection& s,
                                                                int64_t now, int64_t& next_since) {
  std::vector<store::Change> changes = store.changes(s.query);
  // A short page read the log to its end: the next read starts after the
  // last entry, whether or not it matched.
  next_since = static_cast<int64_t>(changes.size()) == s.query.limit
                   ? changes.back().seq
                   : std::max(s.query.since, store.last_change());
  if (!s.launch_filtered || changes.empty()) return changes;
  std::vector<Value> ids;
  for (const auto& c : changes) {
    if (c.op != "deleted") ids.push_back(c.id);
  }
  auto passed = selected_launches(store, s, ids, now);
  if (auto* refused = std::get_if<Response>(&passed)) return std::move(*refused);
  const auto& keep = std::get<std::vector<Value>>(passed);
  std::erase_if(changes, [&](const store::Change& c) {
    return c.op != "deleted" && std::find(keep.begin(), keep.end(), c.id) == keep.end();
  });
  return changes;
}

Response changes_view(const Request& request, std::string_view query, const std::string& base,
                      store::Store& store, store::Deadline deadline, int64_t now) {
  if (auto refused = refuse_unless_read(request)) return std::move(*refused);
  auto selected = select_changes(store.schema(), query);
  if (auto* refused = std::get_if<Response>(&selected)) return std::move(*refused);
  const ChangeSelection& s = std::get<ChangeSelection>(selected);

  const store::ReadSnapshot snapshot(store, deadline);
  if (snapshot.error())
    throw store::StoreError(store::StoreError::Cause::Failed, *snapshot.error());
  int64_t next_since = 0;
  auto read = read_changes(store, s, now, next_since);
  if (auto* refused = std::get_if<Response>(&read)) return std::move(*refused);
  const auto& changes = std::get<std::vector<store::Change>>(read);
  std::string body;
  json::Writer w(body);
  w.begin_object();
  w.key("since");
  w.integer(s.query.since);
  w.key("next_since");
  w.integer(next_since);
  w.key("next");
  w.string(fmt::format("{}{}?{}", base, kChangesPath,
                       s.params.encode_replacing("since", std::to_string(next_since))));
  w.key("more");
  w.boolean(next_since < store.last_change());
  w.key("results");
  w.begin_array();
  for (const auto& c : changes) feed::write_change(w, c, store, base);
  w.end_array();
  w.end_object();
  Response r = json_response(200, std::move(body));
  // Entries are written only with data, so the page holds until the next
  // write (a launch filter may read the time: not kept).
  if (!s.launch_filtered) r.generation = store.data_version();
  r.omit_body = request.method == "HEAD";
  return r;
}

std::variant<ChangeStream, Response> open_change_stream(const Engine& engine,
                                                        const Request& request,
                                                        std::string_view last_event_id) {
  if (request.method != "GET")
    return json_response(405,
                         detail_body(fmt::format("Method \"{}\" not allowed.", request.method)));
  const std::string_view target = request.target;
  const size_t qmark = target.find('?');
  auto selected = select_changes(
      engine.catalog().first(),
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1),
      last_event_id);
  if (auto* refused = std::get_if<Response>(&selected)) return std::move(*refused);
  ChangeStream stream{std::move(std::get<ChangeSelection>(selected)), engine.base_url(request)};
  // Launch filters are checked now, so that a bad one is a 400, not a
  // stream that says nothing.
  std::optional<Response> refused;
  engine.read_store([&](store::Store& store, int64_t now) {
    ChangeSelection probe = stream.selection;
    probe.query.limit = 1;
    probe.query.since = std::max<int64_t>(0, store.last_change() - 1);
    int64_t ignored = 0;
    auto read = read_changes(store, probe, now, ignored);
    if (auto* r = std::get_if<Response>(&read)) refused = std::move(*r);
  });
  if (refused) return std::move(*refused);
  return stream;
}

std::string next_change_events(const Engine& engine, ChangeStream& stream, bool& more) {
  std::string out;
  more = false;
  engine.read_store([&](store::Store& store, int64_t now) {
    int64_t next_since = stream.selection.query.since;
    auto read = read_changes(store, stream.selection, now, next_since);
    // The filters were accepted when the stream opened; they cannot fail now.
    if (std::holds_alternative<Response>(read)) return;
    std::string data;
    for (const auto& c : std::get<std::vector<store::Change>>(read)) {
      data.clear();
      json::Writer w(data);
      feed::write_change(w, c, store, stream.base);
      out += fmt::format("id: {}\ndata: {}\n\n", c.seq, data);
    }
    stream.selection.query.since = next_since;
    more = next_since < store.last_change();
  });
  return out;
}

}  // namespace ll2::api
