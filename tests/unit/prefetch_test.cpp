// A page is rendered from a handful of batched reads, not one query per
// object: the store is wrapped to count what the engine asks of it.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "ingest/generator.hpp"
#include "ingest/importer.hpp"
#include "test_util.hpp"

using namespace ll2;  // NOLINT(google-build-using-namespace)

namespace {

struct Counts {
  int point = 0;    // load, related_ids, owned_rows
  int batched = 0;  // load_many, related_ids_many, owned_rows_many, alone or in read_each
  int rounds = 0;   // read_each calls and batched reads outside one: round trips on PostgreSQL
};

class CountingStore final : public store::Store {
 public:
  CountingStore(std::unique_ptr<store::Store> inner, Counts& counts)
      : Store(inner->schema()), inner_(std::move(inner)), counts_(counts) {}
  std::optional<Row> load(const model::Kind& k, const Value& id) override {
    ++counts_.point;
    return inner_->load(k, id);
  }
  std::vector<Value> related_ids(const model::Kind& k, const model::Field& f,
                                 const Value& owner) override {
    ++counts_.point;
    return inner_->related_ids(k, f, owner);
  }
  std::vector<std::pair<Value, Row>> owned_rows_many(const model::Field& f,
                                                     const std::vector<Value>& owners) override {
    ++counts_.batched;
    ++counts_.rounds;
    return inner_->owned_rows_many(f, owners);
  }
  std::vector<Row> owned_rows(const model::Field& f, const Value& owner) override {
    ++counts_.point;
    return inner_->owned_rows(f, owner);
  }
  std::vector<Row> load_many(const model::Kind& k, const std::vector<Value>& ids) override {
    ++counts_.batched;
    ++counts_.rounds;
    return inner_->load_many(k, ids);
  }
  std::vector<std::pair<Value, Value>> related_ids_many(const model::Kind& k, const model::Field& f,
                                                        const std::vector<Value>& owners) override {
    ++counts_.batched;
    ++counts_.rounds;
    return inner_->related_ids_many(k, f, owners);
  }
  void read_each(const std::vector<store::BatchRead>& reads,
                 const std::function<void(size_t, store::BatchAnswer&)>& take) override {
    counts_.batched += static_cast<int>(reads.size());
    ++counts_.rounds;
    inner_->read_each(reads, take);
  }
  store::Page list(const store::ListQuery& q) override { return inner_->list(q); }
  std::vector<std::pair<Value, Value>> path_values(const model::Kind& k,
                                                   std::string_view path) override {
    return inner_->path_values(k, path);
  }
  std::vector<Row> search_rows(const model::Kind& k,
                               const std::vector<std::string>& paths) override {
    return inner_->search_rows(k, paths);
  }
  bool exists(const model::Kind& k, const Value& id) override { return inner_->exists(k, id); }
  uint64_t data_version() override { return inner_->data_version(); }
  std::vector<std::pair<std::string, uint64_t>> kind_generations() override {
    return inner_->kind_generations();
  }
  std::optional<std::string> begin_read(store::Deadline d) override {
    return inner_->begin_read(d);
  }
  void end_read() override { inner_->end_read(); }
  std::optional<std::string> write(const store::WriteBatch& b) override { return inner_->write(b); }

 private:
  std::unique_ptr<store::Store> inner_;
  Counts& counts_;
};

}  // namespace

TEST(Prefetch, ADetailedPageIsAFewBatchedReads) {
  test::TempDir dir;
  const std::string pages = dir.file("gen");
  ASSERT_TRUE(std::holds_alternative<ingest::GenerateStats>(
      ingest::generate(test::catalog(), {150, 3, pages, 100})));
  auto opened = store::open_sqlite(dir.file("db.sqlite3"), test::schema());
  ASSERT_TRUE(opened.store);
  for (const auto& entry : std::filesystem::directory_iterator(pages)) {
    if (entry.path().extension() == ".json")
      ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(
          ingest::import_file(*opened.store, test::catalog(), nullptr, entry.path().string())));
  }
  Counts counts;
  api::Engine engine(
      test::catalog(),
      [&] {
        return std::make_unique<CountingStore>(
            std::move(store::open_sqlite(dir.file("db.sqlite3"), test::schema()).store), counts);
      },
      [] {
        api::EngineOptions o = test::without_budget();
        o.list_index_bytes = 0;  // this counts the reads of rendering alone
        return o;
      }());
  const auto r = engine.handle({"GET", "/2.3.0/docking_events/?mode=detailed&limit=100", "t", ""});
  ASSERT_EQ(r.status, 200);
  ASSERT_GT(r.body.size(), 500'000U);  // 100 detailed events, each a deep tree
  // Before batching: ~1,500 point queries for this page. Then a query per
  // view, relation and nesting level (209), sent one after the other. Now a
  // query per kind or relation and level, and the queries of a level sent
  // together: a round trip per level (the page's list is one more).
  std::printf("detailed page of 100: %d batched reads in %d rounds, %d point reads\n",
              counts.batched, counts.rounds, counts.point);
  EXPECT_LT(counts.batched, 100) << counts.batched;
  EXPECT_LE(counts.rounds, 10) << counts.rounds;
  EXPECT_LT(counts.point, 50) << counts.point;
  // A detail of another event reuses what is cached and batches the rest.
  const int before = counts.batched + counts.point;
  const int rounds = counts.rounds;
  ASSERT_EQ(engine.handle({"GET", "/2.3.0/docking_events/120/", "t", ""}).status, 200);
  EXPECT_LT(counts.batched + counts.point - before, 60);
  EXPECT_LE(counts.rounds - rounds, 10);
}

// A row cache that empties itself while a page is prefetched renders what a
// large one renders: an object listed twice on
// a page keeps its nested lists (they were once moved out of the batch and
// lost when the cache was emptied between the two copies).
TEST(Prefetch, ASmallRowCacheRendersWhatALargeOneRenders) {
  test::TempDir dir;
  ingest::GenerateOptions g;
  g.events = 120;
  g.seed = 4;
  g.out_dir = dir.file("gen");
  g.db_path = dir.file("db.sqlite3");
  ASSERT_TRUE(std::holds_alternative<ingest::GenerateStats>(ingest::generate(test::catalog(), g)));
  const auto opener = [&] {
    return std::move(store::open_sqlite(dir.file("db.sqlite3"), test::schema()).store);
  };
  const auto engine_with = [&](size_t rows) {
    api::EngineOptions o = test::without_budget();
    o.row_cache_entries = rows;
    o.list_index_bytes = 0;
    return std::make_unique<api::Engine>(test::catalog(), opener, o);
  };
  const auto large = engine_with(1'000'000);
  int compared = 0;
  // Several sizes: the cache must empty between the two copies of an owner,
  // and not again before the page is rendered.
  for (const size_t rows : {3, 40, 150, 600, 2500}) {
    const auto small = engine_with(rows);
    for (const auto& r : model::registry().resources()) {
      if (!r->paginated) continue;
      const std::string target = "/2.3.0/" + r->path + "/?format=json&limit=100" +
                                 (r->mode_parameter ? "&mode=detailed" : "");
      const auto a = small->handle({"GET", target, "t", ""});
      const auto b = large->handle({"GET", target, "t", ""});
      EXPECT_EQ(a.status, b.status) << target << " with " << rows << " rows";
      EXPECT_EQ(a.body, b.body) << target << " with " << rows << " rows";
      ++compared;
    }
  }
  EXPECT_GT(compared, 200);
}
