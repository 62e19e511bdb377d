// 5c. A resource's list or detail, and what a failed read answers.
// Internal to src/api.
#pragma once

#include <chrono>
#include <cstdint>

#include "api/request_context.hpp"

namespace ll2::api {
class ListIndexes;
}

namespace ll2::api::stages {

// A resource's list or detail: validated parameters, one snapshot of the
// database, the rows rendered through the caches. A storage failure is
// thrown (store::StoreError).
Response resource_view(const Context& ctx, const Route& rt, Engine::ThreadState& st, int64_t now,
                       store::Deadline deadline, ListIndexes& lists);

// A read that failed (500, as Django answers an unhandled error) or ran out
// of its time budget (503 with Retry-After, rendered like any DRF error);
// `log` tells the server's error log why.
Response storage_failure(const Context& ctx, const Route& rt, const store::StoreError& e,
                         std::chrono::milliseconds budget);

}  // namespace ll2::api::stages
