#include "http/response_cache.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>

#include "util/text.hpp"

namespace ll2::http {

bool accepts_gzip(std::string_view accept_encoding) {
  for (const std::string_view item : text::split_stripped(accept_encoding, ',')) {
    const size_t semi = item.find(';');
    std::string coding(text::python_strip(item.substr(0, semi)));
    std::transform(coding.begin(), coding.end(), coding.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (coding != "gzip") continue;
    if (semi == std::string_view::npos) return true;
    // `q=0` (or 0.0...) refuses it; any other weight accepts it.
    std::string_view param = text::python_strip(item.substr(semi + 1));
    if (!(param.starts_with("q=") || param.starts_with("Q="))) return true;
    param.remove_prefix(2);
    return std::strtod(std::string(param).c_str(), nullptr) > 0;
  }
  return false;
}

std::optional<std::string> gzip(std::string_view body) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&z, body.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

namespace {

void add_vary(api::Response& r, std::string_view header) {
  for (auto& [name, value] : r.headers) {
    if (name == "Vary") {
      value += ", ";
      value += header;
      return;
    }
  }
  r.headers.emplace_back("Vary", std::string(header));
}

std::string* find_header(api::Response& r, std::string_view name) {
  for (auto& [n, v] : r.headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

// The headers of a 200 whose body is now gzip.
void mark_compressed(api::Response& r) {
  r.headers.emplace_back("Content-Encoding", "gzip");
  add_vary(r, "Accept-Encoding");
  if (std::string* etag = find_header(r, "ETag"); etag != nullptr && !etag->starts_with("W/"))
    *etag = "W/" + *etag;
}

}  // namespace

void compress_for_client(api::Response& r) {
  if (r.status != 200 || r.body.size() < kGzipMinBytes) return;
  auto made = gzip(r.body);
  if (!made) return;
  r.body = std::move(*made);
  mark_compressed(r);
}

std::string ResponseCache::key(const api::Request& r) {
  std::string k;
  // The method too: the browsable page of a HEAD names HEAD.
  for (const std::string_view part : {r.method, r.target, r.host, r.accept, r.origin}) {
    k += part;
    k += '\n';
  }
  return k;
}

size_t ResponseCache::bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

Answer ResponseCache::answer(const std::string& key, Entry& entry, const api::Request& request,
                             bool gzip_ok) {
  Answer out{entry.response, entry.body};  // the headers copied, the body shared
  out.response.omit_body = request.method == "HEAD";
  if (gzip_ok && entry.body->size() >= kGzipMinBytes) {
    std::shared_ptr<const std::string> z;
    {
      const std::lock_guard lock(mutex_);
      z = entry.gzipped;
    }
    if (!z) {
      // Compressed once, outside the lock; two threads racing both compress
      // the same bytes, and one copy is kept.
      if (auto made = gzip(*entry.body)) {
        z = std::make_shared<const std::string>(std::move(*made));
        const std::lock_guard lock(mutex_);
        if (!entry.gzipped) {
          entry.gzipped = z;
          entry.bytes += z->size();
          // Counted only while the entry is still cached.
          if (const auto it = index_.find(key);
              it != index_.end() && it->second->second.get() == &entry) {
            bytes_ += z->size();
            evict();
          }
        }
      }
    }
    if (z) {
      mark_compressed(out.response);
      out.body = std::move(z);
    }
  }
  // As the engine answers a GET whose If-None-Match names the bytes.
  if (!request.if_none_match.empty()) {
    const std::string* etag = find_header(out.response, "ETag");
    if (etag != nullptr && api::etag_matches(request.if_none_match, *etag)) {
      out.response.status = 304;
      out.body = nullptr;
      out.response.content_type.clear();
    }
  }
  return out;
}

std::optional<Answer> ResponseCache::lookup(const std::string& key, uint64_t generation,
                                            int64_t now, const api::Request& request,
                                            bool gzip_ok) {
  return find(key, generation, nullptr, now, request, gzip_ok);
}

std::optional<Answer> ResponseCache::revalidate(const std::string& key, uint64_t generation,
                                                const api::KindGenerations& kinds, int64_t now,
                                                const api::Request& request, bool gzip_ok) {
  return find(key, generation, &kinds, now, request, gzip_ok);
}

bool ResponseCache::holds(const std::string& key) const {
  const std::lock_guard lock(mutex_);
  return index_.contains(key);
}

std::optional<Answer> ResponseCache::find(const std::string& key, uint64_t generation,
                                          const api::KindGenerations* kinds, int64_t now,
                                          const api::Request& request, bool gzip_ok) {
  std::shared_ptr<Entry> entry;
  {
    const std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    Entry& e = *it->second->second;
    if (e.response.expires != 0 && now >= e.response.expires) {  // the time moved past it
      bytes_ -= e.bytes;
      lru_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    if (e.generation != generation) {
      // Rendered after this reading, or before it and not to be checked.
      if (e.generation > generation || kinds == nullptr) return std::nullopt;
      if (!e.response.reads || !api::unchanged_since(*e.response.reads, e.generation, *kinds))
        return std::nullopt;
      e.generation = generation;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    entry = it->second->second;
  }
  return answer(key, *entry, request, gzip_ok);
}

Answer ResponseCache::insert(const std::string& key, api::Response response,
                             const api::Request& request, bool gzip_ok) {
  auto entry = std::make_shared<Entry>();
  entry->generation = response.generation.value_or(0);
  response.omit_body = false;
  entry->bytes = key.size() + response.body.size() + 256;
  entry->body = std::make_shared<const std::string>(std::move(response.body));
  response.body.clear();
  entry->response = std::move(response);
  if (entry->bytes <= max_bytes_) {
    const std::lock_guard lock(mutex_);
    if (const auto it = index_.find(key); it != index_.end()) {
      bytes_ -= it->second->second->bytes;
      lru_.erase(it->second);
      index_.erase(it);
    }
    lru_.emplace_front(key, entry);
    index_[key] = lru_.begin();
    bytes_ += entry->bytes;
    evict();
  }
  return answer(key, *entry, request, gzip_ok);
}

void ResponseCache::evict() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    bytes_ -= lru_.back().second->bytes;
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

}  // namespace ll2::http
