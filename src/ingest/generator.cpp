#include "ingest/generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include "api/engine.hpp"
#include "model/schema.hpp"
#include "store/store.hpp"
#include "util/datetime.hpp"

namespace ll2::ingest {

namespace fs = std::filesystem;

namespace {

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
  int64_t range(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(range(0, static_cast<int64_t>(v.size()) - 1))];
  }
  // A decimal with `places` digits after the point, exactly as typed.
  double decimal(int64_t lo, int64_t hi, int places) {
    int64_t scale = 1;
    for (int i = 0; i < places; ++i) scale *= 10;
    return static_cast<double>(range(lo * scale, hi * scale)) / static_cast<double>(scale);
  }

 private:
  uint64_t state_;
};

using Fields = std::vector<std::pair<std::string, Value>>;

// Collects generated objects into a store write batch, by declared names.
class Builder {
 public:
  explicit Builder(const model::Registry& r) : registry_(r) {}

  void put(const std::string& kind_name, Value id, const Fields& fields) {
    const model::Kind& kind = kind_of(kind_name);
    store::ObjectWrite w{&kind, std::move(id), {}};
    for (const auto& [name, value] : fields) w.values.emplace_back(field_of(kind, name), value);
    batch.objects.push_back(std::move(w));
  }
  void link(const std::string& kind_name, const Value& owner, const std::string& field,
            std::vector<Value> targets) {
    const model::Kind& kind = kind_of(kind_name);
    batch.links.push_back({&kind, field_of(kind, field), owner, std::move(targets)});
  }
  void rows(const std::string& kind_name, const Value& owner, const std::string& field,
            const std::vector<Fields>& rows) {
    const model::Kind& kind = kind_of(kind_name);
    const model::Field* f = field_of(kind, field);
    store::RowsWrite w{f, owner, {}};
    for (const auto& r : rows) {
      std::vector<std::pair<const model::Field*, Value>> values;
      values.reserve(r.size());
      for (const auto& [name, value] : r)
        values.emplace_back(field_of(*f->target_kind, name), value);
      w.rows.push_back(std::move(values));
    }
    batch.rows.push_back(std::move(w));
  }

  store::WriteBatch batch;

 private:
  const model::Kind& kind_of(const std::string& name) const {
    const model::Kind* k = registry_.find_kind(name);
    if (k == nullptr) throw std::logic_error("generator: unknown kind " + name);
    return *k;
  }
  static const model::Field* field_of(const model::Kind& k, const std::string& name) {
    const model::Field* f = k.field(name);
    if (f == nullptr) throw std::logic_error("generator: " + k.name + " has no field " + name);
    return f;
  }
  const model::Registry& registry_;
};

Value S(std::string s) {
  return Value(std::move(s));
}
Value I(int64_t v) {
  return Value(v);
}
Value F(double v) {
  return Value(v);
}
Value B(bool v) {
  return Value(int64_t{v ? 1 : 0});
}
const Value kNull{};

int64_t scaled(int64_t per_10k, int64_t events, int64_t minimum) {
  return std::max(minimum, per_10k * events / 10000);
}

const std::vector<std::string> kCountries = {"United States of America",
                                             "Russia",
                                             "China",
                                             "France",
                                             "Japan",
                                             "India",
                                             "Germany",
                                             "Italy",
                                             "United Kingdom",
                                             "Canada",
                                             "Brazil",
                                             "Kazakhstan",
                                             "Côte d'Ivoire",
                                             "New Zealand",
                                             "Israel",
                                             "South Korea",
                                             "Ukraine",
                                             "Spain",
                                             "Netherlands",
                                             "Sweden",
                                             "Norway",
                                             "Australia",
                                             "Argentina",
                                             "México",
                                             "Türkiye",
                                             "Iran",
                                             "North Korea",
                                             "Belgium",
                                             "Austria",
                                             "Switzerland"};
const std::vector<std::string> kAgencies = {
    "National Aeronautics and Space Administration|NASA",
    "Russian Federal Space Agency (ROSCOSMOS)|RFSA",
    "China National Space Administration|CNSA",
    "European Space Agency|ESA",
    "Japan Aerospace Exploration Agency|JAXA",
    "Indian Space Research Organization|ISRO",
    "SpaceX|SpX",
    "Northrop Grumman Space Systems|NGSS",
    "Boeing|BA",
    "Centre national d'études spatiales|CNES",
    "China Aerospace Science and Technology Corporation|CASC",
    "Société Européenne de Propulsion|SEP",
    "Agência Espacial Brasileira|AEB",
    "Центр Хруничева|KhSC",
    "Energia|RKK",
    "Sierra Space|SNC",
    "Axiom Space|AX",
    "Rocket Lab|RL",
    "Blue Origin|BO",
    "United Launch Alliance|ULA"};
const std::vector<std::string> kStations = {"Salyut 1",
                                            "Salyut 2",
                                            "Salyut 3",
                                            "Salyut 4",
                                            "Salyut 5",
                                            "Salyut 6",
                                            "Salyut 7",
                                            "Mir",
                                            "International Space Station",
                                            "Tiangong-1",
                                            "Tiangong-2",
                                            "Tiangong space station",
                                            "Skylab",
                                            "Almaz OPS-4",
                                            "Gateway",
                                            "Axiom Station",
                                            "Starlab",
                                            "Orbital Reef",
                                            "Haven-1",
                                            "Русская орбитальная станция"};
const std::vector<std::string> kPorts = {"forward", "aft", "zenith", "nadir", "port", "starboard"};
const std::vector<std::string> kConfigs = {
    "Soyuz",      "Progress",      "Dragon",   "Crew Dragon",  "Cygnus",
    "HTV",        "ATV",           "Shenzhou", "Tianzhou",     "Starliner",
    "Apollo CSM", "Space Shuttle", "Chang’e",  "Dream Chaser", "Orion"};
const std::vector<std::string> kPayloadStems = {
    "Cargo Module",    "Science Rack",         "Kibo Logistics", "Nauka",         "Poisk",
    "Rassvet",         "Bigelow Expandable",   "Cupola",         "Materials Lab", "Lunar Lander",
    "Chang’e Sampler", "100% Recycled_Module", "Sample Return"};
const std::vector<std::string> kUnicodePayloads = {"Étoile", "ÉCLAIR", "Жаворонок", "ЖУРАВЛЬ",
                                                   "ØRSTED"};
const std::vector<std::string> kBodies = {"Earth", "Moon",  "Mars",   "Venus",   "Sun",
                                          "Bennu", "Ryugu", "Phobos", "Jupiter", "Mercury"};

struct Catalog {
  std::vector<Value> agencies, countries, images, locations, pads, launches, sc_flights, payloads,
      payload_flights, stations, configs, spacecraft, landings, programs, docking_ports;
};

void generate_catalog(Builder& b, Random& r, int64_t events, Catalog& c) {
  const std::vector<std::string> licenses = {"Unknown",   "NASA Image Use Policy",
                                             "CC BY 2.0", "CC BY-SA 4.0",
                                             "CC0",       "ESA Standard Licence"};
  for (size_t i = 0; i < licenses.size(); ++i) {
    b.put("image_license", I(static_cast<int64_t>(i + 1)),
          {{"name", S(licenses[i])},
           {"priority", I(static_cast<int64_t>(i))},
           {"link", i == 0 ? kNull : S(fmt::format("https://licenses.example/{}/", i + 1))}});
  }
  b.put("image_variant_type", I(1), {{"name", S("Thumbnail")}});
  b.put("image_variant_type", I(2), {{"name", S("Banner")}});
  int64_t variant_id = 1;
  for (int64_t i = 1; i <= scaled(400, events, 60); ++i) {
    b.put(
        "image", I(i),
        {{"name", S(fmt::format("Synthetic image {}", i))},
         {"image_url", S(fmt::format("https://images.example/media/image_{}.jpg", i))},
         {"thumbnail_url",
          S(fmt::format("https://images.example/media/image_{}_thumbnail.jpeg", i))},
         {"credit", r.chance(0.2) ? kNull : S(r.chance(0.5) ? "NASA" : "Synthetic Photo Service")},
         {"license", I(r.range(1, static_cast<int64_t>(licenses.size())))},
         {"single_use", B(r.chance(0.1))}});
    std::vector<Value> variants;
    if (r.chance(0.15)) {
      b.put("image_variant", I(variant_id),
            {{"type", I(r.range(1, 2))},
             {"image_url", S(fmt::format("https://images.example/v/{}.webp", variant_id))}});
      variants.push_back(I(variant_id++));
    }
    b.link("image", I(i), "variants", variants);
    c.images.push_back(I(i));
  }
  const auto image = [&](double p_null) { return r.chance(p_null) ? kNull : r.pick(c.images); };

  for (size_t i = 0; i < 60; ++i) {
    const std::string name =
        i < kCountries.size() ? kCountries[i] : fmt::format("Synthetic Republic {}", i + 1);
    const std::string code =
        fmt::format("{:c}{:c}", 'A' + static_cast<int>(i / 26), 'A' + static_cast<int>(i % 26));
    b.put("country", I(static_cast<int64_t>(i + 1)),
          {{"name", S(name)},
           {"alpha_2_code", S(code)},
           {"alpha_3_code", S(code + "X")},
           {"nationality_name", S(name + "n")},
           {"nationality_name_composed", S(name + "n-")}});
    c.countries.push_back(I(static_cast<int64_t>(i + 1)));
  }
  const std::vector<std::string> agency_types = {"Government", "Commercial", "Multinational",
                                                 "Educational"};
  for (size_t i = 0; i < agency_types.size(); ++i) {
    b.put("agency_type", I(static_cast<int64_t>(i + 1)), {{"name", S(agency_types[i])}});
  }
  b.put("social_media", I(1),
        {{"name", S("Twitter")}, {"url", S("https://twitter.example/")}, {"logo", image(0.5)}});
  for (int64_t i = 1; i <= scaled(300, events, 30); ++i) {
    std::string name = fmt::format("Synthetic Space Agency {}", i);
    std::string abbrev = fmt::format("SSA{}", i);
    if (static_cast<size_t>(i) <= kAgencies.size()) {
      const std::string& a = kAgencies[static_cast<size_t>(i - 1)];
      name = a.substr(0, a.find('|'));
      abbrev = a.substr(a.find('|') + 1);
    }
    const int64_t total = r.range(0, 800);
    const int64_t failed = r.range(0, std::min<int64_t>(total, 60));
    Fields f = {{"name", S(name)},
                {"abbrev", S(abbrev)},
                {"type", I(r.range(1, 4))},
                {"featured", B(r.chance(0.2))},
                {"description", S(fmt::format("{} is a synthetic agency made for testing.", name))},
                {"administrator", r.chance(0.3) ? kNull : S(fmt::format("Administrator {}", i))},
                {"founding_year", r.chance(0.1) ? kNull : I(r.range(1950, 2020))},
                {"launchers", S(r.chance(0.5) ? "" : "Soyuz | Proton")},
                {"spacecraft", S(r.chance(0.5) ? "" : "Dragon")},
                {"parent", r.chance(0.9) ? kNull : S("Synthetic Holdings")},
                {"image", image(0.3)},
                {"logo", image(0.2)},
                {"social_logo", image(0.4)},
                {"info_url", r.chance(0.5) ? kNull : S("https://agency.example/")},
                {"wiki_url", S(fmt::format("https://wiki.example/Agency_{}", i))}};
    for (const char* counter :
         {"consecutive_successful_launches", "pending_launches", "consecutive_successful_landings",
          "successful_landings", "failed_landings", "attempted_landings",
          "successful_landings_spacecraft", "failed_landings_spacecraft",
          "attempted_landings_spacecraft", "successful_landings_payload", "failed_landings_payload",
          "attempted_landings_payload"}) {
      f.emplace_back(counter, I(r.range(0, 50)));
    }
    f.emplace_back("total_launch_count", I(total));
    f.emplace_back("successful_launches", I(total - failed));
    f.emplace_back("failed_launches", I(failed));
    b.put("agency", I(i), f);
    b.link("agency", I(i), "country", {r.pick(c.countries)});
    if (r.chance(0.3)) {
      b.put(
          "social_media_link", I(i),
          {{"social_media", I(1)}, {"url", S(fmt::format("https://twitter.example/{}", abbrev))}});
      b.link("agency", I(i), "social_media_links", {I(i)});
    } else {
      b.link("agency", I(i), "social_media_links", {});
    }
    c.agencies.push_back(I(i));
  }

  const std::vector<std::string> body_types = {"Planet", "Moon", "Asteroid", "Star"};
  for (size_t i = 0; i < body_types.size(); ++i) {
    b.put("celestial_body_type", I(static_cast<int64_t>(i + 1)), {{"name", S(body_types[i])}});
  }
  const std::vector<std::tuple<double, double, const char*>> physics = {
      {12742000.0, 5.972e+24, "23:56:04"},
      {3474800.0, 7.342e+22, "27 07:43:12"},
      {6779000.0, 6.39e+23, "1 00:37:22"},
      {12104000.0, 4.867e+24, "243 00:00:00"},
      {1392700000.0, 1.989e+30, "25 09:07:12"},
      {490.0, 7.329e+10, "04:17:47"},
      {900.0, 4.5e+11, "07:37:55"},
      {22533.0, 1.0659e+16, "07:39:12"},
      {139820000.0, 1.898e+27, "09:55:30"},
      {4879400.0, 3.285e+23, "58 15:30:00"}};
  for (size_t i = 0; i < kBodies.size(); ++i) {
    const auto& [diameter, mass, day] = physics[i];
    b.put("celestial_body", I(static_cast<int64_t>(i + 1)),
          {{"name", S(kBodies[i])},
           {"type", I(i == 4               ? 4
                      : (i == 1 || i == 7) ? 2
                      : (i == 5 || i == 6) ? 3
                                           : 1)},
           {"diameter", F(diameter)},
           {"mass", F(mass)},
           {"gravity", i == 5 ? kNull : F(r.decimal(0, 30, 3))},
           {"length_of_day", I(*datetime::parse_duration(day))},
           {"atmosphere", B(i != 1 && i < 5)},
           {"image", r.pick(c.images)},
           {"description", S(fmt::format("{} is a celestial body.", kBodies[i]))},
           {"wiki_url", S(fmt::format("https://wiki.example/{}", kBodies[i]))},
           {"total_attempted_launches", I(r.range(0, 7000))},
           {"successful_launches", I(r.range(0, 6500))},
           {"failed_launches", I(r.range(0, 300))},
           {"total_attempted_landings", I(r.range(0, 900))},
           {"successful_landings", I(r.range(0, 850))},
           {"failed_landings", I(r.range(0, 40))}});
  }
  for (int64_t i = 1; i <= scaled(80, events, 10); ++i) {
    b.put("location", I(i),
          {{"name", S(fmt::format("Synthetic Spaceport {}, {}", i,
                                  kCountries[static_cast<size_t>(i) % kCountries.size()]))},
           {"celestial_body", I(i % 17 == 0 ? 2 : 1)},
           {"active", B(r.chance(0.8))},
           {"country", r.pick(c.countries)},
           {"description", r.chance(0.3) ? S("") : S("A synthetic launch site.")},
           {"image", image(0.3)},
           {"map_image", S(fmt::format("https://maps.example/location_{}.jpg", i))},
           {"longitude", F(r.decimal(-180, 179, 4))},
           {"latitude", F(r.decimal(-60, 69, 4))},
           {"timezone_name", S(r.chance(0.5) ? "UTC" : "Asia/Almaty")},
           {"total_launch_count", I(r.range(0, 500))},
           {"total_landing_count", I(r.range(0, 50))}});
    c.locations.push_back(I(i));
  }
  for (int64_t i = 1; i <= scaled(150, events, 15); ++i) {
    b.put("pad", I(i),
          {{"active", B(r.chance(0.7))},
           {"name", S(fmt::format("Launch Complex {}", i))},
           {"image", image(0.4)},
           {"description", r.chance(0.5) ? kNull : S("A synthetic pad.")},
           {"info_url", kNull},
           {"wiki_url", S(fmt::format("https://wiki.example/Pad_{}", i))},
           {"map_url", S(fmt::format("https://maps.example/?pad={}", i))},
           {"latitude", F(r.decimal(-60, 69, 6))},
           {"longitude", F(r.decimal(-180, 179, 6))},
           {"country", r.pick(c.countries)},
           {"map_image", S(fmt::format("https://maps.example/pad_{}.jpg", i))},
           {"total_launch_count", I(r.range(0, 300))},
           {"orbital_launch_attempt_count", I(r.range(0, 300))},
           {"fastest_turnaround",
            r.chance(0.4) ? kNull : S(fmt::format("P{}DT{}H", r.range(1, 200), r.range(0, 23)))},
           {"location", r.pick(c.locations)}});
    b.link("pad", I(i), "agencies",
           r.chance(0.6) ? std::vector<Value>{r.pick(c.agencies)} : std::vector<Value>{});
    c.pads.push_back(I(i));
  }
  const std::vector<std::tuple<const char*, const char*, const char*>> landing_types = {
      {"Parachute Landing", "Parachute", "The capsule lands under parachutes."},
      {"Splashdown", "Splash", "The capsule lands in the ocean."},
      {"Runway", "RW", "The vehicle lands on a runway."}};
  for (size_t i = 0; i < landing_types.size(); ++i) {
    const auto& [n, a, d] = landing_types[i];
    b.put("landing_type", I(static_cast<int64_t>(i + 1)),
          {{"name", S(n)}, {"abbrev", S(a)}, {"description", S(d)}});
  }
  for (int64_t i = 1; i <= 20; ++i) {
    b.put("landing_location", I(i),
          {{"name", S(fmt::format("Landing Zone {}", i))},
           {"active", B(r.chance(0.8))},
           {"abbrev", S(fmt::format("LZ-{}", i))},
           {"description", S("")},
           {"location", r.pick(c.locations)},
           {"longitude", F(r.decimal(-180, 179, 3))},
           {"latitude", F(r.decimal(-60, 69, 3))},
           {"image", image(0.6)},
           {"successful_landings", I(r.range(0, 80))},
           {"attempted_landings", I(r.range(0, 90))},
           {"failed_landings", I(r.range(0, 9))},
           {"celestial_body", I(i == 20 ? 2 : 1)}});
  }
  b.put("program_type", I(1), {{"name", S("Human Exploration")}});
  for (int64_t i = 1; i <= 12; ++i) {
    b.put("program", I(i),
          {{"name",
            S(i == 1 ? "International Space Station" : fmt::format("Synthetic Program {}", i))},
           {"image", image(0.3)},
           {"info_url", kNull},
           {"wiki_url", S(fmt::format("https://wiki.example/Program_{}", i))},
           {"description", S("A synthetic program.")},
           {"start_date", I(r.range(0, 1600000000) * 1000000)},
           {"end_date", r.chance(0.7) ? kNull : I(r.range(1600000000, 1700000000) * 1000000)},
           {"type", I(1)}});
    b.link("program", I(i), "agencies", {r.pick(c.agencies)});
    std::vector<Value> patches;
    if (r.chance(0.5)) {
      b.put("mission_patch", I(i),
            {{"name", S(fmt::format("Program {} patch", i))},
             {"priority", I(r.range(0, 10))},
             {"image_url", S(fmt::format("https://images.example/patch_{}.png", i))},
             {"agency", r.pick(c.agencies)}});
      patches.push_back(I(i));
    }
    b.link("program", I(i), "mission_patches", patches);
    c.programs.push_back(I(i));
  }
}

}  // namespace

std::variant<GenerateStats, std::string> generate(const GenerateOptions& options) {
  if (options.events < 1) return std::string("--events must be at least 1");
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) return fmt::format("cannot create {}: {}", options.out_dir, ec.message());
  const std::string db_path = (fs::path(options.out_dir) / ".ll2d-generate.sqlite3").string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path + suffix, ec);

  Random r(options.seed);
  Builder b(model::registry());
  Catalog c;
  const int64_t n = options.events;
  generate_catalog(b, r, n, c);

  // Launch vehicles, launches and their missions.
  const std::vector<std::string> statuses = {"Launch Successful", "Launch Failure",
                                             "Partial Failure"};
  for (size_t i = 0; i < statuses.size(); ++i) {
    b.put("launch_status", I(static_cast<int64_t>(i + 3)),
          {{"name", S(statuses[i])},
           {"abbrev", S(i == 0   ? "Success"
                        : i == 1 ? "Failure"
                                 : "Partial Failure")},
           {"description", S("Synthetic status.")}});
  }
  b.put("net_precision", I(0),
        {{"name", S("Second")},
         {"abbrev", S("SEC")},
         {"description", S("The T-0 is accurate to the second.")}});
  b.put("launcher_config_family", I(1), {{"name", S("Soyuz")}});
  b.put("launcher_config_family", I(2), {{"name", S("Long March")}});
  for (int64_t i = 1; i <= 10; ++i) {
    b.put("launcher_config", I(i),
          {{"name", S(fmt::format("Synthetic Rocket {}", i))},
           {"full_name", S(fmt::format("Synthetic Rocket {} Block 2", i))},
           {"variant", S(i % 2 ? "" : "Block 2")}});
    b.link("launcher_config", I(i), "families", {I(1 + i % 2)});
  }
  b.put("orbit", I(8),
        {{"name", S("Low Earth Orbit")}, {"abbrev", S("LEO")}, {"celestial_body", I(1)}});
  b.put("orbit", I(15),
        {{"name", S("Lunar Orbit")}, {"abbrev", S("LO")}, {"celestial_body", I(2)}});
  b.put("language", I(1), {{"name", S("English")}, {"code", S("en")}});
  b.put("info_url_type", I(1), {{"name", S("Official Page")}});
  b.put("vid_url_type", I(1), {{"name", S("Official Webcast")}});
  const int64_t launches = scaled(6000, n, 20);
  // Version-4 UUIDs from the random stream.
  const auto uuid = [&] {
    const uint64_t hi = r.next();
    const uint64_t lo = r.next();
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                       hi & 0xFFF, 8 + (lo >> 62), (lo >> 48) & 0xFFF, lo & 0xFFFFFFFFFFFFULL);
  };
  std::vector<int64_t> launch_net;
  for (int64_t i = 1; i <= launches; ++i) {
    const Value id = S(uuid());
    const int64_t net = (r.range(40000000, 1780000000)) * 1000000;  // 1971 .. 2026
    launch_net.push_back(net);
    b.put("rocket", I(i), {{"configuration", I(r.range(1, 10))}});
    b.put("mission", I(i),
          {{"name", S(fmt::format("Synthetic Mission {}", i))},
           {"type", S(r.chance(0.5) ? "Human Exploration" : "Resupply")},
           {"description", S("A synthetic mission.")},
           {"image", r.chance(0.8) ? kNull : r.pick(c.images)},
           {"orbit", I(r.chance(0.95) ? 8 : 15)}});
    b.link("mission", I(i), "agencies", {r.pick(c.agencies)});
    std::vector<Fields> info;
    if (r.chance(0.2)) {
      info.push_back({{"priority", I(10)},
                      {"source", S("synthetic.example")},
                      {"title", S("Mission page")},
                      {"description", S("")},
                      {"feature_image", kNull},
                      {"url", S(fmt::format("https://synthetic.example/m/{}", i))},
                      {"type", I(1)},
                      {"language", I(1)}});
    }
    b.rows("mission", I(i), "info_urls", info);
    std::vector<Fields> vids;
    if (r.chance(0.1)) {
      vids.push_back({{"priority", I(10)},
                      {"source", S("video.example")},
                      {"publisher", S("Synthetic TV")},
                      {"title", S("Launch webcast")},
                      {"description", S("")},
                      {"feature_image", kNull},
                      {"url", S(fmt::format("https://video.example/{}", i))},
                      {"type", I(1)},
                      {"language", I(1)},
                      {"start_time", I(net - 3600000000LL)},
                      {"end_time", I(net + 3600000000LL)},
                      {"live", B(false)}});
    }
    b.rows("mission", I(i), "vid_urls", vids);
    const std::string rocket_name = fmt::format("Synthetic Rocket {}", r.range(1, 10));
    b.put("launch", id,
          {{"name", S(fmt::format("{} | Synthetic Mission {}", rocket_name, i))},
           {"slug", S(fmt::format("synthetic-mission-{}", i))},
           {"launch_designator", kNull},
           {"status", I(r.chance(0.93)  ? 3
                        : r.chance(0.5) ? 4
                                        : 5)},
           {"last_updated", I(net + 86400000000LL)},
           {"net", I(net)},
           {"net_precision", I(0)},
           {"window_end", I(net)},
           {"window_start", I(net)},
           {"image", r.pick(c.images)},
           {"infographic", kNull},
           {"probability", r.chance(0.7) ? kNull : I(r.range(40, 100))},
           {"weather_concerns", kNull},
           {"failreason", S("")},
           {"hashtag", kNull},
           {"launch_service_provider", r.pick(c.agencies)},
           {"rocket", I(i)},
           {"mission", I(i)},
           {"pad", r.pick(c.pads)},
           {"webcast_live", B(false)},
           {"orbital_launch_attempt_count", I(r.range(1, 7000))},
           {"location_launch_attempt_count", I(r.range(1, 2000))},
           {"pad_launch_attempt_count", I(r.range(1, 500))},
           {"agency_launch_attempt_count", I(r.range(1, 2000))},
           {"orbital_launch_attempt_count_year", I(r.range(1, 250))},
           {"location_launch_attempt_count_year", I(r.range(1, 80))},
           {"pad_launch_attempt_count_year", I(r.range(1, 40))},
           {"agency_launch_attempt_count_year", I(r.range(1, 100))}});
    b.link("launch", id, "program",
           r.chance(0.3) ? std::vector<Value>{r.pick(c.programs)} : std::vector<Value>{});
    c.launches.push_back(id);
  }

  // Landings for some flights.
  int64_t landing_id = 0;
  const auto landing = [&]() -> Value {
    if (r.chance(0.6)) return kNull;
    ++landing_id;
    b.put("landing", I(landing_id),
          {{"attempt", B(true)},
           {"success", r.chance(0.1) ? kNull : B(r.chance(0.95))},
           {"description", S("A synthetic landing.")},
           {"downrange_distance", r.chance(0.7) ? kNull : F(r.decimal(0, 900, 1))},
           {"landing_location", I(r.range(1, 20))},
           {"type", I(r.range(1, 3))}});
    return I(landing_id);
  };

  // Spacecraft and their flights.
  b.put("spacecraft_config_type", I(1), {{"name", S("Capsule")}});
  b.put("spacecraft_config_type", I(2), {{"name", S("Cargo")}});
  b.put("spacecraft_config_family", I(1),
        {{"name", S("Soyuz")},
         {"description", S("")},
         {"manufacturer", r.pick(c.agencies)},
         {"parent", kNull},
         {"maiden_flight", S("1966-11-28")}});
  b.put("spacecraft_config_family", I(2),
        {{"name", S("Soyuz 7K")},
         {"description", S("")},
         {"manufacturer", r.pick(c.agencies)},
         {"parent", I(1)},
         {"maiden_flight", kNull}});
  for (size_t i = 0; i < kConfigs.size(); ++i) {
    const auto cid = static_cast<int64_t>(i + 1);
    b.put("spacecraft_config", I(cid),
          {{"name", S(kConfigs[i])},
           {"type", I(i % 3 == 1 ? 2 : 1)},
           {"agency", r.pick(c.agencies)},
           {"in_use", B(r.chance(0.5))},
           {"image", r.pick(c.images)}});
    b.link("spacecraft_config", I(cid), "family",
           i < 2 ? std::vector<Value>{I(static_cast<int64_t>(i + 1))} : std::vector<Value>{});
    c.configs.push_back(I(cid));
  }
  b.put("spacecraft_status", I(1), {{"name", S("Active")}});
  b.put("spacecraft_status", I(2), {{"name", S("Retired")}});
  b.put("spacecraft_status", I(3), {{"name", S("Destroyed")}});
  for (int64_t i = 1; i <= scaled(400, n, 10); ++i) {
    const size_t cfg = static_cast<size_t>(r.range(0, static_cast<int64_t>(kConfigs.size()) - 1));
    b.put(
        "spacecraft", I(i),
        {{"name", S(fmt::format("{} {}-{}", kConfigs[cfg], i % 2 ? "TM" : "MS", i))},
         {"serial_number", r.chance(0.3) ? kNull : S(fmt::format("SN-{}", 1000 + i))},
         {"is_placeholder", B(r.chance(0.05))},
         {"image", r.chance(0.3) ? kNull : r.pick(c.images)},
         {"in_space", B(r.chance(0.1))},
         {"time_in_space", S(fmt::format("P{}DT{}H{}M{}S", r.range(0, 400), r.range(0, 23),
                                         r.range(0, 59), r.range(0, 59)))},
         {"time_docked", S(fmt::format("P{}DT{}H", r.range(0, 300), r.range(0, 23)))},
         {"flights_count", I(r.range(1, 30))},
         {"mission_ends_count", I(r.range(0, 30))},
         {"status", I(r.range(1, 3))},
         {"description", S("A synthetic spacecraft.")},
         {"spacecraft_config", I(static_cast<int64_t>(cfg + 1))},
         {"fastest_turnaround", r.chance(0.7) ? kNull : S(fmt::format("P{}D", r.range(30, 400)))}});
    c.spacecraft.push_back(I(i));
  }
  for (int64_t i = 1; i <= scaled(3000, n, 10); ++i) {
    const int64_t secs = r.range(3600, int64_t{86400} * 200);
    b.put("spacecraft_flight", I(i),
          {{"destination", S(r.chance(0.9) ? "International Space Station" : "Low Earth Orbit")},
           {"mission_end",
            r.chance(0.1)
                ? kNull
                : I(launch_net[static_cast<size_t>(i - 1) % launch_net.size()] + secs * 1000000)},
           {"spacecraft", r.pick(c.spacecraft)},
           {"launch", c.launches[static_cast<size_t>(i - 1) % c.launches.size()]},
           {"landing", landing()},
           {"duration", S(fmt::format("P{}DT{}H{}M{}S", secs / 86400, secs / 3600 % 24,
                                      secs / 60 % 60, secs % 60))},
           {"turn_around_time",
            S(r.chance(0.5) ? std::string("P0D") : fmt::format("P{}D", r.range(20, 900)))}});
    c.sc_flights.push_back(I(i));
  }

  // Payloads and their flights.
  const std::vector<std::string> payload_types = {"Cargo", "Station Module", "Lunar Lander",
                                                  "Satellite"};
  for (size_t i = 0; i < payload_types.size(); ++i) {
    b.put("payload_type", I(static_cast<int64_t>(i + 1)), {{"name", S(payload_types[i])}});
  }
  for (int64_t i = 1; i <= scaled(1000, n, 10); ++i) {
    // Every 20th payload gets an upper-case non-ASCII name, by index, so that
    // case-insensitive Unicode search has something to find.
    const std::string name =
        i % 20 == 10
            ? fmt::format("{} {}",
                          kUnicodePayloads[static_cast<size_t>(i / 20) % kUnicodePayloads.size()],
                          i)
            : fmt::format("{} {}", r.pick(kPayloadStems), i);
    b.put("payload", I(i),
          {{"name", S(name)},
           {"type", I(r.range(1, 4))},
           {"manufacturer", r.pick(c.agencies)},
           {"operator", r.pick(c.agencies)},
           {"image", r.chance(0.3) ? kNull : r.pick(c.images)},
           {"wiki_link",
            S(r.chance(0.5) ? std::string() : fmt::format("https://wiki.example/Payload_{}", i))},
           {"info_link", S("")},
           {"cost", r.chance(0.6) ? kNull : I(r.range(1000000, 900000000))},
           {"mass", r.chance(0.2) ? kNull : F(r.decimal(50, 20000, 1))},
           {"description", S(fmt::format("{} is a synthetic payload.", name))}});
    b.link("payload", I(i), "program",
           r.chance(0.3) ? std::vector<Value>{r.pick(c.programs)} : std::vector<Value>{});
    c.payloads.push_back(I(i));
  }
  for (int64_t i = 1; i <= scaled(2000, n, 10); ++i) {
    b.put("payload_flight", I(i),
          {{"destination", S(r.chance(0.8) ? "Low Earth Orbit" : "Moon")},
           {"amount", I(r.range(1, 4))},
           {"payload", r.pick(c.payloads)},
           {"launch",
            c.launches[(c.sc_flights.size() + static_cast<size_t>(i - 1)) % c.launches.size()]},
           {"landing", landing()}});
    c.payload_flights.push_back(I(i));
  }

  // Stations and their docking ports.
  b.put("space_station_status", I(1), {{"name", S("Active")}});
  b.put("space_station_status", I(2), {{"name", S("De-orbited")}});
  b.put("space_station_type", I(1), {{"name", S("Government")}});
  b.put("space_station_type", I(2), {{"name", S("Commercial")}});
  for (size_t i = 0; i < kStations.size(); ++i) {
    const auto sid = static_cast<int64_t>(i + 1);
    const bool deorbited = i < 8 || i == 9 || i == 10 || i == 12;
    const int64_t founded = r.range(1971, 2021);
    b.put(
        "space_station", I(sid),
        {{"name", S(kStations[i])},
         {"image", r.pick(c.images)},
         {"status", I(deorbited ? 2 : 1)},
         {"founded", S(fmt::format("{}-{:02}-{:02}", founded, r.range(1, 12), r.range(1, 28)))},
         {"deorbited", deorbited ? S(fmt::format("{}-{:02}-{:02}", founded + r.range(1, 15),
                                                 r.range(1, 12), r.range(1, 28)))
                                 : kNull},
         {"description", S(fmt::format("{} is a space station (synthetic record).", kStations[i]))},
         {"orbit", S("Low Earth Orbit")},
         {"type", I(i % 5 == 4 ? 2 : 1)}});
    c.stations.push_back(I(sid));
  }
  for (int64_t i = 1; i <= 150; ++i) {
    Fields f;
    if (i <= 120) {
      const int64_t station = 1 + (i - 1) % static_cast<int64_t>(kStations.size());
      f = {{"name", S(fmt::format("{} {} port", kStations[static_cast<size_t>(station - 1)],
                                  kPorts[static_cast<size_t>(i) % kPorts.size()]))},
           {"spacestation", I(station)},
           {"spacecraft", kNull},
           {"payload", kNull}};
    } else if (i <= 135) {
      f = {{"name", S(fmt::format("{} docking port", kConfigs[static_cast<size_t>(i - 121)]))},
           {"spacestation", kNull},
           {"spacecraft", I(i - 120)},
           {"payload", kNull}};
    } else {
      f = {{"name", S(fmt::format("Payload port {}", i))},
           {"spacestation", kNull},
           {"spacecraft", kNull},
           {"payload", r.pick(c.payloads)}};
    }
    b.put("docking_location", I(i), f);
  }

  // The events themselves. Flights are taken from their pools in a shuffled
  // walk rather than independently, so nearly every flight docks somewhere.
  size_t flight_cursor = static_cast<size_t>(r.range(0, 1000));
  size_t payload_cursor = static_cast<size_t>(r.range(0, 1000));
  const auto walk = [&](size_t& cursor, const std::vector<Value>& pool) -> const Value& {
    cursor += r.chance(0.9) ? 1 : 2;
    return pool[cursor % pool.size()];
  };
  for (int64_t i = 1; i <= n; ++i) {
    const int64_t docking = r.range(40000000, 1780000000) * 1000000;
    const Value departure =
        r.chance(0.05) ? kNull : I(docking + r.range(3600, int64_t{86400} * 200) * 1000000);
    Fields f = {{"docking", I(docking)}, {"departure", departure}};
    const double target = static_cast<double>(r.next() % 100);
    Value station_target = kNull, flight_target = kNull, payload_target = kNull;
    if (target < 85)
      station_target = r.pick(c.stations);
    else if (target < 93)
      flight_target = walk(flight_cursor, c.sc_flights);
    else
      payload_target = walk(payload_cursor, c.payload_flights);
    int64_t port = 0;
    if (!is_null(station_target)) {
      const int64_t s = std::get<int64_t>(station_target);
      port = s + static_cast<int64_t>(kStations.size()) * r.range(0, 5);
    } else if (!is_null(flight_target)) {
      port = r.range(121, 135);
    } else {
      port = r.range(136, 150);
    }
    const double chaser = static_cast<double>(r.next() % 100);
    Value flight_chaser = kNull, station_chaser = kNull, payload_chaser = kNull;
    if (chaser < 80)
      flight_chaser = walk(flight_cursor, c.sc_flights);
    else if (chaser < 95)
      payload_chaser = walk(payload_cursor, c.payload_flights);
    else
      station_chaser = r.pick(c.stations);
    f.insert(f.end(), {{"docking_location", I(port)},
                       {"space_station_target", station_target},
                       {"flight_vehicle_target", flight_target},
                       {"payload_flight_target", payload_target},
                       {"flight_vehicle_chaser", flight_chaser},
                       {"space_station_chaser", station_chaser},
                       {"payload_flight_chaser", payload_chaser}});
    b.put("docking_event", I(i), f);
  }

  GenerateStats stats;
  stats.objects = static_cast<int64_t>(b.batch.objects.size());
  {
    auto opened = store::open_sqlite(db_path);
    if (!opened.store) return opened.error;
    if (auto e = opened.store->write(b.batch)) return "writing the generated objects: " + *e;
  }
  // Pages as `GET /2.3.0/docking_events/?format=json&limit=100&mode=detailed&offset=K` answers
  // them.
  api::Engine engine(
      [&db_path] {
        auto opened = store::open_sqlite(db_path);
        if (!opened.store) throw std::runtime_error(opened.error);
        return std::move(opened.store);
      },
      {"https://ll2d.example"});
  for (int64_t offset = 0; offset < n; offset += options.page_size) {
    const std::string target =
        fmt::format("/2.3.0/docking_events/?format=json&limit={}&mode=detailed&offset={}",
                    options.page_size, offset);
    const api::Response page = engine.handle({"GET", target, "ll2d.example", "application/json"});
    if (page.status != 200) return fmt::format("rendering {} answered {}", target, page.status);
    const auto file =
        fs::path(options.out_dir) / fmt::format("page_{:04}.json", offset / options.page_size + 1);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << page.body;
    if (!out) return fmt::format("cannot write {}", file.string());
    ++stats.pages;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path + suffix, ec);
  return stats;
}

}  // namespace ll2::ingest
