// `ll2d sync`: mirrors a live LL2 into a database, one call at a time and
// inside a call budget. What it has done lives in the database (table
// ll2d_sync), next to the data, and every page is written in the same
// transaction as the cursor that says so: a kill at any moment loses at most
// the call in flight, and the next run goes on from there.
//
// Tasks, most urgent first:
//   1. refreshes, every `refresh_every` (one in progress first): the upcoming
//      lists re-read, and the endpoints with `last_updated__gte` asked for
//      what changed since the newest `last_updated` seen;
//   2. a walk in progress (its next page);
//   3. the initial load: a full walk of every endpoint never walked, in the
//      plan's order (upcoming launches and events first);
//   4. full re-walks, every `rewalk_every`: what a walk did not see of an
//      endpoint that lists all its objects is deleted (when the walk was
//      consistent: the same count at its first and last page, and as many
//      objects seen), each only once its detail answers 404 (pages shift
//      under a walk, so an unseen id may still be upstream).
//
// A page that comes but cannot be taken (not JSON, nested too deep, too
// large, rejected by the importer) is asked for again after a back-off; after
// kMaxTries its task is given up until the next refresh is due. With `once`,
// kMaxTries failed calls in a row (5xx, timeouts, 429) end the run.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/schema.hpp"
#include "store/store.hpp"
#include "sync/budget.hpp"
#include "sync/client.hpp"

namespace ll2::sync {

// One endpoint the mirror reads: a route (launches, launches/upcoming,
// config/orbits) of a resource.
struct Endpoint {
  std::string route;  // its name in every version (the state is saved under it)
  const model::Resource* resource = nullptr;
  bool lists_all = false;    // every object of its kind (not an action): deletions are detected
  bool incremental = false;  // has last_updated__gte and ordering=last_updated
  bool upcoming = false;     // re-read on every refresh
  bool order_by_id = false;  // ordering=id keeps a walk's pages stable
  // How the upstream's version asks for it: the path below the version's
  // prefix and what every page's query adds (2.3.0: launches/upcoming and
  // &mode=detailed; 2.4.0: launches/detailed and &upcoming_with_recent=true),
  // and what a detail's query adds.
  std::string list_path;
  std::string list_query;
  std::string detail_query;
};

// The endpoints of `version` in the order a user wants them mirrored;
// `only` (routes) narrows it (launches also brings launches/upcoming).
// Unknown names are an error.
std::variant<std::vector<Endpoint>, std::string> plan(const model::Registry& version,
                                                      const std::vector<std::string>& only);

// Where --upstream points: a site, whose API is read in the first version
// (https://ll.thespacedevs.com), or a site and a version's prefix
// (https://ll.thespacedevs.com/2.3.0, https://host/api/ll/2.4.0/).
struct Upstream {
  std::string site;  // without a trailing slash
  const model::Registry* version = nullptr;
  std::string api() const;  // the site and the version's prefix: …/api/ll/2.4.0
};
Upstream upstream_of(const std::string& url, const model::Catalog& catalog);

struct SyncOptions {
  // https://ll.thespacedevs.com, or with a version's prefix (upstream_of)
  std::string upstream;
  Rate rate;
  std::vector<std::string> resources;
  bool once = false;  // do what is due, then return (no waiting for refreshes)
  Millis refresh_every = 3'600'000;
  Millis rewalk_every = 7 * 86'400'000LL;
  bool probe_throttle = true;   // read the throttle's report (never counted) to learn its use
  std::function<Millis()> now;  // default: the system clock
  std::function<bool(Millis)> sleep_until;      // false: stop asked for; default: interruptible
  std::function<void(const std::string&)> log;  // default: stderr with a time stamp
  std::atomic<bool>* stop = nullptr;            // set to end run() at the next step
};

inline constexpr int64_t kMaxTries = 5;

// What the mirror knows of one endpoint (saved as JSON under its route).
struct EndpointState {
  std::string task;  // in progress: "walk", "refresh", "upcoming"; empty: none
  int64_t offset = 0;
  int64_t first_count = -1;    // the walk's count at its first page
  int64_t last_count = -1;     // at its latest page
  int64_t seen = 0;            // objects the walk has read
  bool consistent = true;      // no page rejected, no count change
  bool sweep_pending = false;  // a full walk ended: delete what it did not see
  std::string since;           // the refresh in progress: last_updated__gte
  std::string watermark;       // the newest last_updated seen
  Millis walked_at = 0;        // end of the last complete full walk
  Millis refreshed_at = 0;     // end of the last refresh (or full walk)
  int64_t objects = 0;         // objects the last full walk saw
  int64_t deleted = 0;         // deleted after walks, in all
  int64_t rejected = 0;        // pages rejected, in all
  std::string error;           // the last problem, if any
  int64_t attempts = 0;        // failed tries of the page (or detail) in hand
  Millis failed_at = 0;        // a task given up then: none before the next refresh
  int64_t gone = 0;            // deleted by the sweep of the last walk
};

class Syncer {
 public:
  // `versions`: those upstream's objects can be of (the upstream's among them).
  Syncer(const model::Catalog& versions, store::Store& store, Client& client, SyncOptions options);
  // Runs until stopped (or, with `once`, until nothing is due). Returns 0,
  // or 1 when something failed (a rejected page, an endpoint in error).
  int run();
  // What is mirrored, how fresh, and the next planned call.
  std::string status();
  // Forgets every saved wait (Retry-After, back-off, tasks given up); the
  // calls made stay counted. An error message, or nothing.
  std::optional<std::string> reset_budget();

 private:
  struct Task {
    size_t endpoint = 0;
    std::string kind;  // walk, refresh, upcoming
    bool resume = false;
  };
  std::optional<std::string> load();
  std::optional<Task> next_task(Millis now) const;
  std::optional<Millis> next_due(Millis now) const;
  bool step(const Task& task);
  // A call inside the budget, and what its answer means for the budget (429,
  // 5xx, timeouts, a stop, a wrong key). The answer to go on with, or none:
  // the step is over, and `go_on` says whether the run goes on.
  std::optional<Response> call(const std::string& url, const std::string& route, bool& go_on);
  // A page (or detail) that came but could not be taken: tried again after a
  // back-off, given up after kMaxTries.
  bool retry(size_t i, const std::string& kind, EndpointState s, const std::string& problem);
  bool confirm(size_t i);
  // Writes the state (with the budget and the lease, and `batch`).
  bool write_state(size_t i, const EndpointState& s, store::WriteBatch batch,
                   const std::string& what);
  // An endpoint whose task was given up rests until the next refresh.
  bool resting(const EndpointState& s, Millis now) const;
  void probe();
  void log(const std::string& line) const;
  std::string url_for(const Task& task, const EndpointState& state) const;
  std::string eta(Millis now) const;
  bool save_budget();
  // One sync per database: a lease in ll2d_sync names the process that holds
  // it and when it last said so; another process waits until it is stale.
  std::optional<std::string> claim_lease();
  bool still_ours();
  std::string lease_text() const;
  void release_lease();
  // sleep_until in steps, renewing the lease between them.
  bool wait_until(Millis until);
  // The next id the last walk did not see, whose detail is to be asked for.
  std::optional<Value> next_unconfirmed(size_t i);
  // Every unseen id confirmed gone (and deleted): the sweep ends.
  bool finish_sweep(size_t i);

  const model::Catalog& versions_;
  store::Store& store_;
  Client& client_;
  SyncOptions options_;
  std::vector<Endpoint> endpoints_;
  std::vector<EndpointState> states_;
  Budget budget_;
  Millis run_start_ = 0;
  bool failed_ = false;
  bool probe_due_ = true;
  int64_t failed_calls_ = 0;                       // in a row, this run
  std::vector<std::optional<Value>> unconfirmed_;  // per endpoint: the id to ask for
  Upstream upstream_;
  std::string base_;   // upstream_.api(), or the saved upstream (status)
  std::string owner_;  // host:pid:start of this run
};

// A lease not renewed for this long belongs to a process that is gone.
inline constexpr Millis kLeaseStale = Millis{15} * 60'000;
inline constexpr Millis kLeaseRenew = Millis{5} * 60'000;

// Parses a duration: "90s", "15m", "2h", "7d" or plain seconds.
std::optional<Millis> parse_duration(std::string_view text);
// 2026-11-27T13:45:02Z
std::string format_time(Millis t);

}  // namespace ll2::sync
