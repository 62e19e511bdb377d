#include "notify/worker.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "sync/syncer.hpp"
#include "util/text.hpp"

namespace ll2::notify {

namespace {

constexpr const char* kLease = "feed";
constexpr int64_t kLeaseMicros = 15'000'000;  // a holder that stops renewing is replaced after this

int64_t real_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string id_text(const Value& id) {
  if (const auto* i = std::get_if<int64_t>(&id)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&id)) return *s;
  return {};
}

// The leads already recorded for an object's time.
std::variant<std::set<int64_t>, std::string> recorded_leads(store::Store& store,
                                                            const model::Kind& kind,
                                                            const Value& id, int64_t at) {
  auto rows = store.execute(
      "SELECT before_us FROM ll2d_reminder WHERE kind = ? AND object_id = ? AND at = ?",
      {kind.name, id_text(id), at});
  if (auto* e = std::get_if<std::string>(&rows)) return std::move(*e);
  std::set<int64_t> out;
  for (const Row& r : std::get<std::vector<Row>>(rows)) {
    if (const auto* v = std::get_if<int64_t>(r.data())) out.insert(*v);
  }
  return out;
}

// The reminders of one kind's objects due at `now`, not yet recorded.
std::variant<std::vector<store::ReminderWrite>, std::string> due_for(
    store::Store& store, const model::Kind& kind, const std::vector<int64_t>& leads, int64_t now) {
  const int64_t longest = *std::max_element(leads.begin(), leads.end());
  const std::string field = kind.remind_of->name;
  store::ListQuery q;
  q.kind = &kind;
  q.where = model::Predicate::compare(field, model::Lookup::Gt, now);
  q.where.require(model::Predicate::compare(field, model::Lookup::Lte, now + longest));
  q.order = {{field, false}};
  q.limit = 10'000;
  q.count = false;
  std::vector<store::ReminderWrite> out;
  const auto ids = store.list(q).ids;
  for (const Row& row : store.load_many(kind, ids)) {
    const auto* at = std::get_if<int64_t>(&row[static_cast<size_t>(kind.remind_of->column)]);
    if (at == nullptr) continue;
    std::vector<int64_t> due;
    for (const int64_t lead : leads) {
      if (now >= *at - lead) due.push_back(lead);
    }
    if (due.empty()) continue;
    auto recorded = recorded_leads(store, kind, row[0], *at);
    if (auto* e = std::get_if<std::string>(&recorded)) return std::move(*e);
    const auto& known = std::get<std::set<int64_t>>(recorded);
    const int64_t shortest = *std::min_element(due.begin(), due.end());
    for (const int64_t lead : due) {
      if (!known.contains(lead)) out.push_back({&kind, row[0], *at, lead, lead == shortest});
    }
  }
  return out;
}

}  // namespace

std::optional<std::vector<int64_t>> parse_reminders(const std::string& text) {
  std::vector<int64_t> out;
  if (text == "none") return out;
  for (const auto item : text::split_stripped(text, ',')) {
    const auto millis = sync::parse_duration(item);
    if (!millis || *millis <= 0) return std::nullopt;
    out.push_back(*millis * 1000);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::variant<bool, std::string> take_lease(store::Store& store, const std::string& name,
                                           const std::string& holder, int64_t now,
                                           int64_t expires) {
  auto rows = store.execute(
      "INSERT INTO ll2d_lease (name, holder, expires) VALUES (?, ?, ?) ON CONFLICT (name) DO "
      "UPDATE SET holder = excluded.holder, expires = excluded.expires WHERE ll2d_lease.expires < "
      "? OR ll2d_lease.holder = excluded.holder RETURNING holder",
      {name, holder, expires, now});
  if (auto* e = std::get_if<std::string>(&rows)) return std::move(*e);
  return !std::get<std::vector<Row>>(rows).empty();
}

std::variant<std::vector<store::ReminderWrite>, std::string> due_reminders(
    store::Store& store, const std::vector<int64_t>& leads, int64_t now) {
  std::vector<store::ReminderWrite> out;
  if (leads.empty()) return out;
  for (const auto& k : store.schema().kinds()) {
    if (k->remind_of == nullptr) continue;
    auto due = due_for(store, *k, leads, now);
    if (auto* e = std::get_if<std::string>(&due)) return std::move(*e);
    for (auto& r : std::get<std::vector<store::ReminderWrite>>(due)) out.push_back(std::move(r));
  }
  return out;
}

std::variant<int64_t, std::string> send_due_reminders(store::Store& store,
                                                      const std::vector<int64_t>& leads,
                                                      int64_t now) {
  auto due = due_reminders(store, leads, now);
  if (auto* e = std::get_if<std::string>(&due)) return std::move(*e);
  store::WriteBatch batch;
  batch.reminders = std::move(std::get<std::vector<store::ReminderWrite>>(due));
  if (batch.reminders.empty()) return int64_t{0};
  if (auto e = store.write(batch)) return *e;
  return static_cast<int64_t>(std::count_if(batch.reminders.begin(), batch.reminders.end(),
                                            [](const auto& r) { return r.announce; }));
}

Worker::Worker(Opener open, WorkerOptions options)
    : open_(std::move(open)), options_(std::move(options)) {
  if (options_.holder.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    options_.holder = fmt::format("{}:{}", host, ::getpid());
  }
  if (options_.hooks) deliverer_ = std::make_unique<Deliverer>(*options_.hooks);
  thread_ = std::thread([this] { loop(); });
}

Worker::~Worker() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Worker::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    pass();
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

// One round: the lease, then what is due. A failure is reported and the
// connection opened afresh at the next round.
void Worker::pass() {
  try {
    if (!store_) store_ = open_();
    const int64_t now = real_now();
    const int64_t at = options_.clock ? options_.clock() : now;
    auto due = due_reminders(*store_, options_.reminders, at);
    if (auto* e = std::get_if<std::string>(&due))
      throw store::StoreError(store::StoreError::Cause::Failed, *e);
    const bool hooks = deliverer_ && deliverer_->has_work(*store_);
    // Nothing to do is done without a write, not even the lease's (another
    // connection's commit makes a SQLite importer forget what it wrote).
    if (std::get<std::vector<store::ReminderWrite>>(due).empty() && !hooks) return;
    // Renewed a third of the way through, not at every round: fewer writes.
    if (now >= held_until_ - 2 * kLeaseMicros / 3) {
      auto held = take_lease(*store_, kLease, options_.holder, now, now + kLeaseMicros);
      if (auto* e = std::get_if<std::string>(&held))
        throw store::StoreError(store::StoreError::Cause::Failed, *e);
      held_until_ = std::get<bool>(held) ? now + kLeaseMicros : 0;
    }
    if (held_until_ == 0) return;  // another node does the feed's work
    store::WriteBatch batch;
    batch.reminders = std::move(std::get<std::vector<store::ReminderWrite>>(due));
    if (!batch.reminders.empty()) {
      if (auto e = store_->write(batch))
        throw store::StoreError(store::StoreError::Cause::Failed, *e);
    }
    if (hooks) {
      if (auto e = deliverer_->round(*store_, now))
        throw store::StoreError(store::StoreError::Cause::Failed, *e);
    }
  } catch (const std::exception& e) {  // the thread's boundary: report, retry next round
    fmt::print(stderr, "ll2d: feed: {}\n", e.what());
    store_.reset();
    held_until_ = 0;
  }
}

}  // namespace ll2::notify
