#include "api/list_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "api/reads.hpp"
#include "store/sql_builder.hpp"
#include "util/text.hpp"

namespace ll2::api {

namespace {

// The objects that match a search, as one bit per position in the order.
struct Matches {
  std::vector<uint64_t> bits;
  int64_t count = 0;
};

constexpr size_t kCachedSearches = 32;  // per index

std::string order_text(const std::vector<store::OrderKey>& order) {
  std::string out;
  for (const auto& k : order) out += (k.descending ? "-" : "+") + k.path + ",";
  return out;
}

}  // namespace

struct ListIndexes::Built {
  uint64_t generation = 0;
  // The kinds the shape reads (its own, and those on its order and search
  // paths) with their generations when it was built.
  std::vector<std::pair<std::string, uint64_t>> kinds;
  // The ids in the order's sequence: integers, or text (UUIDs).
  std::vector<int64_t> int_ids;
  std::vector<std::string> text_ids;
  // Search: each distinct upper-cased text, and the positions of the objects
  // that print it through any search path (text i's are
  // positions[starts[i]..starts[i + 1]), ascending). The texts are kept one
  // after another, each followed by a NUL, in `texts` (text i ends at
  // text_ends[i]): a term is looked for in all of them with one memmem pass.
  bool searchable = true;  // false: a value the SQL would compare differently
  std::string texts;
  std::vector<size_t> text_ends;
  std::vector<uint32_t> starts;
  std::vector<uint32_t> positions;
  // A search through a many-valued relation tests each row combination of
  // the joined paths (DRF's one filter()); an object with one combination is
  // what its texts say, the others' combinations are kept: object i of
  // `multi` (positions, ascending) has combinations of `paths` text codes
  // (kNoText: NULL) in combos[multi_starts[i]..multi_starts[i + 1]).
  static constexpr uint32_t kNoText = std::numeric_limits<uint32_t>::max();
  size_t paths = 0;
  std::vector<uint32_t> multi;
  std::vector<uint32_t> multi_starts;
  std::vector<uint32_t> combos;
  size_t bytes = 0;

  mutable std::mutex searches_mutex;
  mutable std::list<std::pair<std::string, std::shared_ptr<const Matches>>> searches;

  size_t size() const { return int_ids.empty() ? text_ids.size() : int_ids.size(); }
  Value id(size_t position) const {
    if (!int_ids.empty()) return int_ids[position];
    return text_ids[position];
  }

  // Every term in some searched text (DRF: terms ANDed, fields ORed);
  // `terms` are upper-cased already, as the SQL gets them.
  std::shared_ptr<const Matches> search(const std::vector<std::string>& terms) const {
    std::string key;
    for (const auto& t : terms) key += t + '\0';
    {
      const std::lock_guard lock(searches_mutex);
      for (auto it = searches.begin(); it != searches.end(); ++it) {
        if (it->first == key) {
          searches.splice(searches.begin(), searches, it);
          return it->second;
        }
      }
    }
    auto m = std::make_shared<Matches>();
    const size_t words = (size() + 63) / 64;
    std::vector<uint64_t> term_bits;
    // Per term, the texts that contain it (for the combinations).
    const bool combinations = terms.size() > 1 && !multi.empty();
    std::vector<std::vector<bool>> term_texts(combinations ? terms.size() : 0);
    for (size_t t = 0; t < terms.size(); ++t) {
      term_bits.assign(words, 0);
      if (combinations) term_texts[t].assign(text_ends.size(), false);
      for_each_text_containing(terms[t], [&](size_t i) {
        if (combinations) term_texts[t][i] = true;
        for (uint32_t k = starts[i]; k < starts[i + 1]; ++k)
          term_bits[positions[k] / 64] |= uint64_t{1} << (positions[k] % 64);
      });
      if (t == 0) {
        m->bits = std::move(term_bits);
      } else {
        for (size_t w = 0; w < words; ++w) m->bits[w] &= term_bits[w];
      }
    }
    if (combinations) keep_combinations(term_texts, m->bits);
    for (const uint64_t w : m->bits) m->count += std::popcount(w);
    const std::lock_guard lock(searches_mutex);
    searches.emplace_front(std::move(key), m);
    if (searches.size() > kCachedSearches) searches.pop_back();
    return m;
  }

  // Clears the objects (of several combinations) none of whose
  // combinations holds every term in one of its texts.
  void keep_combinations(const std::vector<std::vector<bool>>& term_texts,
                         std::vector<uint64_t>& bits) const {
    for (size_t i = 0; i < multi.size(); ++i) {
      const uint32_t p = multi[i];
      uint64_t& word = bits[p / 64];
      const uint64_t bit = uint64_t{1} << (p % 64);
      if ((word & bit) == 0) continue;
      bool any = false;
      for (uint32_t c = multi_starts[i]; c < multi_starts[i + 1] && !any; c += paths) {
        any = std::all_of(term_texts.begin(), term_texts.end(), [&](const std::vector<bool>& in) {
          return std::any_of(combos.begin() + c,
                             combos.begin() + c + static_cast<std::ptrdiff_t>(paths),
                             [&](uint32_t code) { return code != kNoText && in[code]; });
        });
      }
      if (!any) word &= ~bit;
    }
  }

  // Calls fn(i) once for each text i that contains `term`. Search terms
  // hold no NUL (a search with one is a 400, as in DRF), so no hit spans
  // two texts; the empty term is in every text.
  template <typename Fn>
  void for_each_text_containing(const std::string& term, Fn fn) const {
    size_t from = 0;
    while (from < texts.size()) {
      const void* hit =
          ::memmem(texts.data() + from, texts.size() - from, term.data(), term.size());
      if (hit == nullptr) return;
      const auto at = static_cast<size_t>(static_cast<const char*>(hit) - texts.data());
      // The text the hit is in: the first that ends after it.
      const auto i = static_cast<size_t>(std::upper_bound(text_ends.begin(), text_ends.end(), at) -
                                         text_ends.begin());
      if (i == text_ends.size()) return;
      fn(i);
      from = text_ends[i] + 1;  // the next text: each counts once
    }
  }

  store::Page page(const store::ListQuery& q) const {
    store::Page page;
    const auto offset = static_cast<size_t>(std::max<int64_t>(0, q.offset));
    const auto limit = static_cast<size_t>(std::max<int64_t>(0, q.limit));
    if (q.search_terms.empty()) {
      page.count = static_cast<int64_t>(size());
      for (size_t p = offset; p < size() && p - offset < limit; ++p) page.ids.push_back(id(p));
      return page;
    }
    const auto matches = search(q.search_terms);
    page.count = matches->count;
    if (static_cast<int64_t>(offset) >= matches->count) return page;
    // Skip whole words up to the offset, then take set bits in order.
    size_t skip = offset;
    size_t w = 0;
    for (; w < matches->bits.size(); ++w) {
      const auto n = static_cast<size_t>(std::popcount(matches->bits[w]));
      if (n > skip) break;
      skip -= n;
    }
    for (; w < matches->bits.size() && page.ids.size() < limit; ++w) {
      uint64_t bits = matches->bits[w];
      while (bits != 0 && page.ids.size() < limit) {
        const int b = std::countr_zero(bits);
        bits &= bits - 1;
        if (skip > 0) {
          --skip;
          continue;
        }
        page.ids.push_back(id(w * 64 + static_cast<size_t>(b)));
      }
    }
    return page;
  }
};

namespace {

// The row combinations of the objects with more than one, where a search
// path goes through a many-valued relation (Built::multi).
template <typename PositionOf, typename CodeOf>
void keep_row_combinations(store::Store& store, const store::ListQuery& shape,
                           const PositionOf& position_of, const CodeOf& code_of,
                           ListIndexes::Built& built) {
  const bool many =
      std::any_of(shape.search_paths.begin(), shape.search_paths.end(), [&](const std::string& p) {
        const auto resolved = model::resolve_path(*shape.kind, p);
        return resolved && resolved->many;
      });
  if (!many) return;
  built.paths = shape.search_paths.size();
  std::map<uint32_t, std::vector<uint32_t>> by_position;
  for (const auto& row : store.search_rows(*shape.kind, shape.search_paths)) {
    const auto position = position_of(row.at(0));
    if (!position) continue;
    auto& codes = by_position[*position];
    for (size_t k = 1; k <= built.paths; ++k) codes.push_back(code_of(row.at(k)));
  }
  built.multi_starts.push_back(0);
  for (const auto& [position, codes] : by_position) {
    if (codes.size() <= built.paths) continue;
    built.multi.push_back(position);
    built.combos.insert(built.combos.end(), codes.begin(), codes.end());
    built.multi_starts.push_back(static_cast<uint32_t>(built.combos.size()));
  }
}

// Reads one shape from one snapshot of `store`.
std::shared_ptr<ListIndexes::Built> build(store::Store& store, const store::ListQuery& shape) {
  const store::ReadSnapshot snapshot(store);
  if (snapshot.error())
    throw store::StoreError(store::StoreError::Cause::Failed, *snapshot.error());
  auto built = std::make_shared<ListIndexes::Built>();
  built->generation = store.data_version();
  std::set<std::string> kinds;
  kinds_on_path(*shape.kind, "id", kinds);
  for (const auto& k : shape.order) kinds_on_path(*shape.kind, k.path, kinds);
  for (const auto& p : shape.search_paths) kinds_on_path(*shape.kind, p, kinds);
  std::unordered_map<std::string, uint64_t> now;
  for (auto& [kind, generation] : store.kind_generations())
    now.emplace(std::move(kind), generation);
  for (const auto& k : kinds) {
    const auto it = now.find(k);
    built->kinds.emplace_back(k, it == now.end() ? 0 : it->second);
  }

  store::ListQuery all;
  all.kind = shape.kind;
  all.order = shape.order;
  all.limit = std::numeric_limits<int64_t>::max();
  all.count = false;
  const store::Page ordered = store.list(all);
  if (ordered.ids.size() >= std::numeric_limits<uint32_t>::max())
    throw store::StoreError(store::StoreError::Cause::Failed, "too many objects to index");
  std::unordered_map<int64_t, uint32_t> int_position;
  std::unordered_map<std::string, uint32_t> text_position;
  for (size_t p = 0; p < ordered.ids.size(); ++p) {
    const auto position = static_cast<uint32_t>(p);
    if (const auto* i = std::get_if<int64_t>(&ordered.ids[p])) {
      built->int_ids.push_back(*i);
      int_position.emplace(*i, position);
    } else if (const auto* s = std::get_if<std::string>(&ordered.ids[p])) {
      built->text_ids.push_back(*s);
      text_position.emplace(*s, position);
    }
  }
  if (!built->int_ids.empty() && !built->text_ids.empty())
    throw store::StoreError(store::StoreError::Cause::Failed, "ids of two types");
  const auto position_of = [&](const Value& id) -> std::optional<uint32_t> {
    if (const auto* i = std::get_if<int64_t>(&id)) {
      if (const auto it = int_position.find(*i); it != int_position.end()) return it->second;
    } else if (const auto* s = std::get_if<std::string>(&id)) {
      if (const auto it = text_position.find(*s); it != text_position.end()) return it->second;
    }
    return std::nullopt;
  };

  // (text code << 32 | position) for every value of every search path.
  std::unordered_map<std::string, uint32_t> codes;
  // A value's text code; kNoText for NULL or a value not searched as text.
  const auto code_of = [&](const Value& value) -> uint32_t {
    std::string text;
    if (const auto* s = std::get_if<std::string>(&value)) {
      text = *s;
    } else if (const auto* i = std::get_if<int64_t>(&value)) {
      text = std::to_string(*i);  // as CAST(x AS TEXT) and SQLite's text of an integer
    } else {
      if (!std::holds_alternative<std::monostate>(value))
        built->searchable = false;  // a float's text differs between the backends
      return ListIndexes::Built::kNoText;
    }
    return codes.emplace(text::unicode_upper(text), codes.size()).first->second;
  };
  std::vector<uint64_t> postings;
  for (const auto& path : shape.search_paths) {
    for (const auto& [id, value] : store.path_values(*shape.kind, path)) {
      const auto position = position_of(id);
      if (!position) continue;
      const uint32_t code = code_of(value);
      if (code != ListIndexes::Built::kNoText) postings.push_back(uint64_t{code} << 32 | *position);
    }
  }
  keep_row_combinations(store, shape, position_of, code_of, *built);
  std::sort(postings.begin(), postings.end());
  postings.erase(std::unique(postings.begin(), postings.end()), postings.end());
  {
    std::vector<const std::string*> by_code(codes.size());
    for (const auto& [text, code] : codes) by_code[code] = &text;
    size_t total = 0;
    for (const auto* t : by_code) total += t->size() + 1;
    built->texts.reserve(total);
    built->text_ends.reserve(by_code.size());
    for (const auto* t : by_code) {
      built->texts += *t;
      built->text_ends.push_back(built->texts.size());
      built->texts += '\0';
    }
  }
  built->starts.assign(codes.size() + 1, 0);
  built->positions.reserve(postings.size());
  for (const uint64_t p : postings) {
    ++built->starts[(p >> 32) + 1];
    built->positions.push_back(static_cast<uint32_t>(p));
  }
  for (size_t i = 1; i < built->starts.size(); ++i) built->starts[i] += built->starts[i - 1];

  built->bytes =
      built->int_ids.size() * sizeof(int64_t) + built->positions.size() * sizeof(uint32_t) +
      built->starts.size() * sizeof(uint32_t) + kCachedSearches * (built->size() / 8 + 64);
  // The string objects themselves plus their heap buffers.
  for (const auto& s : built->text_ids)
    built->bytes += sizeof s + s.capacity();  // NOLINT(bugprone-sizeof-container)
  built->bytes += built->texts.capacity() + built->text_ends.size() * sizeof(size_t);
  built->bytes +=
      (built->multi.size() + built->multi_starts.size() + built->combos.size()) * sizeof(uint32_t);
  return built;
}

}  // namespace

ListIndexes::ListIndexes(StoreOpener open_store, ListIndexOptions options)
    : open_store_(std::move(open_store)), options_(options) {
  if (options_.max_bytes > 0) builder_ = std::thread([this] { run(); });
}

ListIndexes::~ListIndexes() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (builder_.joinable()) builder_.join();
}

std::optional<ListIndexes::Shape> ListIndexes::shape_of(const store::ListQuery& q) {
  if (q.kind == nullptr || q.where.kind != model::Predicate::Kind::All || !q.count)
    return std::nullopt;
  Shape s;
  s.key =
      fmt::format("{}|{}|{}", q.kind->name, order_text(q.order), fmt::join(q.search_paths, ","));
  s.query.kind = q.kind;
  s.query.order = q.order;
  s.query.search_paths = q.search_paths;
  return s;
}

std::optional<store::Page> ListIndexes::page(const store::ListQuery& q, uint64_t generation,
                                             const std::function<const KindGenerations&()>& kinds) {
  if (options_.max_bytes == 0) return std::nullopt;
  auto shape = shape_of(q);
  if (!shape) return std::nullopt;
  std::shared_ptr<const Built> built;
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = by_key_.find(shape->key); it != by_key_.end()) {
      built_.splice(built_.begin(), built_, it->second);
      built = it->second->second;
    }
  }
  const auto unchanged = [&] {
    const KindGenerations& now = kinds();
    return std::all_of(built->kinds.begin(), built->kinds.end(), [&](const auto& k) {
      const auto it = now.find(k.first);
      return (it == now.end() ? 0 : it->second) == k.second;
    });
  };
  if (built &&
      (built->generation == generation || (built->generation < generation && unchanged()))) {
    if (!q.search_terms.empty() && !built->searchable) return std::nullopt;
    answered_.fetch_add(1, std::memory_order_relaxed);
    return built->page(q);
  }
  // None yet, or one of an older generation: build one of this (or a newer)
  // generation. A request reading an older snapshot than the index asks the
  // store.
  if (!built || built->generation < generation) queue(std::move(*shape));
  return std::nullopt;
}

void ListIndexes::prepare(const store::ListQuery& q) {
  if (options_.max_bytes == 0) return;
  if (auto shape = shape_of(q)) queue(std::move(*shape));
}

void ListIndexes::queue(Shape shape) {
  {
    const std::lock_guard lock(mutex_);
    if (!wanted_.insert(shape.key).second) return;  // queued or being built
    queued_.push_back(std::move(shape));
  }
  wake_.notify_one();
}

void ListIndexes::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queued_.empty() && !building_; });
}

void ListIndexes::run() {
  std::unique_ptr<store::Store> store;
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || !queued_.empty(); });
    if (stop_) return;
    Shape shape = std::move(queued_.front());
    queued_.pop_front();
    building_ = true;
    if (!batch_started_) batch_started_ = std::chrono::steady_clock::now();
    lock.unlock();
    std::shared_ptr<const Built> built;
    try {
      if (!store) store = open_store_();
      built = build(*store, shape.query);
    } catch (const std::exception& e) {
      // A database that cannot be opened or read now: the store keeps
      // answering the requests (and reporting why), the next one asks again.
      std::fprintf(stderr, "ll2d: could not build the list index %s: %s\n", shape.key.c_str(),
                   e.what());
      store.reset();
    }
    lock.lock();
    wanted_.erase(shape.key);
    if (built) {
      ++batch_built_;
      if (const auto it = by_key_.find(shape.key); it != by_key_.end()) {
        bytes_ -= it->second->second->bytes;
        built_.erase(it->second);
        by_key_.erase(it);
      }
      bytes_ += built->bytes;
      built_.emplace_front(shape.key, std::move(built));
      by_key_[shape.key] = built_.begin();
      evict_over_budget();
    }
    building_ = false;
    if (queued_.empty()) {
      if (options_.log && batch_built_ > 0) {
        std::fprintf(stderr, "ll2d: list indexes built: %zu in %lld ms (%zu held, %zu MiB)\n",
                     batch_built_,
                     static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - *batch_started_)
                                                .count()),
                     built_.size(), bytes_ >> 20);
      }
      batch_built_ = 0;
      batch_started_.reset();
      idle_.notify_all();
    }
  }
}

void ListIndexes::evict_over_budget() {
  while (bytes_ > options_.max_bytes && built_.size() > 1) {
    bytes_ -= built_.back().second->bytes;
    by_key_.erase(built_.back().first);
    built_.pop_back();
  }
}

std::optional<int64_t> ListIndexes::cached_count(const std::string& key, uint64_t generation) {
  const std::lock_guard lock(mutex_);
  if (generation != count_generation_) return std::nullopt;
  if (const auto it = counts_.find(key); it != counts_.end()) return it->second;
  return std::nullopt;
}

void ListIndexes::store_count(const std::string& key, uint64_t generation, int64_t count) {
  const std::lock_guard lock(mutex_);
  if (generation < count_generation_) return;  // a request of an older snapshot
  if (generation > count_generation_ || counts_.size() >= options_.max_counts) {
    counts_.clear();
    count_generation_ = generation;
  }
  counts_.emplace(key, count);
}

}  // namespace ll2::api
