#include "sync/client.hpp"

#include "util/text.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <mutex>
#include <string_view>

namespace ll2::sync {

namespace {

constexpr int kMaxRedirects = 3;

// The body, up to a size: a write past it returns short, which ends the
// transfer (CURLE_WRITE_ERROR), so an endless body holds at most the limit.
struct Sink {
  std::string body;
  int64_t max = 0;
  bool exceeded = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (static_cast<int64_t>(sink->body.size() + n) > sink->max) {
    sink->exceeded = true;
    return 0;
  }
  sink->body.append(data, n);
  return n;
}

// A URL parsed by libcurl (freed with the handle).
struct Url {
  CURLU* handle = curl_url();
  explicit Url(const std::string& text) {
    if (handle != nullptr && curl_url_set(handle, CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
      curl_url_cleanup(handle);
      handle = nullptr;
    }
  }
  Url(const Url&) = delete;
  Url& operator=(const Url&) = delete;
  ~Url() { curl_url_cleanup(handle); }
  std::string part(CURLUPart which, unsigned flags = 0) const {
    char* text = nullptr;
    if (handle == nullptr || curl_url_get(handle, which, &text, flags) != CURLUE_OK) return "";
    std::string out(text);
    curl_free(text);
    return out;
  }
  // scheme://host:port, the host in lower case, the port always written.
  std::string origin() const {
    std::string host = part(CURLUPART_HOST);
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return part(CURLUPART_SCHEME) + "://" + host + ":" + part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  }
};

// Where a redirect from `from` to `to` leads, on from's origin and with its
// user info; nothing when `to` is on another origin.
std::optional<std::string> same_origin_target(const std::string& from, const std::string& to) {
  const Url a(from);
  const Url b(to);
  if (a.handle == nullptr || b.handle == nullptr || a.origin() != b.origin()) return std::nullopt;
  CURLU* next = curl_url_dup(a.handle);
  const std::string path = b.part(CURLUPART_PATH);
  const std::string query = b.part(CURLUPART_QUERY);
  curl_url_set(next, CURLUPART_PATH, path.c_str(), 0);
  curl_url_set(next, CURLUPART_QUERY, query.empty() ? nullptr : query.c_str(), 0);
  curl_url_set(next, CURLUPART_FRAGMENT, nullptr, 0);
  char* text = nullptr;
  std::optional<std::string> out;
  if (curl_url_get(next, CURLUPART_URL, &text, 0) == CURLUE_OK) out = text;
  curl_free(text);
  curl_url_cleanup(next);
  return out;
}

std::optional<int64_t> parse_retry_after(std::string_view value) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
    value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (const char c : value) digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (digits) return value.size() > 9 ? 999'999'999'000 : std::stoll(std::string(value)) * 1000;
  // An HTTP date: the wait is until then.
  const time_t at = curl_getdate(std::string(value).c_str(), nullptr);
  if (at < 0) return std::nullopt;
  const time_t now = std::time(nullptr);
  return at > now ? static_cast<int64_t>(at - now) * 1000 : 0;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "retry-after")
      static_cast<Response*>(user)->retry_after_ms = parse_retry_after(line.substr(colon + 1));
  }
  return size * count;
}

// Ends a transfer when a stop was asked for (SIGTERM to serve or sync).
int on_progress(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
                curl_off_t /*ulnow*/) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop != nullptr && stop->load() ? 1 : 0;
}

class CurlClient final : public Client {
 public:
  explicit CurlClient(ClientOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
  }
  ~CurlClient() override { curl_easy_cleanup(curl_); }

  Response get(const std::string& url) override {
    std::string target = url;
    for (int hop = 0;; ++hop) {
      Response response = get_once(target);
      if (!is_redirect(response.status)) return response;
      char* location = nullptr;
      curl_easy_getinfo(curl_, CURLINFO_REDIRECT_URL, &location);
      if (location == nullptr) return response;  // a 3xx without Location: not a page
      const std::string to = location;
      const auto next = same_origin_target(url, to);
      if (!next) {
        response.error = fmt::format("redirected to another origin ({}); not followed",
                                     text::mask_url_password(to));
        return response;
      }
      if (hop == kMaxRedirects) {
        response.error = fmt::format("more than {} redirects; not followed", kMaxRedirects);
        return response;
      }
      target = *next;
    }
  }

  static bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  Response get_once(const std::string& url) {
    Response response;
    if (curl_ == nullptr) {
      response.error = "cannot start libcurl";
      return response;
    }
    curl_easy_reset(curl_);
    Sink sink{{}, options_.max_body_bytes, false};
    curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
    if (!options_.token.empty())
      headers = curl_slist_append(headers, ("Authorization: Token " + options_.token).c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "ll2d-sync/0.1");
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
    // Redirects are followed by get(), on the upstream's origin only.
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    // A Content-Length beyond the limit fails before the body is read.
    curl_easy_setopt(curl_, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options_.max_body_bytes));
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, options_.stop);
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    const CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      response.status = 0;
      response.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
      response.too_large = sink.exceeded || rc == CURLE_FILESIZE_EXCEEDED;
      response.error = response.too_large
                           ? fmt::format("the answer is larger than {} bytes; abandoned",
                                         options_.max_body_bytes)
                           : curl_easy_strerror(rc);
      return response;
    }
    response.body = std::move(sink.body);
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  ClientOptions options_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<Client> make_curl_client(const ClientOptions& options) {
  return std::make_unique<CurlClient>(options);
}

}  // namespace ll2::sync
