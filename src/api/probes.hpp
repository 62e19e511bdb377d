// The probes of load balancers and monitors: /health_check/ (as
// django-health-check answers it), /healthz and /readyz. Internal to src/api.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "api/request_context.hpp"

namespace ll2::api {

// What /health_check/ and /readyz say of the database: checked on a
// connection of its own (the check must see a database that vanished or broke
// since the workers opened theirs), at most once a second, so probes polled
// by many clients cost one connection a second, not one each. A caller that
// finds a check running waits for it rather than starting another.
struct Engine::DatabaseProbe {
  struct Result {
    std::string problem;  // empty: reachable; never shown to clients (stderr)
    bool data = false;    // it holds objects of some endpoint
  };
  static constexpr auto kFreshFor = std::chrono::seconds(1);

  Result get(const StoreOpener& open_store);
  static Result check(const StoreOpener& open_store);

  std::mutex mutex;
  bool checked = false;
  std::chrono::steady_clock::time_point checked_at;
  Result last;
};

}  // namespace ll2::api

namespace ll2::api::stages {

// /health_check/ as django-health-check answers it (probes.cpp).
Response health_check(const Context& ctx, const Engine::DatabaseProbe::Result& probed);

// /healthz (`database` null) and /readyz (probes.cpp).
Response probe(const Context& ctx, const Engine::DatabaseProbe::Result* database);

}  // namespace ll2::api::stages
