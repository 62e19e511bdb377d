#include "sync/syncer.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigaction, not <csignal>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "ingest/importer.hpp"
#include "sync/page.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

namespace ll2::sync {

namespace {

constexpr int64_t kPageSize = 100;  // LL2's largest page

Millis system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// Each field of an endpoint's saved state under its key: the one list both
// save_state and load_state follow.
template <typename State, typename Visit>
void each_state_field(State& s, Visit&& visit) {
  visit("task", s.task);
  visit("offset", s.offset);
  visit("first_count", s.first_count);
  visit("last_count", s.last_count);
  visit("seen", s.seen);
  visit("consistent", s.consistent);
  visit("sweep_pending", s.sweep_pending);
  visit("since", s.since);
  visit("watermark", s.watermark);
  visit("walked_at", s.walked_at);
  visit("refreshed_at", s.refreshed_at);
  visit("objects", s.objects);
  visit("deleted", s.deleted);
  visit("rejected", s.rejected);
  visit("error", s.error);
  visit("attempts", s.attempts);
  visit("failed_at", s.failed_at);
  visit("gone", s.gone);
}

std::string save_state(const EndpointState& s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  each_state_field(s, [&](const char* key, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    w.Key(key);
    if constexpr (std::is_same_v<T, std::string>)
      w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    else if constexpr (std::is_same_v<T, bool>)
      w.Bool(value);
    else
      w.Int64(value);
  });
  w.EndObject();
  return buffer.GetString();
}

bool load_state(std::string_view text, EndpointState& s) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) return false;
  // A key that is missing or of another type leaves the field as it was.
  each_state_field(s, [&](const char* key, auto& out) {
    using T = std::decay_t<decltype(out)>;
    const auto it = d.FindMember(key);
    if (it == d.MemberEnd()) return;
    const auto& v = it->value;
    if constexpr (std::is_same_v<T, std::string>) {
      if (v.IsString()) out = v.GetString();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (v.IsBool()) out = v.GetBool();
    } else {
      if (v.IsInt64()) out = v.GetInt64();
    }
  });
  return true;
}

std::string state_key(const Endpoint& e) {
  return "endpoint:" + e.route;
}

// An id as a URL's path segment.
std::string id_text(const Value& id) {
  if (const auto* n = std::get_if<int64_t>(&id)) return std::to_string(*n);
  if (const auto* t = std::get_if<std::string>(&id)) return percent_encode(*t);
  return "";
}

std::string format_wait(Millis ms) {
  return progress::format_duration(static_cast<double>(ms) / 1000.0);
}

// Interruptible sleep for the default options.
struct Sleeper {
  std::mutex mutex;
  std::condition_variable cv;
};

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t unit = 1000;
  switch (text.back()) {
    case 's':
      unit = 1000;
      text.remove_suffix(1);
      break;
    case 'm':
      unit = 60'000;
      text.remove_suffix(1);
      break;
    case 'h':
      unit = 3'600'000;
      text.remove_suffix(1);
      break;
    case 'd':
      unit = 86'400'000;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n * unit;
}

std::string format_time(Millis t) {
  const auto secs = static_cast<time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// A version's prefix without its trailing slash: /2.3.0, /api/ll/2.4.0.
std::string_view api_path(const model::Registry& version) {
  const std::string_view prefix = version.version().prefix;
  return prefix.substr(0, prefix.size() - 1);
}

}  // namespace

std::string Upstream::api() const {
  return site + std::string(api_path(*version));
}

Upstream upstream_of(const std::string& url, const model::Catalog& catalog) {
  Upstream out{url, &catalog.first()};
  while (!out.site.empty() && out.site.back() == '/') out.site.pop_back();
  for (const auto& v : catalog.versions()) {
    const std::string_view prefix = api_path(v);
    if (out.site.ends_with(prefix)) {
      out.site.resize(out.site.size() - prefix.size());
      out.version = &v;
      break;
    }
  }
  return out;
}

namespace {

bool has_filter(const model::Resource& r, std::string_view param) {
  return std::any_of(r.filters.begin(), r.filters.end(),
                     [&](const auto& f) { return f.param == param; });
}

// How `version` is asked for an endpoint's pages and details (Endpoint's
// list_path, list_query and detail_query). False: it has no such list.
bool address(const model::Registry& version, bool upcoming, Endpoint& e) {
  const model::Resource& r = *e.resource;
  const model::Version& v = version.version();
  e.list_path = r.path;
  if (upcoming && r.action("upcoming") != nullptr) {
    e.list_path = e.route;
  } else if (upcoming && has_filter(r, "upcoming_with_recent")) {
    e.list_query = "&upcoming_with_recent=true";  // 2.4.0's filter for 2.3.0's route
  } else if (upcoming) {
    return false;
  }
  if (r.mode("detailed") == nullptr) return true;
  if (!v.mode_routes) {
    if (r.mode_parameter) {
      e.list_query += "&mode=detailed";
      e.detail_query = "&mode=detailed";
    }
    return true;
  }
  for (const auto& route : version.routes()) {  // its detailed list, if it has one
    if (route.resource == &r && route.mode != nullptr && route.mode->name == "detailed")
      e.list_path = route.path;
  }
  return true;
}

}  // namespace

std::variant<std::vector<Endpoint>, std::string> plan(const model::Registry& version,
                                                      const std::vector<std::string>& only) {
  // Upcoming launches and events first (what users look at), then the
  // objects they point at, then the rest, the config/* lookups last (every
  // detailed page already carries the ones it uses).
  static const std::vector<std::string> head{"launches/upcoming",
                                             "events/upcoming",
                                             "launches",
                                             "events",
                                             "agencies",
                                             "astronauts",
                                             "space_stations",
                                             "expeditions",
                                             "docking_events",
                                             "spacewalks",
                                             "spacecraft_flights",
                                             "updates",
                                             "pads",
                                             "locations",
                                             "launcher_configurations",
                                             "launchers",
                                             "spacecraft",
                                             "spacecraft_configurations",
                                             "payloads",
                                             "payload_flights",
                                             "landings",
                                             "programs",
                                             "mission_patches",
                                             "celestial_bodies"};
  std::vector<std::string> routes = head;
  std::vector<std::string> rest;
  for (const auto& r : version.resources()) {
    if (!r->paginated || !r->compose.empty()) continue;
    if (std::find(routes.begin(), routes.end(), r->path) == routes.end()) rest.push_back(r->path);
  }
  std::stable_sort(rest.begin(), rest.end(), [](const std::string& a, const std::string& b) {
    const bool ca = a.rfind("config/", 0) == 0;
    const bool cb = b.rfind("config/", 0) == 0;
    return ca != cb ? cb : a < b;
  });
  routes.insert(routes.end(), rest.begin(), rest.end());

  std::set<std::string> wanted(only.begin(), only.end());
  std::vector<Endpoint> out;
  for (const auto& route : routes) {
    const size_t slash = route.rfind('/');
    const bool action = route.ends_with("/upcoming");
    const std::string base = action ? route.substr(0, slash) : route;
    const model::Resource* r = version.find_resource(base);
    if (r == nullptr || !r->paginated || !r->compose.empty()) continue;
    if (!wanted.empty() && !wanted.contains(route) && !wanted.contains(base)) continue;
    Endpoint e;
    e.route = route;
    e.resource = r;
    e.lists_all = !action;
    e.upcoming = action;
    if (!address(version, action, e)) continue;
    const auto orders = [&](const char* f) {
      return std::find(r->ordering_fields.begin(), r->ordering_fields.end(), f) !=
             r->ordering_fields.end();
    };
    const bool gte = std::any_of(r->filters.begin(), r->filters.end(),
                                 [](const auto& f) { return f.param == "last_updated__gte"; });
    e.incremental = !action && gte && orders("last_updated");
    e.order_by_id = orders("id");
    out.push_back(std::move(e));
  }
  for (const auto& w : wanted) {
    if (std::none_of(out.begin(), out.end(),
                     [&](const Endpoint& e) { return e.route == w || e.resource->path == w; }))
      return fmt::format(
          "unknown resource {} (a paginated LL2 route: launches, config/orbits, ...)", w);
  }
  return out;
}

Syncer::Syncer(const model::Catalog& versions, store::Store& store, Client& client,
               SyncOptions options)
    : versions_(versions),
      store_(store),
      client_(client),
      options_(std::move(options)),
      budget_(options_.rate) {
  upstream_ = upstream_of(options_.upstream, versions_);
  base_ = upstream_.api();
  if (!options_.now) options_.now = system_now;
  if (!options_.log) {
    options_.log = [](const std::string& line) {
      fmt::print(stderr, "{} ll2d sync: {}\n", format_time(system_now()), line);
      std::fflush(stderr);
    };
  }
  if (!options_.sleep_until) {
    auto sleeper = std::make_shared<Sleeper>();
    std::atomic<bool>* stop = options_.stop;
    options_.sleep_until = [sleeper, stop](Millis until) {
      // Wakes every 200 ms to notice a stop request.
      while (system_now() < until) {
        if (stop != nullptr && stop->load()) return false;
        std::unique_lock lock(sleeper->mutex);
        sleeper->cv.wait_for(
            lock, std::chrono::milliseconds(std::min<Millis>(200, until - system_now() + 1)));
      }
      return stop == nullptr || !stop->load();
    };
  }
}

void Syncer::log(const std::string& line) const {
  options_.log(line);
}

std::optional<std::string> Syncer::load() {
  auto planned = plan(*upstream_.version, options_.resources);
  if (auto* e = std::get_if<std::string>(&planned)) return *e;
  endpoints_ = std::get<std::vector<Endpoint>>(planned);
  states_.assign(endpoints_.size(), EndpointState{});
  unconfirmed_.assign(endpoints_.size(), std::nullopt);
  std::vector<std::pair<std::string, std::string>> rows;
  try {
    rows = store_.sync_state();
  } catch (const store::StoreError& e) {
    return fmt::format("cannot read the sync state: {}", e.what());
  }
  for (const auto& [key, text] : rows) {
    if (key == "budget") {
      if (!budget_.load(text)) log("the saved call budget is unreadable; starting a new one");
      // A wait saved by an older ll2d, or from an absurd Retry-After, is
      // cut to what this one would have promised.
      const Millis before = budget_.not_before();
      budget_.clamp(options_.now());
      if (budget_.not_before() != before)
        log(fmt::format("the saved wait until {} is longer than one window; waiting until {}",
                        format_time(before), format_time(budget_.not_before())));
      continue;
    }
    for (size_t i = 0; i < endpoints_.size(); ++i) {
      if (key == state_key(endpoints_[i]) && !load_state(text, states_[i]))
        log(fmt::format("the saved state of {} is unreadable; it starts over",
                        endpoints_[i].route));
    }
  }
  return std::nullopt;
}

bool Syncer::resting(const EndpointState& s, Millis now) const {
  if (s.failed_at == 0) return false;
  if (options_.once) return s.failed_at > run_start_;
  return now - s.failed_at < options_.refresh_every;
}

std::optional<Syncer::Task> Syncer::next_task(Millis now) const {
  // Due: at most once per run with --once, and `every` after the last time.
  const auto due = [&](Millis last, Millis every) {
    if (options_.once && last > run_start_) return false;
    return now - last >= every;
  };
  const auto refreshing = [](const EndpointState& s) {
    return s.task == "refresh" || s.task == "upcoming";
  };
  // Refreshes are short and what users look at: one in progress goes on
  // first, and a due one comes before the pages of a long walk (a full
  // walk of LL2 takes a day or more at 15 calls an hour).
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (refreshing(states_[i])) return Task{i, states_[i].task, true};
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const Endpoint& e = endpoints_[i];
    const EndpointState& s = states_[i];
    if ((e.upcoming || e.incremental) && s.task.empty() && s.walked_at != 0 && !resting(s, now) &&
        due(s.refreshed_at, options_.refresh_every))
      return Task{i, e.upcoming ? "upcoming" : "refresh", false};
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (!states_[i].task.empty()) return Task{i, states_[i].task, true};
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (states_[i].sweep_pending) return Task{i, "confirm", true};
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (states_[i].walked_at == 0 && !resting(states_[i], now)) return Task{i, "walk", false};
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i].lists_all && !resting(states_[i], now) &&
        due(states_[i].walked_at, options_.rewalk_every))
      return Task{i, "walk", false};
  }
  return std::nullopt;
}

std::optional<Millis> Syncer::next_due(Millis now) const {
  if (options_.once) return std::nullopt;
  std::optional<Millis> at;
  const auto consider = [&](Millis t) { at = at ? std::min(*at, t) : t; };
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const Endpoint& e = endpoints_[i];
    const EndpointState& s = states_[i];
    if (resting(s, now)) {
      consider(s.failed_at + options_.refresh_every);
      continue;
    }
    if (e.upcoming || e.incremental) consider(s.refreshed_at + options_.refresh_every);
    if (e.lists_all) consider(s.walked_at + options_.rewalk_every);
  }
  if (at) at = std::max(*at, now);
  return at;
}

std::string Syncer::url_for(const Task& task, const EndpointState& s) const {
  const Endpoint& e = endpoints_[task.endpoint];
  if (task.kind == "confirm") {
    const auto& id = unconfirmed_[task.endpoint];
    return fmt::format("{}/{}/{}/?format=json{}", base_, e.resource->path, id ? id_text(*id) : "ID",
                       e.detail_query);
  }
  std::string url =
      fmt::format("{}/{}/?format=json&limit={}{}", base_, e.list_path, kPageSize, e.list_query);
  if (task.kind == "refresh") {
    url += "&last_updated__gte=" + percent_encode(s.since) + "&ordering=last_updated";
  } else if (task.kind == "walk" && e.order_by_id) {
    url += "&ordering=id";
  }
  if (task.resume && s.offset > 0) url += fmt::format("&offset={}", s.offset);
  return url;
}

std::string Syncer::lease_text() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("owner");
  w.String(owner_.c_str());
  w.Key("renewed");
  w.Int64(options_.now());
  w.EndObject();
  return buffer.GetString();
}

namespace {
// The lease's owner and renewal time; empty owner: nobody holds it.
std::pair<std::string, Millis> read_lease(store::Store& store) {
  for (const auto& [key, text] : store.sync_state()) {
    if (key != "lease") continue;
    rapidjson::Document d;
    d.Parse(text.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("owner") || !d["owner"].IsString() ||
        !d.HasMember("renewed") || !d["renewed"].IsInt64())
      return {"", 0};
    return {d["owner"].GetString(), d["renewed"].GetInt64()};
  }
  return {"", 0};
}
}  // namespace

std::optional<std::string> Syncer::claim_lease() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  owner_ = fmt::format("{}:{}:{}", host, getpid(), run_start_);
  try {
    const auto [owner, renewed] = read_lease(store_);
    const Millis now = options_.now();
    // On this machine a lease whose process is gone (kill -9, a crash) is
    // free at once; elsewhere only when it is stale.
    bool gone = false;
    const std::string prefix = std::string(host) + ":";
    if (owner.rfind(prefix, 0) == 0) {
      const std::string rest = owner.substr(prefix.size());
      const pid_t pid = static_cast<pid_t>(std::atoll(rest.substr(0, rest.find(':')).c_str()));
      gone = pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
    }
    if (!owner.empty() && owner != owner_ && !gone && now - renewed < kLeaseStale)
      return fmt::format(
          "another ll2d sync ({}) is mirroring into this database, last seen {}; two would "
          "spend the call budget twice (a lease not renewed for {} min is taken over)",
          owner, format_time(renewed), kLeaseStale / 60'000);
  } catch (const store::StoreError& e) {
    return fmt::format("cannot read the sync state: {}", e.what());
  }
  store::WriteBatch batch;
  batch.sync_state.emplace_back("lease", lease_text());
  if (auto e = store_.write(batch)) return fmt::format("cannot write the sync state: {}", *e);
  return std::nullopt;
}

bool Syncer::still_ours() {
  try {
    if (read_lease(store_).first == owner_) return true;
  } catch (const store::StoreError& e) {
    log(fmt::format("cannot read the sync state: {}", e.what()));
    return false;
  }
  log("another ll2d sync took over this database (this one was silent too long); stopping");
  failed_ = true;
  return false;
}

void Syncer::release_lease() {
  if (!still_ours()) return;
  store::WriteBatch batch;
  batch.sync_state.emplace_back("lease", "");
  store_.write(batch);
}

bool Syncer::wait_until(Millis until) {
  while (options_.now() < until) {
    if (!options_.sleep_until(std::min(until, options_.now() + kLeaseRenew))) return false;
    store::WriteBatch batch;
    batch.sync_state.emplace_back("lease", lease_text());
    if (!still_ours()) return false;
    if (auto e = store_.write(batch)) log(fmt::format("cannot renew the sync lease: {}", *e));
  }
  return true;
}

bool Syncer::save_budget() {
  if (!still_ours()) return false;
  store::WriteBatch batch;
  batch.sync_state.emplace_back("budget", budget_.save());
  batch.sync_state.emplace_back("lease", lease_text());
  if (auto e = store_.write(batch)) {
    log(fmt::format("cannot save the call budget (no call made): {}", *e));
    return false;
  }
  return true;
}

void Syncer::probe() {
  probe_due_ = false;
  if (!options_.probe_throttle) return;
  const model::Version& v = upstream_.version->version();
  const std::string report_path = v.prefix + v.throttle_path + "/";
  const Response r = client_.get(upstream_.site + report_path + "?format=json");
  if (r.status != 200) {
    log(fmt::format("the upstream's {} answered {}: going by --calls alone", report_path,
                    r.status == 0 ? r.error : std::to_string(r.status)));
    return;
  }
  auto read = read_report(r.body);
  if (const auto* e = std::get_if<std::string>(&read)) {
    log(fmt::format("the upstream's {} answer is not believed ({}): going by --calls alone",
                    report_path, *e));
    return;
  }
  const UpstreamReport report = std::get<UpstreamReport>(read);
  log(fmt::format("upstream budget: {} calls per {} s, {} used, next in {} s", report.limit,
                  report.frequency_s, report.current_use, report.next_use_s));
  budget_.on_report(options_.now(), report);
  if (report.limit > 0 && report.frequency_s > 0 &&
      report.limit * options_.rate.window < options_.rate.calls * report.frequency_s * 1000) {
    log(
        fmt::format("the upstream allows fewer calls ({} per {} s) than --calls {}; going by its "
                    "limit",
                    report.limit, report.frequency_s, format_rate(options_.rate)));
    budget_ = [&] {
      Budget b(Rate{report.limit, report.frequency_s * 1000});
      b.load(budget_.save());
      return b;
    }();
  }
}

std::string Syncer::eta(Millis now) const {
  int64_t calls = 0;
  int64_t uncounted = 0;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const EndpointState& s = states_[i];
    if (s.walked_at != 0 && s.task.empty()) continue;
    if (s.walked_at != 0 && s.task != "walk") continue;
    if (s.last_count < 0 || s.task.empty()) {
      ++uncounted;
      continue;
    }
    calls += (std::max<int64_t>(s.last_count - s.offset, 0) + kPageSize - 1) / kPageSize;
  }
  if (calls == 0 && uncounted == 0) return "initial load done";
  const Rate& rate = budget_.rate();
  const Millis wait = budget_.next_call(now) - now;
  const Millis total = wait + calls * rate.window / rate.calls;
  return fmt::format("initial load: {} calls left{}, about {} at {}", calls,
                     uncounted ? fmt::format(" + {} endpoints not yet counted", uncounted) : "",
                     format_wait(total), format_rate(rate));
}

std::optional<Value> Syncer::next_unconfirmed(size_t i) {
  const Endpoint& e = endpoints_[i];
  const auto unseen = store_.unseen_ids(*e.resource->kind, e.route);
  if (unseen.empty()) return std::nullopt;
  return unseen.front();
}

bool Syncer::finish_sweep(size_t i) {
  const Endpoint& e = endpoints_[i];
  EndpointState s = states_[i];
  s.sweep_pending = false;
  store::WriteBatch batch;
  batch.seen.push_back({e.route, true, {}});
  if (!write_state(i, s, std::move(batch), "end the deletion sweep")) return false;
  if (s.gone > 0) log(fmt::format("{}: deleted {} objects no longer upstream", e.route, s.gone));
  return true;
}

bool Syncer::write_state(size_t i, const EndpointState& s, store::WriteBatch batch,
                         const std::string& what) {
  batch.sync_state.emplace_back("budget", budget_.save());
  batch.sync_state.emplace_back("lease", lease_text());
  batch.sync_state.emplace_back(state_key(endpoints_[i]), save_state(s));
  if (auto err = store_.write(batch)) {
    // Lost with its cursor: asked for again, after a pause that grows while
    // writing keeps failing.
    log(fmt::format("{}: cannot {}: {}", endpoints_[i].route, what, *err));
    failed_ = true;
    budget_.on_failure(options_.now());
    return false;
  }
  states_[i] = s;
  return true;
}

std::optional<Response> Syncer::call(const std::string& url, const std::string& route,
                                     bool& go_on) {
  go_on = true;
  budget_.record_call(options_.now());
  if (!save_budget()) {
    go_on = failed_ ? false : wait_until(options_.now() + 5000);
    return std::nullopt;
  }
  Response r = client_.get(url);
  const Millis after = options_.now();
  if (r.status == 0 && options_.stop != nullptr && options_.stop->load()) {
    // Abandoned for a stop: no fault of the upstream's, so no back-off.
    log(fmt::format("{}: call abandoned, stopping", route));
    go_on = false;
    return std::nullopt;
  }
  if (r.status == 429) {
    budget_.on_throttled(after, r.retry_after_ms);
    probe_due_ = true;
    log(fmt::format(
        "{}: throttled (429{}); next call not before {}", route,
        r.retry_after_ms ? fmt::format(", Retry-After {} s", *r.retry_after_ms / 1000) : "",
        format_time(budget_.not_before())));
  } else if ((r.status == 0 && !r.too_large) || r.status >= 500) {
    budget_.on_failure(after);
    log(fmt::format("{}: {}; backing off until {}", route,
                    r.status == 0 ? r.error : fmt::format("upstream answered {}", r.status),
                    format_time(budget_.not_before())));
  } else {
    failed_calls_ = 0;
    if (r.status != 401 && r.status != 403) return r;
    log(fmt::format("{}: upstream answered {} (is --token right?); stopping", route, r.status));
    failed_ = true;
    save_budget();
    go_on = false;
    return std::nullopt;
  }
  save_budget();
  if (options_.once && ++failed_calls_ >= kMaxTries) {
    log(fmt::format("{}: {} failed calls in a row; giving up this run", route, failed_calls_));
    failed_ = true;
    go_on = false;
  }
  return std::nullopt;
}

bool Syncer::retry(size_t i, const std::string& kind, EndpointState s, const std::string& problem) {
  const Endpoint& e = endpoints_[i];
  failed_ = true;
  s.rejected += 1;
  s.error = problem;
  s.attempts += 1;
  budget_.on_failure(options_.now());
  if (s.attempts < kMaxTries) {
    log(fmt::format("{}: {} (nothing from it was written; try {} of {}, again at {})", e.route,
                    problem, s.attempts, kMaxTries, format_time(budget_.not_before())));
  } else {
    // Given up, so that one bad page cannot hold up the rest: a walk then
    // deletes nothing, and the endpoint rests until the next refresh.
    log(
        fmt::format("{}: {} (nothing from it was written; {} tries failed, this {} is given up "
                    "and nothing is deleted)",
                    e.route, problem, s.attempts, kind == "confirm" ? "deletion sweep" : kind));
    if (kind == "confirm") {
      s.sweep_pending = false;
    } else {
      s.task.clear();
      s.offset = 0;
    }
    s.attempts = 0;
    s.failed_at = options_.now();
  }
  write_state(i, s, {}, "save its state");
  return true;
}

// Before an object the walk did not see is deleted, its detail is asked
// for: pages shift under a walk while objects come and go upstream, so an
// unseen id may still be there. Only a 404 deletes; a live object is
// imported from its detail and kept.
bool Syncer::confirm(size_t i) {
  const Endpoint& e = endpoints_[i];
  EndpointState s = states_[i];
  const Value id = *unconfirmed_[i];
  const std::string url = url_for(Task{i, "confirm", true}, s);
  bool go_on = true;
  const auto r = call(url, e.route, go_on);
  if (!r) return go_on;
  const std::string shown = text::mask_url_password(url);
  store::WriteBatch batch;
  if (r->status == 404) {
    batch.deletes.push_back({e.resource->kind, {id}});
    s.gone += 1;
    s.deleted += 1;
  } else if (r->status != 200 || r->too_large) {
    return retry(i, "confirm", s,
                 r->too_large ? fmt::format("rejected {}: {}", shown, r->error)
                              : fmt::format("upstream answered {} for {}{}", r->status, shown,
                                            r->error.empty() ? "" : ": " + r->error));
  } else {
    const auto got = read_object_id(r->body);
    if (const auto* err = std::get_if<std::string>(&got))
      return retry(i, "confirm", s, fmt::format("rejected {}: {}", shown, *err));
    if (std::get<Value>(got) != id)
      return retry(i, "confirm", s, fmt::format("rejected {}: the object of another id", shown));
    auto collected = ingest::collect(versions_, e.resource->kind, r->body, shown);
    if (auto* err = std::get_if<ingest::ImportError>(&collected))
      return retry(i, "confirm", s, "rejected " + err->to_string());
    batch = std::move(std::get<ingest::Collected>(collected).batch);
    batch.seen.push_back({e.route, false, {id}});
  }
  budget_.on_success();
  s.attempts = 0;
  if (write_state(i, s, std::move(batch), "write what its detail said") && r->status == 404)
    log(fmt::format("{}: {} is gone upstream (404); deleted", e.route, id_text(id)));
  return true;
}

// One call and what follows from it. False: stop the run.
bool Syncer::step(const Task& task) {
  if (task.kind == "confirm") return confirm(task.endpoint);
  const Endpoint& e = endpoints_[task.endpoint];
  EndpointState s = states_[task.endpoint];
  if (!task.resume) {
    // A new task starts at its first page.
    s.task = task.kind;
    s.offset = 0;
    s.first_count = -1;
    s.last_count = -1;
    s.seen = 0;
    s.consistent = true;
    s.attempts = 0;
    s.since = task.kind == "refresh" ? s.watermark : "";
    if (task.kind == "walk") s.gone = 0;
  }
  const std::string url = url_for(Task{task.endpoint, s.task, true}, s);
  bool go_on = true;
  const auto r = call(url, e.route, go_on);
  if (!r) return go_on;
  const std::string shown = text::mask_url_password(url);
  if (r->too_large)
    return retry(task.endpoint, s.task, s, fmt::format("rejected {}: {}", shown, r->error));
  store::WriteBatch batch;
  PageInfo info;
  if (r->status != 200) {
    // Not a page at all (404, 400, a redirect elsewhere): this task is over,
    // and a walk that ends so deletes nothing.
    const std::string problem = fmt::format("upstream answered {} for {}{}", r->status, shown,
                                            r->error.empty() ? "" : ": " + r->error);
    log(fmt::format("{}: {} (nothing from it was written; this {} ends here)", e.route, problem,
                    s.task));
    failed_ = true;
    s.rejected += 1;
    s.error = problem;
    s.consistent = false;
    info.count = s.last_count;
  } else {
    auto page = read_page(r->body);
    if (auto* p = std::get_if<std::string>(&page))
      return retry(task.endpoint, s.task, s, fmt::format("rejected page {}: {}", shown, *p));
    info = std::get<PageInfo>(page);
    auto collected = ingest::collect(versions_, e.resource->kind, r->body, shown);
    if (auto* err = std::get_if<ingest::ImportError>(&collected))
      return retry(task.endpoint, s.task, s, "rejected " + err->to_string());
    batch = std::move(std::get<ingest::Collected>(collected).batch);
    budget_.on_success();
    s.attempts = 0;
    if (s.first_count < 0) s.first_count = info.count;
    if (s.last_count >= 0 && info.count != s.last_count) s.consistent = false;
    s.last_count = info.count;
    s.seen += static_cast<int64_t>(info.ids.size());
    if (s.watermark < info.newest) s.watermark = info.newest;
    if (e.lists_all && s.task == "walk") batch.seen.push_back({e.route, s.offset == 0, info.ids});
  }
  const int64_t page_offset = s.offset;
  s.offset += kPageSize;
  // The end: no next page, no results, or past the count (an upstream whose
  // `next` is always set cannot keep a walk going).
  const bool done =
      r->status != 200 || !info.has_next || info.results == 0 || s.offset >= info.count;
  if (done) {
    const Millis t = options_.now();
    if (s.task == "walk") {
      s.walked_at = t;
      s.objects = s.seen;
      // Deletions only after a walk that saw everything once.
      s.sweep_pending =
          e.lists_all && s.consistent && s.first_count == s.last_count && s.seen == s.last_count;
      if (e.lists_all && !s.sweep_pending)
        log(
            fmt::format("{}: the walk was not consistent (count {} → {}, {} seen); nothing is "
                        "deleted this time",
                        e.route, s.first_count, s.last_count, s.seen));
    }
    s.refreshed_at = t;
    s.task.clear();
    s.offset = 0;
    if (r->status == 200) {
      s.error.clear();
      s.failed_at = 0;
    }
  }
  if (!write_state(task.endpoint, s, std::move(batch),
                   fmt::format("write page at offset {}", page_offset)))
    return true;
  if (r->status == 200) {
    const int64_t pages = (std::max<int64_t>(info.count, 1) + kPageSize - 1) / kPageSize;
    log(fmt::format("{} {}: page {} of {} ({} objects){}; {}", e.route,
                    s.task.empty() ? task.kind : s.task, page_offset / kPageSize + 1, pages,
                    info.ids.size(), done ? ", done" : "", eta(options_.now())));
  }
  return true;
}

int Syncer::run() {
  if (auto e = load()) {
    log(*e);
    return 2;
  }
  run_start_ = options_.now();
  if (auto e = claim_lease()) {
    log(*e);
    return 2;
  }
  {
    // Remember where this mirror reads from (for --status).
    store::WriteBatch batch;
    batch.sync_state.emplace_back("upstream", text::mask_url_password(base_));
    batch.sync_state.emplace_back("calls", format_rate(options_.rate));
    if (auto e = store_.write(batch)) {
      log(fmt::format("cannot write the sync state: {}", *e));
      return 2;
    }
  }
  const auto stopped = [&] { return options_.stop != nullptr && options_.stop->load(); };
  while (!stopped()) {
    const Millis now = options_.now();
    const auto task = next_task(now);
    if (!task) {
      const auto due = next_due(now);
      if (!due) break;
      log(fmt::format("up to date; next refresh at {}", format_time(*due)));
      if (!wait_until(*due)) break;
      continue;
    }
    if (task->kind == "confirm") {
      // The next unseen id, or, when each is confirmed, the sweep's end
      // (no call).
      try {
        unconfirmed_[task->endpoint] = next_unconfirmed(task->endpoint);
      } catch (const store::StoreError& err) {
        log(fmt::format("{}: cannot list what the walk did not see: {}",
                        endpoints_[task->endpoint].route, err.what()));
        failed_ = true;
        break;
      }
      if (!unconfirmed_[task->endpoint]) {
        if (!finish_sweep(task->endpoint)) break;
        continue;
      }
    }
    const Millis at = budget_.next_call(now);
    if (at > now) {
      if (at - now >= 1000)
        log(fmt::format("{} calls used of {}; next call ({} {}) at {}", budget_.used(now),
                        format_rate(budget_.rate()), endpoints_[task->endpoint].route, task->kind,
                        format_time(at)));
      if (!wait_until(at)) break;
      continue;
    }
    if (probe_due_) {
      probe();
      continue;  // the report may have moved the next call
    }
    if (!step(*task)) break;
  }
  release_lease();
  return failed_ ? 1 : 0;
}

std::string Syncer::status() {
  std::string out;
  if (auto e = load()) return "ll2d sync --status: " + *e + "\n";
  std::string upstream = "(never synced)";
  try {
    // The budget as the last run had it (--status is given no --calls).
    std::string saved_budget;
    std::optional<Rate> rate;
    for (const auto& [key, text] : store_.sync_state()) {
      if (key == "upstream") upstream = base_ = text::mask_url_password(text);
      if (key == "calls") rate = parse_rate(text);
      if (key == "budget") saved_budget = text;
    }
    const auto [owner, renewed] = read_lease(store_);
    if (!owner.empty())
      out += fmt::format("running: ll2d sync {} (last seen {}{})\n", owner, format_time(renewed),
                         options_.now() - renewed >= kLeaseStale ? ", stale" : "");
    if (rate) {
      budget_ = Budget(*rate);
      budget_.load(saved_budget);
      budget_.clamp(options_.now());
    }
  } catch (const store::StoreError&) {
  }
  const Millis now = options_.now();
  out += fmt::format("upstream: {}\n", upstream);
  out += fmt::format("{:<40} {:>8} {:<26} {:<26} {}\n", "endpoint", "objects", "last full walk",
                     "last refresh", "now");
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const EndpointState& s = states_[i];
    std::string doing =
        s.task.empty() ? (s.walked_at == 0 ? "not yet mirrored" : "idle")
                       : fmt::format("{} at offset {}{}", s.task, s.offset,
                                     s.last_count >= 0 ? fmt::format(" of {}", s.last_count) : "");
    if (s.sweep_pending) doing = "deleting what vanished upstream";
    if (!s.error.empty()) doing += " (last problem: " + s.error + ")";
    if (resting(s, options_.now()))
      doing += fmt::format(" (given up at {}, tried again from {})", format_time(s.failed_at),
                           format_time(s.failed_at + options_.refresh_every));
    const auto when = [&](Millis t) {
      return t == 0
                 ? std::string("-")
                 : fmt::format("{} ({} ago)", format_time(t).substr(5, 11), format_wait(now - t));
    };
    out += fmt::format("{:<40} {:>8} {:<26} {:<26} {}\n", endpoints_[i].route,
                       endpoints_[i].upcoming ? std::string("") : std::to_string(s.objects),
                       when(s.walked_at), when(s.refreshed_at), doing);
  }
  out += fmt::format("budget: {}, {} calls in the current window\n", format_rate(budget_.rate()),
                     budget_.used(now));
  run_start_ = now;
  const auto task = next_task(now);
  if (task && task->kind == "confirm") {
    try {
      unconfirmed_[task->endpoint] = next_unconfirmed(task->endpoint);
    } catch (const store::StoreError&) {
    }
  }
  if (task) {
    const Millis at = budget_.next_call(now);
    out += fmt::format("next call: {} ({} {}) {}\n",
                       text::mask_url_password(url_for(*task, states_[task->endpoint])),
                       endpoints_[task->endpoint].route, task->kind,
                       at <= now ? "once sync runs" : "at " + format_time(at));
  } else if (const auto due = next_due(now)) {
    out += fmt::format("up to date; next refresh at {}\n", format_time(*due));
  }
  out += eta(now) + "\n";
  return out;
}

std::optional<std::string> Syncer::reset_budget() {
  if (auto e = load()) return e;
  budget_.clear_waits();
  store::WriteBatch batch;
  batch.sync_state.emplace_back("budget", budget_.save());
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    EndpointState s = states_[i];
    if (s.failed_at == 0 && s.attempts == 0) continue;
    s.failed_at = 0;
    s.attempts = 0;
    batch.sync_state.emplace_back(state_key(endpoints_[i]), save_state(s));
  }
  if (auto e = store_.write(batch)) return fmt::format("cannot write the sync state: {}", *e);
  return std::nullopt;
}

}  // namespace ll2::sync
