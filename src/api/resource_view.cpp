#include "api/resource_view.hpp"

#include <fmt/format.h>

#include <set>

#include "api/clock.hpp"
#include "api/compose.hpp"
#include "api/fragment_cache.hpp"
#include "api/list_index.hpp"
#include "api/params.hpp"
#include "api/reads.hpp"
#include "json/writer.hpp"
#include "store/sql_builder.hpp"
#include "util/text.hpp"

namespace ll2::api::stages {

namespace {

// Django's pk lookup of a detail route: int() or uuid.UUID() of the path
// segment. nullopt: the segment does not parse, DRF's bare Http404 ("Not
// found."). An integer beyond 64 bits parses but matches no row (Django 5
// turns an out-of-range lookup into an empty result): a null Value.
std::optional<Value> detail_id(const Kind& kind, std::string_view segment) {
  if (kind.id_type == IdType::Uuid) {
    if (auto u = text::python_uuid(segment)) return Value(std::move(*u));
    return std::nullopt;
  }
  if (auto i = text::python_int(segment)) return Value(*i);
  if (text::python_int_saturating(segment)) return Value();
  return std::nullopt;
}

// DRF's LimitOffsetPagination envelope around the rendered results.
void write_page(json::Writer& w, const Context& ctx, const store::ListQuery& q, int64_t count,
                const std::function<void()>& results) {
  w.begin_object();
  w.key("count");
  w.integer(count);
  w.key("next");
  if (q.offset >= count - q.limit) {  // offset + limit >= count, without overflow
    w.null();
  } else {
    w.string(page_link(ctx, ctx.params.encode_replacing("limit", std::to_string(q.limit), "offset",
                                                        std::to_string(q.offset + q.limit))));
  }
  w.key("previous");
  if (q.offset <= 0) {
    w.null();
  } else if (q.offset - q.limit <= 0) {
    w.string(
        page_link(ctx, ctx.params.encode_removing("offset", "limit", std::to_string(q.limit))));
  } else {
    w.string(page_link(ctx, ctx.params.encode_replacing("limit", std::to_string(q.limit), "offset",
                                                        std::to_string(q.offset - q.limit))));
  }
  w.key("results");
  results();
  w.end_object();
}

// A paginated list's page and exact count: from a list index when one of
// this snapshot's generation answers it, else from the store, with the count
// cached for the generation.
store::Page list_page(store::ListQuery q, Engine::ThreadState& st, ListIndexes& lists) {
  const uint64_t generation = st.cache->version();
  if (auto page = lists.page(q, generation, [&st]() -> const ListIndexes::KindGenerations& {
        return st.cache->kind_generations();
      }))
    return std::move(*page);
  const auto statements = store::sql::list(q);
  std::string key = statements.count.sql;
  for (const auto& v : statements.count.params) {
    key += '\0';
    if (const auto* i = std::get_if<int64_t>(&v))
      key += "i" + std::to_string(*i);
    else if (const auto* d = std::get_if<double>(&v))
      key += fmt::format("d{}", *d);
    else if (const auto* s = std::get_if<std::string>(&v))
      key += "s" + *s;
  }
  if (const auto count = lists.cached_count(key, generation)) {
    q.count = false;
    store::Page page = st.store->list(q);
    page.count = *count;
    return page;
  }
  store::Page page = st.store->list(q);
  lists.store_count(key, generation, page.count);
  return page;
}

// One resource request as its parts see it, with what the answer read
// besides its own kind: for marking the answer reusable.
struct ResourceRequest {
  const Context& ctx;
  const Route& rt;
  const Resource& resource;
  Engine::ThreadState& st;
  int64_t now;
  // Objects the parameters name (a filter's agency by id): the answer reads
  // their kinds too.
  std::set<std::string> looked_up;
  std::vector<model::ClockEdge> clock_edges;  // conditions on the time (upcoming)
};

// The parameters' context: the route's action and mode, the request's time,
// and lookups that note what they read in `req`.
SelectContext select_context_for(ResourceRequest& req) {
  SelectContext select_context;
  select_context.action = req.rt.action;
  select_context.mode = req.rt.mode;
  select_context.mode_parameter = !req.rt.version->version().mode_routes;
  select_context.filter.now = req.now;
  select_context.filter.version = req.rt.version;
  select_context.filter.load = [&req](const Kind& kind, const Value& id) -> std::optional<Row> {
    req.looked_up.insert(kind.name);
    if (const auto row = req.st.cache->load(kind, id)) return *row;
    return std::nullopt;
  };
  select_context.exists = [&req](const Kind& kind, const Value& id) {
    req.looked_up.insert(kind.name);
    return req.st.cache->load(kind, id) != nullptr;
  };
  select_context.filter.clock_edges = &req.clock_edges;
  return select_context;
}

// A reusable answer: its generation, what it read (resource_reads) and,
// when it depends on the time, until when it holds. `mode` null: any write
// ends it.
void mark_reusable(Response& r, const ResourceRequest& req, const Mode* mode) {
  const auto expires = clock_expiry(req.clock_edges, req.now, *req.st.store, *req.st.cache);
  if (!expires) return;
  r.generation = req.st.cache->version();
  r.expires = *expires == INT64_MAX ? 0 : *expires;
  if (mode == nullptr) return;  // any write ends it
  r.reads = resource_reads(req.resource, *mode);
  if (!req.looked_up.empty() || !req.clock_edges.empty()) {
    std::set<std::string> all(r.reads->begin(), r.reads->end());
    all.insert(req.looked_up.begin(), req.looked_up.end());
    for (const auto& edge : req.clock_edges) all.insert(edge.kind->name);
    r.reads = std::make_shared<const std::vector<std::string>>(all.begin(), all.end());
  }
}

// A page's objects rendered before come from the fragment cache; only the
// others' rows, and what they print, are read.
void write_objects(json::Writer& w, const ResourceRequest& req, const View& view,
                   Serializer& serializer, const store::Page& page) {
  std::vector<FragmentCache::Json> kept(page.ids.size());
  std::vector<Value> missing;
  for (size_t i = 0; i < page.ids.size(); ++i) {
    kept[i] = serializer.cached(view, page.ids[i]);
    if (!kept[i]) missing.push_back(page.ids[i]);
  }
  if (!missing.empty()) req.st.cache->prefetch(view, missing);
  w.begin_array();
  for (size_t i = 0; i < page.ids.size(); ++i) {
    if (kept[i])
      w.raw(*kept[i]);
    else if (const auto row = req.st.cache->load(*req.resource.kind, page.ids[i]))
      serializer.write_and_keep(w, view, *row);
  }
  w.end_array();
}

// A detail route: the object of the path's id that the selection matches,
// rendered before or from its row; else DRF's 404.
Response detail_answer(const ResourceRequest& req, Selection& sel, Serializer& serializer) {
  Response response;
  store::ListQuery& q = sel.query;
  std::string body;
  json::Writer w(body);
  RowCache::RowPtr row;
  FragmentCache::Json kept;  // rendered before
  const auto id = detail_id(*req.resource.kind, req.rt.id);
  if (id && !is_null(*id)) {
    q.where.require(model::Predicate::compare("id", model::Lookup::Exact, *id));
    q.limit = 1;
    q.offset = 0;
    q.count = false;
    const auto page = req.st.store->list(q);
    if (!page.ids.empty()) kept = serializer.cached(*sel.mode->resolved, page.ids.front());
    if (!page.ids.empty() && !kept) {
      req.st.cache->prefetch(*sel.mode->resolved, page.ids);
      row = req.st.cache->load(*req.resource.kind, page.ids.front());
    }
  }
  if (!row && !kept) {
    // Django's get_object_or_404 names the model when the lookup ran.
    response.status = 404;
    finish(response, req.ctx, req.rt,
           detail_body(id ? fmt::format("No {} matches the given query.", req.resource.kind->model)
                          : std::string("Not found.")));
    return response;
  }
  if (kept)
    w.raw(*kept);
  else
    serializer.write_and_keep(w, *sel.mode->resolved, *row);
  finish(response, req.ctx, req.rt, std::move(body));
  mark_reusable(response, req, sel.mode);
  return response;
}

// One object (dashboard/starship), as LL2 answers it.
Response single_object_answer(const ResourceRequest& req, Selection& sel, Serializer& serializer,
                              const model::FilterContext& filter) {
  Response response;
  store::ListQuery& q = sel.query;
  std::string body;
  json::Writer w(body);
  q.count = false;
  q.offset = 0;
  q.limit = 1;
  const auto page = req.st.store->list(q);
  // LL2's own object as imported; with none stored, the one LL2 would
  // compute, from this snapshot at the request's time.
  const Value* stored = page.ids.empty() ? nullptr : &page.ids.front();
  serializer.write_composed(w, *sel.mode->resolved,
                            compose(req.resource.compose, *req.st.store, filter, stored));
  finish(response, req.ctx, req.rt, std::move(body));
  mark_reusable(response, req, nullptr);  // its parts' conditions are not in resource_reads
  return response;
}

// A paginated list: the page, its count and links, the objects.
Response list_answer(const ResourceRequest& req, Selection& sel, Serializer& serializer,
                     ListIndexes& lists) {
  Response response;
  const store::ListQuery& q = sel.query;
  std::string body;
  json::Writer w(body);
  const auto page = list_page(q, req.st, lists);
  write_page(w, req.ctx, q, page.count,
             [&] { write_objects(w, req, *sel.mode->resolved, serializer, page); });
  finish(response, req.ctx, req.rt, std::move(body), page.count);
  mark_reusable(response, req, sel.mode);
  return response;
}

}  // namespace

Response resource_view(const Context& ctx, const Route& rt, Engine::ThreadState& st, int64_t now,
                       store::Deadline deadline, ListIndexes& lists) {
  ResourceRequest req{ctx, rt, *rt.resource, st, now, {}, {}};
  // One snapshot for the whole request: the count, the ids and every row.
  const store::ReadSnapshot snapshot(*st.store, deadline);
  if (snapshot.error())
    throw store::StoreError(store::StoreError::Cause::Failed,
                            "starting a read: " + *snapshot.error());
  st.cache->refresh();
  const SelectContext select_context = select_context_for(req);
  auto selected = select(req.resource, ctx.params, rt.kind == Route::Detail, select_context);
  if (auto* errors = std::get_if<FieldErrors>(&selected)) {
    Response response;
    response.status = 400;
    finish(response, ctx, rt, errors_body(*errors));
    return response;
  }
  auto& sel = std::get<Selection>(selected);
  Serializer serializer(*st.cache, ctx.urls);
  if (rt.kind == Route::Detail) return detail_answer(req, sel, serializer);
  if (!req.resource.paginated)
    return single_object_answer(req, sel, serializer, select_context.filter);
  return list_answer(req, sel, serializer, lists);
}

Response storage_failure(const Context& ctx, const Route& rt, const store::StoreError& e,
                         std::chrono::milliseconds budget) {
  Response response;
  if (e.cause() == store::StoreError::Cause::TimedOut) {
    response.status = 503;
    finish(response, ctx, rt,
           detail_body(fmt::format("The request took longer than the server's time budget "
                                   "({} ms); narrow it, or try again later.",
                                   budget.count())));
    response.headers.emplace_back("Retry-After", "1");
    response.log = fmt::format("query time budget of {} ms spent ({}), answered 503",
                               budget.count(), e.what());
    return response;
  }
  if (e.cause() == store::StoreError::Cause::Unavailable) {
    response.status = 503;
    finish(response, ctx, rt,
           detail_body("The database is unavailable right now; try again in a few seconds."));
    response.headers.emplace_back("Retry-After", "5");
    response.log = fmt::format("database unavailable, answered 503: {}", e.what());
    return response;
  }
  response.status = 500;
  response.content_type = "application/json";
  response.body = R"({"detail":"A server error occurred."})";
  response.log = fmt::format("storage error, answered 500: {}", e.what());
  return response;
}

}  // namespace ll2::api::stages
