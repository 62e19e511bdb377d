// Fuzzes the whole request path: method, target, Host, Accept and
// If-None-Match into api::Engine::handle, over a small generated database
// (routing, APPEND_SLASH, negotiation, parameters, SQL, serializer, page).
//
// Input: the five fields separated by newlines; a missing field is empty,
// and the last one takes the rest. Checks what must hold for any request:
// no 500 on a healthy database, no redirect that leaves the site, and JSON
// bodies that parse.
#include <rapidjson/document.h>
#include <stdlib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "ingest/generator.hpp"
#include "store/store.hpp"

namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::string dir;
  std::unique_ptr<ll2::api::Engine> engine;
};

[[noreturn]] void setup_failed(const std::string& why) {
  std::fprintf(stderr, "request_fuzz: setup failed: %s\n", why.c_str());
  std::abort();
}

// A generated world of 40 docking events in a temporary database, and an engine with
// no time budget (so timing never changes an answer) and a fixed clock.
Fixture make_fixture() {
  Fixture f;
  std::string tmpl = (fs::temp_directory_path() / "ll2d-request-fuzz-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) setup_failed("mkdtemp");
  f.dir = tmpl;
  ll2::ingest::GenerateOptions g;
  g.events = 40;
  g.seed = 7;
  g.page_size = 20;
  g.out_dir = f.dir + "/pages";
  // The generator keeps the world it built: every endpoint has data.
  const std::string db = f.dir + "/db.sqlite3";
  g.db_path = db;
  g.only = {"docking_events"};
  const auto generated = ll2::ingest::generate(ll2::model::catalog(), g);
  if (const auto* e = std::get_if<std::string>(&generated)) setup_failed(*e);
  ll2::api::EngineOptions options;
  options.now = int64_t{1'700'000'000} * 1'000'000;
  options.query_timeout = std::chrono::milliseconds(0);
  f.engine = std::make_unique<ll2::api::Engine>(
      ll2::model::catalog(),
      [db] {
        auto o = ll2::store::open_sqlite(db, ll2::model::registry(),
                                         {ll2::store::OpenOptions::Access::ReadOnly, true});
        if (!o.store) setup_failed(o.error);
        return std::move(o.store);
      },
      options);
  return f;
}

Fixture& fixture() {
  static Fixture f = make_fixture();
  static const bool cleanup = [] {
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(fixture().dir, ec);
    });
    return true;
  }();
  (void)cleanup;
  return f;
}

std::string_view next_field(std::string_view& rest, bool last) {
  if (last) return std::exchange(rest, {});
  const size_t nl = rest.find('\n');
  const std::string_view field = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  ll2::api::Request request;
  request.method = next_field(rest, false);
  request.target = next_field(rest, false);
  request.host = next_field(rest, false);
  request.accept = next_field(rest, false);
  request.if_none_match = next_field(rest, true);
  const ll2::api::Response r = fixture().engine->handle(request);

  // A healthy database never makes a server error.
  if (r.status == 500 || !r.log.empty()) {
    std::fprintf(stderr, "status %d: %s\n", r.status, r.log.c_str());
    __builtin_trap();
  }
  // A redirect stays on this site: a path, never `//host` or `/\host`.
  for (const auto& [name, value] : r.headers) {
    if (name == "Location" &&
        (!value.starts_with('/') || value.starts_with("//") || value.starts_with("/\\")))
      __builtin_trap();
  }
  if (r.content_type == "application/json" && !r.body.empty()) {
    rapidjson::Document d;
    d.Parse(r.body.data(), r.body.size());
    if (d.HasParseError()) __builtin_trap();
  }
  return 0;
}
