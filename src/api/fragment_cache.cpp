#include "api/fragment_cache.hpp"

namespace ll2::api {

namespace {
size_t entry_bytes(const std::string& key, const std::string& json) {
  return key.size() * 2 + json.size() + 128;  // the key twice (list, index), and the nodes
}
}  // namespace

FragmentCache::Json FragmentCache::find(const std::string& key, uint64_t generation,
                                        const std::function<const KindGenerations&()>& kinds) {
  Json json;
  uint64_t rendered = 0;
  Reads reads;
  {
    const std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    if (it->second->generation == generation) return it->second->json;
    // Rendered after this snapshot: what changed in between is unknown.
    if (it->second->generation > generation) return nullptr;
    json = it->second->json;
    rendered = it->second->generation;
    reads = it->second->reads;
  }
  // The kinds are read outside the lock (on a first call, a query).
  if (!reads || !unchanged_since(*reads, rendered, kinds())) return nullptr;
  const std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key);
      it != index_.end() && it->second->json == json && it->second->generation < generation)
    it->second->generation = generation;
  return json;
}

void FragmentCache::insert(const std::string& key, Json json, uint64_t generation, Reads reads) {
  const size_t size = entry_bytes(key, *json);
  if (size > max_bytes_) return;
  const std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key); it != index_.end()) {
    if (it->second->generation > generation) return;
    bytes_ -= entry_bytes(key, *it->second->json);
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front({key, std::move(json), generation, std::move(reads)});
  index_.emplace(key, lru_.begin());
  bytes_ += size;
  evict();
}

size_t FragmentCache::bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

void FragmentCache::evict() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    bytes_ -= entry_bytes(lru_.back().key, *lru_.back().json);
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

}  // namespace ll2::api
