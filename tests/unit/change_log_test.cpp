// What the change log records of a write batch (store/change_log.hpp), on a
// SQLite store: an entry per object created, changed or deleted, with the
// fields that changed and the watched ones' old and new values, nothing for
// a write that changes nothing, nothing of a batch that is undone, and
// nothing past its retention.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "catalog/catalog.hpp"
#include "model/schema.hpp"
#include "notify/worker.hpp"
#include "store/store.hpp"
#include "test_util.hpp"

namespace ll2::store {
namespace {

const model::Kind& kind(std::string_view name) {
  return *model::registry().find_kind(name);
}

ObjectWrite object(std::string_view kind_name, Value id,
                   const std::vector<std::pair<std::string, Value>>& values) {
  ObjectWrite w{&kind(kind_name), std::move(id), {}};
  for (const auto& [field, value] : values) w.values.emplace_back(w.kind->field(field), value);
  return w;
}

WriteBatch batch_of(std::vector<ObjectWrite> objects) {
  WriteBatch b;
  b.objects = std::move(objects);
  return b;
}

const std::string kLaunch = "e3df2ecd-c239-472f-95e4-2b89b4f75800";

struct Fixture {
  test::TempDir dir;
  int64_t now = 1'000'000'000'000'000;  // microseconds; the clock of the entries
  std::unique_ptr<Store> store;

  explicit Fixture(std::chrono::seconds retention = std::chrono::hours(24)) {
    OpenOptions options;
    options.changes_retention = retention;
    options.clock = [this] { return now; };
    auto opened = open_sqlite(dir.file("log.sqlite3"), test::schema(), options);
    EXPECT_TRUE(opened.store) << opened.error;
    store = std::move(opened.store);
  }

  void write(const WriteBatch& b) const { ASSERT_FALSE(store->write(b)); }
  std::vector<Change> all() const { return store->changes({0, 1000, {}, {}, {}}); }
};

WriteBatch a_launch(int64_t net, int64_t status) {
  return batch_of(
      {object("launch_status", status, {{"name", "S" + std::to_string(status)}}),
       object("launch", kLaunch, {{"name", "A launch"}, {"net", net}, {"status", status}})});
}

TEST(ChangeLog, CreatedUpdatedAndNothingForAWriteThatChangesNothing) {
  Fixture f;
  f.write(a_launch(100, 1));
  auto log = f.all();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1].kind, "launch");
  EXPECT_EQ(log[1].op, "created");
  EXPECT_EQ(log[1].at, f.now);
  EXPECT_EQ(log[1].fields, (std::vector<std::string>{"name", "net", "status"}));
  EXPECT_EQ(log[1].types, std::vector<std::string>{"launch.created"});

  f.write(a_launch(100, 1));  // the same again
  EXPECT_EQ(f.all().size(), 2U);

  f.write(a_launch(200, 1));  // the NET moves
  log = f.all();
  ASSERT_EQ(log.size(), 3U);
  const Change& moved = log[2];
  EXPECT_GT(moved.seq, log[1].seq);
  EXPECT_EQ(moved.op, "updated");
  EXPECT_EQ(moved.fields, std::vector<std::string>{"net"});
  EXPECT_EQ(moved.types, (std::vector<std::string>{"launch.updated", "launch.net_changed"}));
  ASSERT_EQ(moved.watched.size(), 1U);
  EXPECT_EQ(moved.watched[0].field, "net");
  EXPECT_EQ(moved.watched[0].before, Value(int64_t{100}));
  EXPECT_EQ(moved.watched[0].after, Value(int64_t{200}));
  EXPECT_EQ(std::get<std::string>(moved.id), kLaunch);
}

// Entries are written many rows to a statement, and objects found missing
// in one look-up per kind: neither may change what is logged or its order.
TEST(ChangeLog, ABatchOfManyObjectsLogsEachOnceInTheBatchsOrder) {
  Fixture f;
  f.write(batch_of({object("launch_status", int64_t{5}, {{"name", "S5"}})}));
  WriteBatch b;
  for (int64_t id = 1; id <= 300; ++id)
    b.objects.push_back(object("launch_status", id, {{"name", "S" + std::to_string(id)}}));
  // Created, then changed, in one batch: the second write is compared with
  // the row the first one wrote.
  b.objects.push_back(object("launch", kLaunch, {{"name", "A launch"}, {"net", int64_t{100}}}));
  b.objects.push_back(object("launch", kLaunch, {{"net", int64_t{200}}}));
  f.write(b);
  const auto log = f.all();
  ASSERT_EQ(log.size(), 1U + 299U + 1U);  // id 5 was already so
  for (size_t i = 1; i < 300; ++i) {
    const auto id = static_cast<int64_t>(i < 5 ? i : i + 1);
    EXPECT_EQ(log[i].kind, "launch_status");
    EXPECT_EQ(log[i].id, Value(id)) << i;
    EXPECT_EQ(log[i].op, "created");
    EXPECT_EQ(log[i].fields, std::vector<std::string>{"name"});
    EXPECT_GT(log[i].seq, log[i - 1].seq);
  }
  const Change& launch = log.back();
  EXPECT_EQ(launch.op, "created");
  EXPECT_EQ(launch.fields, (std::vector<std::string>{"name", "net"}));
  EXPECT_EQ(launch.types, (std::vector<std::string>{"launch.created", "launch.net_changed"}));
  ASSERT_EQ(launch.watched.size(), 2U);
  EXPECT_EQ(launch.watched[1].before, Value(int64_t{100}));
  EXPECT_EQ(launch.watched[1].after, Value(int64_t{200}));
}

// A created entry names every field its write gave: a list longer than a
// reference to it is kept once (ll2d_change_fields) and named `#<id>` in
// the entry, and an entry that names its fields itself (a short list, or a
// log written before lists were kept) reads back the same.
TEST(ChangeLog, ACreatedEntrysLongListOfFieldsIsKeptOnce) {
  Fixture f;
  const std::vector<std::pair<std::string, Value>> values{
      {"name", "A launch"}, {"net", int64_t{100}}, {"window_start", int64_t{90}}};
  const std::string other = "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f";
  f.write(batch_of(
      {object("launch_status", int64_t{1}, {{"name", "Go"}}), object("launch", kLaunch, values)}));
  f.write(batch_of({object("launch", other, values)}));
  const auto column = [&](const std::string& sql) {
    const auto rows = f.store->execute(sql, {});
    EXPECT_TRUE(std::holds_alternative<std::vector<Row>>(rows));
    std::vector<Value> out;
    for (const auto& row : std::get<std::vector<Row>>(rows)) out.push_back(row.front());
    return out;
  };
  const auto stored = column("SELECT fields FROM ll2d_change ORDER BY seq");
  ASSERT_EQ(stored.size(), 3U);
  EXPECT_EQ(stored[0], Value("name"));
  const auto& reference = std::get<std::string>(stored[1]);
  EXPECT_EQ(reference.front(), '#');
  EXPECT_EQ(stored[2], stored[1]);
  EXPECT_EQ(column("SELECT fields FROM ll2d_change_fields"),
            std::vector<Value>{Value("name net window_start")});
  // As a log written before lists were kept holds it.
  ASSERT_TRUE(std::holds_alternative<std::vector<Row>>(f.store->execute(
      "INSERT INTO ll2d_change (written_at, kind, object_id, op, fields, types) VALUES (?, "
      "'launch', ?, 'created', 'name net window_start', ' launch.created ')",
      {f.now, "00000000-0000-4000-8000-000000000000"})));
  const auto log = f.all();
  ASSERT_EQ(log.size(), 4U);
  EXPECT_EQ(log[0].fields, std::vector<std::string>{"name"});
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(log[i].fields, (std::vector<std::string>{"name", "net", "window_start"})) << i;
    EXPECT_EQ(log[i].types, std::vector<std::string>{"launch.created"}) << i;
  }
}

TEST(ChangeLog, AWebcastGoingLiveIsATypeGoingOffIsNot) {
  Fixture f;
  f.write(batch_of({object("launch", kLaunch, {{"webcast_live", int64_t{0}}})}));
  f.write(batch_of({object("launch", kLaunch, {{"webcast_live", int64_t{1}}})}));
  f.write(batch_of({object("launch", kLaunch, {{"webcast_live", int64_t{0}}})}));
  const auto log = f.all();
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[1].types, (std::vector<std::string>{"launch.updated", "launch.webcast_live"}));
  EXPECT_EQ(log[2].types, std::vector<std::string>{"launch.updated"});
}

TEST(ChangeLog, RelationsThatChangeAreNamedOnTheirOwner) {
  Fixture f;
  WriteBatch b = a_launch(100, 1);
  b.objects.push_back(object("program", int64_t{7}, {{"name", "A program"}}));
  f.write(b);
  WriteBatch linked;
  linked.links.push_back({&kind("launch"), kind("launch").field("program"), kLaunch, {int64_t{7}}});
  f.write(linked);
  f.write(linked);  // already so
  const auto log = f.all();
  ASSERT_EQ(log.size(), 4U);
  EXPECT_EQ(log[3].op, "updated");
  EXPECT_EQ(log[3].fields, std::vector<std::string>{"program"});
}

TEST(ChangeLog, ADeleteIsLoggedOnlyForAnObjectThatWasThere) {
  Fixture f;
  f.write(a_launch(100, 1));
  WriteBatch gone;
  gone.deletes.push_back({&kind("launch"), {kLaunch, std::string("not-there")}});
  f.write(gone);
  const auto log = f.all();
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[2].op, "deleted");
  EXPECT_EQ(log[2].types, std::vector<std::string>{"launch.deleted"});
  EXPECT_EQ(f.store->changes({0, 10, {}, {"launch.deleted"}, {}}).size(), 1U);
  EXPECT_EQ(f.store->changes({0, 10, {"launch_status"}, {}, {}}).size(), 1U);
  EXPECT_EQ(f.store->changes({0, 10, {}, {}, Value(kLaunch)}).size(), 2U);
  EXPECT_EQ(f.store->last_change(), log[2].seq);
}

TEST(ChangeLog, AnUndoneTransactionLeavesNoEntry) {
  Fixture f;
  ASSERT_FALSE(f.store->begin_write());
  ASSERT_FALSE(f.store->write_part(a_launch(100, 1)));
  f.store->abort_write();
  EXPECT_TRUE(f.all().empty());
  EXPECT_EQ(f.store->last_change(), 0);
}

TEST(ChangeLog, EntriesPastTheRetentionGoAndTheSequenceNeverRestarts) {
  Fixture f(std::chrono::seconds(60));
  f.write(a_launch(100, 1));
  const int64_t first_end = f.store->last_change();
  f.now += 61'000'000;
  f.write(a_launch(200, 1));
  const auto log = f.all();
  ASSERT_EQ(log.size(), 1U);  // only the write of a minute later
  EXPECT_EQ(log[0].seq, first_end + 1);
  f.now += 61'000'000;
  f.write(a_launch(300, 1));
  ASSERT_EQ(f.all().size(), 1U);
  EXPECT_EQ(f.all()[0].seq, first_end + 2);
}

TEST(ChangeLog, ZeroRetentionLogsNothing) {
  Fixture f(std::chrono::seconds(0));
  f.write(a_launch(100, 1));
  EXPECT_TRUE(f.all().empty());
  // The data is written all the same.
  EXPECT_TRUE(f.store->load(kind("launch"), kLaunch));
}

constexpr int64_t kMinute = 60'000'000;

// Reminders on a fixed clock: 24 h, 1 h and 10 min before the NET.
TEST(Reminders, TheShortestDueLeadIsLoggedOnceAndANewNetRemindsAgain) {
  Fixture f;
  const std::vector<int64_t> leads = {int64_t{24} * 60 * kMinute, 60 * kMinute, 10 * kMinute};
  const int64_t now = 1'000'000 * kMinute;
  f.write(a_launch(now + 30 * kMinute, 1));  // half an hour ahead: the hour's reminder
  const int64_t end = f.store->last_change();
  const auto sent = [&](int64_t at) {
    return std::get<int64_t>(notify::send_due_reminders(*f.store, leads, at));
  };
  EXPECT_EQ(sent(now), 1);
  EXPECT_EQ(sent(now), 0);                 // never twice
  EXPECT_EQ(sent(now + 5 * kMinute), 0);   // nothing new due yet
  EXPECT_EQ(sent(now + 21 * kMinute), 1);  // ten minutes before
  EXPECT_EQ(sent(now + 31 * kMinute), 0);  // the NET has passed
  auto log = f.store->changes({end, 10, {}, {"launch.reminder"}, {}});
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].reminder_before, 60 * kMinute);
  EXPECT_EQ(log[1].reminder_before, 10 * kMinute);
  EXPECT_EQ(log[0].op, "reminder");

  // The NET moves two days out: a new time, whose reminders come in turn.
  f.write(a_launch(now + int64_t{48} * 60 * kMinute, 1));
  EXPECT_EQ(sent(now + 31 * kMinute), 0);
  EXPECT_EQ(sent(now + int64_t{24} * 60 * kMinute), 1);
  log = f.store->changes({end, 10, {}, {"launch.reminder"}, {}});
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[2].reminder_before, int64_t{24} * 60 * kMinute);
}

TEST(Reminders, OneHolderOfTheLeaseAtATime) {
  Fixture f;
  EXPECT_TRUE(std::get<bool>(notify::take_lease(*f.store, "feed", "a", 100, 200)));
  EXPECT_FALSE(std::get<bool>(notify::take_lease(*f.store, "feed", "b", 150, 250)));
  EXPECT_TRUE(std::get<bool>(notify::take_lease(*f.store, "feed", "a", 150, 250)));  // renewed
  EXPECT_TRUE(
      std::get<bool>(notify::take_lease(*f.store, "feed", "b", 251, 300)));  // expired: taken
  EXPECT_FALSE(std::get<bool>(notify::take_lease(*f.store, "feed", "a", 260, 310)));
}

TEST(Reminders, LeadsParse) {
  EXPECT_EQ(notify::parse_reminders("24h,1h,10m"),
            (std::vector<int64_t>{int64_t{24} * 60 * kMinute, 60 * kMinute, 10 * kMinute}));
  EXPECT_EQ(notify::parse_reminders("none"), std::vector<int64_t>{});
  EXPECT_FALSE(notify::parse_reminders("soon"));
  EXPECT_FALSE(notify::parse_reminders(""));
}

}  // namespace
}  // namespace ll2::store
