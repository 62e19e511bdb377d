#include "ingest/generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <stdexcept>

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

// The paginated routes to write, in path order.
std::variant<std::vector<const model::Resource*>, std::string> routes(
    const std::vector<std::string>& only) {
  std::vector<const model::Resource*> all;
  for (const auto& r : model::registry().resources()) {
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
          "--only {}: not a paginated LL2 route (e.g. docking_events, launches, "
          "config/orbits)",
          name);
    }
  }
  return chosen;
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

std::variant<GenerateStats, std::string> generate(const GenerateOptions& options) {
  if (options.events < 1) return std::string("--events must be at least 1");
  if (options.page_size < 1 || options.page_size > 100)
    return std::string("the page size must be between 1 and 100");
  auto chosen = routes(options.only);
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
    auto opened = store::open_store(db_path);
    if (!opened.store) return opened.error;
    // A new world needs a database of its own (PostgreSQL: an empty one).
    if (postgres && opened.store->data_version() > 2)
      return fmt::format("--db {} already holds data; generate builds a new database",
                         store::display_name(db_path));
    auto built = build_world(*opened.store, options.events, options.seed, options.progress);
    if (auto* e = std::get_if<std::string>(&built)) {
      opened.store.reset();
      remove_db();
      return *e;
    }
    stats.objects = std::get<int64_t>(built);
  }

  // Pages as `GET /2.3.0/<route>/?format=json&limit=100&mode=detailed&offset=K`
  // answers them (routes without a mode parameter leave it out).
  api::EngineOptions engine_options{"https://ll2d.example", 50'000, std::nullopt};
  api::Engine engine(
      [&db_path] {
        auto opened = store::open_store(db_path);
        if (!opened.store) throw std::runtime_error(opened.error);
        return std::move(opened.store);
      },
      engine_options);
  for (const model::Resource* r : pages_of) {
    const fs::path dir = route_directory(options.out_dir, r->path);
    fs::create_directories(dir, ec);
    if (ec) {
      remove_db();
      return fmt::format("cannot create {}: {}", dir.string(), ec.message());
    }
    remove_stale_pages(dir);
    const model::Mode* mode = page_mode(*r);
    const std::string mode_param =
        r->mode_parameter && mode != nullptr ? fmt::format("&mode={}", mode->name) : "";
    int64_t total = 0;
    int64_t written = 0;
    for (int64_t offset = 0; offset == 0 || offset < total; offset += options.page_size) {
      const std::string target = fmt::format("/2.3.0/{}/?format=json&limit={}{}&offset={}", r->path,
                                             options.page_size, mode_param, offset);
      const api::Response page = engine.handle({"GET", target, "ll2d.example", "application/json"});
      const auto count = page_count(page.body);
      if (page.status != 200 || !count) {
        remove_db();
        return fmt::format("rendering {} answered {}", target, page.status);
      }
      total = *count;
      const fs::path file = dir / fmt::format("page_{:04}.json", offset / options.page_size + 1);
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << page.body;
      if (!out) {
        remove_db();
        return fmt::format("cannot write {}", file.string());
      }
      ++written;
    }
    stats.pages += written;
    ++stats.routes;
    if (options.progress)
      options.progress(fmt::format("wrote {} pages of {} ({} objects)", written, r->path, total));
  }
  remove_db();
  return stats;
}

}  // namespace ll2::ingest
