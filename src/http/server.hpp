// The HTTP transport: an acceptor and keep-alive sessions on Boost.Beast. It
// only moves bytes; every decision about the API is the engine's. What it does
// decide is what a connection may cost: see docs/reliability.md "Limits".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/engine.hpp"
#include "http/access_log.hpp"

namespace ll2::http {

class Throttle;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0 picks a free port
  int threads = 0;       // I/O threads (accept, read, write); 0: one per core
  // Threads that run the engine, which may wait on the database, so that a
  // slow query never holds up the I/O threads. 0: as many as I/O threads.
  int db_threads = 0;
  // Requests waiting for a database thread (besides those running); beyond
  // this a request is answered 503 with Retry-After. 0: 64 per database thread.
  size_t max_queued_requests = 0;
  bool access_log = true;  // one line per request on stderr (access_log.hpp)
  AccessLogFormat access_log_format = AccessLogFormat::Logfmt;
  // The header a trusted proxy sets to the client's address, as the throttle
  // reads it (ThrottleOptions::client_ip_header): the access log's client.
  std::string client_ip_header;
  // Responses kept whole and answered on the I/O threads while the database
  // generation they were rendered from is current (response_cache.hpp).
  // 0: none, every request goes to a database thread.
  size_t response_cache_bytes = size_t{256} << 20;
  // Benchmarks only: answer every request with these bytes (a 200,
  // application/json) on the I/O thread, without the engine: the ceiling of
  // this transport for a body of that size (bench/run.sh).
  std::string fixed_response;

  // Django's ALLOWED_HOSTS: exact names, ".example.org" for the domain and its
  // subdomains, "*" for any. Every Host must also be a syntactically valid
  // host (Django's host_validation_re), whatever this list says.
  std::vector<std::string> allowed_hosts = {"*"};

  // Open connections. At the limit the connection cheapest to lose is closed
  // to make room: one that has sent nothing, else the oldest idle keep-alive,
  // else the oldest incomplete header; when every connection has a request
  // in progress, the new one is closed. 0: what the open-file limit (its soft
  // value, raised to the hard one at start) leaves room for, as is any value
  // above that.
  size_t max_connections = 0;
  // Server-wide budget of response bytes not yet taken by clients: bodies
  // still being written plus what sits in the kernel's send queues. While it
  // is spent, requests are answered 503 with Retry-After. 0: no budget.
  size_t max_output_bytes = size_t{64} * 1024 * 1024;
  // Request line and header fields (431 beyond), request body (413 beyond).
  size_t max_header_bytes = size_t{16} * 1024;
  size_t max_body_bytes = size_t{64} * 1024;

  // From accept, or from the first byte of a keep-alive request, until the
  // header is complete (and again for the body). Then the connection closes.
  std::chrono::seconds header_timeout{10};
  // A keep-alive connection waiting for its next request.
  std::chrono::seconds idle_timeout{60};
  // A client that takes none of the response for this long is dropped.
  std::chrono::seconds write_timeout{10};
  // On SIGINT/SIGTERM: how long requests in flight may take to finish and be
  // written before their connections are cut.
  std::chrono::seconds drain_timeout{10};

  // Asked before each request is answered (http/throttle.hpp); null: no
  // throttling. Outlives serve().
  Throttle* throttle = nullptr;
};

// Serves until SIGINT or SIGTERM, then drains: no new connections, idle ones
// closed, requests in flight answered (within drain_timeout). `on_listening`
// gets the bound port (tests use port 0 and read it from the startup line).
// Returns a process exit code.
int serve(const api::Engine& engine, const ServerOptions& options,
          const std::function<void(uint16_t)>& on_listening);

}  // namespace ll2::http
