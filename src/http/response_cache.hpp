// Whole responses, shared by every thread and answered on the I/O threads:
// a request whose answer was rendered before, from the database generation
// that is still current, costs a lookup instead of a trip through a database
// thread. The entity tag and the gzip copy of a body are computed once.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/engine.hpp"

namespace ll2::http {

// Bodies at least this long are sent gzip-compressed to clients that accept
// it (smaller ones gain less than the header costs).
constexpr size_t kGzipMinBytes = 1024;

// Whether an Accept-Encoding header accepts gzip (a `gzip` coding whose q is
// not 0).
bool accepts_gzip(std::string_view accept_encoding);
// gzip of `body`, or nullopt if zlib failed.
std::optional<std::string> gzip(std::string_view body);
// A 200 response as sent to a client that accepts gzip: compressed, with
// Content-Encoding, `Accept-Encoding` added to Vary, and a weak entity tag (a
// different representation of the same bytes). Small bodies stay as they are.
void compress_for_client(api::Response& response);

// A response whose body may be shared with the cache instead of copied, so a
// client that is slow to take a cached body holds no copy of its own.
struct Answer {
  api::Response response;                   // its body is empty when `body` is set
  std::shared_ptr<const std::string> body;  // null: response.body
};

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // What a cached answer depends on besides the generation.
  static std::string key(const api::Request& request);

  // The answer to `request` if one rendered at `generation` is cached and
  // has not expired by `now` (api::Response::expires): its 200, or a 304
  // when If-None-Match names its entity tag; compressed when the client
  // accepts gzip.
  std::optional<Answer> lookup(const std::string& key, uint64_t generation, int64_t now,
                               const api::Request& request, bool gzip_ok);
  // The answer to `request` if one rendered at an older generation is
  // cached and none of what it read has changed since (`kinds`: each kind's
  // generation at `generation`, the one now): it is current again (later
  // lookups find it), and answered as `lookup` would.
  std::optional<Answer> revalidate(const std::string& key, uint64_t generation,
                                   const api::KindGenerations& kinds, int64_t now,
                                   const api::Request& request, bool gzip_ok);
  // Whether an answer to this key is cached, of whatever generation.
  bool holds(const std::string& key) const;
  // Keeps a 200 the engine rendered at `response.generation` and returns it
  // as `lookup` would have.
  Answer insert(const std::string& key, api::Response response, const api::Request& request,
                bool gzip_ok);

  size_t bytes() const;

 private:
  struct Entry {
    uint64_t generation = 0;  // where it is known current (rendered, or revalidated)
    api::Response response;   // the 200, with its ETag and what it read; no body
    std::shared_ptr<const std::string> body;
    std::shared_ptr<const std::string> gzipped;  // computed at the first client that wants it
    size_t bytes = 0;
  };
  using Lru = std::list<std::pair<std::string, std::shared_ptr<Entry>>>;
  Answer answer(const std::string& key, Entry& entry, const api::Request& request, bool gzip_ok);
  // lookup (kinds null: only an answer of `generation`) and revalidate.
  std::optional<Answer> find(const std::string& key, uint64_t generation,
                             const api::KindGenerations* kinds, int64_t now,
                             const api::Request& request, bool gzip_ok);
  void evict();  // with mutex_ held

  size_t max_bytes_;
  mutable std::mutex mutex_;
  Lru lru_;  // most recently used first
  std::unordered_map<std::string, Lru::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace ll2::http
