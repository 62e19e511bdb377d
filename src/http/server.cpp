#include "http/server.hpp"
#include "http/response_cache.hpp"

#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/changes_view.hpp"
#include "api/html.hpp"
#include "api/routing.hpp"
#include "http/access_log.hpp"
#include "http/throttle.hpp"

namespace ll2::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNever = Clock::time_point::max();
// How long the acceptor rests after an error it cannot act on (e.g. EMFILE
// with nothing left to shed), so a full backlog does not spin a core.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);
// Descriptors kept for everything that is not a connection (stdio, the
// acceptor, the spare, and per thread its database connection (file, WAL,
// index) or, for an I/O thread, also its loop's poller, timer and waker).
constexpr size_t kReservedDescriptors = 32;
constexpr size_t kDescriptorsPerThread = 6;
// The default connection limit when the open-file limit is unlimited.
constexpr size_t kUnlimitedMaxConnections = size_t{1} << 20;
constexpr size_t kMinConnections = 16;
// Descriptors kept free when accept() has run out of them once.
constexpr size_t kDescriptorMargin = 8;
// What an idle keep-alive connection reads into while it waits.
constexpr size_t kIdleReadBytes = 512;
// After a response that closes the connection, at most this much of what the
// client still sends is read and dropped, so closing does not reset it.
constexpr size_t kMaxDiscardBytes = size_t{1024} * 1024;
// Requests that may wait for a database thread, per thread, by default.
constexpr size_t kQueuedPerDbThread = 64;
// How often a drain looks whether every connection has finished.
constexpr auto kDrainPoll = std::chrono::milliseconds(20);

constexpr std::string_view kUnavailable =
    R"({"detail":"Service temporarily unavailable, try again later."})";

// Django's response to a DisallowedHost with DEBUG off: the bad_request view's
// ERROR_PAGE_TEMPLATE (django/views/defaults.py), text/html.
constexpr std::string_view kDjangoBadRequest =
    "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n"
    "<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n";

// ------------------------------------------------------------ access log ----

// Request bytes go into the log as printable ASCII only: a quote or backslash
// is escaped, any other byte outside 0x20..0x7e is written as \xNN.
std::string log_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

// ------------------------------------------------------------------ Host ----

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}
bool is_name_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '-';
}
bool is_v6_char(char c) {
  return is_hex(c) || c == '.' || c == ':';
}

// Django's split_domain_port: the lower-cased domain of a Host value without
// its port and trailing dot, or nothing when the value does not match
// host_validation_re, ^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:[0-9]+)?$.
std::optional<std::string> host_domain(std::string_view value) {
  std::string host(value);
  std::transform(host.begin(), host.end(), host.begin(), ascii_lower);
  const auto valid_port = [](std::string_view rest) {
    return rest.empty() || (rest.size() > 1 && rest[0] == ':' && all_of(rest.substr(1), is_digit));
  };
  std::string domain;
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string::npos) return std::nullopt;
    const std::string_view inside = std::string_view(host).substr(1, close - 1);
    const size_t colon = inside.find(':');
    if (colon == std::string_view::npos || !all_of(inside.substr(0, colon), is_hex) ||
        inside.size() == colon + 1 || !all_of(inside.substr(colon + 1), is_v6_char))
      return std::nullopt;
    if (!valid_port(std::string_view(host).substr(close + 1))) return std::nullopt;
    domain = host.substr(0, close + 1);
  } else {
    const size_t colon = host.find(':');
    const std::string_view name = std::string_view(host).substr(0, colon);
    if (name.empty() || !all_of(name, is_name_char)) return std::nullopt;
    if (colon != std::string::npos && !valid_port(std::string_view(host).substr(colon)))
      return std::nullopt;
    domain = std::string(name);
    if (domain.ends_with('.')) domain.pop_back();
  }
  if (domain.empty()) return std::nullopt;
  return domain;
}

// Django's validate_host over ALLOWED_HOSTS (is_same_domain for each pattern).
bool host_allowed(const std::string& domain, const std::vector<std::string>& patterns) {
  for (std::string pattern : patterns) {
    std::transform(pattern.begin(), pattern.end(), pattern.begin(), ascii_lower);
    if (pattern.empty()) continue;
    if (pattern == "*" || pattern == domain) return true;
    if (pattern[0] == '.' &&
        (domain.ends_with(pattern) || domain == std::string_view(pattern).substr(1)))
      return true;
  }
  return false;
}

// ----------------------------------------------------------- the request ----

// Request bodies are read within the body limit and dropped: the engine uses
// none, and a POST with a body should get its 405 like one without.
struct DiscardBody {
  struct value_type {};
  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(bhttp::header<isRequest, Fields>& /*header*/, value_type& /*body*/) {}
    // Members, not static: Beast's BodyReader names them so.
    // NOLINTNEXTLINE(readability-convert-member-functions-to-static)
    void init(const boost::optional<std::uint64_t>& /*length*/, beast::error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      ec = {};
      return asio::buffer_size(buffers);
    }
    // NOLINTNEXTLINE(readability-convert-member-functions-to-static)
    void finish(beast::error_code& ec) { ec = {}; }
  };
};

using RequestParser = bhttp::request_parser<DiscardBody>;

// A response body held by reference count: a cached body is written to every
// client from the cache's one copy.
struct SharedBody {
  using value_type = std::shared_ptr<const std::string>;
  static std::uint64_t size(const value_type& body) { return body ? body->size() : 0; }
  class writer {
   public:
    using const_buffers_type = asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(const bhttp::header<isRequest, Fields>& /*header*/, const value_type& body)
        : body_(body) {}
    // A member, not static: Beast's BodyWriter names it so.
    // NOLINTNEXTLINE(readability-convert-member-functions-to-static)
    void init(beast::error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      ec = {};
      if (done_ || !body_ || body_->empty()) return boost::none;
      done_ = true;
      return std::pair{asio::const_buffer(body_->data(), body_->size()), false};
    }

   private:
    const value_type& body_;
    bool done_ = false;
  };
};

// RFC 9112 6.1 and 6.3: a request whose body length is ambiguous is not
// served, since what follows it could be read as another request. Beast
// itself rejects Content-Length before Transfer-Encoding and a repeated
// chunked; the rest is checked here.
bool framing_ok(const RequestParser& parser) {
  const auto& req = parser.get();
  const auto codings = req.equal_range(bhttp::field::transfer_encoding);
  if (codings.first == codings.second) return true;
  if (req.version() < 11) return false;  // HTTP/1.0 has no transfer codings
  if (req.count(bhttp::field::content_length) > 0) return false;
  std::string_view last;
  for (auto it = codings.first; it != codings.second; ++it) {
    std::string_view list = it->value();
    while (!list.empty()) {
      const size_t comma = list.find(',');
      std::string_view token = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
        token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
        token.remove_suffix(1);
      if (!token.empty()) last = token;
    }
  }
  return beast::iequals(last, "chunked") && parser.chunked();
}

// A field's lines joined with ", " (RFC 9110 5.3), as WSGI joins them: a
// repeated line is one list, whose last entry is the last line's.
std::string joined_field(const bhttp::fields& fields, std::string_view name) {
  std::string out;
  const auto [first, last] = fields.equal_range(name);
  for (auto it = first; it != last; ++it) {
    if (it != first) out += ", ";
    out += it->value();
  }
  return out;
}

// RFC 9110 5.6.7's IMF-fixdate of now ("Sun, 06 Nov 1994 08:49:37 GMT"),
// as Django and gunicorn write Date; formatted once a second per thread.
const std::string& http_date() {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t formatted = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != formatted) {
    std::tm t{};
    gmtime_r(&now, &t);
    text = fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[t.tm_wday], t.tm_mday,
                       kMonths[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
    formatted = now;
  }
  return text;
}

// Bytes written to the socket that the peer has not acknowledged yet. None
// once the connection is reset (SIOCOUTQ still counts what the reset dropped).
size_t unsent_bytes(tcp::socket& socket) {
  int n = 0;
  if (!socket.is_open() || ::ioctl(socket.native_handle(), SIOCOUTQ, &n) != 0 || n <= 0) return 0;
  tcp_info info{};
  socklen_t size = sizeof info;
  if (::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) == 0 &&
      info.tcpi_state == TCP_CLOSE)
    return 0;
  return static_cast<size_t>(n);
}

// LL2D_TEST_SHED_DELAY_MS, read once: with the test hooks built in, a shed
// connection is closed that much later, so tests can hold open the moment
// when room is being made but the descriptors are not yet free.
std::chrono::milliseconds test_shed_delay() {
#ifdef LL2D_TEST_HOOKS
  static const std::chrono::milliseconds delay{[] {
    const char* v = std::getenv("LL2D_TEST_SHED_DELAY_MS");
    return v != nullptr ? std::max<long long>(0, std::strtoll(v, nullptr, 10)) : 0;
  }()};
  return delay;
#else
  return std::chrono::milliseconds{0};
#endif
}

bool out_of_descriptors(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors ||
         (ec.category() == boost::system::system_category() && ec.value() == ENFILE);
}

// ----------------------------------------------------------- the workers ----

// The threads that run the engine. Admission counts the jobs running and
// waiting together, so at most threads + max_waiting are ever held, whatever
// the workers are doing; past that try_post() refuses at once.
class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_waiting)
      : capacity_(static_cast<size_t>(threads) + max_waiting) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  ~WorkerPool() { stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool try_post(std::function<void()> job) {
    const std::lock_guard lock(mutex_);
    if (stopping_ || admitted_ >= capacity_) return false;
    ++admitted_;
    jobs_.push_back(std::move(job));
    ready_.notify_one();
    return true;
  }

  // Lets the running jobs finish, drops the waiting ones, joins.
  void stop() {
    std::deque<std::function<void()>> dropped;
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
      dropped.swap(jobs_);
    }
    ready_.notify_all();
    dropped.clear();  // outside the lock: a job owns a session, and may be its last owner
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
      job = nullptr;  // release what it holds before counting it done
      const std::lock_guard lock(mutex_);
      --admitted_;
    }
  }

  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  size_t admitted_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// ----------------------------------------------------- server-wide state ----

class Session;

// What losing a connection costs, cheapest first: one that has sent nothing
// (no request is lost; a slowloris costs nothing to drop), an idle
// keep-alive (the client reconnects), a request header still arriving (the
// oldest is the slowest). Anything further along is never shed.
enum class ShedCost { Silent, Idle, PartialHeader };
struct ShedSlot {
  ShedCost cost;
  uint64_t serial;  // grows with time: the oldest first
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  auto operator<=>(const ShedSlot&) const = default;
};

struct Shared {
  Shared(const api::Engine& e, ServerOptions o) : engine(e), options(std::move(o)) {}

  const api::Engine& engine;
  const ServerOptions options;
  int threads = 1;  // I/O and database threads: what descriptor_room counts
  size_t max_connections = kMinConnections;  // read and lowered by the listener only
  WorkerPool* workers = nullptr;             // outlives every session's use of it
  std::unique_ptr<ResponseCache> cache;      // null: no response cache

  std::atomic<size_t> output_bytes{0};  // the budget in use
  std::atomic<size_t> connections{0};
  // Connections chosen to make room and not yet gone: their descriptors are
  // being freed, so they are not counted as staying.
  std::atomic<size_t> shedding{0};
  size_t staying() const {
    const size_t open = connections.load();
    return open - std::min(open, shedding.load());
  }
  // Set once on SIGINT/SIGTERM: no more keep-alive, idle connections close.
  std::atomic<bool> draining{false};

  // Every live connection, for the drain.
  uint64_t enter(std::weak_ptr<Session> session) {
    const std::lock_guard lock(mutex_);
    const uint64_t key = ++serial_;
    sessions_.emplace(key, std::move(session));
    return key;
  }
  void leave(uint64_t key) {
    const std::lock_guard lock(mutex_);
    sessions_.erase(key);
  }
  std::vector<std::shared_ptr<Session>> live() {
    const std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<Session>> out;
    for (const auto& [key, weak] : sessions_)
      if (auto session = weak.lock()) out.push_back(std::move(session));
    return out;
  }

  // Connections that may be closed to make room, cheapest to lose first and
  // oldest first within a cost.
  ShedSlot enter_sheddable(ShedCost cost, std::weak_ptr<Session> session) {
    const std::lock_guard lock(mutex_);
    const ShedSlot slot{cost, ++serial_};
    sheddable_.emplace(slot, std::move(session));
    return slot;
  }
  void leave_sheddable(const ShedSlot& slot) {
    const std::lock_guard lock(mutex_);
    sheddable_.erase(slot);
  }
  std::shared_ptr<Session> take_cheapest() {
    const std::lock_guard lock(mutex_);
    while (!sheddable_.empty()) {
      auto node = sheddable_.extract(sheddable_.begin());
      if (auto session = node.mapped().lock()) return session;
    }
    return nullptr;
  }

 private:
  std::mutex mutex_;
  std::map<ShedSlot, std::weak_ptr<Session>> sheddable_;
  std::map<uint64_t, std::weak_ptr<Session>> sessions_;
  uint64_t serial_ = 0;
};

// A request as the engine needs it, owned, so a worker thread reads nothing
// of the session while it runs.
struct OwnedRequest {
  std::string method, target, host, accept, if_none_match, origin;
  bool preflight_method = false;
  std::optional<api::stages::Route> route;  // routed once, for the throttle and the engine

  api::Request view() const {
    return {method,
            target,
            host,
            accept,
            if_none_match,
            origin,
            preflight_method,
            route ? &*route : nullptr};
  }
};

// The engine's answer; an exception is answered 500 as Django would.
api::Response answer(const api::Engine& engine, const api::Request& request) {
  try {
    return engine.handle_with_cors(request);
  } catch (const std::exception& e) {
    // The boundary of a request: report, answer 500, keep serving.
    fmt::print(stderr, "ll2d: error handling {} {}: {}\n", log_escape(request.method),
               log_escape(request.target), e.what());
    api::Response out;
    out.status = 500;
    out.content_type = "application/json";
    out.body = R"({"detail":"A server error occurred."})";
    engine.apply_cors(request, out);
    return out;
  }
}

// What the engine answers without reading the database (the browsable
// page's stylesheet, CORS preflights) is answered on the I/O thread: a
// worker's queue is no place for it.
bool answered_inline(const RequestParser& parser) {
  const auto& req = parser.get();
  if (req.method() == bhttp::verb::options &&
      req.find(bhttp::field::access_control_request_method) != req.end())
    return true;
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) return false;
  const std::string_view target = req.target();
  return target.substr(0, target.find('?')) == api::kStylesheetPath;
}

// ----------------------------------------------------------- EventStream ----

// A connection that has become a Server-Sent Events stream of the change
// log (/ll2d/changes/stream, api/changes_view.hpp). It reads the entries
// after its position on a database thread whenever the database's
// generation moves (checked four times a second, and every few seconds
// regardless), writes them as they come, sends a comment line when it has
// been quiet for a while (so proxies and clients see it alive), and ends
// when the client goes, stops taking bytes, or the server drains.
class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(tcp::socket socket, std::shared_ptr<Shared> shared, api::ChangeStream stream)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        shared_(std::move(shared)),
        stream_(std::move(stream)) {
    shared_->connections.fetch_add(1);
  }
  ~EventStream() { shared_->connections.fetch_sub(1); }
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // `head`: the response's header, already formed.
  void start(std::string head) {
    send(std::move(head) + "retry: 2000\n\n");
    watch_for_close();
    read_events();
    tick();
  }

 private:
  static constexpr auto kPoll = std::chrono::milliseconds(250);
  static constexpr auto kRecheck = std::chrono::seconds(5);  // also when the generation is unknown
  static constexpr auto kHeartbeat = std::chrono::seconds(15);
  static constexpr size_t kMaxPending = size_t{1} << 20;  // a client this far behind is dropped

  void tick() {
    timer_.expires_after(kPoll);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_tick();
    });
  }

  void on_tick() {
    if (closed_) return;
    const auto now = Clock::now();
    if (shared_->draining.load() ||
        (writing_ && now - write_started_ > shared_->options.write_timeout)) {
      close();
      return;
    }
    const auto generation = shared_->engine.generation_now();
    if (!reading_ && (!generation || generation != seen_ || now - last_read_ >= kRecheck))
      read_events();
    if (!writing_ && now - last_sent_ >= kHeartbeat) send(": keep-alive\n\n");
    tick();
  }

  // The entries after the stream's position, on a database thread (which
  // alone touches stream_ meanwhile); a full page reads again at once.
  void read_events() {
    reading_ = true;
    last_read_ = Clock::now();
    const auto generation = shared_->engine.generation_now();
    const bool queued = shared_->workers->try_post([self = shared_from_this(), generation] {
      std::string text;
      bool more = false;
      bool failed = false;
      try {
        text = api::next_change_events(self->shared_->engine, self->stream_, more);
      } catch (const std::exception& e) {  // tried again at the next recheck
        fmt::print(stderr, "ll2d: change stream: {}\n", e.what());
        failed = true;
      }
      asio::post(self->socket_.get_executor(),
                 [self, text = std::move(text), generation, more, failed]() mutable {
                   self->reading_ = false;
                   if (!failed && !more) self->seen_ = generation;
                   if (!text.empty()) self->send(text);
                 });
    });
    if (!queued) reading_ = false;  // the workers are saturated: the next tick tries again
  }

  void send(std::string_view text) {
    if (closed_) return;
    pending_ += text;
    if (pending_.size() > kMaxPending) {
      close();
      return;
    }
    if (!writing_) flush();
  }

  void flush() {
    writing_ = true;
    write_started_ = Clock::now();
    current_ = std::move(pending_);
    pending_.clear();
    asio::async_write(socket_, asio::buffer(current_),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->writing_ = false;
                        if (ec) {
                          self->close();
                          return;
                        }
                        self->last_sent_ = Clock::now();
                        if (!self->pending_.empty()) self->flush();
                      });
  }

  // A client sends nothing on a stream: a read ends only when it goes.
  void watch_for_close() {
    socket_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                self->close();
                                return;
                              }
                              self->watch_for_close();
                            });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<Shared> shared_;
  api::ChangeStream stream_;
  std::optional<uint64_t> seen_;  // the generation last read at (unset: none yet)
  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
  std::string pending_, current_;
  std::array<char, 512> scratch_{};
  Clock::time_point write_started_, last_read_, last_sent_ = Clock::now();
};

// --------------------------------------------------------------- Session ----

// One connection. Every handler runs on the connection's strand. Its one timer
// serves two purposes: the deadline of the read in progress, and, while a
// response is being written or still sits unacknowledged in the kernel, a
// watchdog that drops a client which takes nothing for write_timeout.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(std::move(shared)) {
    shared_->connections.fetch_add(1);
  }
  ~Session() {
    if (key_ != 0) shared_->leave(key_);
    leave_sheddable();
    shared_->output_bytes.fetch_sub(charged_);
    shared_->connections.fetch_sub(1);
    uncount_shed();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  tcp::socket::executor_type executor() { return socket_.get_executor(); }

  void start() {
    key_ = shared_->enter(weak_from_this());
    if (shared_->draining.load()) {  // accepted just before the drain began
      close_now();
      return;
    }
    // For HTTP/1.0 requests without Host, as WSGI's SERVER_NAME:SERVER_PORT.
    beast::error_code ec;
    const auto local = socket_.local_endpoint(ec);
    if (!ec) {
      const auto address = local.address();
      local_authority_ = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
      if (local.port() != 80) local_authority_ += ":" + std::to_string(local.port());
    }
    const auto remote = socket_.remote_endpoint(ec);
    if (!ec) peer_ = canonical_ip(remote.address().to_string()).value_or("");  // the throttle's
    wait_for_request(ShedCost::Silent, Clock::now() + options().header_timeout);
  }

  // Called by the listener when it chooses this connection to make room:
  // until the connection is gone (or has gone further), Shared::shedding
  // counts it, so nobody makes the same room twice.
  void count_as_shed() {
    shed_counted_.store(true);
    shared_->shedding.fetch_add(1);
  }

  // Called (on the strand) to make room for a new connection: closes it
  // unless it has gone further meanwhile (a request arrived whole).
  void shed() {
    if (shed_slot_) {
      close_now();
    } else {
      uncount_shed();
    }
  }

  // After the I/O threads have stopped: a connection the drain did not finish.
  void cut() { close_now(); }

  // Called (on the strand) when the drain begins. A connection with no
  // request in sight closes now; one whose request has arrived (even in
  // part) is answered, with Connection: close; one whose last response is
  // written closes as soon as the client has acknowledged all of it.
  void drain() {
    beast::error_code ec;
    const bool request_waiting = buffer_.size() > 0 || socket_.available(ec) > 0;
    switch (phase_) {
      case Phase::Idle:
      case Phase::Header:
        if (!request_waiting) close_now();
        break;
      case Phase::Closing:
        peer_done_ = true;
        finish_close();
        break;
      default:
        break;
    }
  }

 private:
  enum class Phase { Header, Body, Handling, Writing, Idle, Closing, Closed };

  const ServerOptions& options() const { return shared_->options; }

  void uncount_shed() {
    if (shed_counted_.exchange(false)) shared_->shedding.fetch_sub(1);
  }

  // ---- reading

  // With some of a request in buffer_; the header must be complete by
  // `deadline`. Until it is, the connection may be shed.
  void read_header(Clock::time_point deadline) {
    phase_ = Phase::Header;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(options().max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(options().max_body_bytes);
    set_read_deadline(deadline);
    // A header already whole in the buffer (the usual case) is parsed at
    // once: not worth filing as sheddable.
    const auto data = buffer_.cdata();
    if (std::string_view(static_cast<const char*>(data.data()), data.size()).find("\r\n\r\n") ==
        std::string_view::npos)
      enter_sheddable(ShedCost::PartialHeader);
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    leave_sheddable();
    if (ec) return on_read_error(ec);
    if (!framing_ok(*parser_)) {
      reject(400, "application/json", R"({"detail":"Bad request."})");
      return;
    }
    if (!check_host()) {
      reject(400, "text/html", kDjangoBadRequest);
      return;
    }
    if (!parser_->is_done()) {
      phase_ = Phase::Body;
      set_read_deadline(Clock::now() + options().header_timeout);
      bhttp::async_read(
          socket_, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
      return;
    }
    handle();
  }

  void on_body(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    handle();
  }

  void on_read_error(beast::error_code ec) {
    if (phase_ == Phase::Closed) return;
    if (ec.category() != bhttp::make_error_code(bhttp::error::header_limit).category() ||
        ec == bhttp::error::end_of_stream) {
      // The peer went away (or the deadline closed the socket) between or
      // inside requests: nothing to answer.
      close_now();
      return;
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      reject(431, "application/json", R"({"detail":"Request header fields too large."})");
    } else if (ec == bhttp::error::body_limit) {
      reject(413, "application/json", R"({"detail":"Request body too large."})");
    } else {
      reject(400, "application/json", R"({"detail":"Bad request."})");
    }
  }

  // Django's host validation (RFC 9112 3.2 for the missing and repeated
  // cases). Sets the host absolute URLs are built from. ll2d's own probes
  // answer whatever the Host: load balancers probe nodes by address.
  bool check_host() {
    const auto& req = parser_->get();
    const size_t count = req.count(bhttp::field::host);
    const std::string_view value =
        count == 1 ? std::string_view(req[bhttp::field::host]) : std::string_view();
    const auto domain = host_domain(value);
    const bool allowed = count == 1 ? domain && host_allowed(*domain, options().allowed_hosts)
                                    : count == 0 && req.version() < 11;
    if (allowed) {
      url_host_ = count == 1 ? std::string(value) : local_authority_;
      return true;
    }
    const std::string_view path = req.target().substr(0, req.target().find('?'));
    if (path == "/healthz" || path == "/readyz") {
      url_host_ = local_authority_;
      return true;
    }
    if (options().access_log) {
      fmt::print(stderr, "ll2d: refused Host {}: {}\n",
                 count == 1 ? "\"" + log_escape(value) + "\"" : std::to_string(count) + " lines",
                 count == 1 ? "not in --allowed-hosts" : "a request needs exactly one");
    }
    return false;
  }

  // ---- the access log

  // The client's X-Request-ID when it is one to keep, else a new id.
  std::string request_id() const {
    const auto& req = parser_->get();
    const auto incoming = incoming_request_id(req["X-Request-ID"]);
    return incoming ? std::string(*incoming) : new_request_id();
  }

  // One line, one write; the client as the throttle counts it.
  void log_access(unsigned status, size_t bytes, Clock::duration took, std::string_view id) const {
    const auto& req = parser_->get();
    const std::string& header = options().client_ip_header;
    const std::string forwarded = header.empty() ? std::string() : joined_field(req, header);
    const std::string client = client_address(ClientInfo{peer_, {}, forwarded}, header);
    AccessRecord record;
    record.time_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    record.client = client;
    record.method = req.method_string();
    record.path = req.target();
    record.status = status;
    record.bytes = bytes;
    record.us = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    record.host = req[bhttp::field::host];
    record.ua = req[bhttp::field::user_agent];
    record.id = id;
    const std::string line = format_access(record, options().access_log_format);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  // ---- answering

  void handle() {
    phase_ = Phase::Handling;
    read_deadline_ = kNever;
    const auto& req = parser_->get();
    const size_t budget = options().max_output_bytes;
    if (budget != 0 && shared_->output_bytes.load() >= budget) {
      reject_unavailable();
      return;
    }
    started_ = Clock::now();
    auto request = std::make_shared<OwnedRequest>(OwnedRequest{
        std::string(req.method_string()), std::string(req.target()), url_host_,
        std::string(req[bhttp::field::accept]), std::string(req[bhttp::field::if_none_match]),
        std::string(req[bhttp::field::origin]),
        req.find(bhttp::field::access_control_request_method) != req.end(), std::nullopt});
    // Throttling decides first, on this thread and without the database, so
    // every request counts whoever answers it.
    if (Throttle* throttle = options().throttle) {
      const std::string& header = throttle->options().client_ip_header;
      const std::string forwarded = header.empty() ? std::string() : joined_field(req, header);
      const ClientInfo client{peer_, req[bhttp::field::authorization], forwarded};
      request->route = shared_->engine.route_of(request->view());
      if (auto out = throttle->admit(shared_->engine, request->view(), client)) {
        respond(std::move(*out));
        return;
      }
    }
    if (answered_inline(*parser_)) {
      respond(answer(shared_->engine, request->view()));
      return;
    }
    if (req.target().substr(0, req.target().find('?')) == api::kChangeStreamPath) {
      open_stream(request);
      return;
    }
    if (!options().fixed_response.empty()) {
      api::Response fixed;
      fixed.content_type = "application/json";
      fixed.body = options().fixed_response;
      respond(std::move(fixed));
      return;
    }
    const bool gzip_ok = accepts_gzip(req[bhttp::field::accept_encoding]);
    // A GET answered before from the database as it still is: from the
    // cache, here on the I/O thread.
    std::string cache_key;
    if (shared_->cache && (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head)) {
      cache_key = ResponseCache::key(request->view());
      if (const auto generation = shared_->engine.generation_now()) {
        if (auto hit = shared_->cache->lookup(cache_key, *generation, shared_->engine.now(),
                                              request->view(), gzip_ok)) {
          respond(std::move(*hit));
          return;
        }
      }
    }
    // Everything else may wait on the database: a worker runs it, and the
    // answer comes back to this connection's strand. The job owns the
    // session, so a connection closed meanwhile is still there to drop it.
    const bool queued = shared_->workers->try_post([self = shared_from_this(), request,
                                                    shared = shared_, executor = executor(),
                                                    gzip_ok, cache_key = std::move(cache_key)] {
      std::optional<Answer> out;
      // The budget again: it may have been spent while this waited.
      const size_t budget = shared->options.max_output_bytes;
      if (budget == 0 || shared->output_bytes.load() < budget) {
        // An answer cached at an older generation may still hold: writes
        // since then may have touched nothing it read. (Only asked when one
        // is cached: reading the generations costs a query.)
        if (!cache_key.empty() && shared->cache->holds(cache_key)) {
          shared->engine.with_generations(
              [&](uint64_t generation,
                  const api::KindGenerations& kinds) -> std::optional<api::Response> {
                out = shared->cache->revalidate(cache_key, generation, kinds, shared->engine.now(),
                                                request->view(), gzip_ok);
                return std::nullopt;
              });
        }
        if (!out) {
          api::Response fresh = answer(shared->engine, request->view());
          if (!cache_key.empty() && fresh.status == 200 && fresh.generation) {
            out = shared->cache->insert(cache_key, std::move(fresh), request->view(), gzip_ok);
          } else {
            if (gzip_ok) compress_for_client(fresh);
            out = Answer{std::move(fresh), nullptr};
          }
        }
      }
      asio::post(executor, [self, out = std::move(out)]() mutable {
        if (out)
          self->respond(std::move(*out));
        else
          self->reject_unavailable();
      });
    });
    if (!queued) reject_unavailable();
  }

  // /ll2d/changes/stream: opened on a database thread (a bad request is
  // answered as any other); then this connection becomes an EventStream.
  void open_stream(const std::shared_ptr<OwnedRequest>& request) {
    std::string last_event_id(parser_->get()["Last-Event-ID"]);
    const bool queued =
        shared_->workers->try_post([self = shared_from_this(), request, shared = shared_,
                                    executor = executor(), last_event_id] {
          std::variant<api::ChangeStream, api::Response> opened = api::Response{};
          try {
            opened = api::open_change_stream(shared->engine, request->view(), last_event_id);
          } catch (const std::exception& e) {  // the database failed: as any request would
            fmt::print(stderr, "ll2d: change stream: {}\n", e.what());
            api::Response failed;
            failed.status = 503;
            failed.content_type = "application/json";
            failed.headers = {{"Retry-After", "5"}};
            failed.body = std::string(kUnavailable);
            opened = std::move(failed);
          }
          asio::post(executor, [self, request, opened = std::move(opened)]() mutable {
            if (auto* refused = std::get_if<api::Response>(&opened)) {
              self->shared_->engine.apply_cors(request->view(), *refused);
              self->respond(std::move(*refused));
            } else {
              self->become_stream(*request, std::move(std::get<api::ChangeStream>(opened)));
            }
          });
        });
    if (!queued) reject_unavailable();
  }

  // Hands the socket to an EventStream after writing the header itself: the
  // body has no length and ends with the connection.
  void become_stream(const OwnedRequest& request, api::ChangeStream stream) {
    if (phase_ == Phase::Closed) return;
    api::Response cors;
    shared_->engine.apply_cors(request.view(), cors);
    const std::string id = request_id();
    std::string head = fmt::format(
        "HTTP/1.1 200 OK\r\nDate: {}\r\nServer: ll2d\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n"
        "X-Request-ID: {}\r\n",
        http_date(), id);
    for (const auto& [name, value] : cors.headers) head += fmt::format("{}: {}\r\n", name, value);
    head += "\r\n";
    if (options().access_log) log_access(200, 0, Clock::now() - started_, id);
    leave_sheddable();
    timer_.cancel();
    phase_ = Phase::Closed;  // the socket is the stream's now
    std::make_shared<EventStream>(std::move(socket_), shared_, std::move(stream))
        ->start(std::move(head));
  }

  void reject_unavailable() {
    if (phase_ == Phase::Closed) return;
    reject(503, "application/json", kUnavailable, {{"Retry-After", "1"}});
  }

  // On the strand, with the engine's answer to the request in parser_.
  void respond(api::Response out) { respond(Answer{std::move(out), nullptr}); }

  void respond(Answer reply) {
    api::Response& out = reply.response;
    if (phase_ == Phase::Closed) return;  // the connection went meanwhile
    const auto& req = parser_->get();
    // The engine answered an error it wants known (a storage failure, a
    // spent time budget): one line, whatever the access log setting.
    if (!out.log.empty())
      fmt::print(stderr, "ll2d: {} {}: {}\n", log_escape(req.method_string()),
                 log_escape(req.target()), out.log);

    response_ = {};
    response_.version(req.version());
    response_.result(static_cast<unsigned>(out.status));
    response_.set(bhttp::field::date, http_date());
    response_.set(bhttp::field::server, "ll2d");
    if (!out.content_type.empty()) response_.set(bhttp::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) response_.set(name, value);
    if (!reply.body) reply.body = std::make_shared<const std::string>(std::move(out.body));
    const size_t body_size = reply.body->size();
    if (!out.omit_body) response_.body() = std::move(reply.body);
    response_.content_length(body_size);
    // Draining: this is the connection's last response.
    keep_alive_ = req.keep_alive() && !shared_->draining.load();
    response_.keep_alive(keep_alive_);
    const std::string id = request_id();
    response_.set("X-Request-ID", id);
    if (options().access_log)
      log_access(static_cast<unsigned>(out.status), body_size, Clock::now() - started_, id);
    write(out.omit_body);
  }

  // An answer that ends the connection: parser errors, bad framing or Host,
  // an exhausted budget. Logged with what the parser got of the request.
  void reject(unsigned status, std::string_view content_type, std::string_view body,
              const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    const std::string id = request_id();
    if (options().access_log) log_access(status, body.size(), Clock::duration(), id);
    response_ = {};
    response_.version(11);
    response_.result(status);
    response_.set(bhttp::field::date, http_date());
    response_.set(bhttp::field::server, "ll2d");
    response_.set(bhttp::field::content_type, content_type);
    for (const auto& [name, value] : headers) response_.set(name, value);
    response_.set("X-Request-ID", id);
    response_.body() = std::make_shared<const std::string>(body);
    response_.prepare_payload();
    keep_alive_ = false;
    response_.keep_alive(false);
    write(parser_->get().method() == bhttp::verb::head);
  }

  // ---- writing

  void write(bool head_only) {
    phase_ = Phase::Writing;
    head_only_ = head_only;
    read_deadline_ = kNever;
    held_ = SharedBody::size(response_.body());
    update_charge();
    // A fresh response starts the no-progress clock, unless the previous one
    // is still waiting in the kernel for the client.
    if (queued_ == 0) last_progress_ = Clock::now();
    serializer_.emplace(response_);
    if (head_only) serializer_->split(true);
    arm();
    write_some();
  }

  // Written piece by piece so the watchdog sees progress between pieces.
  void write_some() {
    bhttp::async_write_some(socket_, *serializer_,
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->on_write_some(ec, n);
                            });
  }

  void on_write_some(beast::error_code ec, size_t n) {
    written_ += n;
    if (ec) {
      close_now();
      return;
    }
    if (!(head_only_ ? serializer_->is_header_done() : serializer_->is_done())) {
      write_some();
      return;
    }
    // The kernel has the whole response: let go of ours.
    serializer_.reset();
    response_ = {};
    held_ = 0;
    queued_ = unsent_bytes(socket_);
    update_charge();
    if (!keep_alive_ || shared_->draining.load()) {
      begin_close();
    } else if (buffer_.size() > 0) {
      read_header(Clock::now() + options().header_timeout);  // pipelined
    } else {
      wait_for_request(ShedCost::Idle, Clock::now() + options().idle_timeout);
    }
  }

  // ---- between requests

  // A new connection (Silent, until its header timeout) or a keep-alive one
  // (Idle, until its idle timeout) waits for a request's first bytes.
  void wait_for_request(ShedCost cost, Clock::time_point deadline) {
    phase_ = Phase::Idle;
    parser_.reset();
    buffer_.shrink_to_fit();
    enter_sheddable(cost);
    set_read_deadline(deadline);
    socket_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            [self = shared_from_this(), cost](beast::error_code ec, size_t n) {
                              self->on_first_bytes(ec, n, cost);
                            });
  }

  void on_first_bytes(beast::error_code ec, size_t n, ShedCost cost) {
    leave_sheddable();
    if (ec) {
      close_now();
      return;
    }
    buffer_.commit(n);
    // A new connection's header timeout counts from its accept.
    read_header(cost == ShedCost::Silent ? read_deadline_
                                         : Clock::now() + options().header_timeout);
  }

  void enter_sheddable(ShedCost cost) {
    leave_sheddable();
    shed_slot_ = shared_->enter_sheddable(cost, weak_from_this());
  }
  void leave_sheddable() {
    if (shed_slot_) shared_->leave_sheddable(*shed_slot_);
    shed_slot_.reset();
  }

  // ---- closing

  // After the last response: send FIN once it is written, read and drop what
  // the client still sends until it closes too (so our close does not reset
  // the connection under its unread response), then close.
  void begin_close() {
    phase_ = Phase::Closing;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    set_read_deadline(Clock::now() + options().header_timeout);
    discard();
    if (shared_->draining.load()) {
      // Not waiting for the client to close too: once it has acknowledged
      // the response, the connection is done.
      peer_done_ = true;
      finish_close();
    }
  }

  void discard() {
    socket_.async_read_some(
        buffer_.prepare(kIdleReadBytes),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_discard(ec, n); });
  }

  void on_discard(beast::error_code ec, size_t n) {
    if (phase_ == Phase::Closed) return;
    discarded_ += n;
    if (!ec && discarded_ < kMaxDiscardBytes) {
      discard();
      return;
    }
    if (ec && ec != asio::error::eof && ec != asio::error::operation_aborted) {
      close_now();  // reset by the peer: nothing left to deliver
      return;
    }
    peer_done_ = true;
    finish_close();
  }

  // Closes once the client has acknowledged everything; until then the
  // watchdog keeps checking (and drops a client that stopped reading).
  void finish_close() {
    if (phase_ != Phase::Closing || !peer_done_) return;
    queued_ = unsent_bytes(socket_);
    update_charge();
    if (queued_ == 0) {
      close_now();
      return;
    }
    arm();
  }

  // Closes the socket, resetting the connection when the kernel still holds
  // data for it (a plain close would keep that memory until it is delivered).
  void close_now() {
    if (phase_ == Phase::Closed) return;
    beast::error_code ignored;
    if (socket_.is_open() && unsent_bytes(socket_) > 0)
      socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    phase_ = Phase::Closed;
    socket_.close(ignored);
    timer_.cancel();
    leave_sheddable();
    held_ = 0;
    queued_ = 0;
    update_charge();
  }

  // ---- the timer

  void set_read_deadline(Clock::time_point deadline) {
    read_deadline_ = deadline;
    arm();
  }

  bool output_pending() const { return phase_ == Phase::Writing || queued_ > 0; }

  Clock::duration watchdog_interval() const {
    const auto quarter = std::chrono::duration_cast<Clock::duration>(options().write_timeout) / 4;
    return std::clamp<Clock::duration>(quarter, std::chrono::milliseconds(50),
                                       std::chrono::milliseconds(500));
  }

  void arm() {
    if (phase_ == Phase::Closed) return;
    Clock::time_point next = read_deadline_;
    if (output_pending()) next = std::min(next, Clock::now() + watchdog_interval());
    if (next == kNever) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(next);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_timer();
    });
  }

  void on_timer() {
    if (phase_ == Phase::Closed) return;
    const auto now = Clock::now();
    if (output_pending()) {
      queued_ = unsent_bytes(socket_);
      update_charge();
      // Bytes the client has acknowledged only grow while it reads.
      const size_t acked = written_ > queued_ ? written_ - queued_ : 0;
      if (acked > acked_) {
        acked_ = acked;
        last_progress_ = now;
      }
      if (output_pending() && now - last_progress_ >= options().write_timeout) {
        close_now();
        return;
      }
      if (queued_ == 0) finish_close();
      if (phase_ == Phase::Closed) return;
    }
    if (now >= read_deadline_) on_read_deadline(now);
    arm();
  }

  void on_read_deadline(Clock::time_point now) {
    read_deadline_ = kNever;
    beast::error_code ignored;
    switch (phase_) {
      case Phase::Header:
      case Phase::Body:
        close_now();
        break;
      case Phase::Idle:
        // A client still reading a large response slowly is not idle; the
        // watchdog judges it.
        if (queued_ > 0)
          read_deadline_ = now + options().idle_timeout;
        else
          close_now();
        break;
      case Phase::Closing:
        peer_done_ = true;
        socket_.cancel(ignored);  // on_discard then finishes the close
        break;
      default:
        break;
    }
  }

  // ---- the budget

  void update_charge() {
    const size_t charge = phase_ == Phase::Closed ? 0 : held_ + queued_;
    if (charge > charged_)
      shared_->output_bytes.fetch_add(charge - charged_);
    else
      shared_->output_bytes.fetch_sub(charged_ - charge);
    charged_ = charge;
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  bhttp::response<SharedBody> response_;
  std::optional<bhttp::response_serializer<SharedBody>> serializer_;

  Phase phase_ = Phase::Header;
  uint64_t key_ = 0;           // in shared_'s list of live sessions
  Clock::time_point started_;  // of the request being answered
  std::string local_authority_;
  std::string peer_;
  std::string url_host_;
  bool keep_alive_ = false;
  bool head_only_ = false;
  bool peer_done_ = false;
  std::optional<ShedSlot> shed_slot_;      // while it may be shed
  std::atomic<bool> shed_counted_{false};  // in Shared::shedding
  size_t discarded_ = 0;

  Clock::time_point read_deadline_ = kNever;
  Clock::time_point last_progress_ = Clock::now();
  size_t written_ = 0;  // bytes the kernel took, over the connection's life
  size_t acked_ = 0;    // of those, the most the client has acknowledged
  size_t held_ = 0;     // body bytes of the response being written
  size_t queued_ = 0;   // unacknowledged bytes in the kernel, last seen
  size_t charged_ = 0;  // held_ + queued_ as counted in the budget
};

// -------------------------------------------------------------- Listener ----

// Descriptors the open-file limit leaves for connections.
size_t descriptor_room(int threads) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return std::numeric_limits<size_t>::max();
  const size_t reserved =
      kReservedDescriptors + kDescriptorsPerThread * static_cast<size_t>(std::max(threads, 1));
  const auto soft = static_cast<size_t>(limit.rlim_cur);
  return soft > reserved + kMinConnections ? soft - reserved : kMinConnections;
}

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(std::vector<asio::io_context*> loops, tcp::acceptor acceptor,
           std::shared_ptr<Shared> shared)
      : loops_(std::move(loops)),
        acceptor_(std::move(acceptor)),
        backoff_(acceptor_.get_executor()),
        shared_(std::move(shared)) {
    // Lets on_out_of_descriptors() take a waiting connection without blocking.
    beast::error_code ignored;
    acceptor_.non_blocking(true, ignored);
    reopen_spare();
  }
  ~Listener() {
    if (spare_ >= 0) ::close(spare_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void accept() {
    if (!acceptor_.is_open()) return;  // stopped: draining
    acceptor_.async_accept(next_loop(),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                             self->on_accept(ec, std::move(s));
                           });
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_.cancel();
    });
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      on_accept_error(ec);
      return;
    }
    if (spare_ < 0) reopen_spare();
    if (shared_->staying() >= shared_->max_connections && !shed_cheapest()) {
      beast::error_code ignored;
      socket.close(ignored);
      report(
          fmt::format("{} connections, the limit, all with a request in progress; closing new "
                      "connections",
                      shared_->max_connections));
    } else {
      start_session(std::move(socket));
    }
    accept();
  }

  void on_accept_error(beast::error_code ec) {
    if (ec == asio::error::connection_aborted) {
      accept();  // that client gave up; the next may be waiting
      return;
    }
    bool taken = false;
    if (out_of_descriptors(ec)) {
      taken = on_out_of_descriptors();
    } else {
      report("accept failed: " + ec.message());
    }
    if (taken) {
      accept();
      return;
    }
    // Nothing could be done now: rest rather than retry at once, since the
    // waiting connection makes accept() fail again immediately.
    backoff_.expires_after(kAcceptBackoff);
    backoff_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->accept();
    });
  }

  // Descriptors ran out below the connection limit (something else holds
  // them, or the open-file limit was lowered while running). Lower the limit
  // to what is left, keeping a margin free, shed idle connections down to
  // it, and use the spare descriptor for the newest waiting connection:
  // served if room is being made for it, closed at once otherwise. Returns
  // whether a connection was taken off the queue.
  //
  // While connections shed earlier still hold their descriptors, accept()
  // fails again at once; shedding more then would close connections (even
  // the newcomer just taken) for room already being made, so it only waits.
  bool on_out_of_descriptors() {
    if (shared_->shedding.load() > 0) return false;
    const size_t open = shared_->connections.load();
    size_t limit = std::min(shared_->max_connections, descriptor_room(shared_->threads));
    if (open > kDescriptorMargin) limit = std::min(limit, open - kDescriptorMargin);
    shared_->max_connections = std::max(limit, kMinConnections);
    size_t shed = 0;  // down to the limit, the waiting connection included
    while (open + 1 > shared_->max_connections + shed && shed_cheapest()) ++shed;
    if (spare_ < 0) {
      report_shed(shed);
      return false;
    }
    ::close(spare_);
    spare_ = -1;
    tcp::socket socket(next_loop());
    beast::error_code ec;
    acceptor_.accept(socket, ec);
    const bool taken = !ec;
    if (taken && shed == 0 && shed_cheapest()) ++shed;  // its descriptor is needed
    // Reported before the newcomer is served, so whoever it answers can
    // already read how many were shed for it.
    report_shed(shed);
    if (taken && shed > 0) {
      start_session(std::move(socket));
    } else if (taken) {
      socket.close(ec);
    }
    reopen_spare();
    return taken;
  }

  void report_shed(size_t shed) {
    report(fmt::format("out of file descriptors; connection limit lowered to {}, {} shed",
                       shared_->max_connections, shed));
  }

  bool shed_cheapest() {
    auto victim = shared_->take_cheapest();
    if (!victim) return false;
    victim->count_as_shed();
    auto shed = [victim] { victim->shed(); };
    const auto delay = test_shed_delay();
    if (delay.count() == 0) {
      asio::post(victim->executor(), std::move(shed));
      return true;
    }
    // Owned by its handler (no shared_ptr: under UBSan the first object of a
    // new polymorphic type is checked with a pipe, which fails out of
    // descriptors, and this runs out of descriptors).
    auto timer = std::make_unique<asio::steady_timer>(victim->executor(), delay);
    asio::steady_timer& waiting = *timer;
    waiting.async_wait(
        [timer = std::move(timer), shed = std::move(shed)](beast::error_code) { shed(); });
    return true;
  }

  void start_session(tcp::socket socket) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket), shared_);
    asio::post(session->executor(), [session] { session->start(); });
  }

  void reopen_spare() { spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

  // New connections go to the I/O threads' loops in turn.
  asio::io_context::executor_type next_loop() {
    return loops_[next_++ % loops_.size()]->get_executor();
  }

  // At most one line every 10 s, however often it happens.
  void report(const std::string& what) {
    const auto now = Clock::now();
    ++unreported_;
    if (reported_ && now - last_report_ < std::chrono::seconds(10)) return;
    fmt::print(stderr, "ll2d: {} ({} open; {} time{} since the last report)\n", what,
               shared_->connections.load(), unreported_, unreported_ == 1 ? "" : "s");
    reported_ = true;
    last_report_ = now;
    unreported_ = 0;
  }

  std::vector<asio::io_context*> loops_;
  size_t next_ = 0;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_;
  std::shared_ptr<Shared> shared_;
  int spare_ = -1;
  bool reported_ = false;
  Clock::time_point last_report_;
  size_t unreported_ = 0;
};

// As nginx's worker_rlimit_nofile: the soft open-file limit raised to the
// hard one, so the default connection limit is what the system allows.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
    fmt::print(stderr, "ll2d: cannot raise the open-file limit to {}: {}\n", limit.rlim_max,
               std::strerror(errno));
}

// The configured connection limit, by default what the open-file limit
// leaves room for, and never more than that.
size_t connection_limit(const ServerOptions& options, int threads) {
  const size_t room = descriptor_room(threads);
  if (options.max_connections == 0) return std::min(room, kUnlimitedMaxConnections);
  if (options.max_connections > room)
    fmt::print(stderr,
               "ll2d: --max-connections {} lowered to {}, what the open-file limit leaves room "
               "for (raise its hard value with ulimit -Hn)\n",
               options.max_connections, room);
  return std::min(options.max_connections, room);
}

// SIGINT/SIGTERM: stop accepting, close what is idle, let the requests in
// flight finish and be written, and stop once no connection is left or the
// drain timeout has passed (cutting what remains). A second signal cuts at once.
class Drain {
 public:
  Drain(asio::io_context& io, std::function<void()> stop_loops, std::shared_ptr<Shared> shared,
        std::shared_ptr<Listener> listener)
      : stop_loops_(std::move(stop_loops)),
        signals_(io, SIGINT, SIGTERM),
        timer_(asio::make_strand(io)),
        shared_(std::move(shared)),
        listener_(std::move(listener)) {}

  void arm() {
    signals_.async_wait([this](beast::error_code ec, int sig) {
      if (!ec) asio::post(timer_.get_executor(), [this, sig] { on_signal(sig); });
    });
  }

 private:
  void on_signal(int sig) {
    if (started_) {  // the second signal: no more waiting
      finish(true);
      return;
    }
    started_ = true;
    begun_ = Clock::now();
    deadline_ = begun_ + shared_->options.drain_timeout;
    shared_->draining.store(true);
    listener_->stop();
    const auto sessions = shared_->live();
    fmt::print(stderr,
               "ll2d: signal {}, draining: no new connections; {} open, in-flight requests get "
               "up to {} s\n",
               sig, sessions.size(), shared_->options.drain_timeout.count());
    for (const auto& session : sessions)
      asio::post(session->executor(), [session] { session->drain(); });
    arm();  // listen for the second signal
    poll();
  }

  void poll() {
    if (shared_->connections.load() == 0 || Clock::now() >= deadline_) {
      finish(false);
      return;
    }
    timer_.expires_after(kDrainPoll);
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) poll();
    });
  }

  void finish(bool cut_short) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    const size_t left = shared_->connections.load();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begun_).count();
    if (left == 0)
      fmt::print(stderr, "ll2d: drained in {} ms, exiting\n", ms);
    else
      fmt::print(stderr, "ll2d: {} after {} ms: cut {} connection{}, exiting\n",
                 cut_short ? "second signal" : "drain timeout", ms, left, left == 1 ? "" : "s");
    stop_loops_();
  }

  std::function<void()> stop_loops_;
  asio::signal_set signals_;
  asio::steady_timer timer_;  // its strand serialises everything here
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Listener> listener_;
  bool started_ = false;
  bool finished_ = false;
  Clock::time_point begun_;
  Clock::time_point deadline_;
};

}  // namespace

int serve(const api::Engine& engine, const ServerOptions& options,
          const std::function<void(uint16_t)>& on_listening) {
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int db_threads = options.db_threads > 0 ? options.db_threads : threads;
  const size_t max_queued = options.max_queued_requests > 0
                                ? options.max_queued_requests
                                : kQueuedPerDbThread * static_cast<size_t>(db_threads);
  // One event loop per I/O thread, each connection on one of them, as nginx
  // runs a worker per core: a loop's handlers never wake another thread (one
  // loop run by every thread hands the events its poller finds to the
  // others: context switches for every request).
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::io_context*> loop_pointers;
  for (int i = 0; i < threads; ++i) {
    loops.push_back(std::make_unique<asio::io_context>(1));
    loop_pointers.push_back(loops.back().get());
  }
  asio::io_context& io = *loops.front();  // also the acceptor's and the signals'
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) {
    fmt::print(stderr, "ll2d: invalid --host {}: {}\n", options.host, ec.message());
    return 2;
  }
  raise_open_file_limit();
  auto shared = std::make_shared<Shared>(engine, options);
  shared->threads = threads + db_threads;
  shared->max_connections = connection_limit(options, shared->threads);

  tcp::acceptor acceptor(asio::make_strand(io));
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    fmt::print(stderr, "ll2d: cannot listen on {}:{}: {}\n", options.host, options.port,
               ec.message());
    return 1;
  }
  // Declared after io, so it stops (and its jobs, which post to io, end)
  // before io goes away.
  WorkerPool workers(db_threads, max_queued);
  shared->workers = &workers;
  if (options.response_cache_bytes > 0)
    shared->cache = std::make_unique<ResponseCache>(options.response_cache_bytes);
  const uint16_t port = acceptor.local_endpoint().port();
  auto listener = std::make_shared<Listener>(loop_pointers, std::move(acceptor), shared);
  listener->accept();

  const auto stop_loops = [&loops] {
    for (auto& loop : loops) loop->stop();
  };
  Drain drain(io, stop_loops, shared, listener);
  drain.arm();
  on_listening(port);

  // A loop without connections yet has nothing to wait for: held until the
  // drain stops them all.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> held;
  held.reserve(loops.size());
  for (auto& loop : loops) held.push_back(asio::make_work_guard(*loop));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < loops.size(); ++i)
    pool.emplace_back([loop = loops[i].get()] { loop->run(); });
  io.run();
  for (auto& t : pool) t.join();
  // What the drain did not finish is cut now (nothing runs on io any more),
  // not when the database read it waits for ends. That read is waited for
  // (the query time budget bounds it); its answer is never written.
  for (const auto& session : shared->live()) session->cut();
  workers.stop();
  return 0;
}

}  // namespace ll2::http
