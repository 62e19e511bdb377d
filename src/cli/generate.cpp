// `ll2d generate`: a deterministic synthetic LL2 world as pages of every
// endpoint.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "ingest/generator.hpp"
#include "util/datetime.hpp"
#include "util/progress.hpp"

namespace ll2::cli {
namespace {

struct GenerateCommandOptions {
  ingest::GenerateOptions generator;
  std::string now;          // as given: ISO 8601, `now` or empty
  std::string api_version;  // a version's name: 2.3.0, 2.4.0
  bool quiet = false;
  bool progress = false;
};

// Generate's progress: the world's objects, then the pages; a phase's last
// figure is its "done" line once the next begins.
struct GenerateProgress {
  progress::Reporter& reporter;
  std::shared_ptr<std::string> phase = std::make_shared<std::string>();
  std::shared_ptr<std::atomic<int64_t>> last = std::make_shared<std::atomic<int64_t>>(0);

  void operator()(std::string_view now, int64_t done, int64_t total) {
    if (now != *phase) {  // on the generating thread, before any other
      if (!phase->empty()) reporter.finish(fmt::format("{} objects", last->load()));
      *phase = now;
      reporter.start(*phase, total, {*phase == "world" ? "objects" : "pages", false});
    }
    *last = done;  // pages come from several threads
    reporter.update(done);
  }
};

// --now into the generator's options; false when it is no date-time.
bool set_now(const std::string& text, ingest::GenerateOptions& generator) {
  if (text == "now") {
    generator.now = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  } else if (!text.empty()) {
    generator.now = datetime::parse_filter_datetime(text);
    if (!generator.now) return false;
  }
  return true;
}

// --quiet leaves out the stage lines, and progress unless --progress.
progress::Reporter::Mode reporter_mode(const GenerateCommandOptions& options) {
  return options.quiet && !options.progress ? progress::Reporter::Mode::Off
                                            : progress::Reporter::mode_for_stderr(options.progress);
}

int run_generate(GenerateCommandOptions& options, const model::Catalog& catalog) {
  ingest::GenerateOptions& generator = options.generator;
  if (!set_now(options.now, generator)) {
    fmt::print(stderr, "ll2d generate: --now {}: not a date-time\n", options.now);
    return 2;
  }
  generator.version = catalog.find(options.api_version);
  if (generator.version == nullptr) {
    fmt::print(stderr, "ll2d generate: --api-version {}: not a version ll2d serves ({})\n",
               options.api_version, catalog.names());
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  progress::Reporter reporter("ll2d generate", reporter_mode(options));
  if (!options.quiet) {
    generator.progress = [started, &reporter](const std::string& line) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      reporter.note(fmt::format("ll2d generate: [{:.1f}s] {}", secs, line));
    };
  }
  if (reporter.on()) generator.advance = GenerateProgress{reporter};
  auto result = ingest::generate(catalog, generator);
  if (auto* e = std::get_if<std::string>(&result)) {
    reporter.note(fmt::format("ll2d generate: {}", *e));
    return 1;
  }
  const auto& s = std::get<ingest::GenerateStats>(result);
  reporter.finish(fmt::format("{} pages of {} routes", s.pages, s.routes));
  fmt::print(
      "ll2d generate: wrote {} pages ({} routes of API {}) of a SYNTHETIC world ({} objects; {} "
      "docking events, seed {}) to {}.\n"
      "This data is made up for testing and benchmarks; it is not real LL2 data.\n",
      s.pages, s.routes, options.api_version, s.objects, generator.events, generator.seed,
      generator.out_dir);
  return 0;
}

}  // namespace

Command add_generate(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<GenerateCommandOptions>();
  ingest::GenerateOptions& generator = options->generator;
  options->api_version = catalog.first().version().name;
  auto* gen = app.add_subcommand(
      "generate", "Write a deterministic synthetic LL2 world as pages of every endpoint");
  gen->add_option("--events", generator.events,
                  "Number of docking events; everything else is scaled to it")
      ->capture_default_str();
  gen->add_option("--seed", generator.seed, "Random seed")->capture_default_str();
  gen->add_option("--out", generator.out_dir, "Output directory")->required();
  gen->add_option("--only", generator.only,
                  "Write pages of these routes only (docking_events, launches, config/orbits, ...)")
      ->delimiter(',');
  gen->add_option("--db", generator.db_path,
                  "Build the world in this new SQLite file and keep it (default: a temporary "
                  "file in --out)");
  gen->add_option("--threads", generator.threads,
                  "Threads rendering pages (each a fixed share of every route's pages)")
      ->check(CLI::PositiveNumber);
  gen->add_option("--now", options->now,
                  "The world's \"now\" (ISO 8601, or `now`): its dates move with it in whole "
                  "days, so upcoming lists have data at any date (default: 2025-06-01T00:00:00Z)");
  gen->add_option("--api-version", options->api_version,
                  fmt::format("Write the pages of this API version ({}), each as its own list "
                              "route answers it; the world is the same for every version",
                              catalog.names()))
      ->capture_default_str();
  gen->add_flag("--quiet", options->quiet, "No stage or progress lines on stderr");
  gen->add_flag("--progress", options->progress,
                "A progress line (objects, then pages, with rate and ETA) every second on stderr, "
                "also when it is not a terminal (on a terminal it is shown unless --quiet, "
                "redrawn in place)");
  return {gen, [options, &catalog] { return run_generate(*options, catalog); }};
}

}  // namespace ll2::cli
