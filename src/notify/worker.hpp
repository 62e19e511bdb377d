// The feed's background work in `serve`: reminders before each launch's NET
// (and each event's date), written to the change log as `<kind>.reminder`
// entries, so the page, the stream and webhooks carry them; and the
// webhooks' deliveries (notify/hooks.hpp). With
// several nodes on one database, one does it at a time: the holder of a
// lease in the database, taken over when its holder stops renewing it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "notify/hooks.hpp"
#include "store/store.hpp"

namespace ll2::notify {

struct WorkerOptions {
  // How long before an object's time each reminder is due (microseconds),
  // e.g. 24 h, 1 h, 10 min; empty: no reminders.
  std::vector<int64_t> reminders;
  // "Now" for reminders (microseconds since the epoch); unset: the real time.
  std::function<int64_t()> clock;
  std::chrono::milliseconds interval{250};
  std::string holder;  // this node's name in the lease (default: host and pid)
  // Webhooks' deliveries (notify/hooks.hpp); unset: none.
  std::optional<DelivererOptions> hooks;
};

// Parses "24h,1h,10m" (or "none": no reminders) into lead times.
std::optional<std::vector<int64_t>> parse_reminders(const std::string& text);

// Takes or renews the lease `name` for `holder` until `expires` (real time,
// microseconds): whether this holder has it now, or the error.
std::variant<bool, std::string> take_lease(store::Store& store, const std::string& name,
                                           const std::string& holder, int64_t now, int64_t expires);

// The reminders due at `now` that send_due_reminders would write (reads only).
std::variant<std::vector<store::ReminderWrite>, std::string> due_reminders(
    store::Store& store, const std::vector<int64_t>& leads, int64_t now);

// One pass of the reminders at `now`: for each object whose time is ahead
// within the longest lead, the shortest lead now due is logged once per
// object and time (longer leads due with it are only recorded: a launch
// found ten minutes ahead gets one reminder, not three). A time that moves
// is a new time: its reminders come again. Returns how many were logged.
std::variant<int64_t, std::string> send_due_reminders(store::Store& store,
                                                      const std::vector<int64_t>& leads,
                                                      int64_t now);

class Worker {
 public:
  using Opener = std::function<std::unique_ptr<store::Store>()>;
  Worker(Opener open, WorkerOptions options);
  ~Worker();  // stops the thread and waits for it
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

 private:
  void loop();
  void pass();

  Opener open_;
  WorkerOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Deliverer> deliverer_;
  int64_t held_until_ = 0;  // when the lease this node holds ends (0: not held)
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ll2::notify
