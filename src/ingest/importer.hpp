// Imports LL2 JSON (a docking event in any mode, a page of them, or a list)
// into a store. Every nested object is merged by id: only the keys present in
// a view are written, so a Mini view never erases what a richer view said.
// A file is validated completely before anything is written, then written in
// one transaction, so a bad file leaves the database exactly as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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
using CollectProgress = std::function<void(size_t offset, int64_t objects)>;
struct CollectOptions {
  // A view repeated in the file (the same text of the same object) is
  // merged once, while nothing it merged has changed since; false merges
  // every occurrence (tests hold the two to the same batch).
  bool reuse_repeats = true;
  // When given, hears how far through the source the work is, in bytes
  // (where the object starts), after each top-level object collected, with
  // the objects collected so far (objects are collected as they are parsed).
  CollectProgress progress;
};
// Objects are read as the version of `versions` their url is of (the
// first, without one).
std::variant<Collected, ImportError> collect(const model::Catalog& versions,
                                             const model::Kind* root, std::string_view source,
                                             const std::string& file_name,
                                             const CollectOptions& options = {});
inline std::variant<Collected, ImportError> collect(const model::Catalog& versions,
                                                    const model::Kind& root,
                                                    std::string_view source,
                                                    const std::string& file_name,
                                                    const CollectOptions& options = {}) {
  return collect(versions, &root, source, file_name, options);
}

// Reads, validates and writes one file in one transaction.
std::variant<ImportStats, ImportError> import_file(store::Store& store,
                                                   const model::Catalog& versions,
                                                   const model::Kind* root,
                                                   const std::string& path);

// Many files, each imported all-or-nothing as import_file does, faster: a
// second thread reads and validates the next files while this one writes
// (and this one reads the next files too while it has nothing to write),
// and the files are written several to a transaction. A file whose write
// fails rolls its transaction back; the files written before it in that
// transaction are then read and written again, each in a transaction of its
// own, so it takes nothing else with it. A crash leaves every file either
// wholly imported or not at all. Writes that would change nothing are left
// out (see leave_out_repeats).
struct ImportFile {
  std::string path;
  const model::Kind* root = nullptr;  // as collect() takes it
};
struct FileOutcome {
  std::variant<ImportStats, ImportError> result;
  double seconds = 0;           // reading, validating and writing it
  bool read_by_writer = false;  // read by the writing thread, which had nothing to write
};
struct ImportOptions {
  // A transaction is committed once its files hold this many objects, or
  // once it has been open this long (which bounds how late `done` hears).
  int64_t objects_per_transaction = 500000;
  double seconds_per_transaction = 2.0;
  size_t files_ahead = 3;  // files read (or being read) ahead of the writer (memory)
  // Writes that would change nothing (what this import already wrote, and
  // nothing changed since) are left out. False: every write is sent (tests
  // hold the two to the same database).
  bool leave_out_repeats = true;
  // Heard on the reader thread while a file is read and validated: the
  // file's index, the bytes of it gone through and the objects collected
  // from it so far (the whole file once it is validated; a file the
  // writer read is heard once, whole). A file may be read again after a
  // failed write.
  std::function<void(size_t file, size_t bytes, int64_t objects)> reading;
};
// `done(i, outcome)` is called for each file in order, once its fate is
// settled: rejected, or committed.
void import_files(store::Store& store, const model::Catalog& versions,
                  const std::vector<ImportFile>& files,
                  const std::function<void(size_t, const FileOutcome&)>& done,
                  const ImportOptions& options = {});

}  // namespace ll2::ingest
