#include "ingest/synth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "util/datetime.hpp"

namespace ll2::ingest::synth {

using model::ColumnType;
using model::Field;
using model::Kind;
using model::Relation;

double Random::decimal(double lo, double hi, int places) {
  int64_t scale = 1;
  for (int i = 0; i < places; ++i) scale *= 10;
  const auto a = static_cast<int64_t>(std::llround(lo * static_cast<double>(scale)));
  const auto b = static_cast<int64_t>(std::llround(hi * static_cast<double>(scale)));
  return static_cast<double>(range(a, b)) / static_cast<double>(scale);
}

uint64_t mix(uint64_t a, uint64_t b) {
  Random r(a ^ (b * 0xD6E8FEB86659FD93ULL));
  r.next();
  return r.next();
}

uint64_t text_key(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

// ------------------------------------------------------------- visibility

Visibility::Visibility(const model::Registry& registry,
                       const std::vector<const model::View*>& pages) {
  for (const model::View* v : pages) visit(*v);
  // The store fills a derived foreign key from the two it is derived from
  // (a flight's rocket from its launch's), so it survives when they do.
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& k : registry.kinds()) {
      for (const auto& d : k->derivations) {
        const bool second =
            shown(*d.second) || (d.second->relation == Relation::Reverse &&
                                 d.second->via_field != nullptr && shown(*d.second->via_field));
        if (!shown(*d.target) && shown(*d.first) && second) {
          fields_.insert(d.target);
          changed = true;
        }
      }
    }
  }
}

void Visibility::visit(const model::View& v) {
  if (!views_.insert(&v).second) return;
  for (const auto& f : v.fields) {
    if (f.field != nullptr) mark(*f.field);
    if (f.view != nullptr) visit(*f.view);
  }
}

void Visibility::mark(const Field& f) {
  fields_.insert(&f);
  // A printed reverse list is read back into the field pointing here.
  if (f.relation == Relation::Reverse && f.via_field != nullptr) fields_.insert(f.via_field);
}

// -------------------------------------------------------------------- sink

Sink::Sink(store::Store& store, size_t batch_objects)
    : store_(store), limit_(batch_objects), writer_([this] { run(); }) {}

Sink::~Sink() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

void Sink::object(store::ObjectWrite w) {
  batch_.objects.push_back(std::move(w));
}

void Sink::hand_off() {
  if (failed_) {
    batch_ = {};
    return;
  }
  if (batch_.objects.empty() && batch_.links.empty() && batch_.rows.empty()) return;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !handed_ && !writing_; });
  handed_ = std::move(batch_);
  batch_ = {};
  lock.unlock();
  changed_.notify_all();
}

bool Sink::idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !handed_ && !writing_; });
  return !failed_;
}

bool Sink::flush() {
  hand_off();
  return idle();
}

std::optional<std::string> Sink::error() const {
  if (!failed_) return std::nullopt;
  const std::lock_guard lock(mutex_);
  return error_;
}

void Sink::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return handed_ || stop_; });
    if (!handed_) return;
    store::WriteBatch batch = std::move(*handed_);
    handed_.reset();
    writing_ = true;
    lock.unlock();
    std::optional<std::string> e;
    if (!failed_) {
      try {
        e = store_.write(batch);
      } catch (const std::exception& x) {
        e = x.what();
      }
    }
    const auto n = static_cast<int64_t>(batch.objects.size());
    batch = {};  // freed before the next one is taken
    lock.lock();
    writing_ = false;
    if (e && !error_) {
      error_ = "writing the generated objects: " + *e;
      failed_ = true;
    } else if (!e) {
      objects_ += n;
    }
    changed_.notify_all();
  }
}

// ---------------------------------------------------------------- helpers

int64_t at(int64_t year, unsigned month, unsigned day) {
  return datetime::days_from_civil(year, month, day) * kDay;
}

std::string iso_duration(int64_t micros) {
  std::string sign;
  if (micros < 0) {
    sign = "-";
    micros = -micros;
  }
  const int64_t s = micros / kSecond;
  const int64_t days = s / kDaySeconds;
  const int64_t hours = s / 3600 % 24;
  const int64_t minutes = s / 60 % 60;
  const int64_t seconds = s % 60;
  if (hours == 0 && minutes == 0 && seconds == 0) return fmt::format("{}P{}D", sign, days);
  std::string out = sign + "P";
  if (days != 0) out += fmt::format("{}D", days);
  out += 'T';
  if (hours != 0) out += fmt::format("{}H", hours);
  if (minutes != 0) out += fmt::format("{}M", minutes);
  if (seconds != 0) out += fmt::format("{}S", seconds);
  return out;
}

std::string date_text(int64_t micros) {
  return datetime::format_datetime(micros).substr(0, 10);
}

std::string slugify(std::string_view text) {
  std::string out;
  bool dash = false;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 && c < 0x80) {
      if (dash && !out.empty()) out += '-';
      out += static_cast<char>(std::tolower(c));
      dash = false;
    } else {
      dash = true;
    }
  }
  return out;
}

std::string title(std::string_view kind_name) {
  std::string out;
  bool start = true;
  for (const char c : kind_name) {
    if (c == '_') {
      out += ' ';
      start = true;
    } else {
      out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      start = false;
    }
  }
  return out;
}

// ---------------------------------------------------------- column values

namespace {

bool has(std::string_view name, std::string_view part) {
  return name.find(part) != std::string_view::npos;
}

bool url_like(std::string_view n) {
  return n == "url" || n.ends_with("_url") || has(n, "link") || n == "wiki" || n == "map_image" ||
         n == "profile_image" || n == "feature_image" || n == "image" || n == "logo" ||
         n == "infographic";
}

bool duration_text(std::string_view n) {
  return n == "duration" || n == "time_in_space" || n == "eva_time" || n == "time_docked" ||
         n == "turn_around_time" || n == "fastest_turnaround" || n == "pad_turnaround";
}

int64_t random_time(Random& r, const ColumnContext& c) {
  if (c.when != 0) return c.when + r.range(-30 * kDaySeconds, 30 * kDaySeconds) * kSecond;
  return r.range(at(1960, 1, 1) / kSecond, at(2026, 1, 1) / kSecond) * kSecond;
}

Value text_value(const Kind& kind, const Field& f, Random& r, const ColumnContext& c) {
  const std::string_view n = f.name;
  const std::string t = title(kind.name);
  if (n == "name" || n == "title") return fmt::format("{} {}", t, c.index);
  if (n == "abbrev") {
    std::string initials;
    bool start = true;
    for (const char ch : t) {
      if (start && ch != ' ') initials += ch;
      start = ch == ' ';
    }
    return fmt::format("{}{}", initials, c.index);
  }
  if (n == "slug") return slugify(fmt::format("{} {}", t, c.index));
  if (url_like(n)) {
    // LL2's *_link fields are empty when unknown, its *_url fields null.
    if (r.chance(0.15)) return has(n, "link") ? Value(std::string()) : Value();
    const char* host = has(n, "wiki")                                         ? "wiki.example"
                       : has(n, "map")                                        ? "maps.example"
                       : has(n, "image") || n == "logo" || n == "infographic" ? "images.example"
                                                                              : "synthetic.example";
    return fmt::format("https://{}/{}/{}/{}", host, kind.name, c.index, n);
  }
  if (duration_text(n)) {
    if (r.chance(0.1)) return {};
    return iso_duration(r.range(3600, 400 * kDaySeconds) * kSecond);
  }
  if (n == "relative_time") return iso_duration(r.range(-7200, 3600) * kSecond);
  if (n == "description" || n == "details" || n == "bio" || n == "comment" || n == "capability" ||
      n == "history") {
    return fmt::format("{} {} is synthetic test data; this {} is made up.", t, c.index, n);
  }
  if (n == "alpha_2_code" || n == "alpha_3_code") {
    std::string code;
    const size_t len = n == "alpha_2_code" ? 2 : 3;
    for (size_t i = 0; i < len; ++i) code += static_cast<char>('A' + r.range(0, 25));
    return code;
  }
  if (n == "timezone_name") {
    static const std::vector<std::string> zones = {"UTC", "America/New_York", "Asia/Almaty",
                                                   "Asia/Shanghai", "Europe/Paris"};
    return r.pick(zones);
  }
  if (n == "code") return std::string("xx");
  if (n == "serial_number") return fmt::format("SN-{}", 1000 + c.index);
  if (n == "hashtag") return r.chance(0.8) ? Value() : Value(fmt::format("#Synthetic{}", c.index));
  if (n == "created_by" || n == "publisher" || n == "source" || n == "credit" ||
      n == "administrator") {
    static const std::vector<std::string> who = {"Synthetic Newsroom", "Jane Roe", "Ivan Petrov",
                                                 "Zhang Wei", "Amélie Durand"};
    return r.pick(who);
  }
  if (n == "location" || n == "orbit" || n == "destination") {
    static const std::vector<std::string> where = {"Low Earth Orbit", "International Space Station",
                                                   "Lunar Orbit", "Geostationary Orbit"};
    return r.pick(where);
  }
  if (n == "type") return fmt::format("{} type", t);
  if (n == "flight_life") return std::string("Up to 6 months");
  if (n == "failreason" || n == "variant" || n == "alias" || n == "launchers" ||
      n == "spacecraft") {
    return std::string();
  }
  if (n == "weather_concerns" || n == "parent" || n == "launch_designator") return {};
  return fmt::format("{} {}", n, c.index);
}

Value integer_value(const Field& f, Random& r) {
  const std::string_view n = f.name;
  if (n == "priority") return r.range(0, 10);
  if (n == "founding_year") return r.chance(0.1) ? Value() : Value(r.range(1950, 2020));
  if (n == "age") return r.range(30, 75);
  if (n == "probability") return r.chance(0.6) ? Value() : Value(r.range(40, 100));
  if (n == "volume") return r.range(100, 1000);
  if (has(n, "cost")) return r.chance(0.5) ? Value() : Value(r.range(1'000'000, 300'000'000));
  if (n == "min_stage" || n == "max_stage") return r.range(1, 3);
  if (n == "crew_capacity") return r.range(0, 7);
  if (has(n, "capacity")) return r.range(0, 20000);
  if (n == "amount") return r.range(1, 3);
  if (n == "onboard_crew" || n == "docked_vehicles") return r.range(0, 6);
  if (n.ends_with("_year")) return r.range(0, 40);
  if (has(n, "count") || has(n, "launches") || has(n, "landings") || has(n, "flights") ||
      has(n, "flown") || n == "launcher_flight_number") {
    return r.range(0, 60);
  }
  return r.range(0, 100);
}

Value float_value(const Field& f, Random& r) {
  const std::string_view n = f.name;
  if (n == "latitude") return r.decimal(-60, 70, 4);
  if (n == "longitude") return r.decimal(-180, 180, 4);
  if (n == "gravity") return r.decimal(0, 30, 3);
  if (n == "downrange_distance") return r.chance(0.5) ? Value() : Value(r.decimal(0, 900, 1));
  if (n == "launch_mass") return r.decimal(10, 3000, 1);
  if (n == "mass") return r.chance(0.2) ? Value() : Value(r.decimal(100, 50000, 1));
  if (has(n, "capacity")) return r.chance(0.3) ? Value() : Value(r.decimal(0, 30000, 0));
  if (n == "to_thrust") return r.decimal(100, 10000, 1);
  if (n == "apogee") return r.decimal(100, 2000, 1);
  if (n == "diameter" || n == "length" || n == "height" || n == "width")
    return r.decimal(1, 100, 2);
  return r.decimal(0, 1000, 1);
}

bool boolean_value(const Field& f, Random& r) {
  struct Odds {
    std::string_view name;
    double p;
  };
  static constexpr std::array<Odds, 17> odds = {{{"active", 0.8},
                                                 {"in_use", 0.6},
                                                 {"reusable", 0.3},
                                                 {"human_rated", 0.3},
                                                 {"is_placeholder", 0.03},
                                                 {"featured", 0.2},
                                                 {"in_space", 0.05},
                                                 {"live", 0.02},
                                                 {"webcast_live", 0.02},
                                                 {"single_use", 0.1},
                                                 {"flight_proven", 0.4},
                                                 {"reused", 0.3},
                                                 {"attempt", 0.95},
                                                 {"success", 0.9},
                                                 {"atmosphere", 0.5},
                                                 {"flight_proven", 0.4},
                                                 {"has_flown", 0.8}}};
  for (const auto& o : odds) {
    if (o.name == f.name) return r.chance(o.p);
  }
  return r.chance(0.5);
}

}  // namespace

Value column_value(const Kind& kind, const Field& f, Random& r, const ColumnContext& c) {
  switch (f.type) {
    case ColumnType::Text:
      return text_value(kind, f, r, c);
    case ColumnType::Integer:
      return integer_value(f, r);
    case ColumnType::Float:
      return float_value(f, r);
    case ColumnType::Boolean:
      return int64_t{boolean_value(f, r) ? 1 : 0};
    case ColumnType::DateTime:
      return random_time(r, c);
    case ColumnType::Date:
      return date_text(random_time(r, c));
    case ColumnType::Duration:
      return r.range(3600, 30 * kDaySeconds) * kSecond;
  }
  return {};
}

}  // namespace ll2::ingest::synth
