#include "harness.hpp"

#include <algorithm>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace ll2::test {

namespace {

pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd,
            const std::vector<std::string>& launcher = {}) {
  std::vector<char*> argv;
  std::vector<std::string> prefix = launcher;
  for (auto& a : prefix) argv.push_back(a.data());
  std::string binary = LL2D_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    if (launcher.empty())
      execv(binary.c_str(), argv.data());
    else
      execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_for(pid_t pid, int timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

CommandResult run_ll2d(const std::vector<std::string>& args, int timeout_seconds) {
  TempDir dir;
  const int out = open(dir.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = open(dir.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const pid_t pid = spawn(args, out, err);
  close(out);
  close(err);
  CommandResult r;
  r.exit_code = wait_for(pid, timeout_seconds);
  r.out = read_file(dir.file("out"));
  r.err = read_file(dir.file("err"));
  return r;
}

Server::Server(const std::string& db, const std::vector<std::string>& extra)
    : Server(db, extra, {}) {}

Server::Server(const std::string& db, const std::vector<std::string>& extra,
               const std::vector<std::string>& launcher) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const int err = open(dir_.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> args = {"serve", "--db", db, "--host", "127.0.0.1", "--port", "0"};
  // Two workers unless the test chooses.
  if (std::find(extra.begin(), extra.end(), "--threads") == extra.end())
    args.insert(args.end(), {"--threads", "2"});
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = spawn(args, pipe_fds[1], err, launcher);
  close(pipe_fds[1]);
  close(err);
  // The startup line names the bound port: "ll2d: serving DB on http://127.0.0.1:PORT/2.3.0/".
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char buf[256];
      const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
  }
  close(pipe_fds[0]);
  const size_t colon = line.rfind(':', line.find("/2.3.0/"));
  if (colon == std::string::npos) {
    stop();
    throw std::runtime_error("ll2d did not start: " + line + read_file(dir_.file("err")));
  }
  port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
}

Server::~Server() {
  stop();
}

int Server::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const int code = wait_for(pid_, 20);
  pid_ = -1;
  return code;
}

std::string Server::stderr_text() const {
  return read_file(dir_.file("err"));
}

HttpResponse Server::request(const std::string& method, const std::string& target,
                             const std::map<std::string, std::string>& headers) const {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(60));
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
  http::request<http::empty_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (const auto& [k, v] : headers) req.set(k, v);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  if (method == "HEAD") parser.skip(true);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = res.body();
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

}  // namespace ll2::test
