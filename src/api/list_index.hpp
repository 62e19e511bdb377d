// Lists answered from memory, shared by every database thread: the queries
// whose cost grows with the data (search, deep offsets, exact counts) become
// slices and bit operations over a structure built once per generation.
//
// An index is built for one list shape (a kind, an order, its search paths)
// from one snapshot by a background thread on its own connection, and answers
// only requests that read that same generation, so a page is exactly what the
// SQL would have returned: the ids in the order's sequence (ties by id, as the
// SQL breaks them), each distinct searched text (upper-cased as PostgreSQL's
// UPPER does) with the positions of the objects that print it. A request that
// finds no index of its generation asks the store, as before, and queues a
// build. The exact counts of the other list queries (filters) are cached per
// query and generation.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/store.hpp"

namespace ll2::api {

struct ListIndexOptions {
  // Upper bound on the memory of all built indexes; the least recently used
  // go first. 0: no indexes (every list asks the store).
  size_t max_bytes = size_t{1} << 30;
  // Say on stderr when the queue of builds empties (serve: operators and
  // the benchmark wait for it).
  bool log = false;
  // Exact counts of other list queries kept (per generation).
  size_t max_counts = 4096;
};

class ListIndexes {
 public:
  using StoreOpener = std::function<std::unique_ptr<store::Store>()>;
  ListIndexes(StoreOpener open_store, ListIndexOptions options);
  ~ListIndexes();
  ListIndexes(const ListIndexes&) = delete;
  ListIndexes& operator=(const ListIndexes&) = delete;

  // The page for `q` read at `generation`, when an index answers it (a list
  // with no filter); otherwise nullopt, and a build for its shape is queued.
  // An index of an older generation still answers when none of the kinds it
  // reads has changed since (`kinds` gives the request's kind generations).
  using KindGenerations = std::unordered_map<std::string, uint64_t>;
  std::optional<store::Page> page(const store::ListQuery& q, uint64_t generation,
                                  const std::function<const KindGenerations&()>& kinds);
  // Queues builds ahead of requests (a resource's default list at startup).
  void prepare(const store::ListQuery& q);
  // Waits until no build is queued or running (tests, the generator).
  void wait_idle();
  // Pages answered from memory so far.
  uint64_t answered() const { return answered_.load(std::memory_order_relaxed); }

  // Exact counts of the queries indexes do not answer, by a key naming the
  // query completely (its SQL and parameters) and the generation.
  std::optional<int64_t> cached_count(const std::string& key, uint64_t generation);
  void store_count(const std::string& key, uint64_t generation, int64_t count);

  struct Built;  // one shape's index (list_index.cpp)

 private:
  struct Shape {
    std::string key;
    store::ListQuery query;  // kind, order, search paths
  };
  static std::optional<Shape> shape_of(const store::ListQuery& q);
  void queue(Shape shape);
  void run();
  void evict_over_budget();  // with mutex_ held

  StoreOpener open_store_;
  ListIndexOptions options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  // Built indexes by shape, most recently used first.
  std::list<std::pair<std::string, std::shared_ptr<const Built>>> built_;
  std::unordered_map<std::string, decltype(built_)::iterator> by_key_;
  size_t bytes_ = 0;
  std::deque<Shape> queued_;
  std::unordered_set<std::string> wanted_;  // shapes queued or being built
  bool building_ = false;
  size_t batch_built_ = 0;  // since the queue was last empty
  std::optional<std::chrono::steady_clock::time_point> batch_started_;
  bool stop_ = false;
  uint64_t count_generation_ = 0;
  std::unordered_map<std::string, int64_t> counts_;
  std::atomic<uint64_t> answered_{0};
  std::thread builder_;
};

}  // namespace ll2::api
