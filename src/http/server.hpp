// The HTTP transport: an acceptor and keep-alive sessions on Boost.Beast. It
// only moves bytes; every decision is the engine's.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "api/engine.hpp"

namespace ll2::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0 picks a free port
  int threads = 0;       // 0: one per core
  bool access_log = true;
};

// Serves until SIGINT or SIGTERM. `on_listening` gets the bound port (tests
// use port 0 and read it from the startup line). Returns a process exit code.
int serve(const api::Engine& engine, const ServerOptions& options,
          const std::function<void(uint16_t)>& on_listening);

}  // namespace ll2::http
