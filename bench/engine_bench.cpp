// In-process benchmarks of the request handler (no sockets): what one core
// spends per request, by kind of request, and the hot pieces alone (query
// parsing, search matching, JSON writing, gzip). The HTTP benchmark is
// bench/run.sh.
//   cmake -S . -B build -DLL2D_BENCH=ON && cmake --build build -j2 && build/bench/ll2d_bench
#include <benchmark/benchmark.h>

#include <filesystem>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "http/access_log.hpp"
#include "ingest/generator.hpp"
#include "ingest/importer.hpp"
#include "json/writer.hpp"
#include "util/datetime.hpp"

namespace {

namespace fs = std::filesystem;

// 2,000 generated events plus the golden record, imported once.
const std::string& database() {
  static const std::string path = [] {
    const fs::path dir = fs::temp_directory_path() / "ll2d-bench";
    const std::string db = (dir / "bench.sqlite3").string();
    if (!fs::exists(db)) {
      ll2::ingest::generate(ll2::model::catalog(), {2000, 1, (dir / "gen").string(), 100});
      auto opened = ll2::store::open_sqlite(db, ll2::model::registry());
      const auto& root = *ll2::model::registry().find_resource("docking_events")->kind;
      for (const auto& entry : fs::directory_iterator(dir / "gen")) {
        if (entry.path().extension() == ".json")
          ll2::ingest::import_file(*opened.store, ll2::model::catalog(), &root,
                                   entry.path().string());
      }
      ll2::ingest::import_file(*opened.store, ll2::model::catalog(), &root,
                               LL2D_FIXTURES "/docking_event_609_detailed.json");
    }
    return db;
  }();
  return path;
}

ll2::api::Engine& engine() {
  static ll2::api::Engine& e = [] -> ll2::api::Engine& {
    static ll2::api::Engine built(
        ll2::model::catalog(),
        [] { return std::move(ll2::store::open_sqlite(database(), ll2::model::registry()).store); },
        {});
    // Lists ask for their index once; measure them answered from it.
    built.handle({"GET", "/2.3.0/docking_events/?format=json&search=x", "bench.local", ""});
    built.wait_for_list_indexes();
    return built;
  }();
  return e;
}

void run(benchmark::State& state, const char* target) {
  size_t bytes = 0;
  for (auto _ : state) {
    const auto r = engine().handle({"GET", target, "bench.local", "application/json"});
    bytes = r.body.size();
    benchmark::DoNotOptimize(r.body.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_DetailGolden(benchmark::State& s) {
  run(s, "/2.3.0/docking_events/609/?format=json");
}
void BM_DetailGenerated(benchmark::State& s) {
  run(s, "/2.3.0/docking_events/1001/?format=json");
}
void BM_ListNormal10(benchmark::State& s) {
  run(s, "/2.3.0/docking_events/?format=json");
}
void BM_ListDetailed100(benchmark::State& s) {
  run(s, "/2.3.0/docking_events/?format=json&mode=detailed&limit=100");
}
void BM_Search(benchmark::State& s) {
  run(s, "/2.3.0/docking_events/?format=json&search=Salyut");
}
void BM_FilterOrdered(benchmark::State& s) {
  run(s, "/2.3.0/docking_events/?format=json&docking__gte=2010-01-01T00:00:00Z&ordering=-docking");
}
void BM_BrowsablePage(benchmark::State& s) {
  run(s, "/2.3.0/docking_events/609/?format=api");
}

// A search whose terms the index has not matched before (it keeps the last
// 32): every name is compared with the term.
void BM_SearchNewTerm(benchmark::State& state) {
  const char* terms[] = {"a", "e", "o", "sa", "so", "pro", "mir", "iss", "dr", "cy", "ti", "ng",
                         "u", "i", "r", "t",  "n",  "s",   "l",   "m",   "c",  "d",  "g",  "h",
                         "k", "p", "v", "y",  "z",  "b",   "f",   "w",   "x",  "j",  "q",  "1",
                         "2", "3", "4", "5",  "6",  "7",   "8",   "9",   "0",  "al", "er", "on"};
  size_t i = 0;
  for (auto _ : state) {
    const std::string target =
        std::string("/2.3.0/docking_events/?format=json&limit=1&search=") + terms[i++ % 48];
    const auto r = engine().handle({"GET", target, "bench.local", "application/json"});
    benchmark::DoNotOptimize(r.body.data());
  }
}

void BM_ParseAndValidateQuery(benchmark::State& state) {
  // Filters, search and ordering that validate, on the most declared route;
  // a 400 would be answered the same way, so this is parsing + validation +
  // the page (10 ids from the count cache and the row cache).
  run(state,
      "/2.3.0/docking_events/?format=json&space_station_target__id=1&docking__gte=2001-01-01"
      "&docking__lt=2030-01-01&ordering=-docking,departure&limit=3&offset=2");
}

void BM_JsonWriter(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    ll2::json::Writer w(out);
    w.begin_object();
    for (int i = 0; i < 20; ++i) {
      w.key("name");
      w.string("Soyuz MS-25 \"Ural\" – 2024");
      w.key("id");
      w.integer(i);
    }
    w.end_object();
    benchmark::DoNotOptimize(out.data());
  }
}

void BM_PythonFloat(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    ll2::append_python_float(out, 7.342e+22);
    ll2::append_python_float(out, -153.9852);
    benchmark::DoNotOptimize(out.data());
  }
}

void BM_FormatDateTime(benchmark::State& state) {
  int64_t t = 1717656480000000;
  for (auto _ : state) benchmark::DoNotOptimize(ll2::datetime::format_datetime(t++));
}

// One access log line as the server writes it for each request: a new
// request id and the line in each format.
void BM_AccessLogLine(benchmark::State& state) {
  const auto format =
      state.range(0) == 0 ? ll2::http::AccessLogFormat::Logfmt : ll2::http::AccessLogFormat::Json;
  ll2::http::AccessRecord r;
  r.time_us = 1796548710123456;
  r.client = "203.0.113.7";
  r.method = "GET";
  r.path = "/2.3.0/docking_events/?limit=1";
  r.status = 200;
  r.bytes = 5821;
  r.us = 412;
  r.host = "ll.example.org";
  r.ua = "pylaunches/2.0 (aiohttp)";
  for (auto _ : state) {
    const std::string id = ll2::http::new_request_id();
    r.id = id;
    r.time_us += 1000;
    benchmark::DoNotOptimize(ll2::http::format_access(r, format));
  }
}

}  // namespace

BENCHMARK(BM_DetailGolden);
BENCHMARK(BM_DetailGenerated);
BENCHMARK(BM_ListNormal10);
BENCHMARK(BM_ListDetailed100);
BENCHMARK(BM_Search);
BENCHMARK(BM_FilterOrdered);
BENCHMARK(BM_BrowsablePage);
BENCHMARK(BM_SearchNewTerm);
BENCHMARK(BM_ParseAndValidateQuery);
BENCHMARK(BM_JsonWriter);
BENCHMARK(BM_PythonFloat);
BENCHMARK(BM_FormatDateTime);
BENCHMARK(BM_AccessLogLine)->Arg(0)->Arg(1);  // logfmt, json
int main(int argc, char** argv) {
  database();  // build the data set before timing anything
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
