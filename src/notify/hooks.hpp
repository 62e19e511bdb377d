// Webhooks: each hook is a URL and a selection of the change log (the
// parameters /ll2d/changes/ takes: types, kinds, launch filters). Entries
// it selects become deliveries (table ll2d_delivery), POSTed in order, one
// at a time per hook, each signed with HMAC-SHA256 when the hook has a
// secret; a failure is retried with doubling waits, and after the last
// attempt the delivery is dead (listed, never retried). Only the holder of
// the feed's lease delivers (notify/worker.hpp); each hook's POSTs run on a
// thread of its own, so a slow or dead receiver holds up nobody else.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "store/store.hpp"

namespace ll2::notify {

struct Hook {
  int64_t id = 0;
  std::string url;
  std::string query;  // the selection: types=...&lsp__id=...
  std::string secret;
  int64_t created = 0;  // microseconds
  int64_t cursor = 0;   // entries up to this sequence number are planned
};

struct Delivery {
  int64_t hook = 0;
  int64_t seq = 0;
  std::string state;  // pending, delivered, dead
  int64_t attempts = 0;
  int64_t next_at = 0;  // when a pending one is tried next (microseconds)
  int64_t status = 0;   // the receiver's last HTTP status (0: none)
  std::string error;    // the last failure
};

// `ll2d hooks`: a hook receives what is logged after it was added.
// `query` is checked as /ll2d/changes/ checks its parameters.
std::variant<Hook, std::string> add_hook(store::Store& store, const std::string& url,
                                         const std::string& query, const std::string& secret,
                                         int64_t now);
std::variant<std::vector<Hook>, std::string> list_hooks(store::Store& store);
std::variant<bool, std::string> remove_hook(store::Store& store, int64_t id);
// Deliveries, newest first; `hook` 0: every hook's; `state` empty: any.
std::variant<std::vector<Delivery>, std::string> list_deliveries(store::Store& store, int64_t hook,
                                                                 const std::string& state,
                                                                 int64_t limit);

// The signature header's value: "sha256=" and the hex HMAC-SHA256 of the body.
std::string signature(const std::string& secret, const std::string& body);

// What a POST came to: the HTTP status (0 when none came) and why it failed.
struct PostResult {
  long status = 0;
  std::string error;
};
using Poster = std::function<PostResult(const std::string& url, const std::string& body,
                                        const std::vector<std::string>& headers)>;
// POST with libcurl: http and https only, no redirect followed, `timeout`.
Poster curl_poster(std::chrono::milliseconds timeout);

struct DelivererOptions {
  int max_attempts = 12;
  int64_t first_retry = 10'000'000;   // microseconds; doubles, up to max_retry
  int64_t max_retry = 3'600'000'000;  // an hour
  std::string base;                   // scheme://host for the entries' urls (empty: paths)
  Poster post;                        // default: curl_poster(10 s)
};

class Deliverer {
 public:
  explicit Deliverer(DelivererOptions options);
  ~Deliverer();  // leaves the POSTs in flight to end on their own
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  // One round at `now`: records the POSTs that finished, plans the entries
  // each hook selects after its cursor, and starts the next due delivery of
  // every hook that has none in flight.
  std::optional<std::string> round(store::Store& store, int64_t now);
  // Whether a round has anything to do: a hook, or a POST in flight.
  bool has_work(store::Store& store);

 private:
  struct Flight;
  std::optional<std::string> record(store::Store& store, int64_t now);
  static std::optional<std::string> plan(store::Store& store, const Hook& hook, int64_t now);
  std::optional<std::string> start_next(store::Store& store, const Hook& hook, int64_t now);

  DelivererOptions options_;
  std::map<int64_t, std::shared_ptr<Flight>> flights_;  // by hook: its POST in flight
};

}  // namespace ll2::notify
