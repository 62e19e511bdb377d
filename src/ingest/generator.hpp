// Deterministic synthetic LL2 data: the same events and seed always give the
// same bytes. Objects are written through the store and the pages are
// rendered by the engine, so they are exactly what `ll2d serve` would answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace ll2::ingest {

struct GenerateOptions {
  int64_t events = 1000;
  uint64_t seed = 1;
  std::string out_dir;
  int64_t page_size = 100;
};

struct GenerateStats {
  int64_t pages = 0;
  int64_t objects = 0;
};

std::variant<GenerateStats, std::string> generate(const GenerateOptions& options);

}  // namespace ll2::ingest
