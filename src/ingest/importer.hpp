// Imports LL2 JSON (a docking event in any mode, a page of them, or a list)
// into a store. Every nested object is merged by id: only the keys present in
// a view are written, so a Mini view never erases what a richer view said.
// A file is validated completely before anything is written, then written in
// one transaction, so a bad file leaves the database exactly as it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::ingest {

struct ImportError {
  std::string file;
  std::string json_path;  // e.g. $.results[3].docking_location.id
  size_t line = 0;
  size_t column = 0;
  std::string message;

  std::string to_string() const;
};

struct ImportStats {
  int64_t events = 0;   // root objects
  int64_t objects = 0;  // every object written, nested ones included
};

// Validates `source` (the text of `file_name`) and turns it into a batch.
// `root` is the kind of the top-level objects (docking_event); when null,
// each top-level object's kind is the resource its `url` names.
struct Collected {
  store::WriteBatch batch;
  ImportStats stats;
};
std::variant<Collected, ImportError> collect(const model::Kind* root, std::string_view source,
                                             const std::string& file_name);
inline std::variant<Collected, ImportError> collect(const model::Kind& root,
                                                    std::string_view source,
                                                    const std::string& file_name) {
  return collect(&root, source, file_name);
}

// Reads, validates and writes one file in one transaction.
std::variant<ImportStats, ImportError> import_file(store::Store& store, const model::Kind* root,
                                                   const std::string& path);

}  // namespace ll2::ingest
