#include "ingest/world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "ingest/synth.hpp"
#include "ingest/vocabulary.hpp"
#include "model/predicate.hpp"
#include "util/datetime.hpp"

namespace ll2::ingest {

using synth::at;
using synth::iso_duration;
using synth::kDay;
using synth::kDaySeconds;
using synth::kHour;
using synth::kHourSeconds;
using synth::kMinute;
using synth::kSecond;
using synth::kYearDays;
using synth::Random;
using namespace vocabulary;  // NOLINT(google-build-using-namespace): the word lists

const model::Mode* page_mode(const model::Resource& r) {
  if (const model::Mode* m = r.mode("detailed")) return m;
  return r.mode(r.detail_mode);
}

bool has_pages(const model::Resource& r) {
  return r.paginated;
}

const std::vector<Proportion>& proportions() {
  static const std::vector<Proportion> table = {
      {"docking_event", 10000, 1},
      {"launch", 7500, 30},
      {"launcher", 5000, 15},
      {"update", 4000, 20},
      {"spacecraft_flight", 3000, 10},
      {"payload_flight", 2500, 10},
      {"payload", 2000, 10},
      {"event", 1200, 12},
      {"mission_patch", 800, 10},
      {"astronaut", 700, 12},
      {"launcher_config", 600, 12},
      {"spacecraft", 400, 10},
      {"spacewalk", 400, 6},
      {"agency", 350, 30},
      {"pad", 250, 15},
      {"spacecraft_config", 150, 15},
      {"launcher_config_family", 120, 6},
      {"expedition", 100, 4},
      {"location", 70, 10},
      {"program", 60, 13},
      {"landing_location", 40, 20},
      {"spacecraft_config_family", 30, 12},
  };
  return table;
}

namespace {

Value S(std::string s) {
  return {std::move(s)};
}
Value I(int64_t v) {
  return {v};
}
Value B(bool v) {
  return Value(int64_t{v ? 1 : 0});
}
const Value kNull{};

// The generator's "now": a fixed instant, so the same seed always gives the
// same world. Launches after it are upcoming, dockings before it without a
// departure are still docked.
int64_t now_us() {
  static const int64_t t = at(2025, 6, 1);
  return t;
}
int64_t years(double y) {
  return static_cast<int64_t>(y * 365.25 * static_cast<double>(kDay));
}
int64_t whole_seconds(int64_t micros) {
  return micros / kSecond * kSecond;
}

// --------------------------------------------------------------- the world

class World {
 public:
  World(store::Store& store, int64_t events, uint64_t seed, const Progress& progress,
        size_t batch_objects, int64_t shift, const Advance& advance)
      : shift_(shift),
        store_(store),
        registry_(store.schema()),
        sink_(store, batch_objects),
        events_(events),
        seed_(seed),
        progress_(progress),
        advance_(advance),
        visibility_(registry_, page_views()) {
    for (const auto& p : proportions())
      planned_[p.kind] = std::max(p.minimum, p.per_10k * events / 10000);
    planned_["space_station"] = static_cast<int64_t>(stations().size());
    planned_["docking_location"] = 150;
    planned_["celestial_body"] = 10;
    for (const auto& r : registry_.resources()) {
      if (has_pages(*r)) listed_.insert(r->kind);
    }
    // Images, links and the other objects made where something refers to
    // them come on top: about 1.2 per planned object (2.2 to 2.4 in all,
    // measured from 20 to 20,000 events).
    for (const auto& [kind, n] : planned_) expected_ += n;
    expected_ = expected_ * 22 / 10;
  }

  std::optional<std::string> build();
  int64_t objects() const { return sink_.objects(); }

 private:
  // One object being generated: the values set so far, in field order of
  // setting; whatever the pages show and is left unset is filled generically.
  struct Obj {
    const model::Kind* kind = nullptr;
    Value id;
    int64_t index = 0;
    Random rng{0};
    int64_t when = 0;
    std::vector<std::pair<const model::Field*, Value>> values;
    std::vector<const model::Field*> done;
  };

  std::vector<const model::View*> page_views() const {
    std::vector<const model::View*> out;
    for (const auto& r : registry_.resources()) {
      if (!has_pages(*r)) continue;
      if (const model::Mode* m = page_mode(*r)) out.push_back(m->resolved);
    }
    // Objects only a composed object prints (the dashboard's notices and road
    // closures): no route lists them, so no page carries them, but the world
    // has them for the dashboard to show.
    for (const auto& r : registry_.resources()) {
      const model::Mode* m = r->compose.empty() ? nullptr : r->mode(r->detail_mode);
      for (const auto& f : m != nullptr ? m->resolved->fields : std::vector<model::ViewField>{}) {
        if (f.view != nullptr && f.field != nullptr && !has_route(*f.view->kind))
          out.push_back(f.view);
      }
    }
    return out;
  }
  bool has_route(const model::Kind& k) const {
    for (const auto& r : registry_.resources())
      if (r->kind == &k) return true;
    return false;
  }

  // -------------------------------------------------------- machinery

  const model::Kind& kind(std::string_view name) const {
    const model::Kind* k = registry_.find_kind(name);
    if (k == nullptr) throw std::logic_error(fmt::format("generator: unknown kind {}", name));
    return *k;
  }
  static const model::Field& field(const model::Kind& k, std::string_view name) {
    const model::Field* f = k.field(name);
    if (f == nullptr)
      throw std::logic_error(fmt::format("generator: {} has no field {}", k.name, name));
    return *f;
  }
  Random stream(std::string_view tag, int64_t i) const {
    return Random(synth::mix(synth::mix(seed_, synth::text_key(tag)), static_cast<uint64_t>(i)));
  }
  int64_t count(std::string_view kind_name) const {
    const auto it = planned_.find(std::string(kind_name));
    return it == planned_.end() ? 0 : it->second;
  }

  Obj make(std::string_view kind_name, Value id, int64_t index, int64_t when = 0) const {
    Obj o;
    o.kind = &kind(kind_name);
    o.id = std::move(id);
    o.index = index;
    o.rng = stream(kind_name, index);
    o.when = when;
    return o;
  }
  static bool is_done(const Obj& o, const model::Field* f) {
    return std::find(o.done.begin(), o.done.end(), f) != o.done.end();
  }
  void set(Obj& o, std::string_view name, Value v) const {
    const model::Field& f = field(*o.kind, name);
    o.done.push_back(&f);
    if (visibility_.shown(f)) o.values.emplace_back(&f, std::move(v));
  }
  void link(Obj& o, std::string_view name, std::vector<Value> targets) {
    const model::Field& f = field(*o.kind, name);
    o.done.push_back(&f);
    if (!visibility_.shown(f) || targets.empty()) return;
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    sink_.link({o.kind, &f, o.id, std::move(targets)});
  }
  // Id-less rows (info URLs, timelines): each filled generically where unset.
  void rows(Obj& o, std::string_view name, std::vector<Obj> items) {
    const model::Field& f = field(*o.kind, name);
    o.done.push_back(&f);
    if (!visibility_.shown(f) || items.empty()) return;
    store::RowsWrite w{&f, o.id, {}};
    for (auto& item : items) {
      fill(item);
      shift_dates(item.values);
      w.rows.push_back(std::move(item.values));
    }
    sink_.rows(std::move(w));
  }
  Obj row(std::string_view kind_name, const Obj& owner, int64_t n) const {
    Obj r = make(kind_name, Value(), owner.index * 8 + n, owner.when);
    r.rng = stream(fmt::format("{}.{}", kind_name, owner.kind->name),
                   owner.index * 8 + n);  // independent of other owners' rows
    return r;
  }

  // Every shown field still unset gets a generic value.
  void fill(Obj& o) {
    for (const auto& f : o.kind->fields) {
      if (!visibility_.shown(f) || is_done(o, &f)) continue;
      if (f.relation == model::Relation::Column) {
        o.values.emplace_back(&f, synth::column_value(*o.kind, f, o.rng, {o.index, o.when}));
      } else if (f.relation == model::Relation::ForeignKey) {
        o.values.emplace_back(&f, reference(*f.target_kind, o.rng, o.when));
      }
      // Lists stay empty unless the world says otherwise; reverse lists are
      // the other side's foreign keys.
    }
  }
  // A world generated for another "now" (generate --now): every date-time
  // and date moves by the same whole number of days, so the world keeps its
  // shape (what is upcoming, what is docked) around that instant.
  void shift_dates(std::vector<std::pair<const model::Field*, Value>>& values) const {
    if (shift_ == 0) return;
    for (auto& [f, v] : values) {
      if (f->relation != model::Relation::Column) continue;
      if (f->type == model::ColumnType::DateTime && std::holds_alternative<int64_t>(v)) {
        std::get<int64_t>(v) += shift_;
      } else if (f->type == model::ColumnType::Date && std::holds_alternative<std::string>(v)) {
        if (const auto t = datetime::parse_filter_datetime(std::get<std::string>(v)))
          v = synth::date_text(*t + shift_);
      }
    }
  }
  void emit(Obj& o) {
    fill(o);
    shift_dates(o.values);
    sink_.object({o.kind, o.id, std::move(o.values)});
    sink_.maybe_flush();
    if (++made_ % 256 == 0 && advance_) advance_(made_, expected_);
  }

  // An object of `target` to refer to: a lookup entry, one of a planned
  // kind's objects, or a new object of a kind that exists only where
  // something refers to it (images, social media links, ...).
  Value reference(const model::Kind& target, Random& r, int64_t when) {
    if (const auto it = lookups_.find(target.name); it != lookups_.end()) {
      const int64_t id = r.pick(it->second);
      if (!listed_.contains(&target)) used_lookups_.insert({target.name, id});
      return id;
    }
    if (target.name == "launch") return launch_id(r.range(1, count("launch")));
    if (const int64_t n = count(target.name); n > 0) return r.range(1, n);
    return create(target.name, when);
  }
  Value create(const std::string& kind_name, int64_t when) {
    if (kind_name == "image") return image(0.0);
    const int64_t id = ++created_[kind_name];
    Obj o = make(kind_name, id, id, when);
    emit(o);
    return id;
  }
  int64_t next_id(const std::string& kind_name) { return ++created_[kind_name]; }

  // A lookup entry (statuses, types): written now when its endpoint lists
  // it, else only if something refers to it.
  void lookup(std::string_view kind_name, int64_t id,
              const std::vector<std::pair<const char*, Value>>& values) {
    Obj o = make(kind_name, id, id);
    for (const auto& [name, v] : values) set(o, name, v);
    lookups_[std::string(kind_name)].push_back(id);
    if (listed_.contains(o.kind))
      emit(o);
    else  // filled when written: what it refers to is made then
      pending_lookups_.emplace(std::pair{o.kind->name, id}, std::move(o));
  }
  void named_lookup(std::string_view kind_name, const std::vector<std::string>& names,
                    int64_t first_id = 1) {
    for (size_t i = 0; i < names.size(); ++i)
      lookup(kind_name, first_id + static_cast<int64_t>(i), {{"name", S(names[i])}});
  }

  bool checkpoint(std::string_view what) {
    if (progress_) progress_(fmt::format("generated {} ({} objects so far)", what, made_));
    return !sink_.error();
  }

  // ------------------------------------------ facts computed from indexes

  // Version-4 UUIDs from the launch's own stream.
  std::string launch_uuid(int64_t i) const {
    Random r = stream("launch.id", i);
    const uint64_t hi = r.next();
    const uint64_t lo = r.next();
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                       hi & 0xFFF, 8 + (lo >> 62), (lo >> 48) & 0xFFF, lo & 0xFFFFFFFFFFFFULL);
  }
  Value launch_id(int64_t i) const { return S(launch_uuid(i)); }

  // Launch i's NET: launches in index order, from Sputnik to the end of
  // 2027, more of them in recent years.
  int64_t launch_net(int64_t i) const {
    const int64_t t0 = at(1957, 10, 4) + 19 * kHour + 28 * kMinute + 34 * kSecond;
    const int64_t t1 = at(2027, 12, 31);
    if (i <= 1) return t0;
    const double u = (static_cast<double>(i - 1) + stream("launch.net", i).unit()) /
                     static_cast<double>(count("launch"));
    const double x = std::pow(std::min(u, 1.0), 0.7);
    const int64_t t = t0 + static_cast<int64_t>(x * static_cast<double>(t1 - t0));
    return stream("launch.second", i).chance(0.3) ? t / kMinute * kMinute : whole_seconds(t);
  }
  // The last launch whose NET is at or before t (0: none).
  int64_t launch_at(int64_t t) const {
    int64_t lo = 0;
    int64_t hi = count("launch");
    while (lo < hi) {
      const int64_t mid = (lo + hi + 1) / 2;
      if (launch_net(mid) <= t)
        lo = mid;
      else
        hi = mid - 1;
    }
    return lo;
  }
  int64_t config_of_launch(int64_t i) const {
    const double u = stream("launch.config", i).unit();
    return 1 +
           static_cast<int64_t>(std::pow(u, 2.5) * static_cast<double>(count("launcher_config")));
  }
  int64_t family_of_config(int64_t c) const {
    const int64_t families = count("launcher_config_family");
    if (c <= families) return c;
    const double u = stream("config.family", c).unit();
    return 1 + static_cast<int64_t>(std::pow(u, 1.5) * static_cast<double>(families));
  }
  int64_t manufacturer_of_family(int64_t f) const {
    if (f <= static_cast<int64_t>(kLauncherFamilies.size()) &&
        kLauncherFamilies[static_cast<size_t>(f - 1)].manufacturer != 0) {
      return kLauncherFamilies[static_cast<size_t>(f - 1)].manufacturer;
    }
    return stream("family.manufacturer", f).range(1, count("agency"));
  }
  static std::string family_name(int64_t f) {
    if (f <= static_cast<int64_t>(kLauncherFamilies.size()))
      return kLauncherFamilies[static_cast<size_t>(f - 1)].name;
    return fmt::format("Synthetic Rocket {}", f);
  }
  bool family_reusable(int64_t f) const {
    if (f <= static_cast<int64_t>(kLauncherFamilies.size()))
      return kLauncherFamilies[static_cast<size_t>(f - 1)].reusable;
    return stream("family.reusable", f).chance(0.1);
  }
  std::string config_variant(int64_t c) const {
    const int64_t families = count("launcher_config_family");
    const std::string& v = kVariants[static_cast<size_t>((c - 1) / families) % kVariants.size()];
    const int64_t block = (c - 1) / families / static_cast<int64_t>(kVariants.size());
    return block == 0 ? v : fmt::format("{}{}Mk {}", v, v.empty() ? "" : " ", block + 1);
  }
  std::string config_name(int64_t c) const {
    const std::string v = config_variant(c);
    return v.empty() ? family_name(family_of_config(c))
                     : fmt::format("{} {}", family_name(family_of_config(c)), v);
  }
  bool config_heavy(int64_t c) const { return config_variant(c).starts_with("Heavy"); }

  // Spacecraft flights in launch order, from the first crewed flights on;
  // a spacecraft flies a run of consecutive flights.
  int64_t first_crewed_launch() const { return std::max<int64_t>(1, launch_at(at(1961, 4, 12))); }
  int64_t flight_launch(int64_t j) const {
    const int64_t lo = first_launch_for_flights_;
    const int64_t span = count("launch") - lo + 1;
    const double x = (static_cast<double>(j - 1) + stream("flight.launch", j).unit()) *
                     static_cast<double>(span) / static_cast<double>(count("spacecraft_flight"));
    return std::min(count("launch"), lo + static_cast<int64_t>(x));
  }
  int64_t flight_duration(int64_t j) const {
    Random r = stream("flight.duration", j);
    return r.chance(0.3) ? r.range(2 * kDaySeconds, 14 * kDaySeconds) * kSecond
                         : r.range(20 * kDaySeconds, 200 * kDaySeconds) * kSecond;
  }
  // The mission end, or 0 while the flight is still under way.
  int64_t flight_end(int64_t j) const {
    const int64_t end = launch_net(flight_launch(j)) + flight_duration(j);
    return end <= now_us() ? end : 0;
  }
  int64_t flight_spacecraft(int64_t j) const {
    const int64_t n = count("spacecraft");
    const double x = (static_cast<double>(j - 1) + stream("flight.spacecraft", j).unit()) *
                     static_cast<double>(n) / static_cast<double>(count("spacecraft_flight"));
    return std::min(n, 1 + static_cast<int64_t>(x));
  }
  // The flights of spacecraft k: [first, last], empty when first > last.
  std::pair<int64_t, int64_t> spacecraft_flights(int64_t k) const {
    const auto first_at_least = [&](int64_t target) {
      int64_t lo = 1;
      int64_t hi = count("spacecraft_flight") + 1;
      while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (flight_spacecraft(mid) >= target)
          hi = mid;
        else
          lo = mid + 1;
      }
      return lo;
    };
    return {first_at_least(k), first_at_least(k + 1) - 1};
  }
  int64_t spacecraft_config(int64_t k) const {
    Random r = stream("spacecraft.config", k);
    if (r.chance(0.7)) return r.range(1, static_cast<int64_t>(kSpacecraftConfigs.size()));
    return r.range(1, count("spacecraft_config"));
  }
  static std::string spacecraft_config_name(int64_t c) {
    if (c <= static_cast<int64_t>(kSpacecraftConfigs.size()))
      return kSpacecraftConfigs[static_cast<size_t>(c - 1)].name;
    return fmt::format("Synthetic Capsule {}", c);
  }
  bool human_rated(int64_t c) const {
    if (c <= static_cast<int64_t>(kSpacecraftConfigs.size()))
      return kSpacecraftConfigs[static_cast<size_t>(c - 1)].human_rated;
    return stream("spacecraft_config.crew", c).chance(0.25);
  }
  std::string spacecraft_name(int64_t k) const {
    return fmt::format("{} {}-{}", spacecraft_config_name(spacecraft_config(k)),
                       k % 2 != 0 ? "TM" : "MS", k);
  }
  bool flight_crewed(int64_t j) const {
    return human_rated(spacecraft_config(flight_spacecraft(j)));
  }

  int64_t payload_flight_launch(int64_t k) const {
    const double x = (static_cast<double>(k - 1) + stream("payload_flight.launch", k).unit()) *
                     static_cast<double>(count("launch")) /
                     static_cast<double>(count("payload_flight"));
    return std::min(count("launch"), 1 + static_cast<int64_t>(x));
  }
  std::string payload_name(int64_t p) const {
    // Every 20th payload gets an upper-case non-ASCII name, by index, so
    // that case-insensitive Unicode search has something to find.
    if (p % 20 == 10) {
      return fmt::format(
          "{} {}", kUnicodePayloads[static_cast<size_t>(p / 20) % kUnicodePayloads.size()], p);
    }
    return fmt::format("{} {}", stream("payload.name", p).pick(kPayloadStems), p);
  }

  // The n-th payload (0-based, cycling) with an upper-case non-ASCII name,
  // and with a % or _ in its name (any payload when there is none).
  int64_t unicode_payload(int64_t n) const {
    const int64_t have = (count("payload") + 10) / 20;
    return 10 + 20 * (n % std::max<int64_t>(1, have));
  }
  int64_t literal_payload(int64_t n) const {
    std::vector<int64_t> found;
    for (int64_t p = 1; p <= count("payload") && found.size() < 8; ++p) {
      const std::string name = payload_name(p);
      if (name.find_first_of("%_") != std::string::npos) found.push_back(p);
    }
    if (found.empty()) return 1 + n % count("payload");
    return found[static_cast<size_t>(n) % found.size()];
  }

  // The last flight (of `flights`, via `launch_of`) launched at or before t.
  template <class LaunchOf>
  int64_t flight_at(int64_t t, int64_t flights, LaunchOf launch_of) const {
    int64_t lo = 0;
    int64_t hi = flights;
    while (lo < hi) {
      const int64_t mid = (lo + hi + 1) / 2;
      if (launch_net(launch_of(mid)) <= t)
        lo = mid;
      else
        hi = mid - 1;
    }
    return lo;
  }

  // Expeditions: consecutive crews of the stations that had them, each
  // station a block of ids in the order the stations flew.
  struct ExpeditionPlace {
    int64_t station = 0;  // 1-based
    int64_t rank = 0;     // 0-based within the station
    int64_t of = 0;       // the station's number of expeditions
  };
  ExpeditionPlace expedition_place(int64_t e) const {
    const auto& s = stations();
    // Stations in the order they were founded (Skylab before Salyut 6, ...).
    std::vector<int64_t> order;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i].share > 0) order.push_back(static_cast<int64_t>(i + 1));
    }
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return s[static_cast<size_t>(a - 1)].founded < s[static_cast<size_t>(b - 1)].founded;
    });
    const int64_t total = count("expedition");
    int64_t cumulative = 0;
    int64_t boundary = 0;
    for (const int64_t st : order) {
      cumulative += s[static_cast<size_t>(st - 1)].share;
      const int64_t next = total * cumulative / 100;
      if (e <= next) return {st, e - boundary - 1, next - boundary};
      boundary = next;
    }
    return {order.back(), 0, 1};
  }
  int64_t expedition_start(int64_t e) const {
    const ExpeditionPlace p = expedition_place(e);
    const StationInfo& st = stations()[static_cast<size_t>(p.station - 1)];
    const int64_t end = st.deorbited != 0 ? st.deorbited : now_us();
    const int64_t len = (end - st.founded) / p.of;
    return whole_seconds(st.founded + p.rank * len + len / 50);
  }
  // 0: still aboard.
  int64_t expedition_end(int64_t e) const {
    const ExpeditionPlace p = expedition_place(e);
    const StationInfo& st = stations()[static_cast<size_t>(p.station - 1)];
    if (st.deorbited == 0 && p.rank == p.of - 1) return 0;
    const int64_t end = st.deorbited != 0 ? st.deorbited : now_us();
    return whole_seconds(expedition_start(e) + (end - st.founded) / p.of * 95 / 100);
  }
  int64_t expedition_crew_size(int64_t e) const { return stream("expedition.crew", e).range(2, 6); }
  // Astronauts fly in their own years: astronaut ids follow careers of
  // about fifteen years from 1961 on, and a crew is drawn from the careers
  // under way at the time.
  int64_t astronaut_at(int64_t t, Random& r) const {
    const int64_t n = count("astronaut");
    const double x =
        static_cast<double>(t - at(1961, 4, 12)) / static_cast<double>(now_us() - at(1961, 4, 12));
    const auto center = static_cast<int64_t>(std::clamp(x, 0.0, 1.0) * static_cast<double>(n));
    const int64_t window = std::max<int64_t>(2, n * 15 / 64 / 2);
    return std::clamp<int64_t>(center + r.range(-window, window), 1, n);
  }
  int64_t expedition_astronaut(int64_t e, int64_t seat) const {
    Random r = stream("expedition.astronaut", e * 16 + seat);
    return astronaut_at(expedition_start(e), r);
  }
  // The expedition a station has aboard now (0: none).
  int64_t active_expedition(int64_t station) const {
    for (int64_t e = count("expedition"); e >= 1; --e) {
      const ExpeditionPlace p = expedition_place(e);
      if (p.station == station) return expedition_end(e) == 0 ? e : 0;
    }
    return 0;
  }
  int64_t spacewalk_expedition(int64_t w) const {
    Random r = stream("spacewalk.expedition", w);
    return r.chance(0.1) ? 0 : r.range(1, count("expedition"));
  }
  int64_t spacewalk_start(int64_t w) const {
    const int64_t e = spacewalk_expedition(w);
    Random r = stream("spacewalk.start", w);
    if (e == 0) {
      const int64_t j = r.range(1, count("spacecraft_flight"));
      return whole_seconds(launch_net(flight_launch(j)) + r.range(kDay, 3 * kDay));
    }
    const int64_t start = expedition_start(e);
    const int64_t end = expedition_end(e) != 0 ? expedition_end(e) : now_us();
    return whole_seconds(start + static_cast<int64_t>(r.unit() * static_cast<double>(end - start)));
  }
  int64_t spacewalk_duration(int64_t w) const {
    return stream("spacewalk.duration", w).range(3 * kHourSeconds, 9 * kHourSeconds) * kSecond;
  }
  int64_t event_date(int64_t v) const {
    const int64_t t0 = at(1961, 1, 1);
    const int64_t t1 = at(2028, 1, 1);
    const double u = (static_cast<double>(v - 1) + stream("event.date", v).unit()) /
                     static_cast<double>(count("event"));
    return whole_seconds(t0 +
                         static_cast<int64_t>(std::pow(u, 0.6) * static_cast<double>(t1 - t0)));
  }
  // The last event dated at or before t (0: none).
  int64_t event_at(int64_t t) const {
    int64_t lo = 0;
    int64_t hi = count("event");
    while (lo < hi) {
      const int64_t mid = (lo + hi + 1) / 2;
      if (event_date(mid) <= t)
        lo = mid;
      else
        hi = mid - 1;
    }
    return lo;
  }

  // The Starship program's flights and events: about `kStarshipFlights`
  // launches and half as many events, evenly spread over those from 2023
  // on (all of them in small worlds), so that its dashboard has a past and
  // a future whatever "now" it is served at in 2023-2027.
  static constexpr int64_t kStarshipProgram = 13;  // the last named program
  static constexpr int64_t kStarshipFlights = 24;
  struct Spread {
    int64_t first = 0;  // the first index of the run (0: none)
    int64_t step = 1;
    int64_t size = 0;
    bool contains(int64_t i) const { return first > 0 && i >= first && (i - first) % step == 0; }
    int64_t nth(int64_t k) const { return first + k * step; }  // k < size
  };
  static Spread spread(int64_t last_before, int64_t total, int64_t wanted) {
    const int64_t n = total - last_before;
    if (n <= 0) return {};
    const int64_t step = std::max<int64_t>(1, n / wanted);
    return {last_before + 1, step, (n - 1) / step + 1};
  }

  // ----------------------------------------------------- shared pieces

  // An image of its own (or, now and then, one already made), or null with
  // probability p_null.
  Value image(double p_null) {
    Random& r = image_rng_;
    if (r.chance(p_null)) return kNull;
    const int64_t made = created_["image"];
    if (made > 20 && r.chance(0.15)) return r.range(1, made);
    const int64_t id = next_id("image");
    Obj o = make("image", id, id);
    set(o, "name", S(fmt::format("Synthetic image {}", id)));
    set(o, "image_url", S(fmt::format("https://images.example/media/image_{}.jpg", id)));
    set(o, "thumbnail_url",
        S(fmt::format("https://images.example/media/image_{}_thumbnail.jpeg", id)));
    set(o, "credit", o.rng.chance(0.2) ? kNull : S(o.rng.chance(0.5) ? "NASA" : "Synthetic Photo"));
    std::vector<Value> variants;
    if (o.rng.chance(0.15)) {
      const int64_t v = next_id("image_variant");
      Obj variant = make("image_variant", v, v);
      set(variant, "image_url", S(fmt::format("https://images.example/v/{}.webp", v)));
      emit(variant);
      variants.emplace_back(v);
    }
    link(o, "variants", std::move(variants));
    emit(o);
    return id;
  }
  void social_links(Obj& owner, std::string_view handle) {
    std::vector<Value> links;
    const int64_t n = owner.rng.chance(0.6) ? owner.rng.range(1, 2) : 0;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t id = next_id("social_media_link");
      Obj o = make("social_media_link", id, id);
      const int64_t media = o.rng.range(1, 4);
      set(o, "social_media", reference_lookup("social_media", media));
      set(o, "url", S(fmt::format("https://social{}.example/{}", media, handle)));
      emit(o);
      links.emplace_back(id);
    }
    link(owner, "social_media_links", std::move(links));
  }
  Value reference_lookup(const std::string& kind_name, int64_t id) {
    if (!listed_.contains(&kind(kind_name))) used_lookups_.insert({kind_name, id});
    return id;
  }
  Value landing(int64_t when, const std::vector<int64_t>& types) {
    const int64_t id = next_id("landing");
    Obj o = make("landing", id, id, when);
    Random& r = o.rng;
    const bool attempt = r.chance(0.97);
    set(o, "attempt", B(attempt));
    set(o, "success", !attempt ? kNull : r.chance(0.03) ? kNull : B(r.chance(0.93)));
    set(o, "description",
        S(attempt ? "The vehicle attempted a landing." : "No landing was attempted."));
    set(o, "type", r.pick(types));
    emit(o);
    return id;
  }
  Value seat(int64_t astronaut, int64_t role) {
    const int64_t id = next_id("astronaut_flight");
    Obj o = make("astronaut_flight", id, id);
    set(o, "astronaut", astronaut);
    set(o, "role", role);
    emit(o);
    return id;
  }
  std::vector<Obj> info_urls(const Obj& owner, double p, const std::string& subject) {
    std::vector<Obj> out;
    Random r =
        stream("info_urls", owner.index * 31 + static_cast<int64_t>(owner.kind->name.size()));
    const int64_t n = r.chance(p) ? r.range(1, 2) : 0;
    for (int64_t k = 0; k < n; ++k) {
      Obj u = row("info_url", owner, k);
      set(u, "priority", I(10 * (k + 1)));
      set(u, "source", S("synthetic.example"));
      set(u, "title", S(subject));
      set(u, "description", S(""));
      set(u, "feature_image", kNull);
      set(u, "url",
          S(fmt::format("https://synthetic.example/{}/{}/{}", owner.kind->name, owner.index,
                        k + 1)));
      out.push_back(std::move(u));
    }
    return out;
  }
  std::vector<Obj> vid_urls(const Obj& owner, double p, int64_t when) {
    std::vector<Obj> out;
    Random r = stream("vid_urls", owner.index * 31 + static_cast<int64_t>(owner.kind->name.size()));
    const int64_t n = r.chance(p) ? r.range(1, 2) : 0;
    for (int64_t k = 0; k < n; ++k) {
      Obj u = row("vid_url", owner, k);
      set(u, "priority", I(10 * (k + 1)));
      set(u, "source", S("video.example"));
      set(u, "publisher", S(k == 0 ? "Synthetic TV" : "Орбита ТВ"));
      set(u, "title", S(k == 0 ? "Official webcast" : "Трансляция"));
      set(u, "description", S(""));
      set(u, "feature_image", kNull);
      set(u, "url",
          S(fmt::format("https://video.example/{}/{}/{}", owner.kind->name, owner.index, k + 1)));
      set(u, "start_time", I(when - kHour));
      set(u, "end_time", I(when + kHour));
      set(u, "live", B(false));
      out.push_back(std::move(u));
    }
    return out;
  }

  // --------------------------------------------------------- the kinds

  void lookups();
  void countries_and_bodies();
  void agencies();
  void locations_and_pads();
  void landing_locations();
  void programs_and_patches();
  void launcher_configurations();
  void spacecraft_configurations();
  void payloads();
  void launches();
  void launch(int64_t i);
  void spacecraft_flights();
  void payload_flights();
  void expeditions();
  void spacewalks();
  void events();
  void updates();
  void notices_and_road_closures();
  void docking_events();
  void stations_and_ports();
  void spacecraft();
  void launchers();
  void astronauts();
  void unplanned();

  // Who sat where on flights and spacewalks (nine bytes a seat), so that
  // astronauts list theirs without searching the crews, whose link tables
  // are indexed by owner only.
  enum class SeatOn : uint8_t { Launch, Landing, Spacewalk };
  struct SeatRecord {
    int64_t astronaut;
    int64_t owner;
    SeatOn on;
  };
  class Seats {
   public:
    struct Packed {
      int32_t astronaut;
      int32_t owner;
      SeatOn on;
    };
    void push_back(const SeatRecord& s) {
      list_.push_back({static_cast<int32_t>(s.astronaut), static_cast<int32_t>(s.owner), s.on});
    }
    // Sorted by astronaut, then kind of seat, then owner.
    std::vector<Packed> take() {
      std::sort(list_.begin(), list_.end(), [](const Packed& a, const Packed& b) {
        return std::tie(a.astronaut, a.on, a.owner) < std::tie(b.astronaut, b.on, b.owner);
      });
      return std::move(list_);
    }

   private:
    std::vector<Packed> list_;
  };

  std::vector<Value> ids_where(std::string_view kind_name, std::string path, Value v) {
    store::ListQuery q;
    q.kind = &kind(kind_name);
    q.where = model::Predicate::compare(std::move(path), model::Lookup::Exact, std::move(v));
    q.limit = 1'000'000;
    q.count = false;
    if (!sink_.idle()) return {};
    return store_.list(q).ids;
  }

  int64_t shift_;  // added to every date-time (generate --now)
  store::Store& store_;
  const model::Registry& registry_;  // the store's schema: its kinds and resources
  synth::Sink sink_;
  int64_t events_;
  uint64_t seed_;
  const Progress& progress_;
  const Advance& advance_;
  int64_t made_ = 0;      // objects emitted (written or in the batch)
  int64_t expected_ = 0;  // about how many there will be
  synth::Visibility visibility_;
  std::map<std::string, int64_t> planned_;
  std::set<const model::Kind*> listed_;
  std::map<std::string, std::vector<int64_t>> lookups_;
  std::set<std::pair<std::string, int64_t>> used_lookups_;
  std::map<std::pair<std::string, int64_t>, Obj> pending_lookups_;
  std::map<std::string, int64_t> created_;
  Seats seats_;
  Random image_rng_{synth::mix(seed_, synth::text_key("images"))};
  int64_t first_launch_for_flights_ = 1;
  Spread starship_launches_, starship_events_;
  // What the docking events leave docked: per station port, the latest
  // event without a departure; per station, its events still docked.
  std::map<int64_t, std::pair<int64_t, int64_t>> port_docked_;  // port -> (docking, event)
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> station_docked_;
};

// ------------------------------------------------------------ lookups

void World::lookups() {
  named_lookup("agency_type",
               {"Government", "Multinational", "Commercial", "Educational", "Private", "Unknown"});
  named_lookup("astronaut_status",
               {"Active", "Retired", "In-Training", "Lost In Flight", "Lost In Training",
                "Died While in Active Service", "Dismissed", "Resigned during Training", "Deceased",
                "Unknown", "Retired from Space but Active"});
  named_lookup("astronaut_type", {"Government", "Private", "Non-Human", "Unknown"});
  const std::vector<std::pair<const char*, int64_t>> roles = {
      {"Commander", 0},          {"Pilot", 1},
      {"Flight Engineer", 2},    {"Mission Specialist", 3},
      {"Payload Specialist", 4}, {"Spaceflight Participant", 5},
      {"Spacewalker", 6}};
  for (size_t i = 0; i < roles.size(); ++i) {
    lookup("astronaut_role", static_cast<int64_t>(i + 1),
           {{"role", S(roles[i].first)}, {"priority", I(roles[i].second)}});
  }
  named_lookup("celestial_body_type",
               {"Planet", "Moon", "Asteroid", "Star", "Dwarf Planet", "Comet"});
  named_lookup("event_type",
               {"Docking", "EVA", "Press Event", "Moon Landing", "Static Fire", "Test", "Flyby",
                "Celestial Event", "Berthing", "Landing", "Undocking", "Spacecraft Event"});
  named_lookup("first_stage_type", {"Core", "Booster", "Unknown"});
  named_lookup("info_url_type", {"Official Page", "Press Kit", "Wikipedia", "Mission Page"});
  named_lookup("vid_url_type",
               {"Official Webcast", "Unofficial Webcast", "Launch Recap", "Explainer"});
  const std::vector<std::pair<const char*, const char*>> languages = {
      {"English", "en"}, {"Русский", "ru"}, {"中文", "zh"},   {"Français", "fr"},
      {"日本語", "ja"},  {"Español", "es"}, {"Deutsch", "de"}};
  for (size_t i = 0; i < languages.size(); ++i) {
    lookup("language", static_cast<int64_t>(i + 1),
           {{"name", S(languages[i].first)}, {"code", S(languages[i].second)}});
  }
  const std::vector<std::tuple<const char*, const char*, const char*>> landing_types = {
      {"Parachute Landing", "Parachute", "The capsule lands under parachutes."},
      {"Splashdown", "Splash", "The capsule lands in the ocean."},
      {"Runway", "RW", "The vehicle lands on a runway."},
      {"Autonomous Spaceport Drone Ship", "ASDS", "The booster lands on a ship at sea."},
      {"Return to Launch Site", "RTLS", "The booster flies back to land near its pad."},
      {"Ocean Landing", "Ocean", "A controlled splashdown of the booster."},
      {"Helicopter Catch", "Heli", "A helicopter catches the stage under its parachute."}};
  for (size_t i = 0; i < landing_types.size(); ++i) {
    const auto& [n, a, d] = landing_types[i];
    lookup("landing_type", static_cast<int64_t>(i + 1),
           {{"name", S(n)}, {"abbrev", S(a)}, {"description", S(d)}});
  }
  const std::vector<std::tuple<int64_t, const char*, const char*, const char*>> statuses = {
      {1, "Go for Launch", "Go", "Current T-0 confirmed by official or reliable sources."},
      {2, "To Be Determined", "TBD", "Current date is a 'No Earlier Than' estimation."},
      {3, "Launch Successful", "Success", "The launch vehicle reached its target orbit."},
      {4, "Launch Failure", "Failure", "Either the launch vehicle or the payload failed."},
      {5, "On Hold", "Hold", "The launch has been paused; the countdown may resume."},
      {6, "Launch in Flight", "In Flight", "The launch vehicle is in flight."},
      {7, "Launch was a Partial Failure", "Partial Failure",
       "Either the launch vehicle or the payload did not reach its target."},
      {8, "To Be Confirmed", "TBC", "Awaiting official confirmation of the date."}};
  for (const auto& [id, n, a, d] : statuses)
    lookup("launch_status", id, {{"name", S(n)}, {"abbrev", S(a)}, {"description", S(d)}});
  named_lookup("launcher_status",
               {"Active", "Lost", "Inactive", "Retired", "Destroyed", "Expended", "Unknown"});
  named_lookup("mission_type", kMissionTypes);
  const std::vector<std::tuple<int64_t, const char*, const char*, const char*>> precisions = {
      {0, "Second", "SEC", "The T-0 is accurate to the second."},
      {1, "Minute", "MIN", "The T-0 is accurate to the minute."},
      {2, "Hour", "HR", "The T-0 is accurate to the hour."},
      {3, "Morning", "AM", "The T-0 is in the morning (local time)."},
      {4, "Afternoon", "PM", "The T-0 is in the afternoon (local time)."},
      {5, "Day", "DAY", "Only the day is known."},
      {6, "Week", "WEEK", "Only the week is known."},
      {7, "Month", "MONTH", "Only the month is known."},
      {8, "Quarter 1", "Q1", "Some time in the first quarter."},
      {12, "Half 1", "H1", "Some time in the first half of the year."},
      {14, "Year", "YEAR", "Only the year is known."}};
  for (const auto& [id, n, a, d] : precisions)
    lookup("net_precision", id, {{"name", S(n)}, {"abbrev", S(a)}, {"description", S(d)}});
  named_lookup("notice_type", {"Tank Test", "Engine Test", "Launch Notice", "Sonic Boom"});
  for (const auto& o : kOrbits) {
    lookup("orbit", o.id,
           {{"name", S(o.name)}, {"abbrev", S(o.abbrev)}, {"celestial_body", I(o.body)}});
  }
  named_lookup("payload_type",
               {"Communication Satellite", "Earth Observation", "Navigation", "Scientific",
                "Technology Demonstration", "Cargo", "Station Module", "Lunar Lander"});
  named_lookup("program_type", {"Agency", "Commercial", "Exploration", "Cooperation"});
  named_lookup("road_closure_status", {"Scheduled", "Possible", "Canceled", "Revoked"});
  named_lookup("space_station_status", {"Active", "De-Orbited", "Decommissioned", "Planned"});
  named_lookup("space_station_type", {"Government", "Commercial"});
  named_lookup("spacecraft_config_type",
               {"Unknown", "Capsule", "Cargo", "Spaceplane", "Lander", "Module"});
  named_lookup("spacecraft_status", {"Active", "Retired", "Destroyed", "Unknown", "Single Use"});
  const std::vector<std::pair<const char*, const char*>> timeline = {
      {"Prop Load", "Propellant loading begins"},
      {"Engine Chill", "Engines are chilled before ignition"},
      {"Liftoff", "Liftoff"},
      {"Max-Q", "Maximum dynamic pressure"},
      {"MECO", "Main engine cut-off"},
      {"Stage Sep", "Stage separation"},
      {"Fairing Sep", "Payload fairing separation"},
      {"SECO-1", "Second engine cut-off"},
      {"Entry Burn", "The booster's entry burn"},
      {"Landing", "The booster lands"},
      {"Payload Sep", "Payload separation"}};
  for (size_t i = 0; i < timeline.size(); ++i) {
    lookup("timeline_event_type", static_cast<int64_t>(i + 1),
           {{"abbrev", S(timeline[i].first)}, {"description", S(timeline[i].second)}});
  }
  const std::vector<std::pair<const char*, const char*>> licenses = {
      {"Unknown", nullptr},
      {"NASA Image Use Policy", "https://www.nasa.gov/multimedia/guidelines/"},
      {"CC BY 2.0", "https://creativecommons.org/licenses/by/2.0/"},
      {"CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"},
      {"CC0", "https://creativecommons.org/publicdomain/zero/1.0/"},
      {"ESA Standard Licence", "https://www.esa.int/ESA_Multimedia/Terms"}};
  for (size_t i = 0; i < licenses.size(); ++i) {
    lookup("image_license", static_cast<int64_t>(i + 1),
           {{"name", S(licenses[i].first)},
            {"priority", I(static_cast<int64_t>(i))},
            {"link", licenses[i].second == nullptr ? kNull : S(licenses[i].second)}});
  }
  named_lookup("image_variant_type", {"Thumbnail", "Banner", "Low Resolution", "High Resolution"});
  const std::vector<std::pair<const char*, const char*>> media = {
      {"Twitter", "https://twitter.example/"},
      {"YouTube", "https://youtube.example/"},
      {"Instagram", "https://instagram.example/"},
      {"Facebook", "https://facebook.example/"}};
  for (size_t i = 0; i < media.size(); ++i) {
    lookup("social_media", static_cast<int64_t>(i + 1),
           {{"name", S(media[i].first)}, {"url", S(media[i].second)}});
  }
}

void World::countries_and_bodies() {
  for (size_t i = 0; i < kCountries.size(); ++i) {
    const auto& c = kCountries[i];
    lookup("country", static_cast<int64_t>(i + 1),
           {{"name", S(c.name)},
            {"alpha_2_code", S(c.alpha2)},
            {"alpha_3_code", S(c.alpha3)},
            {"nationality_name", S(c.nationality)},
            {"nationality_name_composed", S(c.nationality)}});
  }
  struct Body {
    const char* name;
    int64_t type;
    double diameter, mass;
    const char* day;
    bool atmosphere;
  };
  const std::vector<Body> bodies = {{"Earth", 1, 12742000.0, 5.972e+24, "23:56:04", true},
                                    {"Moon", 2, 3474800.0, 7.342e+22, "27 07:43:12", false},
                                    {"Mars", 1, 6779000.0, 6.39e+23, "1 00:37:22", true},
                                    {"Venus", 1, 12104000.0, 4.867e+24, "243 00:00:00", true},
                                    {"Sun", 4, 1392700000.0, 1.989e+30, "25 09:07:12", true},
                                    {"Bennu", 3, 490.0, 7.329e+10, "04:17:47", false},
                                    {"Ryugu", 3, 900.0, 4.5e+11, "07:37:55", false},
                                    {"Phobos", 2, 22533.0, 1.0659e+16, "07:39:12", false},
                                    {"Jupiter", 1, 139820000.0, 1.898e+27, "09:55:30", true},
                                    {"Mercury", 1, 4879400.0, 3.285e+23, "58 15:30:00", false}};
  for (size_t i = 0; i < bodies.size(); ++i) {
    const Body& b = bodies[i];
    const auto id = static_cast<int64_t>(i + 1);
    Obj o = make("celestial_body", id, id);
    set(o, "name", S(b.name));
    set(o, "type", I(b.type));
    set(o, "diameter", b.diameter);
    set(o, "mass", b.mass);
    set(o, "gravity", b.type == 4 ? kNull : Value(o.rng.decimal(0, 30, 3)));
    set(o, "length_of_day", I(*datetime::parse_duration(b.day)));
    set(o, "atmosphere", B(b.atmosphere));
    set(o, "image", image(0.0));
    set(o, "description", S(fmt::format("{} is a celestial body.", b.name)));
    set(o, "wiki_url", S(fmt::format("https://wiki.example/{}", b.name)));
    const int64_t launches = i == 0 ? o.rng.range(5000, 7000) : o.rng.range(0, 40);
    const int64_t failed = o.rng.range(0, launches / 20);
    set(o, "total_attempted_launches", I(launches));
    set(o, "successful_launches", I(launches - failed));
    set(o, "failed_launches", I(failed));
    const int64_t landings = o.rng.range(0, i == 0 ? 900 : 20);
    const int64_t lost = o.rng.range(0, landings / 10);
    set(o, "total_attempted_landings", I(landings));
    set(o, "successful_landings", I(landings - lost));
    set(o, "failed_landings", I(lost));
    emit(o);
  }
}

void World::agencies() {
  for (int64_t i = 1; i <= count("agency"); ++i) {
    Obj o = make("agency", i, i);
    Random& r = o.rng;
    std::string name;
    std::string abbrev;
    int64_t country = r.range(1, static_cast<int64_t>(kCountries.size()));
    int64_t type = r.chance(0.6) ? 3 : r.range(1, 6);
    if (i <= static_cast<int64_t>(kAgencies.size())) {
      const AgencyInfo& a = kAgencies[static_cast<size_t>(i - 1)];
      name = a.name;
      abbrev = a.abbrev;
      country = a.country;
      type = a.type;
    } else {
      const std::string& stem = r.pick(kAgencyStems);
      name = fmt::format("{} {} {}", stem, r.pick(kAgencyKinds), i);
      abbrev = fmt::format("{}{}", synth::slugify(stem).substr(0, 3), i);
      for (char& c : abbrev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    set(o, "name", S(name));
    set(o, "abbrev", S(abbrev));
    set(o, "type", I(type));
    std::vector<Value> nations{I(country)};
    if (type == 2) nations.push_back(I(r.range(1, static_cast<int64_t>(kCountries.size()))));
    link(o, "country", std::move(nations));
    set(o, "description", S(fmt::format("{} is a synthetic agency made for testing.", name)));
    set(o, "administrator", r.chance(0.3) ? kNull : S(fmt::format("Administrator {}", i)));
    set(o, "launchers", S(r.chance(0.5) ? "" : "Soyuz | Proton"));
    set(o, "spacecraft", S(r.chance(0.5) ? "" : "Dragon"));
    set(o, "parent", r.chance(0.9) ? kNull : S("Synthetic Holdings"));
    set(o, "image", image(0.3));
    set(o, "logo", image(0.2));
    set(o, "social_logo", image(0.4));
    set(o, "info_url", r.chance(0.5) ? kNull : S(fmt::format("https://agency{}.example/", i)));
    set(o, "wiki_url", S(fmt::format("https://wiki.example/Agency_{}", i)));
    // Counters as LL2 keeps them: successes and failures within the total.
    const int64_t total = i <= 20 ? r.range(50, 900) : r.range(0, 60);
    const int64_t failed = r.range(0, total / 10);
    set(o, "total_launch_count", I(total));
    set(o, "successful_launches", I(total - failed));
    set(o, "failed_launches", I(failed));
    set(o, "consecutive_successful_launches", I(r.range(0, total - failed)));
    const int64_t landings = r.range(0, total / 2);
    const int64_t lost = r.range(0, landings / 10);
    set(o, "attempted_landings", I(landings));
    set(o, "successful_landings", I(landings - lost));
    set(o, "failed_landings", I(lost));
    set(o, "consecutive_successful_landings", I(r.range(0, landings - lost)));
    for (const char* what : {"spacecraft", "payload"}) {
      const int64_t tried = r.range(0, total / 4);
      const int64_t failures = r.range(0, tried / 10);
      set(o, fmt::format("attempted_landings_{}", what), I(tried));
      set(o, fmt::format("successful_landings_{}", what), I(tried - failures));
      set(o, fmt::format("failed_landings_{}", what), I(failures));
    }
    set(o, "pending_launches", I(r.range(0, i <= 20 ? 40 : 5)));
    social_links(o, abbrev);
    emit(o);
  }
}

void World::locations_and_pads() {
  const auto sites = static_cast<int64_t>(kSites.size());
  for (int64_t i = 1; i <= count("location"); ++i) {
    Obj o = make("location", i, i);
    Random& r = o.rng;
    const SiteInfo* site = i <= sites ? &kSites[static_cast<size_t>(i - 1)] : nullptr;
    const int64_t country =
        site != nullptr ? site->country : r.range(1, static_cast<int64_t>(kCountries.size()));
    set(o, "name",
        S(site != nullptr ? site->name
                          : fmt::format("Synthetic Spaceport {}, {}", i,
                                        kCountries[static_cast<size_t>(country - 1)].name)));
    set(o, "celestial_body", I(site != nullptr ? site->body : 1));
    set(o, "country", I(country));
    set(o, "latitude", site != nullptr ? site->latitude : r.decimal(-60, 69, 4));
    set(o, "longitude", site != nullptr ? site->longitude : r.decimal(-180, 179, 4));
    set(o, "timezone_name", S(site != nullptr ? site->timezone : "UTC"));
    set(o, "description", r.chance(0.3) ? S("") : S("A synthetic launch site."));
    set(o, "image", image(0.3));
    set(o, "map_image", S(fmt::format("https://maps.example/location_{}.jpg", i)));
    set(o, "total_launch_count", I(r.range(0, 500)));
    set(o, "total_landing_count", I(r.range(0, 50)));
    emit(o);
  }
  for (int64_t i = 1; i <= count("pad"); ++i) {
    Obj o = make("pad", i, i);
    Random& r = o.rng;
    // The first pads one per site, the rest anywhere, busy sites more.
    const int64_t location = i <= count("location")
                                 ? i
                                 : 1 + static_cast<int64_t>(std::pow(r.unit(), 2.0) *
                                                            static_cast<double>(count("location")));
    const int64_t complex = 10 + i % 40;
    set(o, "name",
        S(i % 3 == 0   ? fmt::format("Space Launch Complex {}", complex)
          : i % 3 == 1 ? fmt::format("Launch Complex {}{}", complex, i % 2 ? "A" : "B")
                       : fmt::format("Site {}/{}", complex, i)));
    set(o, "location", I(location));
    link(
        o, "agencies",
        r.chance(0.6) ? std::vector<Value>{reference(kind("agency"), r, 0)} : std::vector<Value>{});
    set(o, "image", image(0.4));
    set(o, "description", r.chance(0.5) ? kNull : S("A synthetic pad."));
    set(o, "info_url", kNull);
    set(o, "wiki_url", S(fmt::format("https://wiki.example/Pad_{}", i)));
    set(o, "map_url", S(fmt::format("https://maps.example/?pad={}", i)));
    set(o, "map_image", S(fmt::format("https://maps.example/pad_{}.jpg", i)));
    set(o, "total_launch_count", I(r.range(0, 300)));
    set(o, "orbital_launch_attempt_count", I(r.range(0, 300)));
    set(o, "fastest_turnaround",
        r.chance(0.4) ? kNull : S(iso_duration(r.range(1, 200) * kDay + r.range(0, 23) * kHour)));
    emit(o);
  }
}

void World::landing_locations() {
  const std::vector<std::pair<const char*, const char*>> zones = {
      {"Landing Zone 1", "LZ-1"},
      {"Landing Zone 2", "LZ-2"},
      {"Of Course I Still Love You", "OCISLY"},
      {"A Shortfall of Gravitas", "ASOG"},
      {"Just Read The Instructions", "JRTI"},
      {"Atlantic Ocean", "ATL"},
      {"Pacific Ocean", "PAC"},
      {"Kazakhstan steppe", "KZ"},
      {"Dongfeng Landing Site", "DF"},
      {"Shuttle Landing Facility", "SLF"},
      {"Edwards Air Force Base", "EAFB"},
      {"Mare Tranquillitatis", "MT"}};
  for (int64_t i = 1; i <= count("landing_location"); ++i) {
    Obj o = make("landing_location", i, i);
    const bool named = i <= static_cast<int64_t>(zones.size());
    set(o, "name",
        S(named ? zones[static_cast<size_t>(i - 1)].first : fmt::format("Landing Zone {}", i)));
    set(o, "abbrev", S(named ? zones[static_cast<size_t>(i - 1)].second : fmt::format("LZ-{}", i)));
    const bool moon = named && i == static_cast<int64_t>(zones.size());
    set(o, "celestial_body", I(moon ? 2 : 1));
    set(o, "location",
        I(moon ? std::min<int64_t>(17, count("location")) : o.rng.range(1, count("location"))));
    set(o, "description", S(""));
    set(o, "image", image(0.6));
    const int64_t attempted = o.rng.range(0, 90);
    const int64_t failed = o.rng.range(0, attempted / 10);
    set(o, "attempted_landings", I(attempted));
    set(o, "successful_landings", I(attempted - failed));
    set(o, "failed_landings", I(failed));
    emit(o);
  }
}

void World::programs_and_patches() {
  const std::vector<std::string> names = {"International Space Station",
                                          "Apollo",
                                          "Artemis",
                                          "Commercial Crew Program",
                                          "Commercial Resupply Services",
                                          "Chinese Lunar Exploration Program (Chang’e)",
                                          "Mars Exploration Program",
                                          "Starlink",
                                          "Gemini",
                                          "Shenzhou",
                                          "Galileo",
                                          "Gaganyaan",
                                          "Starship"};
  const int64_t patches = count("mission_patch");
  for (int64_t i = 1; i <= count("program"); ++i) {
    Obj o = make("program", i, i);
    Random& r = o.rng;
    const bool named = i <= static_cast<int64_t>(names.size());
    set(o, "name",
        S(named ? names[static_cast<size_t>(i - 1)] : fmt::format("Synthetic Program {}", i)));
    set(o, "image", image(0.3));
    set(o, "info_url", kNull);
    set(o, "wiki_url", S(fmt::format("https://wiki.example/Program_{}", i)));
    set(o, "description", S("A synthetic program."));
    const int64_t start = r.range(at(1958, 1, 1), at(2022, 1, 1)) / kDay * kDay;
    set(o, "start_date", I(start));
    set(o, "end_date",
        r.chance(0.7) ? kNull : I(start + r.range(2 * kYearDays, 30 * kYearDays) * kDay));
    set(o, "type", I(r.range(1, 4)));
    std::vector<Value> agencies{I(r.range(1, std::min<int64_t>(20, count("agency"))))};
    if (r.chance(0.4)) agencies.push_back(reference(kind("agency"), r, 0));
    if (i == kStarshipProgram) agencies = {I(std::min<int64_t>(7, count("agency")))};  // SpaceX
    link(o, "agencies", std::move(agencies));
    std::vector<Value> own;
    for (int64_t k = 0, n = r.range(0, 2); k < n; ++k) own.push_back(I(r.range(1, patches)));
    link(o, "mission_patches", std::move(own));
    emit(o);
  }
  for (int64_t i = 1; i <= patches; ++i) {
    Obj o = make("mission_patch", i, i);
    set(o, "name",
        S(fmt::format("{} patch", fmt::format(fmt::runtime(o.rng.pick(kMissionStems)), i))));
    set(o, "image_url", S(fmt::format("https://images.example/patch_{}.png", i)));
    emit(o);
  }
}

void World::launcher_configurations() {
  for (int64_t f = 1; f <= count("launcher_config_family"); ++f) {
    Obj o = make("launcher_config_family", f, f);
    Random& r = o.rng;
    set(o, "name", S(family_name(f)));
    link(o, "manufacturer", {I(manufacturer_of_family(f))});
    set(o, "parent", f > 10 && r.chance(0.2) ? I(r.range(1, f - 1)) : kNull);
    set(o, "description", S(fmt::format("The {} family of launch vehicles.", family_name(f))));
    set(o, "maiden_flight", S(synth::date_text(r.range(at(1957, 1, 1), at(2024, 1, 1)))));
    emit(o);
  }
  for (int64_t c = 1; c <= count("launcher_config"); ++c) {
    Obj o = make("launcher_config", c, c);
    Random& r = o.rng;
    const int64_t family = family_of_config(c);
    const std::string name = config_name(c);
    set(o, "name", S(name));
    link(o, "families", {I(family)});
    set(o, "full_name", S(name + (c % 3 == 0 ? " Block 2" : "")));
    set(o, "variant", S(config_variant(c)));
    set(o, "manufacturer", I(manufacturer_of_family(family)));
    set(o, "reusable", B(family_reusable(family)));
    link(
        o, "program",
        r.chance(0.1) ? std::vector<Value>{I(r.range(1, count("program")))} : std::vector<Value>{});
    set(o, "image", image(0.2));
    set(o, "description", S(fmt::format("{} is a synthetic launch vehicle.", name)));
    set(o, "alias", S(""));
    const int64_t min_stage = r.range(1, 2);
    set(o, "min_stage", I(min_stage));
    set(o, "max_stage", I(min_stage + r.range(0, 2)));
    set(o, "maiden_flight", S(synth::date_text(r.range(at(1957, 1, 1), at(2026, 1, 1)))));
    const int64_t total = r.range(0, 400);
    const int64_t failed = r.range(0, total / 10);
    set(o, "total_launch_count", I(total));
    set(o, "successful_launches", I(total - failed));
    set(o, "failed_launches", I(failed));
    set(o, "consecutive_successful_launches", I(r.range(0, total - failed)));
    emit(o);
  }
}

void World::spacecraft_configurations() {
  for (int64_t f = 1; f <= count("spacecraft_config_family"); ++f) {
    Obj o = make("spacecraft_config_family", f, f);
    const bool named = f <= static_cast<int64_t>(kSpacecraftFamilies.size());
    set(o, "name",
        S(named ? kSpacecraftFamilies[static_cast<size_t>(f - 1)]
                : fmt::format("Synthetic Capsule Family {}", f)));
    set(o, "description", S(""));
    set(o, "parent", f > 3 && o.rng.chance(0.2) ? I(o.rng.range(1, f - 1)) : kNull);
    emit(o);
  }
  const auto named = static_cast<int64_t>(kSpacecraftConfigs.size());
  for (int64_t c = 1; c <= count("spacecraft_config"); ++c) {
    Obj o = make("spacecraft_config", c, c);
    Random& r = o.rng;
    const SpacecraftConfigInfo* info =
        c <= named ? &kSpacecraftConfigs[static_cast<size_t>(c - 1)] : nullptr;
    set(o, "name", S(spacecraft_config_name(c)));
    set(o, "type", I(info != nullptr ? info->type : r.range(1, 6)));
    set(o, "agency", I(info != nullptr ? info->agency : r.range(1, count("agency"))));
    link(o, "family",
         {I(info != nullptr ? info->family : r.range(1, count("spacecraft_config_family")))});
    set(o, "image", image(0.1));
    const bool crewed = human_rated(c);
    set(o, "human_rated", B(crewed));
    set(o, "crew_capacity", crewed ? I(r.range(2, 7)) : kNull);
    emit(o);
  }
}

void World::payloads() {
  for (int64_t p = 1; p <= count("payload"); ++p) {
    Obj o = make("payload", p, p);
    Random& r = o.rng;
    const std::string name = payload_name(p);
    set(o, "name", S(name));
    set(o, "image", image(0.3));
    set(o, "wiki_link",
        S(r.chance(0.5) ? std::string() : fmt::format("https://wiki.example/Payload_{}", p)));
    set(o, "info_link", S(""));
    link(
        o, "program",
        r.chance(0.3) ? std::vector<Value>{I(r.range(1, count("program")))} : std::vector<Value>{});
    set(o, "cost", r.chance(0.6) ? kNull : I(r.range(1000000, 900000000)));
    set(o, "mass", r.chance(0.2) ? kNull : Value(r.decimal(50, 20000, 1)));
    set(o, "description", S(fmt::format("{} is a synthetic payload.", name)));
    emit(o);
  }
}

// -------------------------------------------------------------- launches

void World::launches() {
  for (int64_t i = 1; i <= count("launch"); ++i) {
    launch(i);
    if (sink_.error()) return;
  }
}

void World::launch(int64_t i) {
  const int64_t net = launch_net(i);
  const bool past = net <= now_us();
  Obj o = make("launch", launch_id(i), i, net);
  Random& r = o.rng;
  const int64_t config = config_of_launch(i);
  const bool starship = starship_launches_.contains(i);
  std::string mission = fmt::format(fmt::runtime(r.pick(kMissionStems)), i);
  if (starship)
    mission = fmt::format("Starship Flight {}",
                          (i - starship_launches_.first) / starship_launches_.step + 1);
  const std::string name = fmt::format("{} | {}", config_name(config), mission);
  set(o, "name", S(name));
  set(o, "slug", S(synth::slugify(name)));
  set(o, "launch_designator",
      past && r.chance(0.8)
          ? S(fmt::format("{}-{:03}", synth::date_text(net).substr(0, 4), 1 + i % 250))
          : kNull);
  int64_t status = 0;
  if (!past) {
    status = r.pick(std::vector<int64_t>{1, 2, 2, 8, 5});
  } else if (now_us() - net < 2 * kHour) {
    status = 6;
  } else {
    const double x = r.unit();
    status = x < 0.92 ? 3 : x < 0.97 ? 4 : 7;
  }
  set(o, "status", I(status));
  set(o, "net", I(net));
  set(o, "net_precision",
      I(past ? r.pick(std::vector<int64_t>{0, 0, 0, 1, 2})
             : r.pick(std::vector<int64_t>{0, 1, 2, 5, 7, 8, 12, 14})));
  // window_start <= net <= window_end.
  set(o, "window_start", I(net - r.pick(std::vector<int64_t>{0, 0, 0, 15 * kMinute, kHour})));
  set(o, "window_end", I(net + r.pick(std::vector<int64_t>{0, 0, 30 * kMinute, 2 * kHour})));
  set(o, "last_updated",
      I(past ? std::min(now_us(), net + r.range(1, 300) * kDay)
             : now_us() - r.range(0, 30) * kDay));
  set(o, "image", image(0.2));
  set(o, "infographic",
      r.chance(0.9) ? kNull : S(fmt::format("https://images.example/info_{}.png", i)));
  set(o, "probability", past || r.chance(0.5) ? kNull : I(r.range(40, 100)));
  set(o, "weather_concerns", past || r.chance(0.7) ? kNull : S("Cumulus clouds, winds"));
  set(o, "failreason", S(status == 4 || status == 7 ? "An anomaly during ascent." : ""));
  set(o, "hashtag", r.chance(0.9) ? kNull : S(fmt::format("#Launch{}", i)));
  const int64_t maker = manufacturer_of_family(family_of_config(config));
  set(o, "launch_service_provider", I(r.chance(0.75) ? maker : r.range(1, count("agency"))));
  set(o, "pad",
      I(1 + static_cast<int64_t>(std::pow(r.unit(), 1.7) * static_cast<double>(count("pad")))));
  set(o, "webcast_live", B(false));
  std::vector<Value> programs =
      r.chance(0.15) ? std::vector<Value>{I(r.range(1, count("program")))} : std::vector<Value>{};
  if (starship) programs = {I(kStarshipProgram)};
  link(o, "program", std::move(programs));
  // Running counts of launches up to this one (their order is the index's).
  set(o, "orbital_launch_attempt_count", I(i));
  for (const char* f : {"location_launch_attempt_count", "pad_launch_attempt_count",
                        "agency_launch_attempt_count"}) {
    set(o, f, I(r.range(1, std::max<int64_t>(1, i / 10))));
  }
  for (const char* f : {"orbital_launch_attempt_count_year", "location_launch_attempt_count_year",
                        "pad_launch_attempt_count_year", "agency_launch_attempt_count_year"}) {
    set(o, f, I(r.range(1, 100)));
  }
  set(o, "flightclub_url",
      r.chance(0.8) ? kNull : S(fmt::format("https://flightclub.example/{}", i)));
  set(o, "pad_turnaround", S(iso_duration(r.range(2, 400) * kDay + r.range(0, 86399) * kSecond)));
  rows(o, "info_urls", info_urls(o, 0.3, mission));
  // Every Starship flight is streamed (the dashboard's live streams).
  rows(o, "vid_urls", vid_urls(o, starship ? 1.0 : past ? 0.3 : 0.1, net));
  std::vector<Obj> timeline;
  if (family_reusable(family_of_config(config)) && r.chance(0.5)) {
    const std::vector<std::pair<int64_t, int64_t>> steps = {
        {1, -35 * 60}, {3, 0}, {4, 72}, {5, 150}, {6, 160}, {8, 520}, {11, 3600}};
    for (size_t k = 0; k < steps.size(); ++k) {
      Obj t = row("timeline_event", o, static_cast<int64_t>(k));
      set(t, "type", I(steps[k].first));
      set(t, "relative_time", S(iso_duration(steps[k].second * kSecond)));
      timeline.push_back(std::move(t));
    }
  }
  rows(o, "timeline", std::move(timeline));
  link(o, "mission_patches",
       r.chance(0.1) ? std::vector<Value>{I(r.range(1, count("mission_patch")))}
                     : std::vector<Value>{});

  // The vehicle: its configuration and first stages.
  Obj rocket = make("rocket", i, i);
  set(rocket, "configuration", I(config));
  emit(rocket);
  const bool reusable = family_reusable(family_of_config(config));
  const int64_t stages = config_heavy(config) ? 3 : 1;
  for (int64_t s = 0; s < stages; ++s) {
    const int64_t id = next_id("first_stage");
    Obj stage = make("first_stage", id, id, net);
    Random& sr = stage.rng;
    set(stage, "type", S(s == 0 ? "Core" : "Booster"));
    set(stage, "rocket", I(i));
    // A core of this configuration: configuration c flies cores c, c + C, ...
    const int64_t configs = count("launcher_config");
    const int64_t cores = count("launcher");
    const bool known = config <= cores && (reusable || sr.chance(0.5));
    set(stage, "launcher",
        known ? I(config + configs * sr.range(0, (cores - config) / configs)) : kNull);
    const int64_t number = known && reusable ? sr.range(1, 12) : 1;
    set(stage, "launcher_flight_number", I(number));
    set(stage, "reused", B(number > 1));
    if (number > 1 && i > 1) {
      const int64_t previous = std::max<int64_t>(1, i - sr.range(1, 200));
      const int64_t when = launch_net(previous);
      set(stage, "previous_flight", launch_id(previous));
      set(stage, "previous_flight_date", I(when));
      set(stage, "turn_around_time", S(iso_duration(net - when)));
    } else {
      set(stage, "previous_flight", kNull);
      set(stage, "previous_flight_date", kNull);
      set(stage, "turn_around_time", kNull);
    }
    const bool lands = past && (reusable ? sr.chance(0.8) : sr.chance(0.03));
    set(stage, "landing",
        lands ? landing(net, reusable ? std::vector<int64_t>{4, 4, 5} : std::vector<int64_t>{6, 7})
              : kNull);
    emit(stage);
  }

  Obj m = make("mission", i, i, net);
  Random& mr = m.rng;
  set(m, "name", S(mission));
  set(m, "type", S(mr.pick(kMissionTypes)));
  set(m, "description", S(fmt::format("{} is a synthetic mission.", mission)));
  set(m, "image", mr.chance(0.8) ? kNull : image(0.0));
  int weight = 0;
  for (const auto& orbit : kOrbits) weight += orbit.weight;
  int64_t pick = mr.range(0, weight - 1);
  int64_t orbit = 8;
  for (const auto& candidate : kOrbits) {
    if (pick < candidate.weight) {
      orbit = candidate.id;
      break;
    }
    pick -= candidate.weight;
  }
  set(m, "orbit", I(orbit));
  link(m, "agencies", {I(mr.chance(0.6) ? maker : mr.range(1, count("agency")))});
  rows(m, "info_urls", info_urls(m, 0.2, mission));
  rows(m, "vid_urls", vid_urls(m, 0.1, net));
  emit(m);

  set(o, "rocket", I(i));
  set(o, "mission", I(i));
  emit(o);
}

void World::spacecraft_flights() {
  for (int64_t j = 1; j <= count("spacecraft_flight"); ++j) {
    const int64_t i = flight_launch(j);
    const int64_t net = launch_net(i);
    Obj o = make("spacecraft_flight", j, j, net);
    Random& r = o.rng;
    const int64_t end = flight_end(j);
    set(o, "launch", launch_id(i));
    set(o, "rocket", I(i));
    set(o, "spacecraft", I(flight_spacecraft(j)));
    set(o, "destination", S(r.chance(0.8) ? "International Space Station" : "Low Earth Orbit"));
    set(o, "mission_end", end == 0 ? kNull : I(end));
    set(o, "duration",
        S(iso_duration(end == 0 ? whole_seconds(std::max<int64_t>(0, now_us() - net))
                                : end - net)));
    set(o, "turn_around_time",
        S(r.chance(0.5) ? std::string("P0D") : iso_duration(r.range(20, 900) * kDay)));
    set(o, "landing",
        end != 0 && r.chance(0.25) ? landing(end, std::vector<int64_t>{1, 2, 3}) : kNull);
    std::vector<Value> launch_crew;
    std::vector<Value> landing_crew;
    std::vector<Value> onboard;
    if (flight_crewed(j)) {
      const int64_t n = r.range(1, 4);
      std::vector<int64_t> crew;
      for (int64_t s = 0; s < n; ++s) {
        crew.push_back(astronaut_at(net, r));
        launch_crew.push_back(seat(crew.back(), s == 0 ? 1 : s == 1 ? 2 : 3));
        seats_.push_back({crew.back(), j, SeatOn::Launch});
      }
      if (end != 0 && r.chance(0.9)) {
        landing_crew = launch_crew;
        for (const int64_t a : crew) seats_.push_back({a, j, SeatOn::Landing});
      }
      if (r.chance(0.2)) onboard.push_back(seat(astronaut_at(net, r), 4));
    }
    link(o, "launch_crew", std::move(launch_crew));
    link(o, "landing_crew", std::move(landing_crew));
    link(o, "onboard_crew", std::move(onboard));
    emit(o);
    if (sink_.error()) return;
  }
}

void World::payload_flights() {
  for (int64_t k = 1; k <= count("payload_flight"); ++k) {
    const int64_t i = payload_flight_launch(k);
    Obj o = make("payload_flight", k, k, launch_net(i));
    Random& r = o.rng;
    set(o, "launch", launch_id(i));
    set(o, "rocket", I(i));
    set(o, "payload", I(r.range(1, count("payload"))));
    set(o, "destination", S(r.chance(0.8) ? "Low Earth Orbit" : "Moon"));
    set(o, "amount", I(r.chance(0.8) ? 1 : r.range(2, 4)));
    set(o, "landing",
        launch_net(i) < now_us() && r.chance(0.03)
            ? landing(launch_net(i) + 30 * kDay, std::vector<int64_t>{1, 2})
            : kNull);
    emit(o);
    if (sink_.error()) return;
  }
}

// ------------------------------------------ expeditions, spacewalks, events

void World::expeditions() {
  for (int64_t e = 1; e <= count("expedition"); ++e) {
    const ExpeditionPlace p = expedition_place(e);
    const StationInfo& st = stations()[static_cast<size_t>(p.station - 1)];
    const int64_t start = expedition_start(e);
    Obj o = make("expedition", e, e, start);
    set(o, "name", S(fmt::format(fmt::runtime(st.expeditions), p.rank + 1)));
    set(o, "start", I(start));
    set(o, "end", expedition_end(e) == 0 ? kNull : I(expedition_end(e)));
    set(o, "spacestation", I(p.station));
    link(o, "mission_patches", {I(o.rng.range(1, count("mission_patch")))});
    std::vector<Value> crew;
    for (int64_t s = 0; s < expedition_crew_size(e); ++s)
      crew.push_back(seat(expedition_astronaut(e, s), s == 0 ? 1 : 3));
    link(o, "crew", std::move(crew));
    emit(o);
  }
}

void World::spacewalks() {
  for (int64_t w = 1; w <= count("spacewalk"); ++w) {
    const int64_t start = spacewalk_start(w);
    const int64_t e = spacewalk_expedition(w);
    Obj o = make("spacewalk", w, w, start);
    Random& r = o.rng;
    const int64_t station = e == 0 ? 0 : expedition_place(e).station;
    const std::string where = station == 0 ? std::string("Low Earth Orbit")
                                           : stations()[static_cast<size_t>(station - 1)].name;
    set(o, "name", S(fmt::format("{} Spacewalk {}", station == 9 ? "US" : "Synthetic", w)));
    set(o, "start", I(start));
    set(o, "end", I(start + spacewalk_duration(w)));
    set(o, "duration", S(iso_duration(spacewalk_duration(w))));
    set(o, "location", S(where));
    set(o, "spacestation", station == 0 ? kNull : I(station));
    set(o, "expedition", e == 0 ? kNull : I(e));
    set(o, "spacecraft_flight",
        e == 0 ? I(std::max<int64_t>(1, flight_at(start, count("spacecraft_flight"),
                                                  [this](int64_t j) { return flight_launch(j); })))
               : kNull);
    set(o, "event", r.chance(0.15) ? I(r.range(1, count("event"))) : kNull);
    link(o, "program", station == 9 ? std::vector<Value>{I(1)} : std::vector<Value>{});
    // One or two of the expedition's crew go outside.
    std::vector<Value> crew;
    const int64_t n = r.range(1, 2);
    for (int64_t s = 0; s < n; ++s) {
      const int64_t astronaut =
          e == 0 ? astronaut_at(start, r)
                 : expedition_astronaut(e, r.range(0, expedition_crew_size(e) - 1));
      crew.push_back(seat(astronaut, 7));
      seats_.push_back({astronaut, w, SeatOn::Spacewalk});
    }
    link(o, "crew", std::move(crew));
    emit(o);
  }
}

void World::events() {
  for (int64_t v = 1; v <= count("event"); ++v) {
    const int64_t date = event_date(v);
    Obj o = make("event", v, v, date);
    Random& r = o.rng;
    const int64_t type = r.range(1, static_cast<int64_t>(kEventStems.size()));
    const bool starship = starship_events_.contains(v);
    const std::string& stem = kEventStems[starship ? 0 : static_cast<size_t>(type - 1)];
    const std::string name =
        stem.starts_with("{}")
            ? fmt::format(fmt::runtime(stem), spacecraft_name(r.range(1, count("spacecraft"))))
            : fmt::format(fmt::runtime(stem), v);
    set(o, "name", S(name));
    set(o, "slug", S(synth::slugify(name)));
    set(o, "type", I(type));
    set(o, "date", I(date));
    set(o, "date_precision", I(date <= now_us() ? 0 : r.pick(std::vector<int64_t>{0, 2, 5, 7})));
    const std::string& place = r.pick(kEventPlaces);
    set(o, "location", S(starship ? std::string("Starbase, TX, USA") : place));
    set(o, "description", S(fmt::format("{}: a synthetic event.", name)));
    set(o, "webcast_live", B(false));
    set(o, "image", image(0.2));
    set(o, "duration", r.chance(0.5) ? kNull : S(iso_duration(r.range(1, 48) * kHour)));
    set(o, "last_updated", I(std::min(now_us(), date + r.range(0, 60) * kDay)));
    rows(o, "info_urls", info_urls(o, 0.2, name));
    rows(o, "vid_urls", vid_urls(o, 0.4, date));
    std::vector<Value> agencies;
    for (int64_t k = 0, n = r.range(0, 2); k < n; ++k)
      agencies.push_back(I(r.range(1, count("agency"))));
    link(o, "agencies", std::move(agencies));
    const int64_t nearby = launch_at(date);
    link(
        o, "launches",
        nearby > 0 && r.chance(0.4) ? std::vector<Value>{launch_id(nearby)} : std::vector<Value>{});
    std::vector<Value> stations_there;
    for (size_t s = 0; s < stations().size(); ++s) {
      if (station_alive(stations()[s], date) && r.chance(0.2))
        stations_there.push_back(I(static_cast<int64_t>(s + 1)));
    }
    link(o, "spacestations", std::move(stations_there));
    link(o, "expeditions",
         r.chance(0.2) ? std::vector<Value>{I(r.range(1, count("expedition")))}
                       : std::vector<Value>{});
    std::vector<Value> programs =
        r.chance(0.2) ? std::vector<Value>{I(r.range(1, count("program")))} : std::vector<Value>{};
    if (starship) programs = {I(kStarshipProgram)};
    link(o, "program", std::move(programs));
    std::vector<Value> astronauts;
    for (int64_t k = 0, n = r.chance(0.2) ? r.range(1, 2) : 0; k < n; ++k)
      astronauts.push_back(I(astronaut_at(date, r)));
    link(o, "astronauts", std::move(astronauts));
    emit(o);
  }
}

void World::updates() {
  for (int64_t u = 1; u <= count("update"); ++u) {
    Obj o = make("update", u, u);
    Random& r = o.rng;
    int64_t when = 0;
    Value launch = kNull;
    Value event = kNull;
    if (r.chance(0.75)) {
      // Recent launches get most of the comments.
      const int64_t i =
          count("launch") -
          static_cast<int64_t>(std::pow(r.unit(), 3.0) * static_cast<double>(count("launch") - 1));
      when = launch_net(i);
      launch = launch_id(i);
    } else {
      const int64_t v = r.range(1, count("event"));
      when = event_date(v);
      event = I(v);
    }
    // Every 20th comment is on a Starship flight, which draws them.
    if (u % 20 == 1 && starship_launches_.size > 0) {
      const int64_t i = starship_launches_.nth((u / 20) % starship_launches_.size);
      when = launch_net(i);
      launch = launch_id(i);
      event = kNull;
    }
    set(o, "launch", launch);
    set(o, "event", event);
    set(o, "created_on", I(std::min(now_us(), when - r.range(0, 10 * kDaySeconds) * kSecond)));
    set(o, "comment", S(r.pick(kComments)));
    set(o, "info_url", r.chance(0.5) ? kNull : S(fmt::format("https://news.example/{}", u)));
    set(o, "profile_image", S(fmt::format("https://images.example/profile_{}.png", u % 40)));
    emit(o);
  }
}

// What the Starship dashboard shows around "now" besides flights: a dozen
// notices from ten days before it on, and road closures from three days
// before it to a month after, some over, some current, most to come.
void World::notices_and_road_closures() {
  constexpr int64_t kEach = 12;
  for (int64_t n = 1; n <= kEach; ++n) {
    Obj o = make("notice", n, n);
    const int64_t date = now_us() + (n * 3 - 10) * kDay + o.rng.range(0, 23) * kHour;
    set(o, "date", I(date));
    set(o, "url", S(fmt::format("https://notices.example/starbase/{}", n)));
    emit(o);
  }
  for (int64_t n = 1; n <= kEach; ++n) {
    Obj o = make("road_closure", n, n);
    const int64_t start = now_us() + (n * 3 - 3) * kDay + o.rng.range(6, 12) * kHour;
    set(o, "title", S(fmt::format("Highway 4 closure {}: Starship flight test operations", n)));
    set(o, "window_start", I(start));
    set(o, "window_end", I(start + o.rng.range(4, 14) * kHour));
    emit(o);
  }
}

// --------------------------------------------------------- docking events

void World::docking_events() {
  const int64_t flights = count("spacecraft_flight");
  const int64_t payload_flights = count("payload_flight");
  const auto flight_of = [this](int64_t j) { return flight_launch(j); };
  const auto payload_flight_of = [this](int64_t k) { return payload_flight_launch(k); };
  // Chasers come from the flights launched once there were stations, in a
  // shuffled walk, so that nearly every such flight docks somewhere.
  const int64_t station_era = at(1971, 4, 19);
  const int64_t first_flight = std::min(flights, flight_at(station_era, flights, flight_of) + 1);
  const int64_t first_payload =
      std::min(payload_flights, flight_at(station_era, payload_flights, payload_flight_of) + 1);
  const int64_t flight_pool = flights - first_flight + 1;
  const int64_t payload_pool = payload_flights - first_payload + 1;
  const auto coprime_step = [](int64_t n) {
    int64_t a = std::max<int64_t>(1, n * 618 / 1000);
    while (std::gcd(a, n) != 1) ++a;
    return a;
  };
  const int64_t flight_step = coprime_step(flight_pool);
  const int64_t payload_step = coprime_step(payload_pool);
  const int64_t visits = std::max<int64_t>(1, (events_ * 85 / 100 + flight_pool - 1) / flight_pool);
  int64_t flight_walk = 0;
  int64_t payload_walk = 0;
  const auto& st = stations();

  for (int64_t e = 1; e <= events_; ++e) {
    Obj o = make("docking_event", e, e);
    Random& r = o.rng;
    int64_t docking = 0;
    int64_t departure = 0;
    Value flight_chaser = kNull;
    Value station_chaser = kNull;
    Value payload_chaser = kNull;
    int64_t chasing_flight = 0;
    int64_t chasing_station = 0;
    const int64_t chaser = r.range(0, 99);
    if (chaser < 80) {
      const int64_t p = flight_walk % flight_pool;
      const int64_t visit = flight_walk / flight_pool % visits;
      ++flight_walk;
      const int64_t j = first_flight + (p * flight_step) % flight_pool;
      const int64_t net = launch_net(flight_launch(j));
      const double slice = static_cast<double>(flight_duration(j)) / static_cast<double>(visits);
      docking =
          net + static_cast<int64_t>(slice * (static_cast<double>(visit) + 0.05 + 0.25 * r.unit()));
      departure =
          net + static_cast<int64_t>(slice * (static_cast<double>(visit) + 0.6 + 0.35 * r.unit()));
      flight_chaser = I(j);
      chasing_flight = j;
    } else if (chaser < 95) {
      const int64_t p = payload_walk % payload_pool;
      const int64_t visit = payload_walk / payload_pool;
      ++payload_walk;
      const int64_t k = first_payload + (p * payload_step) % payload_pool;
      docking = launch_net(payload_flight_launch(k)) +
                r.range(6 * kHourSeconds, 10 * kDaySeconds) * kSecond + visit * 60 * kDay;
      departure = docking + r.range(kDaySeconds, 200 * kDaySeconds) * kSecond;
      payload_chaser = I(k);
    } else {
      std::vector<int64_t> flown;
      for (size_t s = 0; s < st.size(); ++s) {
        if (st[s].founded < now_us()) flown.push_back(static_cast<int64_t>(s + 1));
      }
      chasing_station = r.pick(flown);
      const StationInfo& s = st[static_cast<size_t>(chasing_station - 1)];
      const int64_t end = s.deorbited != 0 ? s.deorbited : now_us();
      docking = s.founded + static_cast<int64_t>(r.unit() * static_cast<double>(end - s.founded));
      departure = docking + r.range(kHourSeconds, 30 * kDaySeconds) * kSecond;
      station_chaser = I(chasing_station);
    }
    docking = whole_seconds(docking);
    departure = whole_seconds(departure);

    // The target: a station in orbit at the time, else a spacecraft or
    // payload flight launched before it (about 85 %, 8 % and 7 %, as some
    // dockings find no station in orbit).
    Value station_target = kNull;
    Value flight_target = kNull;
    Value payload_target = kNull;
    int64_t port = 0;
    int64_t target = r.range(0, 99);
    if (target < 88) {
      std::vector<int64_t> alive;
      int64_t weight = 0;
      for (size_t s = 0; s < st.size(); ++s) {
        const auto id = static_cast<int64_t>(s + 1);
        if (id != chasing_station && station_alive(st[s], docking)) {
          alive.push_back(id);
          weight += id == 9 ? 4 : 1;
        }
      }
      if (alive.empty()) {
        target = 88;
      } else {
        int64_t x = r.range(0, weight - 1);
        int64_t chosen = alive.front();
        for (const int64_t id : alive) {
          const int64_t w = id == 9 ? 4 : 1;
          if (x < w) {
            chosen = id;
            break;
          }
          x -= w;
        }
        station_target = I(chosen);
        port = chosen + static_cast<int64_t>(st.size()) * r.range(0, 5);
      }
    }
    if (target >= 88 && target < 94) {
      int64_t j = flight_at(docking, flights, flight_of) - r.range(0, 3);
      if (j == chasing_flight) --j;
      if (j >= 1) {
        flight_target = I(j);
        const int64_t config = spacecraft_config(flight_spacecraft(j));
        port = config <= 15 ? 120 + config : r.range(121, 135);
      } else {
        target = 94;
      }
    }
    if (target >= 94) {
      const int64_t k = std::max<int64_t>(
          1, flight_at(docking, payload_flights, payload_flight_of) - r.range(0, 3));
      payload_target = I(k);
      port = r.range(136, 150);
    }
    const bool gone = !r.chance(0.05);
    set(o, "docking", I(docking));
    set(o, "departure", gone ? I(departure) : kNull);
    set(o, "docking_location", I(port));
    set(o, "space_station_target", station_target);
    set(o, "flight_vehicle_target", flight_target);
    set(o, "payload_flight_target", payload_target);
    set(o, "flight_vehicle_chaser", flight_chaser);
    set(o, "space_station_chaser", station_chaser);
    set(o, "payload_flight_chaser", payload_chaser);
    emit(o);
    if (sink_.error()) return;

    // Still docked: no departure, docked before now, at a station in orbit.
    if (!gone && docking <= now_us() && !is_null(station_target)) {
      const int64_t s = std::get<int64_t>(station_target);
      if (station_alive(st[static_cast<size_t>(s - 1)], now_us())) {
        auto& list = station_docked_[s];
        list.emplace_back(docking, e);
        std::sort(list.rbegin(), list.rend());
        if (list.size() > 6) list.pop_back();
        auto& latest = port_docked_[port];
        if (docking >= latest.first) latest = {docking, e};
      }
    }
  }
}

void World::stations_and_ports() {
  const auto& st = stations();
  for (size_t s = 0; s < st.size(); ++s) {
    const auto id = static_cast<int64_t>(s + 1);
    const StationInfo& info = st[s];
    Obj o = make("space_station", id, id);
    Random& r = o.rng;
    set(o, "name", S(info.name));
    set(o, "image", image(0.0));
    const bool planned = info.founded > now_us();
    set(o, "status", I(planned ? 4 : info.deorbited != 0 ? 2 : 1));
    set(o, "founded", S(synth::date_text(info.founded)));
    set(o, "deorbited", info.deorbited != 0 ? S(synth::date_text(info.deorbited)) : kNull);
    set(o, "description", S(fmt::format("{} is a space station (synthetic record).", info.name)));
    set(o, "orbit", S("Low Earth Orbit"));
    set(o, "type", reference_lookup("space_station_type", info.type));
    std::vector<Value> owners;
    for (const int64_t a : info.owners) owners.push_back(I(std::min(a, count("agency"))));
    link(o, "owners", std::move(owners));
    const int64_t expedition = active_expedition(id);
    link(o, "active_expeditions",
         expedition != 0 ? std::vector<Value>{I(expedition)} : std::vector<Value>{});
    set(o, "onboard_crew", I(expedition != 0 ? expedition_crew_size(expedition) : 0));
    std::vector<Value> docked;
    for (const auto& [when, event] : station_docked_[id]) docked.push_back(I(event));
    set(o, "docked_vehicles", I(static_cast<int64_t>(docked.size())));
    link(o, "active_docking_events", std::move(docked));
    set(o, "height", r.decimal(10, 110, 1));
    set(o, "width", r.decimal(5, 75, 1));
    set(o, "mass", r.decimal(18, 450, 1));
    emit(o);
  }
  for (int64_t i = 1; i <= 150; ++i) {
    Obj o = make("docking_location", i, i);
    const auto stations_n = static_cast<int64_t>(st.size());
    if (i <= 6 * stations_n) {
      const int64_t station = 1 + (i - 1) % stations_n;
      set(o, "name",
          S(fmt::format("{} {} port", st[static_cast<size_t>(station - 1)].name,
                        kPorts[static_cast<size_t>(i) % kPorts.size()])));
      set(o, "spacestation", I(station));
      set(o, "spacecraft", kNull);
      set(o, "payload", kNull);
      // The event docked here now, when the station still counts it as docked.
      Value docked = kNull;
      if (const auto it = port_docked_.find(i); it != port_docked_.end()) {
        for (const auto& [when, event] : station_docked_[station]) {
          if (event == it->second.second) docked = I(event);
        }
      }
      set(o, "currently_docked", docked);
    } else if (i <= 6 * stations_n + 15) {
      const int64_t config = i - 6 * stations_n;
      set(o, "name", S(fmt::format("{} docking port", spacecraft_config_name(config))));
      set(o, "spacestation", kNull);
      set(o, "spacecraft", I(config));
      set(o, "payload", kNull);
      set(o, "currently_docked", kNull);
    } else {
      // Payload ports carry their payload's name: by turns one of the
      // upper-case non-ASCII names and one with a literal % or _, so that
      // searches for them find events at any scale.
      const int64_t k = i - 6 * stations_n - 16;
      const int64_t payload = k % 2 == 0 ? unicode_payload(k / 2) : literal_payload(k / 2);
      set(o, "name", S(fmt::format("{} port", payload_name(payload))));
      set(o, "spacestation", kNull);
      set(o, "spacecraft", kNull);
      set(o, "payload", I(payload));
      set(o, "currently_docked", kNull);
    }
    emit(o);
  }
}

// ------------------------------------ objects summarising the ones before

void World::spacecraft() {
  for (int64_t k = 1; k <= count("spacecraft"); ++k) {
    Obj o = make("spacecraft", k, k);
    Random& r = o.rng;
    const auto [first, last] = spacecraft_flights(k);
    int64_t in_space = 0;
    int64_t ended = 0;
    int64_t total = 0;
    int64_t fastest = 0;
    for (int64_t j = first; j <= last; ++j) {
      const int64_t net = launch_net(flight_launch(j));
      const int64_t end = flight_end(j);
      if (end == 0 && net <= now_us()) ++in_space;
      if (end != 0) ++ended;
      total += (end != 0 ? end : std::max(now_us(), net)) - net;
      if (j > first) {
        const int64_t gap = net - launch_net(flight_launch(j - 1));
        if (fastest == 0 || gap < fastest) fastest = gap;
      }
    }
    const int64_t flown = std::max<int64_t>(0, last - first + 1);
    set(o, "name", S(spacecraft_name(k)));
    set(o, "serial_number", r.chance(0.3) ? kNull : S(fmt::format("SN-{}", 1000 + k)));
    set(o, "is_placeholder", B(r.chance(0.03)));
    set(o, "image", image(0.3));
    set(o, "in_space", B(in_space > 0));
    set(o, "time_in_space", S(iso_duration(whole_seconds(total))));
    set(o, "time_docked", S(iso_duration(whole_seconds(total / 2))));
    set(o, "flights_count", I(flown));
    set(o, "mission_ends_count", I(ended));
    set(o, "status", I(in_space > 0 ? 1 : r.chance(0.1) ? 3 : flown > 0 ? 2 : 4));
    set(o, "description", S("A synthetic spacecraft."));
    set(o, "spacecraft_config", I(spacecraft_config(k)));
    set(o, "fastest_turnaround", fastest == 0 ? kNull : S(iso_duration(whole_seconds(fastest))));
    emit(o);
  }
}

void World::launchers() {
  for (int64_t k = 1; k <= count("launcher"); ++k) {
    Obj o = make("launcher", k, k);
    Random& r = o.rng;
    const int64_t configs = count("launcher_config");
    const int64_t config = 1 + (k - 1) % configs;
    // Its flights: the first stages that flew this core, in launch order.
    const std::vector<Value> stages = ids_where("first_stage", "launcher__id", I(k));
    int64_t first = 0;
    int64_t last = 0;
    if (!stages.empty()) {
      const model::Kind& stage = kind("first_stage");
      const int rocket = field(stage, "rocket").column;
      const auto net_of = [&](const Value& id) {
        const auto row = sink_.idle() ? store_.load(stage, id) : std::nullopt;
        return row && !is_null((*row)[static_cast<size_t>(rocket)])
                   ? launch_net(std::get<int64_t>((*row)[static_cast<size_t>(rocket)]))
                   : 0;
      };
      first = net_of(stages.front());
      last = net_of(stages.back());
    }
    const auto flights = static_cast<int64_t>(stages.size());
    set(o, "launcher_config", I(config));
    // LL2 allows ten characters: B1049 for boosters, initials and a number.
    std::string initials;
    bool start = true;
    for (const char c : synth::slugify(family_name(family_of_config(config)))) {
      if (start && initials.size() < 3)
        initials += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      start = c == '-';
    }
    set(o, "serial_number",
        S(family_reusable(family_of_config(config))
              ? fmt::format("B{}", 1000 + k)
              : fmt::format("{}{}", initials.empty() ? "X" : initials, k)));
    set(o, "flights", I(flights));
    set(o, "flight_proven", B(flights > 1));
    set(o, "first_launch_date", first == 0 ? kNull : I(first));
    set(o, "last_launch_date", last == 0 ? kNull : I(last));
    const int64_t attempted = flights == 0 ? 0 : r.range(0, flights);
    set(o, "attempted_landings", I(attempted));
    set(o, "successful_landings", I(attempted == 0 ? 0 : attempted - r.range(0, attempted / 5)));
    set(o, "status",
        I(flights == 0                             ? 7
          : last > now_us() - 2 * kYearDays * kDay ? 1
                                                   : r.range(2, 6)));
    set(o, "image", image(0.3));
    set(o, "details", S(flights == 0 ? "Not flown yet." : "A synthetic core."));
    set(o, "is_placeholder", B(false));
    set(o, "fastest_turnaround", flights > 1 ? S(iso_duration(r.range(20, 400) * kDay)) : kNull);
    emit(o);
    if (sink_.error()) return;
  }
}

void World::astronauts() {
  const std::vector<Seats::Packed> seats = seats_.take();
  auto next = seats.begin();
  for (int64_t a = 1; a <= count("astronaut"); ++a) {
    Obj o = make("astronaut", a, a);
    Random& r = o.rng;
    // The flights launched and landed on and the spacewalks made, each once.
    std::vector<Value> flown;
    std::vector<Value> landed;
    std::vector<Value> walks;
    for (; next != seats.end() && next->astronaut == a; ++next) {
      auto& list = next->on == SeatOn::Launch    ? flown
                   : next->on == SeatOn::Landing ? landed
                                                 : walks;
      const Value owner{int64_t{next->owner}};
      if (list.empty() || list.back() != owner) list.push_back(owner);
    }
    std::vector<Value> launches;
    int64_t first = 0;
    int64_t last = 0;
    int64_t in_space = 0;
    int64_t eva = 0;
    bool up = false;
    for (const Value& v : flown) {
      const int64_t j = std::get<int64_t>(v);
      const int64_t net = launch_net(flight_launch(j));
      launches.push_back(launch_id(flight_launch(j)));
      if (first == 0 || net < first) first = net;
      last = std::max(last, net);
      const int64_t end = flight_end(j);
      if (end == 0 && net <= now_us()) up = true;
      in_space += (end != 0 ? end : std::max(now_us(), net)) - net;
    }
    for (const Value& v : walks) eva += spacewalk_duration(std::get<int64_t>(v));
    const int64_t born = first != 0 ? first - years(28 + 22 * r.unit())
                                    : r.range(at(1935, 1, 1), at(1998, 1, 1)) / kDay * kDay;
    const bool dead = !up && (born < at(1935, 1, 1)   ? r.chance(0.8)
                              : born < at(1950, 1, 1) ? r.chance(0.3)
                                                      : r.chance(0.02));
    const int64_t died = dead ? std::min(now_us() - kDay, born + years(60 + 25 * r.unit())) : 0;
    const int64_t until = dead ? died : now_us();
    const int64_t type = r.chance(0.85) ? 1 : r.chance(0.9) ? 2 : 3;
    const std::string name =
        type == 3
            ? fmt::format("Space Dog {}", a)
            : fmt::format("{} {}{}", kFirstNames[static_cast<size_t>(a - 1) % kFirstNames.size()],
                          kLastNames[static_cast<size_t>((a - 1) / kFirstNames.size() + a - 1) %
                                     kLastNames.size()],
                          a > static_cast<int64_t>(kFirstNames.size() * kLastNames.size())
                              ? fmt::format(" {}", a)
                              : "");
    set(o, "name", S(name));
    set(o, "status",
        I(dead            ? 9
          : up            ? 1
          : flown.empty() ? r.pick(std::vector<int64_t>{1, 3})
                          : r.pick(std::vector<int64_t>{1, 2, 2, 11})));
    set(o, "agency",
        I(r.chance(0.7) ? r.range(1, std::min<int64_t>(20, count("agency")))
                        : r.range(1, count("agency"))));
    set(o, "image", image(0.1));
    set(o, "type", I(type));
    set(o, "in_space", B(up));
    set(o, "time_in_space", S(iso_duration(whole_seconds(in_space))));
    set(o, "eva_time", S(iso_duration(eva)));
    set(o, "age", I((until - born) / years(1)));
    set(o, "date_of_birth", S(synth::date_text(born)));
    set(o, "date_of_death", dead ? S(synth::date_text(died)) : kNull);
    link(o, "nationality", {I(r.range(1, static_cast<int64_t>(kCountries.size())))});
    set(o, "bio", S(fmt::format("{} is a synthetic astronaut.", name)));
    set(o, "wiki", r.chance(0.3) ? kNull : S(fmt::format("https://wiki.example/Astronaut_{}", a)));
    set(o, "first_flight", first == 0 ? kNull : I(first));
    set(o, "last_flight", last == 0 ? kNull : I(last));
    social_links(o, synth::slugify(name));
    set(o, "flights_count", I(static_cast<int64_t>(flown.size())));
    set(o, "landings_count", I(static_cast<int64_t>(landed.size())));
    set(o, "spacewalks_count", I(static_cast<int64_t>(walks.size())));
    link(o, "flights", std::move(launches));
    link(o, "landings", landed);
    link(o, "spacewalks", walks);
    emit(o);
    if (sink_.error()) return;
  }
}

// Kinds an endpoint lists that this world does not know by name (declared
// after it was written): generic objects, so every endpoint has some.
void World::unplanned() {
  for (const auto& kp : registry_.kinds()) {
    const model::Kind* k = kp.get();
    if (!listed_.contains(k) || lookups_.contains(k->name) || planned_.contains(k->name) ||
        created_.contains(k->name)) {
      continue;
    }
    const int64_t n = std::max<int64_t>(5, 50 * events_ / 10000);
    planned_[k->name] = n;
    for (int64_t i = 1; i <= n; ++i) {
      Obj o = make(k->name,
                   k->id_type == model::IdType::Uuid
                       ? S(fmt::format("00000000-0000-4000-8000-{:012x}", i))
                       : I(i),
                   i);
      emit(o);
    }
  }
}

std::optional<std::string> World::build() {
  if (advance_) advance_(0, expected_);
  lookups();
  countries_and_bodies();
  if (!checkpoint("lookups")) return sink_.error();
  agencies();
  locations_and_pads();
  landing_locations();
  programs_and_patches();
  launcher_configurations();
  spacecraft_configurations();
  payloads();
  if (!checkpoint("agencies, sites, configurations and payloads")) return sink_.error();
  first_launch_for_flights_ = first_crewed_launch();
  starship_launches_ = spread(launch_at(at(2023, 1, 1)), count("launch"), kStarshipFlights);
  starship_events_ = spread(event_at(at(2023, 1, 1)), count("event"), kStarshipFlights / 2);
  launches();
  if (!checkpoint("launches")) return sink_.error();
  spacecraft_flights();
  payload_flights();
  if (!checkpoint("flights")) return sink_.error();
  expeditions();
  spacewalks();
  events();
  updates();
  notices_and_road_closures();
  if (!checkpoint("expeditions, spacewalks, events and updates")) return sink_.error();
  docking_events();
  stations_and_ports();
  if (!checkpoint("docking events")) return sink_.error();
  spacecraft();
  // Launchers and astronauts read what was written before them.
  if (!sink_.flush()) return sink_.error();
  launchers();
  if (!sink_.flush() || !checkpoint("spacecraft and launchers")) return sink_.error();
  astronauts();
  if (!checkpoint("astronauts")) return sink_.error();
  // Lookups nothing lists, written once something refers to them.
  for (auto& [key, o] : pending_lookups_) {
    if (used_lookups_.contains(key)) emit(o);
  }
  unplanned();
  if (!sink_.flush()) return sink_.error();
  checkpoint("everything");
  if (advance_) advance_(made_, made_);
  return std::nullopt;
}

}  // namespace

int64_t world_shift(std::optional<int64_t> now) {
  if (!now) return 0;
  return (*now - now_us()) / kDay * kDay;
}

std::variant<int64_t, std::string> build_world(store::Store& store, int64_t events, uint64_t seed,
                                               const Progress& progress, size_t batch_objects,
                                               int64_t shift, const Advance& advance) {
  World world(store, events, seed, progress, std::max<size_t>(1, batch_objects), shift, advance);
  if (auto e = world.build()) return *e;
  return world.objects();
}

}  // namespace ll2::ingest
