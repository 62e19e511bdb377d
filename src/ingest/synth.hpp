// The parts of the synthetic generator that know nothing about LL2 itself:
// deterministic random streams, which fields the generated pages show (and
// so which an import can read back), batched writes to a store, and
// plausible values for a column from its type and its name.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::ingest::synth {

// SplitMix64: tiny, fast, and the same on every platform and compiler.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Inclusive; an empty range gives lo.
  int64_t range(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool chance(double p) { return unit() < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(range(0, static_cast<int64_t>(v.size()) - 1))];
  }
  // A decimal with `places` digits after the point, exactly as typed.
  double decimal(double lo, double hi, int places);

 private:
  uint64_t state_;
};

uint64_t mix(uint64_t a, uint64_t b);
uint64_t text_key(std::string_view text);  // FNV-1a

// The fields the generated pages show: every field a page's view prints,
// through nested views, the foreign keys behind the reverse relations they
// print, and the foreign keys the store derives from shown ones. Only these
// survive an import of the pages, so only these are generated.
class Visibility {
 public:
  Visibility(const model::Registry& registry, const std::vector<const model::View*>& pages);
  bool shown(const model::Field& f) const { return fields_.contains(&f); }

 private:
  void visit(const model::View& v);
  void mark(const model::Field& f);
  std::unordered_set<const model::View*> views_;
  std::unordered_set<const model::Field*> fields_;
};

// Collects writes and applies them to the store in batches of about
// `batch_objects` objects, each in one transaction, on a thread of its own:
// the next batch is generated while the last one is written, and at most
// those two are held. After a failed write it drops everything and error()
// says why. The store may be read only when idle() (one connection).
class Sink {
 public:
  Sink(store::Store& store, size_t batch_objects);
  ~Sink();  // waits for the batch being written
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  void object(store::ObjectWrite w);
  void link(store::LinkWrite w) { batch_.links.push_back(std::move(w)); }
  void rows(store::RowsWrite w) { batch_.rows.push_back(std::move(w)); }
  // Hands a batch to the writer once it is big enough.
  void maybe_flush() {
    if (batch_.objects.size() + batch_.links.size() + batch_.rows.size() >= limit_) hand_off();
  }
  // Writes whatever is pending and waits for it; false when the store
  // refused (see error()).
  bool flush();
  // Waits until nothing is being written, so that the store can be read;
  // false after a failed write.
  bool idle();
  std::optional<std::string> error() const;
  int64_t objects() const { return objects_; }  // written so far

 private:
  void hand_off();
  void run();

  store::Store& store_;
  size_t limit_;
  store::WriteBatch batch_;  // being filled
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<store::WriteBatch> handed_;  // waiting for the writer
  bool writing_ = false;
  bool stop_ = false;
  std::optional<std::string> error_;
  std::atomic<bool> failed_{false};
  std::atomic<int64_t> objects_{0};
  std::thread writer_;  // last: starts once the rest exists
};

// What a generic column value may depend on besides its field.
struct ColumnContext {
  int64_t index = 0;  // the object's number within its kind (1, 2, ...)
  int64_t when = 0;   // a time the object belongs to (microseconds), 0: none
};

// A plausible value for a column, chosen by its type and, where LL2 names
// columns by convention (urls, abbreviations, counts, durations written as
// ISO 8601 text, coordinates, country codes), by its name.
Value column_value(const model::Kind& kind, const model::Field& field, Random& r,
                   const ColumnContext& c);

// Formatting helpers.
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// Spans counted in seconds or days, 64-bit so that a multiple of one
// (`30 * kDaySeconds`) is computed without overflow.
constexpr int64_t kHourSeconds = 3600;
constexpr int64_t kDaySeconds = 24 * kHourSeconds;
constexpr int64_t kYearDays = 365;
int64_t at(int64_t year, unsigned month, unsigned day);  // midnight UTC, microseconds
std::string iso_duration(int64_t micros);                // P3DT4H5M6S (negative: -PT1H)
std::string date_text(int64_t micros);                   // YYYY-MM-DD
std::string slugify(std::string_view text);              // lower-case ASCII words joined by -
std::string title(std::string_view kind_name);           // spacecraft_config -> Spacecraft Config

}  // namespace ll2::ingest::synth
