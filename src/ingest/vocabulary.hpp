// The words the synthetic world is made of: real names where LL2 has them
// (countries, agencies, stations, vehicles, launch sites), composed ones
// beyond them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ll2::ingest::vocabulary {

struct CountryInfo {
  const char* name;
  const char* alpha2;
  const char* alpha3;
  const char* nationality;
};

// config/countries, by id.
extern const std::vector<CountryInfo> kCountries;

struct AgencyInfo {
  const char* name;
  const char* abbrev;
  int64_t country;  // 1-based into kCountries
  int64_t type;     // agency_type id
};

// The first agencies, by id; the rest are composed.
extern const std::vector<AgencyInfo> kAgencies;

// Composed agency names: a stem, a kind and the id.
extern const std::vector<std::string> kAgencyStems;
extern const std::vector<std::string> kAgencyKinds;

struct StationInfo {
  const char* name;
  int64_t founded;    // microseconds
  int64_t deorbited;  // 0: still in orbit (or not yet launched)
  int64_t type;       // space_station_type id
  std::vector<int64_t> owners;
  int share;                // expeditions out of 100
  const char* expeditions;  // name pattern, {} the number
};

// The 20 stations, by id.
const std::vector<StationInfo>& stations();

bool station_alive(const StationInfo& s, int64_t t);

// Six docking ports per station.
extern const std::vector<std::string> kPorts;

struct SpacecraftConfigInfo {
  const char* name;
  bool human_rated;
  int64_t type;  // spacecraft_config_type id
  int64_t agency;
  int64_t family;
};

// The first spacecraft configurations, by id.
extern const std::vector<SpacecraftConfigInfo> kSpacecraftConfigs;

// The first spacecraft configuration families, by id.
extern const std::vector<std::string> kSpacecraftFamilies;

struct FamilyInfo {
  const char* name;
  int64_t manufacturer;  // agency id, 0: any
  bool reusable;
};

// The first launcher configuration families, by id.
extern const std::vector<FamilyInfo> kLauncherFamilies;

// A configuration's variant by its rank within the families (the first of
// each family is the plain one); a Heavy flies three cores.
extern const std::vector<std::string> kVariants;

// Mission names; {} is the launch's number.
extern const std::vector<std::string> kMissionStems;

struct OrbitInfo {
  int64_t id;
  const char* name;
  const char* abbrev;
  int64_t body;
  int weight;
};

// config/orbits, with how often missions go there.
extern const std::vector<OrbitInfo> kOrbits;

// config/mission_types, by id; a mission prints its type by name.
extern const std::vector<std::string> kMissionTypes;

// Payload names: a stem and the id; every 20th an upper-case non-ASCII one.
extern const std::vector<std::string> kPayloadStems;
extern const std::vector<std::string> kUnicodePayloads;

// Astronauts' names, combined by id.
extern const std::vector<std::string> kFirstNames;
extern const std::vector<std::string> kLastNames;

struct SiteInfo {
  const char* name;
  int64_t country;  // 1-based into kCountries
  int64_t body;     // celestial body id
  double latitude, longitude;
  const char* timezone;
};

// The first locations, by id.
extern const std::vector<SiteInfo> kSites;

// Event names by event type id; {} is the event's number, or a spacecraft's
// name where the name starts with it.
extern const std::vector<std::string> kEventStems;

extern const std::vector<std::string> kEventPlaces;

// What updates say.
extern const std::vector<std::string> kComments;

}  // namespace ll2::ingest::vocabulary
