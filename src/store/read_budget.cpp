#include "store/read_budget.hpp"

#include <algorithm>
#include <cstdlib>

namespace ll2::store {

namespace {

// LL2D_TEST_READ_STATEMENTS, read once; 0: the clock decides.
int64_t statements_per_read() {
#ifdef LL2D_TEST_HOOKS
  static const int64_t n = [] {
    const char* v = std::getenv("LL2D_TEST_READ_STATEMENTS");
    return v != nullptr ? std::max<int64_t>(0, std::strtoll(v, nullptr, 10)) : 0;
  }();
  return n;
#else
  return 0;
#endif
}

}  // namespace

void ReadBudget::start(Deadline deadline) {
  deadline_ = deadline;
  statements_ = 0;
}

Deadline ReadBudget::clock_deadline() const {
  return statements_per_read() > 0 ? std::nullopt : deadline_;
}

bool ReadBudget::spent_at_statement() {
  if (!deadline_) return false;
  ++statements_;
  return spent();
}

bool ReadBudget::spent() const {
  if (!deadline_) return false;
  if (const int64_t n = statements_per_read(); n > 0) return statements_ >= n;
  return std::chrono::steady_clock::now() >= *deadline_;
}

}  // namespace ll2::store
