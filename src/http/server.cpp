#include "http/server.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "api/html.hpp"

namespace ll2::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr size_t kMaxHeaderBytes = size_t{16} * 1024;
constexpr size_t kMaxBodyBytes = size_t{64} * 1024;

void log_access(const bhttp::request<bhttp::empty_body>& req, unsigned status, size_t bytes,
                std::chrono::steady_clock::duration took) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  // One line, one write: key=value pairs a log shipper can split.
  const std::string line = fmt::format("method={} path=\"{}\" status={} bytes={} us={}\n",
                                       std::string_view(req.method_string()),
                                       std::string_view(req.target()), status, bytes, us);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const api::Engine& engine, bool access_log)
      : stream_(std::move(socket)), engine_(engine), access_log_(access_log) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(kIdleTimeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::eof) {
      close();
      return;
    }
    if (ec) {
      // Malformed request: answer 400 and close, as any HTTP server would.
      send_error(400);
      return;
    }
    const auto started = std::chrono::steady_clock::now();
    const auto& req = parser_->get();
    const api::Request request{req.method_string(), req.target(), req[bhttp::field::host],
                               req[bhttp::field::accept], req[bhttp::field::if_none_match]};
    api::Response out;
    try {
      out = engine_.handle(request);
    } catch (const std::exception& e) {
      // The boundary of a session: report, answer 500 as Django would, keep serving.
      fmt::print(stderr, "ll2d: error handling {} {}: {}\n", std::string_view(req.method_string()),
                 std::string_view(req.target()), e.what());
      out = {};
      out.status = 500;
      out.content_type = "application/json";
      out.body = R"({"detail":"A server error occurred."})";
    }

    response_ = {};
    response_.version(req.version());
    response_.result(static_cast<unsigned>(out.status));
    response_.set(bhttp::field::server, "ll2d");
    if (!out.content_type.empty()) response_.set(bhttp::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) response_.set(name, value);
    const size_t body_size = out.body.size();
    response_.body() = out.omit_body ? std::string() : std::move(out.body);
    response_.content_length(body_size);
    response_.keep_alive(req.keep_alive());
    if (access_log_)
      log_access(req, static_cast<unsigned>(out.status), body_size,
                 std::chrono::steady_clock::now() - started);
    write(out.omit_body);
  }

  void send_error(unsigned status) {
    response_ = {};
    response_.version(11);
    response_.result(status);
    response_.set(bhttp::field::content_type, "application/json");
    response_.body() = R"({"detail":"Bad request."})";
    response_.prepare_payload();
    response_.keep_alive(false);
    write(false);
  }

  void write(bool head) {
    serializer_.emplace(response_);
    if (head) serializer_->split(true);
    auto done = [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || !self->response_.keep_alive()) {
        self->close();
        return;
      }
      self->read();
    };
    if (head) {
      bhttp::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      bhttp::async_write(stream_, *serializer_, std::move(done));
    }
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
  const api::Engine& engine_;
  bool access_log_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, tcp::acceptor acceptor, const api::Engine& engine, bool access_log)
      : io_(io), acceptor_(std::move(acceptor)), engine_(engine), access_log_(access_log) {}

  void accept() {
    acceptor_.async_accept(
        asio::make_strand(io_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec) {
            s.set_option(tcp::no_delay(true), ec);
            std::make_shared<Session>(std::move(s), self->engine_, self->access_log_)->start();
          }
          self->accept();
        });
  }
  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
  const api::Engine& engine_;
  bool access_log_;
};

}  // namespace

int serve(const api::Engine& engine, const ServerOptions& options,
          const std::function<void(uint16_t)>& on_listening) {
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  asio::io_context io(threads);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) {
    fmt::print(stderr, "ll2d: invalid --host {}: {}\n", options.host, ec.message());
    return 2;
  }
  tcp::acceptor acceptor(io);
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
  const uint16_t port = acceptor.local_endpoint().port();
  auto listener = std::make_shared<Listener>(io, std::move(acceptor), engine, options.access_log);
  listener->accept();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int sig) {
    fmt::print(stderr, "ll2d: signal {}, shutting down\n", sig);
    listener->stop();
    io.stop();
  });
  on_listening(port);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}

}  // namespace ll2::http
