// ll2d on PostgreSQL beyond one process: several nodes on one database,
// reads from a streaming replica, the database going away and coming back,
// schema guards. Each test makes a throw-away cluster of its own
// (scripts/pg-cluster.sh), since some stop it; skipped without PostgreSQL.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "catalog/catalog.hpp"
#include "harness.hpp"
#include "model/schema.hpp"
#include "store/store.hpp"

using namespace ll2::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kScript = LL2D_SOURCE_DIR "/scripts/pg-cluster.sh";

bool have_postgres() {
  return std::system("ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1") == 0;
}

// Runs a shell command; its stdout.
std::string shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  pclose(p);
  return out;
}

// A cluster of the test's own, stopped and removed with the object.
class Cluster {
 public:
  Cluster() { read_exports(shell(kScript + " start 2>/dev/null")); }
  ~Cluster() {
    if (!env_.empty()) shell(command("stop"));
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  bool ok() const { return env_.contains("LL2D_PG_URL"); }
  std::string url() const { return env_.at("LL2D_PG_URL"); }
  std::string replica_url() const { return env_.at("LL2D_PG_REPLICA_URL"); }
  bool add_replica() {
    read_exports(shell(command("replica") + " 2>/dev/null"));
    return env_.contains("LL2D_PG_REPLICA_URL");
  }
  void pause(const std::string& which = "") { shell(command("pause " + which)); }
  void resume(const std::string& which = "") { shell(command("resume " + which)); }

 private:
  std::string command(const std::string& verb) const {
    std::string c;
    for (const auto& [k, v] : env_) c += k + "=" + v + " ";
    return c + kScript + " " + verb;
  }
  void read_exports(const std::string& text) {
    std::istringstream in(text);
    std::string word;
    while (in >> word) {
      const size_t eq = word.find('=');
      if (eq != std::string::npos) env_[word.substr(0, eq)] = word.substr(eq + 1);
    }
  }
  std::map<std::string, std::string> env_;
};

// The first column of a query's first row ("" when none).
std::string sql_value(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string v =
      PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(c);
  return v;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// Every test on a cluster of its own.
class Postgres : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_postgres()) GTEST_SKIP() << "PostgreSQL is not installed";
    cluster_ = std::make_unique<Cluster>();
    ASSERT_TRUE(cluster_->ok()) << "scripts/pg-cluster.sh start failed";
  }
  Cluster& cluster() { return *cluster_; }

 private:
  std::unique_ptr<Cluster> cluster_;
};

}  // namespace

// Two nodes on one database: an import by `ll2d import` (as from another
// machine) is seen by both at once, with every cache on both invalidated,
// and no response of either mixes the data before and after an import.
TEST_F(Postgres, AnImportIsSeenOnEveryNodeAndNoResponseMixesTwoImports) {
  TempDir dir;
  ASSERT_EQ(run_ll2d({"generate", "--events", "100", "--seed", "3", "--only", "docking_events",
                      "--out", dir.file("pages"), "--quiet"})
                .exit_code,
            0);
  const std::string original = read_file(dir.file("pages/page_0001.json"));
  const std::regex location(R"(("docking_location":\{"id":\d+,"name":"))");
  std::ofstream(dir.file("a.json")) << original;
  std::ofstream(dir.file("b.json")) << std::regex_replace(original, location, "$1R ");
  const std::string db = cluster().url();
  ASSERT_EQ(run_ll2d({"import", "--db", db, dir.file("a.json")}).exit_code, 0);
  Server first(db, {"--no-access-log"});
  Server second(db, {"--no-access-log"});
  const std::string list = "/2.3.0/docking_events/?limit=100";
  for (int i = 0; i < 4; ++i) {  // warm every worker's caches on both nodes
    ASSERT_EQ(first.get(list).status, 200);
    ASSERT_EQ(second.get(list).status, 200);
  }

  std::atomic<bool> done{false};
  std::thread importer([&] {
    for (int i = 0; i < 6; ++i)
      EXPECT_EQ(
          run_ll2d({"import", "--db", db, dir.file(i % 2 == 0 ? "b.json" : "a.json")}).exit_code,
          0);
    done = true;
  });
  const std::regex name(R"re("docking_location":\{"id":\d+,"name":"(R )?)re");
  int responses = 0;
  int mixed = 0;
  while (!done || responses < 20) {
    for (const Server* node : {&first, &second}) {
      const auto r = node->get(list);
      ASSERT_EQ(r.status, 200);
      int renamed = 0;
      int plain = 0;
      for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), name);
           it != std::sregex_iterator(); ++it)
        ((*it)[1].matched ? renamed : plain)++;
      ASSERT_GT(renamed + plain, 0);
      mixed += renamed > 0 && plain > 0 ? 1 : 0;
      ++responses;
    }
  }
  importer.join();
  EXPECT_EQ(mixed, 0) << "of " << responses << " responses";

  // The last import (a.json, plain names) is what both serve; then one more
  // (renamed) must show on both nodes (a notification away: the wait only
  // bounds a hang, how soon belongs in bench/).
  for (const Server* node : {&first, &second})
    EXPECT_EQ(node->get(list).body.find("\"name\":\"R "), std::string::npos);
  ASSERT_EQ(run_ll2d({"import", "--db", db, dir.file("b.json")}).exit_code, 0);
  const auto imported = Clock::now();
  for (const Server* node : {&first, &second}) {
    bool seen = false;
    while (!seen && Clock::now() - imported < std::chrono::seconds(30))
      seen = node->get(list).body.find("\"name\":\"R ") != std::string::npos;
    EXPECT_TRUE(seen) << "a node did not see the import";
  }
}

// Reads go to the replica; the node holds no connection to the primary (it
// used one at startup, to check the schema). When the replica goes away,
// the primary serves.
TEST_F(Postgres, ReadsGoToTheReplicaAndFallBackToThePrimary) {
  const std::string db = cluster().url();
  ASSERT_EQ(import_golden(db).exit_code, 0);
  ASSERT_TRUE(cluster().add_replica());
  const std::string replica = cluster().replica_url();
  // Streaming replication: wait (bounded) for the import to arrive.
  for (int i = 0; i < 600 && sql_value(replica, "SELECT count(*) FROM docking_event") != "1"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(sql_value(replica, "SELECT count(*) FROM docking_event"), "1");

  Server node(db, {"--replica", replica, "--no-access-log"});
  // Which server each of the node's connections is on (pg_stat_activity
  // names them by application_name), and how many statements each has run.
  const auto node_connections = [](const std::string& url) {
    return std::stoll(sql_value(url,
                                "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                "'ll2d' AND datname = current_database()"));
  };
  for (int i = 0; i < 40; ++i) {
    const auto r = node.get("/2.3.0/docking_events/?search=chang&h=" + std::to_string(i));
    ASSERT_EQ(r.status, 200);
  }
  EXPECT_GE(node_connections(replica), 1) << "the node reads from the replica";
  EXPECT_EQ(node_connections(db), 0) << "the node keeps no connection to the primary";

  cluster().pause("replica");
  for (int i = 0; i < 10; ++i) {
    const auto r = node.get("/2.3.0/docking_events/609/?after=" + std::to_string(i));
    // A worker whose replica connection broke answers 503 once, then reads
    // from the primary.
    if (r.status == 503) continue;
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_EQ(node.get("/2.3.0/docking_events/609/?final").status, 200);
  EXPECT_EQ(node.get("/2.3.0/docking_events/609/?final2").status, 200);
  EXPECT_GE(node_connections(db), 1) << "the primary took the reads over";
}

// The database stops while a node serves: bounded 503s with Retry-After and
// a DRF body, never a hang or a crash; when it returns, the node recovers by
// itself.
TEST_F(Postgres, ADatabaseThatStopsIs503AndTheNodeRecovers) {
  const std::string db = cluster().url();
  ASSERT_EQ(import_golden(db).exit_code, 0);
  Server node(db, {"--no-access-log"});
  ASSERT_EQ(node.get("/2.3.0/docking_events/609/").status, 200);
  EXPECT_EQ(node.get("/readyz").status, 200);

  cluster().pause();
  for (int i = 0; i < 6; ++i) {
    const auto started = Clock::now();
    const auto r = node.get("/2.3.0/docking_events/?i=" + std::to_string(i));
    // Bounded by the 2 s budget, not by the 30 s give-up (store/postgres_store.cpp
    // kMaxWait): a wide margin, so that a loaded machine cannot fail it.
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(20)) << "a request waited too long";
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.headers.at("retry-after"), "5");
    EXPECT_EQ(r.body,
              R"({"detail":"The database is unavailable right now; try again in a few seconds."})");
  }
  EXPECT_EQ(node.get("/healthz").status, 200);  // the process is alive
  // The last probe's result holds for a second: ask until it is a new one.
  HttpResponse ready;
  for (const auto until = Clock::now() + std::chrono::seconds(20);
       Clock::now() < until && ready.status != 503;)
    ready = node.get("/readyz");
  EXPECT_EQ(ready.status, 503);
  // Neither the URL nor libpq's message (host, port, user) for anonymous callers.
  EXPECT_EQ(ready.body, R"({"status":"unavailable","reason":"the database is unavailable"})");
  EXPECT_EQ(node.get("/health_check/?format=json").body,
            R"({"DatabaseBackend":"unavailable: Database error"})");

  cluster().resume();
  int status = 0;
  const auto back = Clock::now();
  while (status != 200 && Clock::now() - back < std::chrono::seconds(60)) {  // bounds a hang
    status = node.get("/2.3.0/docking_events/609/").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(status, 200) << "the node did not recover";
  // Within a second of its last check /readyz may still say what it found.
  while (status == 200 && node.get("/readyz").status != 200 &&
         Clock::now() - back < std::chrono::seconds(25))
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(node.get("/readyz").status, 200);
  EXPECT_EQ(node.stop(), 0);
}

// Several nodes starting together on an empty database create the schema
// once; a foreign or newer database is refused; an empty one is not served.
TEST_F(Postgres, UpgradesOnceAndRefusesForeignNewerAndEmptyDatabases) {
  const std::string db = cluster().url();
  const std::string admin = db.substr(0, db.rfind('/') + 1) + "postgres";
  const auto new_db = [&](const std::string& name) {
    sql_value(admin, "CREATE DATABASE " + name);
    return db.substr(0, db.rfind('/') + 1) + name;
  };

  const std::string empty = new_db("empty");
  const auto refused = run_ll2d({"serve", "--db", empty, "--port", "0"}, 30);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("import LL2 data into it first"), std::string::npos) << refused.err;

  std::vector<std::thread> importers;
  std::atomic<int> ok{0};
  importers.reserve(3);
  for (int i = 0; i < 3; ++i) {
    importers.emplace_back([&] { ok += import_golden(db).exit_code == 0 ? 1 : 0; });
  }
  for (auto& t : importers) t.join();
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(sql_value(db, "SELECT count(*) FROM docking_event"), "1");

  const std::string foreign = new_db("notll2d");
  sql_value(foreign, "CREATE TABLE notes (a int)");
  auto r = import_golden(foreign);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not an ll2d database"), std::string::npos) << r.err;

  sql_value(db, "UPDATE ll2d_state SET schema_version = 99");
  r = import_golden(db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("schema version 99, newer than this ll2d understands"), std::string::npos)
      << r.err;
  // Passwords never reach messages.
  r = run_ll2d({"check", "--db", "postgresql://u:secret@127.0.0.1:1/x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("secret"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("secret"), std::string::npos) << r.out;
}

// The batched reads of one level of a page (RowCache::prefetch) go to
// PostgreSQL together, in one round trip (libpq's pipeline mode): each
// answers as it does alone. A level with a failing statement throws, and
// the connection serves the next snapshot as before.
TEST_F(Postgres, ReadsSentTogetherAnswerAsEachAlone) {
  using ll2::store::BatchRead;
  TempDir dir;
  const std::string db = cluster().url();
  ASSERT_EQ(run_ll2d({"generate", "--events", "60", "--seed", "5", "--out", dir.file("pages"),
                      "--db", db, "--quiet"})
                .exit_code,
            0);
  auto opened = ll2::store::open_postgres(db, ll2::model::registry());
  ASSERT_TRUE(opened.store) << opened.error;
  ll2::store::Store& store = *opened.store;
  std::vector<ll2::Value> ids;
  for (int64_t id = 0; id <= 40; ++id) ids.emplace_back(id);  // 0 is no object's
  std::vector<BatchRead> reads;
  for (const auto& kind : ll2::model::registry().kinds()) {
    if (kind->id_type != ll2::model::IdType::Integer) continue;
    reads.push_back({BatchRead::What::Rows, kind.get(), nullptr, ids});
    for (const auto& f : kind->fields) {
      if (f.relation == ll2::model::Relation::Rows)
        reads.push_back({BatchRead::What::OwnedRows, kind.get(), &f, ids});
      else if (f.relation != ll2::model::Relation::Column &&
               f.relation != ll2::model::Relation::ForeignKey)
        reads.push_back({BatchRead::What::RelatedIds, kind.get(), &f, ids});
    }
  }
  ASSERT_GT(reads.size(), 50U);
  const auto same = [](const ll2::store::BatchAnswer& a, const ll2::store::BatchAnswer& b) {
    return a.rows == b.rows && a.pairs == b.pairs && a.owned == b.owned;
  };
  {
    ll2::store::ReadSnapshot snapshot(store);
    ASSERT_FALSE(snapshot.error());
    const auto together = store.read_all(reads);
    ASSERT_EQ(together.size(), reads.size());
    size_t found = 0;
    for (size_t i = 0; i < reads.size(); ++i) {
      const auto alone = store.read_all({reads[i]});  // one statement: no pipeline
      EXPECT_TRUE(same(together[i], alone[0])) << i;
      found += alone[0].rows.size() + alone[0].pairs.size() + alone[0].owned.size();
    }
    EXPECT_GT(found, 500U);
  }
  ll2::model::Kind missing;  // a table that is not there: its statement fails
  missing.name = "no_such_table";
  std::vector<BatchRead> failing = {
      reads[0], {BatchRead::What::Rows, &missing, nullptr, ids}, reads[1]};
  {
    ll2::store::ReadSnapshot snapshot(store);
    ASSERT_FALSE(snapshot.error());
    EXPECT_THROW(store.read_all(failing), ll2::store::StoreError);
  }
  ll2::store::ReadSnapshot snapshot(store);
  ASSERT_FALSE(snapshot.error());
  EXPECT_TRUE(same(store.read_all({reads[0], reads[1]})[1], store.read_all({reads[1]})[0]));
  // Its kept statements have one plan each, which looks ids up in an index
  // (kSessionSettings in postgres_store.cpp).
  const auto settings = store.execute(
      "SELECT current_setting('plan_cache_mode'), current_setting('random_page_cost')", {});
  ASSERT_TRUE(std::holds_alternative<std::vector<ll2::Row>>(settings));
  EXPECT_EQ(std::get<std::vector<ll2::Row>>(settings),
            (std::vector<ll2::Row>{{std::string("force_generic_plan"), std::string("1.1")}}));
}

// A node follows the generation from the notifications imports send, with
// no query per request (its response cache answers on the I/O threads). The
// watcher once took LISTEN's answer (no rows) for an error and never
// listened: every cached answer on PostgreSQL waited for a database thread
// and a round trip.
TEST_F(Postgres, TheGenerationWatcherFollowsEveryImport) {
  TempDir dir;
  const std::string db = cluster().url();
  ASSERT_EQ(run_ll2d({"generate", "--events", "20", "--seed", "2", "--out", dir.file("a"), "--db",
                      db, "--quiet"})
                .exit_code,
            0);
  const auto generation = ll2::store::watch_postgres_generation(db);
  const auto wait_for = [&](const std::function<bool(std::optional<uint64_t>)>& done) {
    const auto give_up = Clock::now() + std::chrono::seconds(30);
    while (!done(generation()) && Clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return generation();
  };
  const auto first = wait_for([](auto g) { return g.has_value(); });
  ASSERT_TRUE(first.has_value()) << "the watcher never knew the generation";
  ASSERT_EQ(
      run_ll2d({"generate", "--events", "20", "--seed", "3", "--out", dir.file("b"), "--quiet"})
          .exit_code,
      0);
  ASSERT_EQ(run_ll2d({"import", "--db", db, dir.file("b")}).exit_code, 0);
  const auto after = wait_for([&](auto g) { return g && *g > *first; });
  ASSERT_TRUE(after.has_value());
  EXPECT_GT(*after, *first);
}
