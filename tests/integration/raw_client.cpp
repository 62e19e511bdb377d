#include "raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../unit/test_util.hpp"

namespace ll2::test {

using Clock = std::chrono::steady_clock;

std::string get_request(const std::string& target, const std::string& host,
                        const std::string& extra) {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n";
}

std::string header(const RawResponse& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

RawConnection::RawConnection(uint16_t port, int rcvbuf) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = errno;
    return;
  }
  if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) error_ = errno;
}

void RawConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConnection::send(std::string_view data) const {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawConnection::readable(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) return true;
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

bool RawConnection::wait_closed(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLRDHUP, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
         (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

std::pair<std::string, bool> RawConnection::read_to_close(std::chrono::milliseconds timeout) {
  std::string out = std::move(pending_);
  pending_.clear();
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return {out, false};
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return {out, true};
    out.append(buf, static_cast<size_t>(n));
  }
}

std::string RawConnection::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  std::string out = std::move(pending_);
  pending_.clear();
  const auto deadline = Clock::now() + timeout;
  while (out.find(needle) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::optional<RawResponse> RawConnection::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  size_t head_end = std::string::npos;
  size_t total = std::string::npos;
  while (true) {
    if (head_end == std::string::npos &&
        (head_end = pending_.find("\r\n\r\n")) != std::string::npos)
      total = head_end + 4 + parse_head(pending_.substr(0, head_end));
    if (total != std::string::npos && pending_.size() >= total) break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    pending_.append(buf, static_cast<size_t>(n));
  }
  RawResponse r = head_;
  r.body = pending_.substr(head_end + 4, total - head_end - 4);
  pending_.erase(0, total);
  return r;
}

size_t RawConnection::parse_head(const std::string& head) {
  head_ = {};
  std::istringstream in(head);
  std::string line;
  std::getline(in, line);
  if (line.size() >= 12) head_.status = std::stoi(line.substr(9, 3));
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    head_.headers[name] = value;
  }
  const auto it = head_.headers.find("content-length");
  return it == head_.headers.end() ? 0 : std::stoul(it->second);
}

std::optional<RawResponse> fetch_once(uint16_t port, const std::string& raw,
                                      std::chrono::milliseconds timeout) {
  RawConnection c(port);
  if (!c.connected() || !c.send(raw)) return std::nullopt;
  return c.read_response(timeout);
}

size_t rss_bytes(pid_t pid) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("VmRSS:");
  if (at == std::string::npos) return 0;
  return std::stoul(status.substr(at + 6)) * 1024;
}

size_t server_sockets(pid_t pid) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    const auto target = std::filesystem::read_symlink(entry.path(), link_ec);
    if (!link_ec && target.string().starts_with("socket:")) ++n;
  }
  return n;
}

bool wait_for_connections(pid_t pid, size_t connections) {
  for (const auto until = Clock::now() + std::chrono::seconds(20); Clock::now() < until;) {
    if (server_sockets(pid) >= connections + 1) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

long open_file_limit(pid_t pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/limits"));
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream fields(line.substr(std::string("Max open files").size()));
    long soft = -1;
    fields >> soft;
    return soft;
  }
  return -1;
}

bool raise_open_file_limit(size_t want) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return false;
  if (r.rlim_cur >= want) return true;
  if (r.rlim_max != RLIM_INFINITY && r.rlim_max < want) return false;
  r.rlim_cur = want;
  return setrlimit(RLIMIT_NOFILE, &r) == 0;
}

bool have_prlimit() {
  return std::system("prlimit --version >/dev/null 2>&1") == 0;
}

uint16_t RawConnection::local_port() const {
  sockaddr_in a{};
  socklen_t n = sizeof a;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n) != 0) return 0;
  return ntohs(a.sin_port);
}

namespace {

// The receive queue of the server's end of a loopback connection (bytes the
// server has not read yet), or -1 when /proc/net/tcp does not list it.
long server_receive_queue(uint16_t server_port, uint16_t client_port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // the column names
  while (std::getline(in, line)) {
    // "sl local_address rem_address st tx_queue:rx_queue ...", addresses
    // as hex IP:port.
    std::istringstream fields(line);
    std::string slot;
    std::string local;
    std::string remote;
    std::string state;
    std::string queues;
    fields >> slot >> local >> remote >> state >> queues;
    const auto port_of = [](const std::string& address) {
      return std::stoul(address.substr(address.find(':') + 1), nullptr, 16);
    };
    if (local.find(':') == std::string::npos || remote.find(':') == std::string::npos ||
        queues.find(':') == std::string::npos)
      continue;
    if (port_of(local) == server_port && port_of(remote) == client_port)
      return std::stol(queues.substr(queues.find(':') + 1), nullptr, 16);
  }
  return -1;
}

}  // namespace

bool wait_until_read(const RawConnection& c, uint16_t server_port,
                     std::chrono::milliseconds timeout) {
  const uint16_t client_port = c.local_port();
  for (const auto until = Clock::now() + timeout; Clock::now() < until;) {
    if (server_receive_queue(server_port, client_port) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace ll2::test
