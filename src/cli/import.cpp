// `ll2d import`: LL2 JSON files or directories into a database.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "ingest/importer.hpp"
#include "model/schema.hpp"
#include "store/store.hpp"
#include "util/progress.hpp"

#include <unistd.h>

namespace fs = std::filesystem;

namespace ll2::cli {
namespace {

struct ImportOptions {
  std::string db = kDefaultDb;
  const CLI::Option* db_option = nullptr;  // tells whether --db was given
  std::string resource;
  std::vector<std::string> inputs;
  std::string retention = "30d";
  bool progress = false;
};

using KindedFiles = std::vector<std::pair<std::string, const model::Kind*>>;

// The .json files below `dir`, in name order (a subdirectory's files where
// its name sorts), each with the kind its objects are: `root` when given,
// else the route (of a version of `catalog`) the path below `top` names,
// else none (their urls tell).
std::optional<std::string> walk(const model::Catalog& catalog, const fs::path& top,
                                const fs::path& dir, const model::Kind* root, KindedFiles& out) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  if (ec) return fmt::format("cannot read {}: {}", dir.string(), ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  const model::Kind* kind = root;
  if (kind == nullptr) {
    const std::string route = fs::relative(dir, top, ec).generic_string();
    if (const auto* r = catalog.find_resource(route)) kind = r->kind;
  }
  for (const auto& entry : entries) {
    if (entry.is_directory(ec)) {
      if (auto e = walk(catalog, top, entry.path(), root, out)) return e;
    } else if (entry.is_regular_file(ec) && entry.path().extension() == ".json") {
      out.emplace_back(entry.path().string(), kind);
    }
  }
  return std::nullopt;
}

// Import progress: the bytes of the files gone through (their sizes as stat
// tells) and the objects read from them; the ETA goes by the byte rate.
struct ImportProgress {
  progress::Reporter reporter;
  std::vector<uintmax_t> before;  // bytes of the files before each, then the total
  uintmax_t furthest = 0;         // the reader's; a file read again does not go back
  std::vector<int64_t> file_objects;
  int64_t objects = 0;

  ImportProgress(bool forced, const std::vector<std::string>& paths)
      : reporter("ll2d import", progress::Reporter::mode_for_stderr(forced)),
        before(paths.size() + 1, 0),
        file_objects(paths.size(), 0) {
    for (size_t i = 0; i < paths.size(); ++i) {
      std::error_code ec;
      const uintmax_t size = fs::file_size(paths[i], ec);
      before[i + 1] = before[i] + (ec ? 0 : size);
    }
    reporter.start("", static_cast<int64_t>(before.back()), {"bytes", true});
  }
  // On the reader thread.
  void reading(size_t file, size_t bytes, int64_t n) {
    furthest = std::max<uintmax_t>(furthest, before[file] + bytes);
    if (n > file_objects[file]) {
      objects += n - file_objects[file];
      file_objects[file] = n;
    }
    reporter.update(static_cast<int64_t>(furthest), fmt::format(", {} objects", objects));
  }
};

// --resource names an endpoint by its LL2 path (launches, config/orbits,
// launches/upcoming); without it each object's `url` tells. False when it
// names none.
bool find_root_kind(const model::Catalog& catalog, const std::string& resource,
                    const model::Kind*& root) {
  root = nullptr;
  if (resource.empty()) return true;
  const model::Resource* r = catalog.find_resource(resource);
  if (r == nullptr) return false;
  root = r->kind;
  return true;
}

// A directory is walked in name order, subdirectories included. Below it,
// a subdirectory named after an LL2 route (launches/, config/orbits/, as
// `generate` writes them) says which resource its files hold, since not
// every view prints a url; elsewhere each object's url tells.
std::optional<std::string> list_files(const model::Catalog& catalog,
                                      const std::vector<std::string>& inputs,
                                      const model::Kind* root, KindedFiles& files) {
  for (const auto& p : inputs) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.emplace_back(p, root);
      continue;
    }
    if (auto e = walk(catalog, p, p, root, files)) return e;
  }
  return std::nullopt;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What import_files did, file by file.
struct ImportTally {
  int failed = 0;
  int64_t objects = 0;
};

// Files are validated on a second thread and written several to a
// transaction; each line is printed once its file is committed.
ImportTally import_all(store::Store& store, const model::Catalog& catalog, const KindedFiles& files,
                       ImportProgress& progress) {
  ImportTally tally;
  ingest::ImportOptions import_options;
  if (progress.reporter.on())
    import_options.reading = [&progress](size_t file, size_t bytes, int64_t n) {
      progress.reading(file, bytes, n);
    };
  std::vector<ingest::ImportFile> work;
  work.reserve(files.size());
  for (const auto& [file, kind] : files) work.push_back({file, kind});
  ingest::import_files(
      store, catalog, work,
      [&](size_t i, const ingest::FileOutcome& outcome) {
        if (const auto* e = std::get_if<ingest::ImportError>(&outcome.result)) {
          ++tally.failed;
          progress.reporter.note(fmt::format(
              "ll2d import: rejected {} (nothing from it was written)", e->to_string()));
          return;
        }
        const auto& s = std::get<ingest::ImportStats>(outcome.result);
        tally.objects += s.objects;
        const double secs = outcome.seconds;
        progress.reporter.note(fmt::format(
            "[{}/{}] {}: {} events, {} objects ({:.0f} objects/s), {} files left", i + 1,
            files.size(), work[i].path, s.events, s.objects,
            secs > 0 ? static_cast<double>(s.objects) / secs : 0.0, files.size() - i - 1));
      },
      import_options);
  progress.reporter.finish(fmt::format(
      "{} read, {} of {} files imported, {} objects",
      progress::format_amount(static_cast<double>(progress.before.back()), {"bytes", true}),
      files.size() - tally.failed, files.size(), tally.objects));
  return tally;
}

// Into an empty database, the indexes only reads use are built once at
// the end rather than kept current through every insert. False on failure.
bool build_deferred_indexes(store::Store& store, size_t count) {
  if (count == 0) return true;
  const auto t0 = std::chrono::steady_clock::now();
  if (auto e = store.build_deferred_indexes()) {
    // The data is committed; the next writable open builds what is missing.
    fmt::print(stderr, "ll2d import: building the indexes failed: {}\n", *e);
    return false;
  }
  fmt::print(stderr, "ll2d import: built {} indexes in {:.2f}s\n", count, seconds_since(t0));
  return true;
}

// Paths that cannot be read are named before anything is created or
// written, so a typo leaves no empty database behind. False on the first.
bool all_readable(const std::vector<std::string>& inputs) {
  for (const auto& p : inputs) {
    if (::access(p.c_str(), R_OK) != 0) {
      fmt::print(stderr, "ll2d import: {}: {}; nothing was imported\n", p, std::strerror(errno));
      return false;
    }
  }
  return true;
}

int import_into(const ImportOptions& options, const model::Catalog& catalog,
                const store::OpenOptions& open_options) {
  const model::Kind* root = nullptr;
  if (!find_root_kind(catalog, options.resource, root)) {
    fmt::print(stderr, "ll2d import: unknown --resource {}\n", options.resource);
    return 2;
  }
  if (!all_readable(options.inputs)) return 2;
  auto opened = store::open_store(options.db, catalog.first(), open_options);
  if (!opened.store) {
    fmt::print(stderr, "ll2d import: {}\n", opened.error);
    return 2;
  }
  KindedFiles files;
  if (auto e = list_files(catalog, options.inputs, root, files)) {
    fmt::print(stderr, "ll2d import: {}\n", *e);
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.first);
  ImportProgress progress(options.progress, paths);
  const auto deferred = opened.store->defer_read_indexes();
  if (const auto* e = std::get_if<std::string>(&deferred)) {
    fmt::print(stderr, "ll2d import: {}\n", *e);
    return 2;
  }
  const ImportTally tally = import_all(*opened.store, catalog, files, progress);
  if (!build_deferred_indexes(*opened.store, std::get<size_t>(deferred))) return 1;
  if (tally.objects > 0) {
    // The data is committed either way; without statistics it is only read slower.
    if (auto e = opened.store->refresh_statistics())
      fmt::print(stderr, "ll2d import: updating the planner's statistics failed: {}\n", *e);
  }
  fmt::print(stderr, "ll2d import: {} of {} files imported, {} objects in {:.2f}s{}\n",
             files.size() - tally.failed, files.size(), tally.objects, seconds_since(started),
             tally.failed ? fmt::format(", {} rejected", tally.failed) : "");
  return tally.failed == 0 ? 0 : 1;
}

int run_import(const ImportOptions& options, const model::Catalog& catalog) {
  const auto write_options = write_options_or_complain(options.retention);
  if (!write_options) return 2;
  // A database made where nobody looks is worse than a question.
  if (options.db_option->count() == 0) {
    std::error_code ec;
    fmt::print(stderr, "ll2d import: no --db given: importing into {}\n",
               (fs::current_path(ec) / options.db).string());
  }
  return import_into(options, catalog, *write_options);
}

}  // namespace

Command add_import(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<ImportOptions>();
  auto* import =
      app.add_subcommand("import", "Import LL2 JSON files or directories into a database");
  options->db_option = add_db_option(import, options->db, "created if missing");
  import->add_option("--resource", options->resource,
                     "The endpoint the files come from, as LL2 names it (launches, "
                     "config/orbits); default: each object's url tells");
  import->add_option("paths", options->inputs, "Files or directories of LL2 JSON")->required();
  add_retention_option(import, options->retention);
  import->add_flag(
      "--progress", options->progress,
      "A progress line (bytes, objects, rate, ETA) every second on stderr, also "
      "when it is not a terminal (on a terminal it is always shown, redrawn in place)");
  return {import, [options, &catalog] { return run_import(*options, catalog); }};
}

}  // namespace ll2::cli
