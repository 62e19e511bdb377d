// One HTTP GET to the upstream LL2, through libcurl: bounded in time and in
// size, with the API key when there is one, following redirects only on the
// upstream's own origin. Errors are values: a transport failure is status 0
// with a message.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace ll2::sync {

struct Response {
  int status = 0;  // 0: no HTTP answer (error says why)
  std::string body;
  std::optional<int64_t> retry_after_ms;  // Retry-After, in seconds or as an HTTP date
  std::string error;
  bool timed_out = false;
  bool too_large = false;  // the body passed ClientOptions::max_body_bytes (status 0)
};

class Client {
 public:
  virtual ~Client() = default;
  virtual Response get(const std::string& url) = 0;
};

struct ClientOptions {
  std::string token;  // sent as `Authorization: Token KEY`
  std::chrono::milliseconds timeout{60'000};
  std::chrono::milliseconds connect_timeout{10'000};
  // A body beyond this (its Content-Length, or what arrives, decoded) ends
  // the transfer: a page of 100 detailed objects is 1-3 MB.
  int64_t max_body_bytes = 64 << 20;
  const std::atomic<bool>* stop = nullptr;  // set: a call in flight is abandoned
};

std::unique_ptr<Client> make_curl_client(const ClientOptions& options);

}  // namespace ll2::sync
