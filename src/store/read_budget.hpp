// A read's time budget as the stores check it. The clock decides, except in
// tests of the budget: with LL2D_TEST_READ_STATEMENTS=N in the environment
// (honoured by builds with the tests, LL2D_TESTS), the budget is spent when
// the read starts its Nth statement and never by the clock, so such a test
// proves the same on a fast machine and on a loaded one.
#pragma once

#include <cstdint>

#include "store/store.hpp"

namespace ll2::store {

class ReadBudget {
 public:
  void start(Deadline deadline);
  void stop() { *this = ReadBudget(); }
  // A read with a budget is under way.
  bool active() const { return deadline_.has_value(); }
  // The moment to stop waiting at, when the clock decides (none under the
  // test hook or without a budget).
  Deadline clock_deadline() const;
  // Before a statement starts: counts it, and says whether the budget is spent.
  bool spent_at_statement();
  // Whether the budget is spent, counting nothing.
  bool spent() const;

 private:
  Deadline deadline_;
  int64_t statements_ = 0;
};

}  // namespace ll2::store
