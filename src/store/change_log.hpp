// The change log (table ll2d_change): one entry per object a write batch
// creates, changes or deletes, written by sql::write_batch inside the
// batch's transaction. The entry names the fields that changed and keeps
// the old and new values of the kind's watched fields (model::Watch), and
// its semantic types: `<kind>.created|updated|deleted` and one per watched
// event (`launch.net_changed`). The feed (src/feed/) serves it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "model/schema.hpp"
#include "store/sql_builder.hpp"
#include "store/store.hpp"

namespace ll2::store::sql {

// The table (its sequence never reuses a number, even once retention has
// emptied it) and its indexes; and the feed's own tables: the reminders
// recorded (ll2d_reminder) and the lease that lets one node of several do
// the feed's work (ll2d_lease).
TableDef change_table(Dialect dialect);
std::vector<TableDef> feed_tables(Dialect dialect);
std::vector<IndexDef> change_indexes();

// What a store's writes log (from its OpenOptions), applied to each
// batch's session.
struct ChangeLogSettings {
  std::chrono::seconds retention{0};  // 0: nothing is logged
  std::function<int64_t()> clock;     // microseconds; unset: the real time
  void apply(WriteSession& session) const;
};
ChangeLogSettings change_log_settings(const OpenOptions& options);

// Collects one batch's entries while write_batch applies it, and writes
// them (dropping entries past retention) at the end.
class ChangeRecorder {
 public:
  explicit ChangeRecorder(const WriteSession& session) : s_(session) {}

  // Before the batch's objects are written (on PostgreSQL, where each
  // statement is a round trip): finds which of their rows exist, in one
  // statement per kind, so that an object whose row is missing is logged as
  // created without a statement of its own.
  std::optional<std::string> look_up(const std::vector<ObjectWrite>& objects);
  // Whether an object's row may be missing: no earlier write of this batch
  // logged it. Its write may then be tried as an insert that does nothing
  // where the row exists, and logged with created() when it inserted.
  bool may_create(const ObjectWrite& write) const;
  void created(const ObjectWrite& write);
  // Before an object's write: compares it with the stored row as the
  // write's own statement would (`IS DISTINCT FROM`). Returns whether the
  // write is needed (false: the row holds every value already), or the error.
  std::variant<bool, std::string> object(const ObjectWrite& write);
  // A relation of an object that a write changed (its rows moved).
  void relation(const model::Kind& kind, const Value& owner, const model::Field& field);
  void deleted(const model::Kind& kind, const Value& id);
  // Records a reminder (once per object, time and lead): whether it was new.
  std::variant<bool, std::string> reminder(const ReminderWrite& reminder);
  std::optional<std::string> flush();

 private:
  // An entry as the batch builds it: names and types stay the kind's and
  // the fields' own until flush() writes the row (most entries are a
  // created object's, naming every field it wrote: copying each name, then
  // freeing it, showed in the writer's profile).
  struct Entry {
    const model::Kind* kind = nullptr;
    Value id;
    const char* op = "";  // created, updated, deleted, reminder
    std::vector<const model::Field*> fields;
    std::vector<std::string> events;  // types beyond `<kind>.<op>` (launch.net_changed)
    std::vector<WatchedChange> watched;
    int64_t reminder_before = 0;
  };
  // The object's entry, added with `op` when it has none (`added` says so).
  Entry& entry(const model::Kind& kind, const Value& id, const char* op, bool* added = nullptr);
  // Appends an entry's row to params_, in the table's columns' order.
  void add_row(const Entry& c);

  using EntryKey = std::pair<const model::Kind*, Value>;
  struct EntryKeyHash {
    size_t operator()(const EntryKey& k) const {
      return std::hash<const model::Kind*>()(k.first) ^ std::hash<Value>()(k.second);
    }
  };

  const WriteSession& s_;
  std::vector<Entry> entries_;
  std::unordered_map<EntryKey, size_t, EntryKeyHash> index_;  // into entries_
  // The rows look_up found; an object's row missing from it is not stored
  // unless an earlier write of this batch created it (it has an entry).
  std::map<const model::Kind*, std::set<Value>> stored_;
  bool looked_up_ = false;
  // The lists of fields this batch's created entries name, by id, and the
  // ones flush() has yet to keep.
  std::unordered_map<int64_t, std::string> field_lists_;
  std::vector<int64_t> new_lists_;
  std::vector<Value> params_;
  std::string key_;
};

// Store::changes's statement, and an entry from its row.
Statement select_changes(const ChangeQuery& query);
Change change_from_row(const model::Registry& schema, const Row& row);
inline constexpr const char* kSelectLastChange = "SELECT COALESCE(MAX(seq), 0) FROM ll2d_change";

}  // namespace ll2::store::sql
