// Turns stored rows into LL2 JSON by walking a View declaration. Nested
// objects are read through a per-thread cache of rows, so an agency that
// appears ten times in a page is loaded once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/compose.hpp"
#include "api/declarations.hpp"
#include "api/fragment_cache.hpp"
#include "api/reads.hpp"
#include "json/writer.hpp"
#include "store/store.hpp"

namespace ll2::api {

// Rows and relation id lists read from a store, dropped whenever the store's
// data version changes (another process committed an import) or the cache
// outgrows its bound. Entries are shared with their readers: an eviction in
// the middle of rendering a page drops the cache's reference, never the row
// a caller is still reading.
class RowCache {
 public:
  static constexpr size_t kDefaultMaxEntries = 200'000;  // rows and id lists

  // `fragments`: rendered objects, shared with the other threads' caches;
  // null: none kept.
  explicit RowCache(store::Store& store, size_t max_entries = kDefaultMaxEntries,
                    std::shared_ptr<FragmentCache> fragments = nullptr)
      : store_(store),
        max_entries_(max_entries == 0 ? kDefaultMaxEntries : max_entries),
        fragments_(std::move(fragments)) {}

  using RowPtr = std::shared_ptr<const Row>;
  using IdsPtr = std::shared_ptr<const std::vector<Value>>;
  using RowsPtr = std::shared_ptr<const std::vector<Row>>;

  // Call once per request: drops everything if the database changed.
  void refresh();
  // The generation the cache holds (store::Store::data_version).
  uint64_t version() const { return version_; }
  // Each kind's generation in this generation (read once per generation).
  using KindGenerations = api::KindGenerations;
  const KindGenerations& kind_generations();
  // Null when there is no such object.
  RowPtr load(const Kind& kind, const Value& id);
  IdsPtr related_ids(const Kind& owner_kind, const Field& field, const Value& owner);
  // Loads in batches what rendering `ids` with `view` will read — the rows,
  // and through every nested view their related ids and rows — so a page
  // costs a query per kind or relation and level instead of one per object,
  // and the queries of one level are sent together (Store::read_each).
  void prefetch(const View& view, const std::vector<Value>& ids);
  // The id-less rows of a relation (mission info_urls), in order.
  RowsPtr owned_rows(const Field& field, const Value& owner);
  store::Store& store() { return store_; }
  // Serialized objects by (view, id, URL context), as FragmentCache keeps
  // them, checked against this cache's generation. Null: none held.
  FragmentCache::Json fragment(const std::string& key);
  void store_fragment(const std::string& key, const View& view, std::string json);

  static std::string key(const void* decl, const Value& id);

 private:
  // One level of a prefetch: the objects each view prints at that depth.
  using Level = std::unordered_map<const View*, std::vector<Value>>;
  struct LevelReads;

  void limit_size();
  // Reads what `level` lacks (rows, and its objects' relations) at once;
  // returns the next level.
  Level prefetch_level(const Level& level);
  // Puts what one read answered into the cache and `read`.
  void keep(const store::BatchRead& asked, store::BatchAnswer& answer, LevelReads& read);
  // Adds the objects `row`'s nested views print to `next` (id-less rows
  // owned by it are followed at once: they were read with it).
  void follow(const View& view, const Row& row, const LevelReads& read, Level& next,
              std::unordered_set<std::string>& queued);

  store::Store& store_;
  size_t max_entries_;
  uint64_t version_ = 0;
  bool have_version_ = false;
  std::optional<KindGenerations> kind_generations_;
  std::unordered_map<std::string, RowPtr> rows_;  // null: known to be absent
  std::unordered_map<std::string, IdsPtr> related_;
  std::unordered_map<std::string, RowsPtr> owned_;
  std::shared_ptr<FragmentCache> fragments_;
};

// How absolute URLs in bodies are built: base ("https://host"), a format
// suffix from the request path (".json": /agencies/17.json), and the query a
// request's `format` parameter adds ("?format=json").
struct UrlContext {
  std::string base;           // scheme://host
  std::string format_suffix;  // .json
  std::string query;          // ?format=json
  std::string prefix;         // the API version's: /2.3.0/
};

class Serializer final : public model::FieldOutput {
 public:
  Serializer(RowCache& cache, const UrlContext& urls) : cache_(cache), urls_(urls) {}
  void write(json::Writer& out, const View& view, const Row& row);
  // The same, through the cache of serialized objects (FragmentCache): a
  // top-level result is rendered once per host and format, until a kind its
  // view reads changes.
  void write_cached(json::Writer& out, const View& view, const Row& row);
  // The object `id` as write_cached would write it, if it is kept; null if
  // it must be rendered (from its row).
  FragmentCache::Json cached(const View& view, const Value& id);
  // Renders the object and keeps it, after cached() found nothing.
  void write_and_keep(json::Writer& out, const View& view, const Row& row);
  // An object composed at request time (not a fragment: it depends on the
  // time); the objects it lists go through the caches as any others.
  void write_composed(json::Writer& out, const View& view, const ComposedObject& object);

  // model::FieldOutput: what the view field types print through.
  json::Writer& json() override;
  void column(const Field& field, const Value& value) override;
  void url(std::string_view segment, const Value& id) override;
  void object(const View& view, const Row& row) override;
  RowCache::RowPtr load(const Kind& kind, const Value& id) override;
  RowCache::IdsPtr related_ids(const Kind& owner_kind, const Field& field,
                               const Value& owner) override;
  RowCache::RowsPtr owned_rows(const Field& field, const Value& owner) override;

 private:
  static void write_column(json::Writer& out, const Field& field, const Value& v);
  std::string fragment_key(const View& view, const Value& id) const;
  void render_and_keep(json::Writer& out, const View& view, const Row& row, const std::string& key);
  RowCache& cache_;
  const UrlContext& urls_;
  json::Writer* out_ = nullptr;  // the writer of the object being printed
};

}  // namespace ll2::api
