#include "http/throttle.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "json/writer.hpp"
#include "util/text.hpp"

namespace ll2::http {

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

// A history of N timestamps per client is kept; this bounds N (8 MB each).
constexpr int64_t kMaxRequests = 1000000;

std::optional<int64_t> parse_count(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Python's bytes.split(): runs of ASCII whitespace separate, none at the ends.
std::vector<std::string_view> split_ascii_space(std::string_view s) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    const size_t start = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t at = i;
    if (text::next_code_point(s, i) == 0xFFFD && s.substr(at, 3) != "\xEF\xBF\xBD") return false;
  }
  return true;
}

}  // namespace

std::variant<Rate, std::string> parse_rate(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fmt::format(
        "rate {:?}: {} (expected N/PERIOD: 15/hour, 100/m, 5/10s; the period is s, m, h or d, "
        "optionally after a count)",
        std::string(text), why);
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad("no '/'");
  const auto requests = parse_count(text.substr(0, slash));
  if (!requests || *requests < 1 || *requests > kMaxRequests)
    return bad(fmt::format("the number of requests must be 1 to {}", kMaxRequests));
  std::string_view period = text.substr(slash + 1);
  size_t digits = 0;
  while (digits < period.size() && period[digits] >= '0' && period[digits] <= '9') ++digits;
  int64_t multiple = 1;
  if (digits > 0) {
    const auto m = parse_count(period.substr(0, digits));
    if (!m || *m < 1 || *m > 1000000) return bad("the period's count must be 1 to 1000000");
    multiple = *m;
    period.remove_prefix(digits);
  }
  if (period.empty()) return bad("no period");
  // DRF reads only the first letter ("hour", "h" and "hours" are alike).
  int64_t unit = 0;
  switch (period[0]) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return bad("unknown period");
  }
  return Rate{*requests, multiple * unit};
}

std::string sha256_hex(std::string_view text) {
  // Fetched once: OpenSSL 3 otherwise looks the algorithm up on every call,
  // which costs several times the hash of a key.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (sha256 == nullptr ||
      EVP_Digest(text.data(), text.size(), digest, &length, sha256, nullptr) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size_t{length} * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[size_t{2} * i] = kHex[digest[i] >> 4];
    out[size_t{2} * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

Throttle::Throttle(ThrottleOptions options, KeyLoader loader)
    : options_(std::move(options)), loader_(std::move(loader)) {}

std::variant<std::unique_ptr<Throttle>, std::string> Throttle::start(ThrottleOptions options,
                                                                     KeyLoader loader) {
  std::unique_ptr<Throttle> t(new Throttle(std::move(options), std::move(loader)));
  if (auto e = t->reload()) return "cannot read the API keys: " + *e;
  t->refresher_ = std::thread([p = t.get()] { p->refresh_loop(); });
  return t;
}

Throttle::~Throttle() {
  {
    const std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

std::optional<std::string> Throttle::reload() {
  std::vector<store::ApiKey> rows;
  try {
    rows = loader_();
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  auto keys = std::make_shared<std::unordered_map<std::string, KeyGrant>>();
  for (const auto& row : rows) {
    if (!row.revoked.empty()) continue;
    KeyGrant grant{row.prefix, std::nullopt};
    if (!row.rate.empty()) {
      auto rate = parse_rate(row.rate);
      // `keys add` validates rates; one that does not parse limits nothing
      // less than the default would, so the default applies.
      if (auto* r = std::get_if<Rate>(&rate)) grant.rate = *r;
    }
    keys->emplace(row.hash, std::move(grant));
  }
  const std::lock_guard lock(keys_mutex_);
  keys_ = std::move(keys);
  return std::nullopt;
}

void Throttle::refresh_loop() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, options_.key_refresh, [this] { return stopping_; })) {
    lock.unlock();
    const auto error = reload();
    // The last good keys stay in force; each new failure is reported once.
    if (error && *error != last_error_)
      fmt::print(stderr, "ll2d: cannot read the API keys (the last ones read stay in force): {}\n",
                 *error);
    last_error_ = error.value_or("");
    lock.lock();
  }
}

std::optional<std::string> canonical_ip(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  // A dual-stack socket's IPv4 client is ::ffff:a.b.c.d; DRF would see a.b.c.d.
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

std::string client_address(const ClientInfo& client, std::string_view client_ip_header) {
  if (!client_ip_header.empty()) {
    // The last entry is the one the trusted proxy appended itself; earlier
    // ones are whatever the client claimed. Only an address counts: any other
    // text could make each request a new client of any size.
    std::string_view value = client.forwarded;
    if (const size_t comma = value.rfind(','); comma != std::string_view::npos)
      value.remove_prefix(comma + 1);
    const auto parts = split_ascii_space(value);
    if (parts.size() == 1)
      if (auto address = canonical_ip(parts[0])) return std::move(*address);
  }
  return std::string(client.peer);
}

std::string Throttle::client_ip(const ClientInfo& client) const {
  return client_address(client, options_.client_ip_header);
}

Throttle::Outcome Throttle::check(Table& table, const std::string& ident, const Rate& rate,
                                  bool record, bool capped) const {
  const int64_t now = now_us();
  const int64_t window = rate.seconds * 1000000;
  const auto capacity = static_cast<size_t>(rate.requests);
  const std::lock_guard lock(table.mutex);
  auto it = table.histories.find(ident);
  if (it == table.histories.end()) {
    if (!record) return {true, 0, 0};
    if (capped) {
      // Forget clients whose whole history has expired (the least recently
      // seen first, so they are at the back), a few per new client, and at
      // the cap the least recently seen one whatever its history.
      for (int i = 0; i < 8 && !table.lru.empty(); ++i) {
        const auto old = table.histories.find(table.lru.back());
        if (old->second.last > now - window) break;
        table.histories.erase(old);
        table.lru.pop_back();
      }
      if (table.histories.size() >= std::max<size_t>(1, options_.max_clients)) {
        table.histories.erase(table.lru.back());
        table.lru.pop_back();
      }
    }
    it = table.histories.emplace(ident, History{}).first;
    if (capped) {
      table.lru.push_front(ident);
      it->second.lru = table.lru.begin();
    }
  }
  History& h = it->second;
  // The ring grows with use up to N (memory follows the requests actually
  // in the window, not the rate), and shrinks to N if a key's rate drops.
  const auto resize = [&h](size_t to) {
    std::vector<int64_t> ring(to);
    const size_t keep = std::min(h.size, to);
    for (size_t i = 0; i < keep; ++i)
      ring[i] = h.ring[(h.head + h.size - keep + i) % h.ring.size()];
    h.ring = std::move(ring);
    h.head = 0;
    h.size = keep;
  };
  if (h.ring.size() > capacity) resize(capacity);
  // DRF drops what is at least a window old, then refuses at N in it.
  while (h.size > 0 && h.ring[h.head] <= now - window) {
    h.head = (h.head + 1) % h.ring.size();
    --h.size;
  }
  const auto use = static_cast<int64_t>(h.size);
  // A refused request is seen too: the cap forgets idle clients first.
  if (record && capped) table.lru.splice(table.lru.begin(), table.lru, h.lru);
  if (h.size >= capacity) {
    // DRF's wait(): the window left of the oldest request, shared by the
    // requests available (one, as the history is full).
    const double wait = static_cast<double>(window - (now - h.ring[h.head])) / 1e6;
    return {false, use, wait};
  }
  if (record) {
    if (h.size == h.ring.size()) resize(std::min(capacity, std::max<size_t>(4, h.size * 2)));
    h.ring[(h.head + h.size) % h.ring.size()] = now;
    ++h.size;
    h.last = now;
  }
  return {true, use, 0};
}

std::optional<api::Response> Throttle::admit(const api::Engine& engine, const api::Request& request,
                                             const ClientInfo& client) {
  try {
    return decide(engine, request, client);
  } catch (const std::exception& e) {
    // This runs on an I/O thread: a failure here is one request's 500.
    fmt::print(stderr, "ll2d: throttling {}: {}\n", std::string(request.target), e.what());
    api::Response out;
    out.status = 500;
    out.content_type = "application/json";
    out.body = R"({"detail":"A server error occurred."})";
    return out;
  }
}

std::optional<api::Response> Throttle::decide(const api::Engine& engine,
                                              const api::Request& request,
                                              const ClientInfo& client) {
  const auto scope = engine.throttle_scope(request);
  if (scope == api::ThrottleScope::Exempt) return std::nullopt;

  // DRF's TokenAuthentication runs first: a "Token" header that does not
  // name an active key is refused, never served as anonymous.
  std::optional<KeyGrant> grant;
  const auto auth = split_ascii_space(client.authorization);
  const auto is_token = [](std::string_view scheme) {
    return scheme.size() == 5 &&
           std::equal(scheme.begin(), scheme.end(), "token", [](char a, char b) {
             return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
           });
  };
  if (!auth.empty() && is_token(auth[0])) {
    std::string failure;
    if (auth.size() == 1) {
      failure = "Invalid token header. No credentials provided.";
    } else if (auth.size() > 2) {
      failure = "Invalid token header. Token string should not contain spaces.";
    } else if (!valid_utf8(auth[1])) {
      failure = "Invalid token header. Token string should not contain invalid characters.";
    } else {
      const std::string hash = sha256_hex(auth[1]);
      std::shared_ptr<const std::unordered_map<std::string, KeyGrant>> keys;
      {
        const std::lock_guard lock(keys_mutex_);
        keys = keys_;
      }
      if (const auto it = keys->find(hash); it != keys->end())
        grant = it->second;
      else
        failure = "Invalid token.";
    }
    if (!failure.empty())
      return engine.render_for_view(request, 401, api::detail_body(failure),
                                    {{"WWW-Authenticate", "Token"}});
  }

  const std::optional<Rate> rate =
      grant ? (grant->rate ? grant->rate : options_.key_rate) : options_.anon_rate;
  const std::string ident = grant ? grant->prefix : client_ip(client);
  Table& table = grant ? keyed_ : anon_;

  if (scope == api::ThrottleScope::Status) {
    // LL2's figures; reading them does not count.
    Outcome o;
    if (rate) o = check(table, ident, *rate, /*record=*/false, !grant);
    std::string body;
    json::Writer w(body);
    w.begin_object();
    w.key("your_request_limit");
    rate ? w.integer(rate->requests) : w.null();
    w.key("limit_frequency_secs");
    rate ? w.integer(rate->seconds) : w.null();
    w.key("current_use");
    w.integer(o.use);
    w.key("next_use_secs");
    w.integer(o.allowed ? 0 : static_cast<int64_t>(std::ceil(o.wait_secs)));
    w.key("ident");
    w.string(ident);
    w.end_object();
    return engine.render_for_view(request, 200, std::move(body), {});
  }

  if (!rate) return std::nullopt;
  const Outcome o = check(table, ident, *rate, /*record=*/true, !grant);
  if (o.allowed) return std::nullopt;
  // DRF's Throttled: the wait rounded up, "second" when it is one.
  const auto wait = static_cast<int64_t>(std::ceil(o.wait_secs));
  return engine.render_for_view(
      request, 429,
      api::detail_body(fmt::format("Request was throttled. Expected available in {} second{}.",
                                   wait, wait == 1 ? "" : "s")),
      {{"Retry-After", std::to_string(wait)}});
}

}  // namespace ll2::http
