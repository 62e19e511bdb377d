// Objects rendered once for every database thread: the JSON of one object in
// one view (a detailed launch), kept while none of the kinds that view reads
// has changed. A page of 100 detailed launches whose objects were rendered
// before is 100 fragments joined, without reading their rows; a write to
// agencies re-renders the objects whose view prints agencies, and no others.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/reads.hpp"

namespace ll2::api {

class FragmentCache {
 public:
  static constexpr size_t kDefaultBytes = size_t{128} << 20;
  using Json = std::shared_ptr<const std::string>;

  explicit FragmentCache(size_t max_bytes = kDefaultBytes) : max_bytes_(max_bytes) {}

  // The JSON kept under `key` if it holds at `generation`: rendered at it,
  // or before it and none of what its view reads (`kinds()`: each kind's
  // generation at `generation`, asked only then) changed since. Null if not.
  Json find(const std::string& key, uint64_t generation,
            const std::function<const KindGenerations&()>& kinds);
  // Keeps `json`, rendered at `generation` by a view that reads `reads`
  // (unless a newer rendering is kept already).
  void insert(const std::string& key, Json json, uint64_t generation, Reads reads);
  size_t bytes() const;

 private:
  struct Entry {
    std::string key;
    Json json;
    uint64_t generation = 0;  // where it is known current (rendered, or checked)
    Reads reads;
  };
  using Lru = std::list<Entry>;  // most recently used first
  void evict();                  // with mutex_ held

  size_t max_bytes_;
  mutable std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace ll2::api
