// A client connection on a plain socket, for tests that must speak HTTP
// byte by byte (malformed requests, clients that stop reading, connections
// that stay open) where the harness's Beast client would not. Every wait is
// bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ll2::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// A GET request's bytes: HTTP/1.1 with that Host, `extra` header lines
// (each ending in CRLF) after it.
std::string get_request(const std::string& target, const std::string& host,
                        const std::string& extra = "");

// A header's value, or "" when the response has none.
std::string header(const RawResponse& r, const std::string& name);

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; `rcvbuf` > 0 shrinks the receive buffer
  // first, so a client that does not read stalls the server quickly.
  explicit RawConnection(uint16_t port, int rcvbuf = 0);
  ~RawConnection() { close(); }
  RawConnection(RawConnection&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)),
        error_(o.error_),
        pending_(std::move(o.pending_)),
        head_(std::move(o.head_)) {}
  RawConnection& operator=(RawConnection&&) = delete;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0 && error_ == 0; }
  int error() const { return error_; }  // errno of a failed connect
  uint16_t local_port() const;          // this end's port (0 when not connected)
  void close();

  bool send(std::string_view data) const;
  // Whether anything (a response, or the end of the connection) has arrived.
  bool readable(std::chrono::milliseconds timeout);
  // Waits, without reading, until the server closes or resets the connection.
  bool wait_closed(std::chrono::milliseconds timeout);
  // Reads until the server closes (or resets) the connection or the time is
  // up. Returns what arrived and whether the connection ended.
  std::pair<std::string, bool> read_to_close(std::chrono::milliseconds timeout);
  // Reads until what arrived holds `needle` (or the server closes, or the
  // time is up), and returns it all: for responses without a length, such
  // as an event stream.
  std::string read_until(std::string_view needle, std::chrono::milliseconds timeout);
  // Reads one response (Content-Length framed). Empty when the connection
  // ends first or the time is up.
  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout);

 private:
  // Parses a status line and header fields into head_; returns the
  // Content-Length.
  size_t parse_head(const std::string& head);

  int fd_ = -1;
  int error_ = 0;
  std::string pending_;
  RawResponse head_;
};

// One request's raw bytes on a fresh connection, and its response.
std::optional<RawResponse> fetch_once(uint16_t port, const std::string& raw,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// ---- the server process, as /proc shows it

size_t rss_bytes(pid_t pid);
// The server's open sockets: its listening socket and one per connection
// (and, on PostgreSQL, its database connections).
size_t server_sockets(pid_t pid);
// Waits (bounded) until the server holds `connections` connections.
bool wait_for_connections(pid_t pid, size_t connections);
// The soft open-file limit of a process ("Max open files" in its limits).
long open_file_limit(pid_t pid);

// The test process itself needs room for many client sockets.
bool raise_open_file_limit(size_t want);
bool have_prlimit();

// Waits (bounded by `timeout`, a guard against a hang) until the server on
// `server_port` has taken everything `c` sent out of its socket, as the
// kernel's /proc/net/tcp shows: a request the server has read is being
// handled, whatever the machine's speed. False when the time is up.
bool wait_until_read(const RawConnection& c, uint16_t server_port,
                     std::chrono::milliseconds timeout);

}  // namespace ll2::test
