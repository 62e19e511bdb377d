// ll2d's change feed over HTTP, outside LL2's namespace: /ll2d/changes/ (a
// page of the change log after a sequence number, JSON) and
// /ll2d/changes/stream (the same as Server-Sent Events, which the transport
// keeps open: http/server.cpp). Entries are rendered by feed/changes.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/engine.hpp"
#include "store/store.hpp"
#include "util/query_string.hpp"

namespace ll2::api {

inline constexpr std::string_view kChangesPath = "/ll2d/changes/";
inline constexpr std::string_view kChangeStreamPath = "/ll2d/changes/stream";

// What a request selects: entries (since, limit, kinds, types, id) and,
// when it gives any of the first version's launch filters (lsp__id,
// location__ids, is_crewed, ...), only the entries of launches those select
// now (a deleted launch's entry always passes: it cannot be tested).
struct ChangeSelection {
  const model::Registry* version = nullptr;  // the first: its kinds and launch filters
  store::ChangeQuery query;
  text::QueryParams params;      // the request's: the launch filters among them
  bool launch_filtered = false;  // it gives one
};

// From the request's query string (a stream's `Last-Event-ID`, when given,
// is its `since`), or the 400 answer; `first` is the first API version.
std::variant<ChangeSelection, Response> select_changes(const model::Registry& first,
                                                       std::string_view query,
                                                       std::string_view last_event_id = {});

// The entries after query.since that the selection passes, at most
// query.limit read; `next_since` is set to where the next read starts (the
// last entry read, or the log's end when the read reached it). A launch
// filter the launches resource refuses is the 400 answer.
std::variant<std::vector<store::Change>, Response> read_changes(store::Store& store,
                                                                const ChangeSelection& selection,
                                                                int64_t now, int64_t& next_since);

// /ll2d/changes/: `base` is scheme://host for the `next` link and urls.
Response changes_view(const Request& request, std::string_view query, const std::string& base,
                      store::Store& store, store::Deadline deadline, int64_t now);

// /ll2d/changes/stream: where a stream is. Opened, then read again and
// again, on database threads (the transport holds it meanwhile).
struct ChangeStream {
  ChangeSelection selection;  // its query.since: the last entry sent or passed
  std::string base;
};
// The stream a request opens (GET only), or the answer that refuses it.
std::variant<ChangeStream, Response> open_change_stream(const Engine& engine,
                                                        const Request& request,
                                                        std::string_view last_event_id);
// The entries after the stream's position as Server-Sent Events (`id:` the
// sequence number, `data:` the entry's JSON), advancing it; "" when there
// are none; `more` says whether entries are left after them (the read was
// a full page). Throws store::StoreError when the database fails.
std::string next_change_events(const Engine& engine, ChangeStream& stream, bool& more);

}  // namespace ll2::api
