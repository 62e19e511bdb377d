#include "sync/client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <mutex>
#include <string_view>

namespace ll2::sync {

namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::optional<int64_t> parse_retry_after(std::string_view value) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
    value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (const char c : value) digits = digits && std::isdigit(static_cast<unsigned char>(c));
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
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop != nullptr && stop->load() ? 1 : 0;
}

class CurlClient final : public Client {
 public:
  explicit CurlClient(const ClientOptions& options) : options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
  }
  ~CurlClient() override { curl_easy_cleanup(curl_); }

  Response get(const std::string& url) override {
    Response response;
    if (curl_ == nullptr) {
      response.error = "cannot start libcurl";
      return response;
    }
    curl_easy_reset(curl_);
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
    // LL2 redirects now and then (a missing slash); never off HTTP(S).
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl_, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
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
      response.error = curl_easy_strerror(rc);
      response.body.clear();
      return response;
    }
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
