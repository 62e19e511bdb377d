// ll2d's change feed, outside LL2's namespace: what the change log
// (store/change_log.hpp) holds, as clients read it from /ll2d/changes/,
// `ll2d changes` and (later) the stream and webhooks.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "json/writer.hpp"
#include "store/store.hpp"

namespace ll2::feed {

// The types an entry of `kind` can carry: `<kind>.created`, `.updated`,
// `.deleted`, `.reminder` when it has reminders, and one per watched event.
std::vector<std::string> types_of(const model::Kind& kind);

// A change query from its parameters (as /ll2d/changes/ and `ll2d changes`
// take them: since, limit, kinds, types, id; absent ones are empty), or the
// problems by parameter, as DRF reports a form's errors. `kinds` may be
// those of `schema` with ids of their own.
using QueryProblems = std::map<std::string, std::vector<std::string>>;
struct ChangeParams {
  std::string_view since, limit, kinds, types, id;
};
std::variant<store::ChangeQuery, QueryProblems> parse_change_query(const model::Registry& schema,
                                                                   const ChangeParams& params);
inline constexpr int64_t kMaxChangeLimit = 1000;

// One entry as JSON: seq, time, kind, id, op, types, fields, the watched
// fields' old and new values (a date-time as LL2 prints it, a foreign key
// as the object's id, name and abbrev from `store`), and the object's url in
// the store's schema (the first API version) under `base` (scheme://host;
// empty: a path).
void write_change(json::Writer& out, const store::Change& change, store::Store& store,
                  std::string_view base);

// `ll2d changes`: every entry the parameters select (`limit`: at most that
// many, any number), one JSON object per line, read in one snapshot.
std::variant<int64_t, QueryProblems> print_changes(store::Store& store, const ChangeParams& params,
                                                   std::string_view base, std::FILE* out);

}  // namespace ll2::feed
