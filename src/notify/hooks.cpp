#include "notify/hooks.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "api/changes_view.hpp"
#include "feed/changes.hpp"
#include "json/writer.hpp"

namespace ll2::notify {

namespace {

int64_t integer(const Value& v) {
  const auto* i = std::get_if<int64_t>(&v);
  return i != nullptr ? *i : 0;
}

std::string text(const Value& v) {
  const auto* s = std::get_if<std::string>(&v);
  return s != nullptr ? *s : std::string();
}

// A statement's rows, or its error thrown as a StoreError (caught at this
// module's boundaries, which return it as a value).
std::vector<Row> rows(store::Store& store, const std::string& sql,
                      const std::vector<Value>& params) {
  auto out = store.execute(sql, params);
  if (auto* e = std::get_if<std::string>(&out))
    throw store::StoreError(store::StoreError::Cause::Failed, *e);
  return std::move(std::get<std::vector<Row>>(out));
}

Hook hook_from(const Row& r) {
  return {integer(r[0]), text(r[1]), text(r[2]), text(r[3]), integer(r[4]), integer(r[5])};
}

// The request-less parts of a selection (api::select_changes), or why not.
// `store`'s schema is the first API version, whose launch filters it takes.
std::variant<api::ChangeSelection, std::string> selection_of(const store::Store& store,
                                                             const std::string& query) {
  auto selected = api::select_changes(store.schema(), query);
  if (auto* refused = std::get_if<api::Response>(&selected)) return refused->body;
  return std::move(std::get<api::ChangeSelection>(selected));
}

}  // namespace

std::variant<Hook, std::string> add_hook(store::Store& store, const std::string& url,
                                         const std::string& query, const std::string& secret,
                                         int64_t now) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return "the URL must start with http:// or https://";
  auto selected = selection_of(store, query);
  if (auto* e = std::get_if<std::string>(&selected)) return "the selection is refused: " + *e;
  try {
    const int64_t cursor = store.last_change();
    const auto r = rows(store,
                        "INSERT INTO ll2d_hook (url, query, secret, created, cursor) VALUES "
                        "(?, ?, ?, ?, ?) RETURNING id",
                        {url, query, secret, now, cursor});
    return Hook{integer(r.at(0).at(0)), url, query, secret, now, cursor};
  } catch (const store::StoreError& e) {
    return std::string(e.what());
  }
}

std::variant<std::vector<Hook>, std::string> list_hooks(store::Store& store) {
  try {
    std::vector<Hook> out;
    for (const Row& r : rows(store,
                             "SELECT id, url, query, secret, created, cursor FROM ll2d_hook "
                             "ORDER BY id",
                             {}))
      out.push_back(hook_from(r));
    return out;
  } catch (const store::StoreError& e) {
    return std::string(e.what());
  }
}

std::variant<bool, std::string> remove_hook(store::Store& store, int64_t id) {
  try {
    rows(store, "DELETE FROM ll2d_delivery WHERE hook_id = ?", {id});
    return !rows(store, "DELETE FROM ll2d_hook WHERE id = ? RETURNING id", {id}).empty();
  } catch (const store::StoreError& e) {
    return std::string(e.what());
  }
}

std::variant<std::vector<Delivery>, std::string> list_deliveries(store::Store& store, int64_t hook,
                                                                 const std::string& state,
                                                                 int64_t limit) {
  try {
    std::string sql =
        "SELECT hook_id, seq, state, attempts, next_at, status, error FROM ll2d_delivery WHERE "
        "(? = 0 OR hook_id = ?) AND (? = '' OR state = ?) ORDER BY seq DESC, hook_id LIMIT ?";
    std::vector<Delivery> out;
    for (const Row& r : rows(store, sql, {hook, hook, state, state, limit})) {
      out.push_back({integer(r[0]), integer(r[1]), text(r[2]), integer(r[3]), integer(r[4]),
                     integer(r[5]), text(r[6])});
    }
    return out;
  } catch (const store::StoreError& e) {
    return std::string(e.what());
  }
}

std::string signature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  std::string out = "sha256=";
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", mac[i]);
  return out;
}

Poster curl_poster(std::chrono::milliseconds timeout) {
  return [timeout](const std::string& url, const std::string& body,
                   const std::vector<std::string>& headers) {
    PostResult out;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return PostResult{0, "libcurl could not start"};
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is a failure
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    // The receiver's answer is not read beyond its status.
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });
    const CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
      if (out.status < 200 || out.status > 299)
        out.error = fmt::format("the receiver answered {}", out.status);
    } else {
      out.error = error[0] != '\0' ? error : curl_easy_strerror(rc);
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return out;
  };
}

// A POST in flight, on a thread of its own.
struct Deliverer::Flight {
  int64_t seq = 0;
  int64_t attempts = 0;  // before this one
  std::atomic<bool> done{false};
  PostResult result;
  std::thread thread;
};

Deliverer::Deliverer(DelivererOptions options) : options_(std::move(options)) {
  if (!options_.post) options_.post = curl_poster(std::chrono::seconds(10));
}

Deliverer::~Deliverer() {
  // A POST still in flight is left to finish on its own (it holds only its
  // flight): a receiver that hangs must not hold up the server's exit. It is
  // not recorded, so it is sent again by whoever delivers next.
  for (auto& [hook, flight] : flights_) {
    if (flight->done.load())
      flight->thread.join();
    else
      flight->thread.detach();
  }
}

std::optional<std::string> Deliverer::round(store::Store& store, int64_t now) {
  try {
    if (auto e = record(store, now)) return e;
    auto hooks = list_hooks(store);
    if (auto* e = std::get_if<std::string>(&hooks)) return *e;
    for (const Hook& hook : std::get<std::vector<Hook>>(hooks)) {
      if (auto e = plan(store, hook, now)) return e;
      if (!flights_.contains(hook.id)) {
        if (auto e = start_next(store, hook, now)) return e;
      }
    }
    return std::nullopt;
  } catch (const store::StoreError& e) {
    return std::string(e.what());
  }
}

bool Deliverer::has_work(store::Store& store) {
  return !flights_.empty() || !rows(store, "SELECT 1 FROM ll2d_hook LIMIT 1", {}).empty();
}

std::optional<std::string> Deliverer::record(store::Store& store, int64_t now) {
  for (auto it = flights_.begin(); it != flights_.end();) {
    Flight& f = *it->second;
    if (!f.done.load()) {
      ++it;
      continue;
    }
    f.thread.join();
    const int64_t attempts = f.attempts + 1;
    const bool delivered = f.result.error.empty();
    std::string state = delivered ? "delivered" : "pending";
    int64_t next_at = now;
    if (!delivered) {
      // Waits double from the first retry's, up to the longest.
      const int64_t wait = options_.first_retry << std::min<int64_t>(attempts - 1, 30);
      next_at = now + std::min(wait, options_.max_retry);
      if (attempts >= options_.max_attempts) state = "dead";
    }
    rows(store,
         "UPDATE ll2d_delivery SET state = ?, attempts = ?, next_at = ?, status = ?, error = ? "
         "WHERE hook_id = ? AND seq = ?",
         {state, attempts, next_at, static_cast<int64_t>(f.result.status), f.result.error,
          it->first, f.seq});
    it = flights_.erase(it);
  }
  return std::nullopt;
}

std::optional<std::string> Deliverer::plan(store::Store& store, const Hook& hook, int64_t now) {
  auto selected = selection_of(store, hook.query);
  if (std::holds_alternative<std::string>(selected)) return std::nullopt;  // checked when added
  auto& selection = std::get<api::ChangeSelection>(selected);
  selection.query.since = hook.cursor;
  int64_t next = hook.cursor;
  auto read = api::read_changes(store, selection, now, next);
  if (std::holds_alternative<api::Response>(read) || next == hook.cursor) return std::nullopt;
  // Planned again after a crash between the two: the same rows, no duplicate.
  for (const auto& c : std::get<std::vector<store::Change>>(read)) {
    rows(store,
         "INSERT INTO ll2d_delivery (hook_id, seq, state, attempts, next_at, status, error) "
         "VALUES (?, ?, 'pending', 0, ?, 0, '') ON CONFLICT DO NOTHING",
         {hook.id, c.seq, now});
  }
  rows(store, "UPDATE ll2d_hook SET cursor = ? WHERE id = ?", {next, hook.id});
  return std::nullopt;
}

std::optional<std::string> Deliverer::start_next(store::Store& store, const Hook& hook,
                                                 int64_t now) {
  // In order: the oldest pending delivery holds back the ones after it.
  const auto next = rows(store,
                         "SELECT seq, attempts, next_at FROM ll2d_delivery WHERE hook_id = ? AND "
                         "state = 'pending' ORDER BY seq LIMIT 1",
                         {hook.id});
  if (next.empty() || integer(next[0][2]) > now) return std::nullopt;
  const int64_t seq = integer(next[0][0]);
  const auto entry = store.changes({seq - 1, 1, {}, {}, {}});
  if (entry.empty() || entry[0].seq != seq) {
    rows(store,
         "UPDATE ll2d_delivery SET state = 'dead', error = 'no longer in the change log' WHERE "
         "hook_id = ? AND seq = ?",
         {hook.id, seq});
    return std::nullopt;
  }
  std::string body;
  json::Writer w(body);
  feed::write_change(w, entry[0], store, options_.base);
  std::vector<std::string> headers = {
      "Content-Type: application/json", "User-Agent: ll2d-hooks",
      fmt::format("X-Ll2d-Hook: {}", hook.id),
      // The idempotency key: a retried delivery carries the same.
      fmt::format("X-Ll2d-Delivery: {}", seq),
      fmt::format("X-Ll2d-Types: {}", fmt::join(entry[0].types, ","))};
  if (!hook.secret.empty())
    headers.push_back("X-Ll2d-Signature-256: " + signature(hook.secret, body));
  auto flight = std::make_shared<Flight>();
  flight->seq = seq;
  flight->attempts = integer(next[0][1]);
  flight->thread = std::thread([flight, post = options_.post, url = hook.url,
                                body = std::move(body), headers = std::move(headers)] {
    flight->result = post(url, body, headers);
    flight->done = true;
  });
  flights_.emplace(hook.id, std::move(flight));
  return std::nullopt;
}

}  // namespace ll2::notify
