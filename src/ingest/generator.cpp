#include "ingest/generator.hpp"

#include <fmt/format.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "api/engine.hpp"
#include "ingest/world.hpp"
#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::ingest {

namespace fs = std::filesystem;

std::string route_directory(const std::string& out_dir, const std::string& route) {
  if (route == "docking_events") return out_dir;
  return (fs::path(out_dir) / route).string();
}

namespace {

// SQLite's page cache while the world is written: the recent pages of every
// table and index stay in memory instead of being read back from the file.
constexpr int64_t kWorldCacheKib = int64_t{128} * 1024;
// Each rendering thread's page cache.
constexpr int64_t kPagesCacheKib = int64_t{64} * 1024;

bool same(const model::Predicate& a, const model::Predicate& b) {
  if (a.kind != b.kind || a.path != b.path || a.lookup != b.lookup || a.values != b.values ||
      a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!same(a.children[i], b.children[i])) return false;
  }
  return true;
}

// The same rows in the same order, whatever the offset and limit.
bool same_rows(const store::ListQuery& a, const store::ListQuery& b) {
  const auto key_eq = [](const store::OrderKey& x, const store::OrderKey& y) {
    return x.path == y.path && x.descending == y.descending;
  };
  return a.kind == b.kind && a.search_paths == b.search_paths && a.search_terms == b.search_terms &&
         std::equal(a.order.begin(), a.order.end(), b.order.begin(), b.order.end(), key_eq) &&
         same(a.where, b.where);
}

// The engine asks for page K of a route as `OFFSET K`, which the database
// answers by stepping over K rows, and counts the matches for every page:
// writing all N pages one by one costs N² steps. The world does not change
// while pages are written, so this store reads ids a window at a time and
// counts once per query; the rows of every page, and so its bytes, are the
// same. Everything else goes straight to the real store.
class WindowedStore final : public store::Store {
 public:
  WindowedStore(std::unique_ptr<store::Store> inner, int64_t window)
      : Store(inner->schema()), inner_(std::move(inner)), window_(window) {}

  store::Page list(const store::ListQuery& q) override {
    if (!q.count || q.offset < 0 || q.limit < 1 || q.limit > window_) return inner_->list(q);
    if (!have_ || !same_rows(q, query_)) {
      query_ = q;
      have_ = false;
    }
    const auto end = [&] { return first_ + static_cast<int64_t>(ids_.size()); };
    // A new window unless this page lies inside the one held (or past the
    // end of all matches, which the held count already tells).
    if (!have_ || q.offset < first_ || (q.offset + q.limit > end() && end() < count_)) {
      store::ListQuery w = q;
      w.limit = window_;
      w.count = !have_;
      store::Page page = inner_->list(w);
      if (!have_) count_ = page.count;
      ids_ = std::move(page.ids);
      first_ = q.offset;
      have_ = true;
    }
    store::Page out;
    out.count = count_;
    const int64_t from = std::min(q.offset, end()) - first_;
    const int64_t to = std::min(q.offset + q.limit, end()) - first_;
    out.ids.assign(ids_.begin() + from, ids_.begin() + to);
    return out;
  }

  std::optional<Row> load(const model::Kind& kind, const Value& id) override {
    return inner_->load(kind, id);
  }
  std::vector<Value> related_ids(const model::Kind& owner_kind, const model::Field& field,
                                 const Value& owner) override {
    return inner_->related_ids(owner_kind, field, owner);
  }
  std::vector<Row> load_many(const model::Kind& kind, const std::vector<Value>& ids) override {
    return inner_->load_many(kind, ids);
  }
  std::vector<std::pair<Value, Value>> related_ids_many(const model::Kind& owner_kind,
                                                        const model::Field& field,
                                                        const std::vector<Value>& owners) override {
    return inner_->related_ids_many(owner_kind, field, owners);
  }
  std::vector<std::pair<Value, Row>> owned_rows_many(const model::Field& field,
                                                     const std::vector<Value>& owners) override {
    return inner_->owned_rows_many(field, owners);
  }
  std::vector<Row> owned_rows(const model::Field& field, const Value& owner) override {
    return inner_->owned_rows(field, owner);
  }
  bool exists(const model::Kind& kind, const Value& id) override {
    return inner_->exists(kind, id);
  }
  std::vector<std::pair<Value, Value>> path_values(const model::Kind& kind,
                                                   std::string_view path) override {
    return inner_->path_values(kind, path);
  }
  std::vector<Row> search_rows(const model::Kind& kind,
                               const std::vector<std::string>& paths) override {
    return inner_->search_rows(kind, paths);
  }
  uint64_t data_version() override { return inner_->data_version(); }
  std::vector<std::pair<std::string, uint64_t>> kind_generations() override {
    return inner_->kind_generations();
  }
  std::optional<std::string> begin_read(store::Deadline deadline) override {
    return inner_->begin_read(deadline);
  }
  void end_read() override { inner_->end_read(); }
  std::optional<std::string> write(const store::WriteBatch& batch) override {
    return inner_->write(batch);
  }

 private:
  std::unique_ptr<store::Store> inner_;
  int64_t window_;
  bool have_ = false;  // query_, count_, first_ and ids_ hold a window
  store::ListQuery query_;
  int64_t count_ = 0;
  int64_t first_ = 0;  // the offset of ids_.front()
  std::vector<Value> ids_;
};

// The paginated routes of `version` to write, in path order.
std::variant<std::vector<const model::Resource*>, std::string> routes(
    const model::Registry& version, const std::vector<std::string>& only) {
  std::vector<const model::Resource*> all;
  for (const auto& r : version.resources()) {
    if (has_pages(*r)) all.push_back(r.get());
  }
  std::sort(all.begin(), all.end(),
            [](const model::Resource* a, const model::Resource* b) { return a->path < b->path; });
  if (only.empty()) return all;
  std::vector<const model::Resource*> chosen;
  for (const auto* r : all) {
    if (std::find(only.begin(), only.end(), r->path) != only.end()) chosen.push_back(r);
  }
  for (const auto& name : only) {
    const bool known = std::any_of(all.begin(), all.end(),
                                   [&](const model::Resource* r) { return r->path == name; });
    if (!known) {
      return fmt::format(
          "--only {}: not a paginated route of LL2 {} (e.g. docking_events, launches, "
          "config/orbits)",
          name, version.version().name);
    }
  }
  return chosen;
}

// How a version is asked for a route's pages: the list below its prefix
// that prints the route's page_mode, and what every page's query adds.
// 2.3.0: launches and &mode=detailed; 2.4.0, whose modes are routes of their
// own: launches/detailed (the plain list where the mode has no route).
struct PageList {
  std::string path;
  std::string mode_query;
};

PageList page_list(const model::Registry& version, const model::Resource& r) {
  PageList out{r.path, ""};
  const model::Mode* mode = page_mode(r);
  if (mode == nullptr) return out;
  if (!version.version().mode_routes) {
    if (r.mode_parameter) out.mode_query = fmt::format("&mode={}", mode->name);
    return out;
  }
  for (const auto& route : version.routes()) {
    if (route.resource == &r && route.action == nullptr && route.mode != nullptr &&
        route.mode->name == mode->name)
      out.path = route.path;
  }
  return out;
}

// `{"count":N,...`: the N of a rendered page.
std::optional<int64_t> page_count(const std::string& body) {
  constexpr std::string_view prefix = "{\"count\":";
  if (!body.starts_with(prefix)) return std::nullopt;
  int64_t n = 0;
  const char* begin = body.data() + prefix.size();
  const auto res = std::from_chars(begin, body.data() + body.size(), n);
  if (res.ec != std::errc()) return std::nullopt;
  return n;
}

void remove_stale_pages(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("page_") && name.ends_with(".json"))
      fs::remove(entry.path(), ec);
  }
}

}  // namespace

std::variant<GenerateStats, std::string> generate(const model::Catalog& catalog,
                                                  const GenerateOptions& options) {
  if (options.events < 1) return std::string("--events must be at least 1");
  if (options.page_size < 1 || options.page_size > 100)
    return std::string("the page size must be between 1 and 100");
  if (options.batch_objects < 1 || options.id_window < options.page_size)
    return std::string("the batch must hold an object and the id window a page");
  if (options.threads < 1) return std::string("--threads must be at least 1");
  const model::Registry& version = options.version != nullptr ? *options.version : catalog.first();
  const std::string& prefix = version.version().prefix;
  auto chosen = routes(version, options.only);
  if (auto* e = std::get_if<std::string>(&chosen)) return *e;
  const auto& pages_of = std::get<std::vector<const model::Resource*>>(chosen);

  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) return fmt::format("cannot create {}: {}", options.out_dir, ec.message());
  const bool temporary = options.db_path.empty();
  const std::string db_path =
      temporary ? (fs::path(options.out_dir) / ".ll2d-generate.sqlite3").string() : options.db_path;
  const bool postgres = store::is_postgres_url(db_path);
  if (temporary) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path + suffix, ec);
  } else if (!postgres && fs::exists(db_path, ec)) {
    return fmt::format("--db {} already exists; generate builds a new database", db_path);
  }
  const auto remove_db = [&] {
    if (!temporary) return;
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path + suffix, ignored);
  };

  GenerateStats stats;
  {
    store::OpenOptions bulk;
    bulk.bulk_load = true;
    bulk.cache_kib = kWorldCacheKib;
    auto opened = store::open_store(db_path, catalog.first(), bulk);
    if (!opened.store) return opened.error;
    // A new world needs a database of its own (PostgreSQL: an empty one).
    if (postgres && opened.store->data_version() > 2)
      return fmt::format("--db {} already holds data; generate builds a new database",
                         store::display_name(db_path));
    Advance advance;
    if (options.advance)
      advance = [&options](int64_t done, int64_t total) { options.advance("world", done, total); };
    auto built =
        build_world(*opened.store, options.events, options.seed, options.progress,
                    static_cast<size_t>(options.batch_objects), world_shift(options.now), advance);
    if (auto* e = std::get_if<std::string>(&built)) {
      opened.store.reset();
      remove_db();
      return *e;
    }
    stats.objects = std::get<int64_t>(built);
  }
#ifdef __GLIBC__
  // The world's page cache and batches were freed, partly by the writer
  // thread's own malloc arena, which keeps them unless asked: give them back
  // before the pages' caches grow. (Only glibc's allocator, which the
  // sanitizer builds keep, needs asking; jemalloc gives them back itself.)
  malloc_trim(0);
#endif

  // Pages as `GET <prefix><list>/?format=json&limit=100<mode>&offset=K`
  // answers them (page_list: 2.3.0's `/2.3.0/launches/…&mode=detailed…`).
  api::EngineOptions engine_options{"https://ll2d.example", 50'000, std::nullopt};
  // No time budget: nobody waits for a page here, and a page that took long
  // on a busy machine would otherwise fail the whole run (503).
  engine_options.query_timeout = std::chrono::milliseconds(0);
  // Pages come from id windows (WindowedStore); list indexes would only add
  // a second copy of every route's ids.
  engine_options.list_index_bytes = 0;
  const int64_t window = options.id_window;
  api::Engine engine(
      catalog,
      [&db_path, &catalog, window]() -> std::unique_ptr<store::Store> {
        store::OpenOptions read;
        read.cache_kib = kPagesCacheKib;
        auto opened = store::open_store(db_path, catalog.first(), read);
        if (!opened.store) throw std::runtime_error(opened.error);
        return std::make_unique<WindowedStore>(std::move(opened.store), window);
      },
      engine_options);
  const int64_t threads = options.threads;
  std::atomic<int64_t> pages_written{0};
  int64_t all_pages = 0;
  if (options.advance) {
    // Every route's count first (one object each), for the total.
    for (const model::Resource* r : pages_of) {
      const api::Response one = engine.handle(
          {"GET", fmt::format("{}{}/?format=json&limit=1", prefix, page_list(version, *r).path),
           "ll2d.example", "application/json"});
      const int64_t count = page_count(one.body).value_or(0);
      all_pages += std::max<int64_t>(1, (count + options.page_size - 1) / options.page_size);
    }
    options.advance("pages", 0, all_pages);
  }
  const auto page_done = [&options, &pages_written, &all_pages] {
    const int64_t done = ++pages_written;
    if (options.advance) options.advance("pages", done, all_pages);
  };
  for (const model::Resource* r : pages_of) {
    const fs::path dir = route_directory(options.out_dir, r->path);
    fs::create_directories(dir, ec);
    if (ec) {
      remove_db();
      return fmt::format("cannot create {}: {}", dir.string(), ec.message());
    }
    remove_stale_pages(dir);
    const PageList list = page_list(version, *r);
    // Writes page n (0-based); the route's count, or why not.
    const auto write_page = [&](int64_t n) -> std::variant<int64_t, std::string> {
      const std::string target =
          fmt::format("{}{}/?format=json&limit={}{}&offset={}", prefix, list.path,
                      options.page_size, list.mode_query, n * options.page_size);
      const api::Response page = engine.handle({"GET", target, "ll2d.example", "application/json"});
      const auto count = page_count(page.body);
      if (page.status != 200 || !count)
        return fmt::format("rendering {} answered {}", target, page.status);
      const fs::path file = dir / fmt::format("page_{:04}.json", n + 1);
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << page.body;
      out.close();
      if (!out) return fmt::format("cannot write {}", file.string());
      page_done();
      return *count;
    };
    // The first page tells how many there are; the rest are shared out.
    auto first = write_page(0);
    if (auto* e = std::get_if<std::string>(&first)) {
      remove_db();
      return *e;
    }
    const int64_t total = std::get<int64_t>(first);
    const int64_t pages = std::max<int64_t>(1, (total + options.page_size - 1) / options.page_size);
    // Each thread renders a run of pages with its own connection and row
    // cache, the same run for the same number of threads: what a page
    // looks like must not depend on which pages its thread rendered before,
    // but a fixed split keeps the output deterministic even if it did.
    std::atomic<bool> stop{false};
    std::mutex failure_mutex;
    std::optional<std::string> failure;
    const auto work = [&](int64_t from, int64_t to) {
      for (int64_t n = from; n < to && !stop; ++n) {
        std::variant<int64_t, std::string> done;
        try {
          done = write_page(n);
        } catch (const std::exception& e) {
          done = fmt::format("rendering page {} of {}: {}", n + 1, r->path, e.what());
        }
        if (const auto* count = std::get_if<int64_t>(&done); count != nullptr && *count != total) {
          done = fmt::format("page {} of {} counts {} objects, page 1 {}", n + 1, r->path, *count,
                             total);
        }
        if (const auto* e = std::get_if<std::string>(&done)) {
          const std::lock_guard lock(failure_mutex);
          if (!failure) failure = *e;
          stop = true;
          return;
        }
      }
    };
    {
      const int64_t rest = pages - 1;
      const int64_t runs = std::clamp<int64_t>(rest, 1, threads);
      const auto start = [&](int64_t t) { return 1 + rest * t / runs; };
      std::vector<std::jthread> helpers;
      for (int64_t t = 1; t < runs; ++t) helpers.emplace_back(work, start(t), start(t + 1));
      work(start(0), start(1));
    }
    if (failure) {
      remove_db();
      return *failure;
    }
    stats.pages += pages;
    ++stats.routes;
    if (options.progress)
      options.progress(fmt::format("wrote {} pages of {} ({} objects)", pages, r->path, total));
  }
  remove_db();
  return stats;
}

}  // namespace ll2::ingest
