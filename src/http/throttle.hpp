// Throttling as LL2 does it (Django REST Framework's SimpleRateThrottle and
// TokenAuthentication): anonymous clients by IP at one rate, API keys
// (`Authorization: Token KEY`) each at its own. One self-contained,
// thread-safe component that the server asks once per request, before
// anything (a worker, a cache) answers it; see docs/cli.md "Throttling and API
// keys".
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "api/engine.hpp"
#include "store/store.hpp"

namespace ll2::http {

// `requests` per `seconds`: DRF's "N/s|m|h|d" (only the period's first letter
// counts, so "15/hour" and "15/h" are alike) and, for short windows, a
// multiple of the unit: "5/10s", "100/15m".
struct Rate {
  int64_t requests = 0;
  int64_t seconds = 0;
  friend bool operator==(const Rate&, const Rate&) = default;
};
std::variant<Rate, std::string> parse_rate(std::string_view text);

// What the throttle needs of a connection besides the request itself.
struct ClientInfo {
  std::string_view peer;           // the socket's remote address (canonical_ip)
  std::string_view authorization;  // the Authorization header ("" if absent)
  // The trusted client-IP header ("" if absent), its lines joined with ", "
  // when it is repeated (RFC 9110 5.3), as WSGI joins them.
  std::string_view forwarded;
};

// The address a request counts against: with `client_ip_header` (a trusted
// proxy's header) the last entry of `client.forwarded` when it is an IP
// address, else the socket's. The throttle keys anonymous clients by it and
// the access log writes it.
std::string client_address(const ClientInfo& client, std::string_view client_ip_header);

// An IP address (v4 or v6) in its canonical text, an IPv4-mapped IPv6 one as
// IPv4; nothing when `text` is not an address.
std::optional<std::string> canonical_ip(std::string_view text);

// The key behind the SHA-256 of `Authorization: Token KEY`, as the throttle
// keeps it (revoked keys are left out).
struct KeyGrant {
  std::string prefix;
  std::optional<Rate> rate;  // its own, else the default key rate
};

struct ThrottleOptions {
  std::optional<Rate> anon_rate;  // none: anonymous clients are not limited
  std::optional<Rate> key_rate;   // none: keys without their own rate are not limited
  // A header a trusted proxy sets to the client's address (X-Forwarded-For,
  // X-Real-IP); its last comma-separated entry is taken, since that is the
  // one the proxy itself appended, when it is an IP address. Otherwise, or
  // when empty, the socket's address counts.
  std::string client_ip_header;
  // Anonymous clients remembered at once; past it, expired histories are
  // swept and then the least recently seen client is forgotten.
  size_t max_clients = 100000;
  // How often the key table is read again (revocations, new keys).
  std::chrono::milliseconds key_refresh{1000};
};

// The lower-case hex SHA-256 of `text` (OpenSSL's libcrypto).
std::string sha256_hex(std::string_view text);

class Throttle {
 public:
  // Reads the keys (active and revoked); throws or returns what it can.
  using KeyLoader = std::function<std::vector<store::ApiKey>()>;

  // Reads the keys once now (an error is returned, not thrown, and nothing
  // starts), then again every key_refresh on a thread of its own.
  static std::variant<std::unique_ptr<Throttle>, std::string> start(ThrottleOptions options,
                                                                    KeyLoader loader);
  ~Throttle();
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  const ThrottleOptions& options() const { return options_; }

  // The hook: nullopt lets the request through (counted when it counts);
  // otherwise the answer: 429 over the limit, 401 for a bad key, or the
  // figures of /2.3.0/api-throttle/. Rendered by the engine like its own
  // DRF errors. Safe from any thread; never touches the database.
  std::optional<api::Response> admit(const api::Engine& engine, const api::Request& request,
                                     const ClientInfo& client);

 private:
  // A client's recent requests: at most `rate.requests` timestamps, oldest
  // first, in a ring that grows as needed.
  struct History {
    std::vector<int64_t> ring;  // microseconds on the steady clock
    size_t head = 0;            // the oldest
    size_t size = 0;
    int64_t last = 0;                      // the newest, for the sweep
    std::list<std::string>::iterator lru;  // anonymous clients only
  };
  struct Table {  // one set of histories under one lock
    std::mutex mutex;
    std::unordered_map<std::string, History> histories;
    std::list<std::string> lru;  // most recently seen first
  };
  struct Outcome {
    bool allowed = true;
    int64_t use = 0;       // requests in the window (before this one)
    double wait_secs = 0;  // DRF's wait() when not allowed
  };

  Throttle(ThrottleOptions options, KeyLoader loader);
  std::optional<api::Response> decide(const api::Engine& engine, const api::Request& request,
                                      const ClientInfo& client);
  std::optional<std::string> reload();
  void refresh_loop();
  Outcome check(Table& table, const std::string& ident, const Rate& rate, bool record,
                bool capped) const;
  std::string client_ip(const ClientInfo& client) const;

  ThrottleOptions options_;
  KeyLoader loader_;
  std::mutex keys_mutex_;
  std::shared_ptr<const std::unordered_map<std::string, KeyGrant>> keys_;  // by hash
  std::string last_error_;  // of the refresh thread, to report each failure once

  Table anon_;   // by IP, capped
  Table keyed_;  // by key prefix, bounded by the key table

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace ll2::http
