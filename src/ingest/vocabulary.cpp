#include "ingest/vocabulary.hpp"

#include "ingest/synth.hpp"

namespace ll2::ingest::vocabulary {

using synth::at;

const std::vector<CountryInfo> kCountries = {
    {"United States of America", "US", "USA", "American"},
    {"Russia", "RU", "RUS", "Russian"},
    {"China", "CN", "CHN", "Chinese"},
    {"France", "FR", "FRA", "French"},
    {"Japan", "JP", "JPN", "Japanese"},
    {"India", "IN", "IND", "Indian"},
    {"Germany", "DE", "DEU", "German"},
    {"Italy", "IT", "ITA", "Italian"},
    {"United Kingdom", "GB", "GBR", "British"},
    {"Canada", "CA", "CAN", "Canadian"},
    {"Brazil", "BR", "BRA", "Brazilian"},
    {"Kazakhstan", "KZ", "KAZ", "Kazakh"},
    {"Côte d'Ivoire", "CI", "CIV", "Ivorian"},
    {"New Zealand", "NZ", "NZL", "New Zealander"},
    {"Israel", "IL", "ISR", "Israeli"},
    {"South Korea", "KR", "KOR", "South Korean"},
    {"Ukraine", "UA", "UKR", "Ukrainian"},
    {"Spain", "ES", "ESP", "Spanish"},
    {"Netherlands", "NL", "NLD", "Dutch"},
    {"Sweden", "SE", "SWE", "Swedish"},
    {"Norway", "NO", "NOR", "Norwegian"},
    {"Australia", "AU", "AUS", "Australian"},
    {"Argentina", "AR", "ARG", "Argentine"},
    {"México", "MX", "MEX", "Mexican"},
    {"Türkiye", "TR", "TUR", "Turkish"},
    {"Iran", "IR", "IRN", "Iranian"},
    {"North Korea", "KP", "PRK", "North Korean"},
    {"Belgium", "BE", "BEL", "Belgian"},
    {"Austria", "AT", "AUT", "Austrian"},
    {"Switzerland", "CH", "CHE", "Swiss"},
    {"French Guiana", "GF", "GUF", "French Guianese"},
    {"Algeria", "DZ", "DZA", "Algerian"},
    {"Kenya", "KE", "KEN", "Kenyan"},
    {"Denmark", "DK", "DNK", "Danish"},
    {"Poland", "PL", "POL", "Polish"},
    {"Czechia", "CZ", "CZE", "Czech"},
    {"Hungary", "HU", "HUN", "Hungarian"},
    {"Romania", "RO", "ROU", "Romanian"},
    {"Mongolia", "MN", "MNG", "Mongolian"},
    {"Vietnam", "VN", "VNM", "Vietnamese"},
    {"Saudi Arabia", "SA", "SAU", "Saudi"},
    {"United Arab Emirates", "AE", "ARE", "Emirati"},
    {"Luxembourg", "LU", "LUX", "Luxembourgish"},
    {"Finland", "FI", "FIN", "Finnish"},
};

const std::vector<AgencyInfo> kAgencies = {
    {"National Aeronautics and Space Administration", "NASA", 1, 1},
    {"Russian Federal Space Agency (ROSCOSMOS)", "RFSA", 2, 1},
    {"China National Space Administration", "CNSA", 3, 1},
    {"European Space Agency", "ESA", 4, 2},
    {"Japan Aerospace Exploration Agency", "JAXA", 5, 1},
    {"Indian Space Research Organization", "ISRO", 6, 1},
    {"SpaceX", "SpX", 1, 3},
    {"Northrop Grumman Space Systems", "NGSS", 1, 3},
    {"Boeing", "BA", 1, 3},
    {"Centre national d'études spatiales", "CNES", 4, 1},
    {"China Aerospace Science and Technology Corporation", "CASC", 3, 1},
    {"Société Européenne de Propulsion", "SEP", 4, 3},
    {"Agência Espacial Brasileira", "AEB", 11, 1},
    {"Центр Хруничева", "KhSC", 2, 1},
    {"Energia", "RKK", 2, 3},
    {"Sierra Space", "SNC", 1, 3},
    {"Axiom Space", "AX", 1, 3},
    {"Rocket Lab", "RL", 14, 3},
    {"Blue Origin", "BO", 1, 3},
    {"United Launch Alliance", "ULA", 1, 3},
};

const std::vector<std::string> kAgencyStems = {
    "Orbital",  "Stellar", "Aurora",  "Nova",     "Zenith", "Polaris",           "Vega",
    "Équinoxe", "Сибирь",  "Kestrel", "Meridian", "Helios", "100% Orbital_Works"};

const std::vector<std::string> kAgencyKinds = {"Launch Services", "Space Systems",
                                               "Aerospace",       "Space Agency",
                                               "Rocket Works",    "Satellite Corp."};

const std::vector<StationInfo>& stations() {
  static const std::vector<StationInfo> s = {
      {"Salyut 1", at(1971, 4, 19), at(1971, 10, 11), 1, {2}, 0, ""},
      {"Salyut 2", at(1973, 4, 3), at(1973, 5, 28), 1, {2}, 0, ""},
      {"Salyut 3", at(1974, 6, 25), at(1975, 1, 24), 1, {2}, 0, ""},
      {"Salyut 4", at(1974, 12, 26), at(1977, 2, 3), 1, {2}, 0, ""},
      {"Salyut 5", at(1976, 6, 22), at(1977, 8, 8), 1, {2}, 0, ""},
      {"Salyut 6", at(1977, 9, 29), at(1982, 7, 29), 1, {2}, 6, "Salyut 6 EO-{}"},
      {"Salyut 7", at(1982, 4, 19), at(1991, 2, 7), 1, {2}, 6, "Salyut 7 EO-{}"},
      {"Mir", at(1986, 2, 20), at(2001, 3, 23), 1, {2, 15}, 15, "Mir EO-{}"},
      {"International Space Station", at(1998, 11, 20), 0, 1, {1, 2, 4, 5}, 55, "Expedition {}"},
      {"Tiangong-1", at(2011, 9, 29), at(2018, 4, 2), 1, {3}, 2, "Tiangong-1 Crew {}"},
      {"Tiangong-2", at(2016, 9, 15), at(2019, 7, 19), 1, {3}, 2, "Tiangong-2 Crew {}"},
      {"Tiangong space station", at(2021, 4, 29), 0, 1, {3, 11}, 11, "Shenzhou Crew {}"},
      {"Skylab", at(1973, 5, 14), at(1979, 7, 11), 1, {1}, 3, "Skylab {}"},
      {"Almaz OPS-4", at(1978, 3, 1), at(1979, 12, 1), 1, {2}, 0, ""},
      {"Gateway", at(2027, 11, 1), 0, 1, {1, 4, 5}, 0, ""},
      {"Axiom Station", at(2028, 6, 1), 0, 2, {17}, 0, ""},
      {"Starlab", at(2029, 3, 1), 0, 2, {8}, 0, ""},
      {"Orbital Reef", at(2030, 1, 1), 0, 2, {19}, 0, ""},
      {"Haven-1", at(2026, 5, 1), 0, 2, {7}, 0, ""},
      {"Русская орбитальная станция", at(2028, 1, 1), 0, 1, {2}, 0, ""},
  };
  return s;
}

bool station_alive(const StationInfo& s, int64_t t) {
  return s.founded <= t && (s.deorbited == 0 || t < s.deorbited);
}

const std::vector<std::string> kPorts = {"forward", "aft", "zenith", "nadir", "port", "starboard"};

const std::vector<SpacecraftConfigInfo> kSpacecraftConfigs = {
    {"Soyuz", true, 2, 2, 1},      {"Progress", false, 3, 2, 1},
    {"Dragon", false, 3, 7, 2},    {"Crew Dragon", true, 2, 7, 2},
    {"Cygnus", false, 3, 8, 3},    {"HTV", false, 3, 5, 4},
    {"ATV", false, 3, 4, 5},       {"Shenzhou", true, 2, 3, 6},
    {"Tianzhou", false, 3, 11, 6}, {"Starliner", true, 2, 9, 7},
    {"Apollo CSM", true, 2, 1, 8}, {"Space Shuttle", true, 4, 1, 9},
    {"Chang’e", false, 5, 3, 10},  {"Dream Chaser", false, 4, 16, 11},
    {"Orion", true, 2, 1, 12},
};

const std::vector<std::string> kSpacecraftFamilies = {
    "Soyuz",     "Dragon", "Cygnus",        "HTV",     "ATV",          "Shenzhou",
    "Starliner", "Apollo", "Space Shuttle", "Chang’e", "Dream Chaser", "Orion"};

const std::vector<FamilyInfo> kLauncherFamilies = {
    {"Falcon", 7, true},    {"Soyuz", 15, false},   {"Long March", 11, false},
    {"Ariane", 12, false},  {"Atlas", 20, false},   {"Delta", 20, false},
    {"H-II", 5, false},     {"PSLV", 6, false},     {"Electron", 18, true},
    {"Antares", 8, false},  {"Proton", 14, false},  {"New Glenn", 19, true},
    {"Starship", 7, true},  {"Vega", 4, false},     {"Zenit", 0, false},
    {"Titan", 0, false},    {"Minotaur", 8, false}, {"Pegasus", 8, false},
    {"Kuaizhou", 0, false}, {"Angara", 14, false},  {"Epsilon", 5, false},
    {"Saturn", 1, false},   {"Vostok", 2, false},   {"Tsyklon", 0, false},
    {"Kosmos", 0, false},   {"Redstone", 1, false}, {"Diamant", 10, false},
    {"Shavit", 0, false},   {"Nuri", 0, false},     {"Zhuque", 0, true},
    {"Vulcan", 20, false},  {"GSLV", 6, false},     {"Жаворонок", 0, false},
};

const std::vector<std::string> kVariants = {"",        "9",  "Heavy", "2.1a", "2D", "5",
                                            "401",     "M",  "V",     "XL",   "3B", "ST",
                                            "Block 5", "2C", "LV-3",  "II",   "4",  "7A"};

const std::vector<std::string> kMissionStems = {
    "Starlink Group {}", "OneWeb #{}",       "Progress MS-{}",
    "Soyuz MS-{}",       "CRS-{}",           "NG-{}",
    "GPS III SV{}",      "Galileo FOC FM{}", "Beidou-3 M{}",
    "Yaogan-{}",         "Sentinel-{}",      "Kosmos {}",
    "Tianzhou {}",       "Shenzhou {}",      "Chang’e {}",
    "Jilin-1 Gaofen {}", "Transporter-{}",   "Crew-{}",
    "Axiom Mission {}",  "Ресурс-П №{}",     "みちびき {}号機",
    "100% Reuse {}",     "It's_a_Test {}",   "Synthetic Mission {}"};

const std::vector<OrbitInfo> kOrbits = {
    {1, "Geostationary Transfer Orbit", "GTO", 1, 10},
    {2, "Geostationary Orbit", "GEO", 1, 2},
    {3, "Heliocentric N/A", "Helio-N/A", 5, 2},
    {4, "Polar Orbit", "PO", 1, 4},
    {6, "Medium Earth Orbit", "MEO", 1, 4},
    {7, "Sun-Synchronous Orbit", "SSO", 1, 12},
    {8, "Low Earth Orbit", "LEO", 1, 50},
    {9, "Lunar Orbit", "LO", 2, 2},
    {10, "Mars Orbit", "MO", 3, 1},
    {12, "Highly Elliptical Orbit", "HEO", 1, 3},
    {13, "Elliptical Orbit", "Elliptical", 1, 2},
    {15, "Sub-Orbital", "Sub", 1, 8},
};

const std::vector<std::string> kMissionTypes = {
    "Earth Science",         "Planetary Science", "Astrophysics",
    "Heliophysics",          "Human Exploration", "Robotic Exploration",
    "Government/Top Secret", "Tourism",           "Unknown",
    "Communications",        "Resupply",          "Test Flight",
    "Dedicated Rideshare",   "Navigation"};

const std::vector<std::string> kPayloadStems = {
    "Cargo Module",    "Science Rack",         "Kibo Logistics", "Nauka",         "Poisk",
    "Rassvet",         "Bigelow Expandable",   "Cupola",         "Materials Lab", "Lunar Lander",
    "Chang’e Sampler", "100% Recycled_Module", "Sample Return",  "Starlink",      "Sentinel"};

const std::vector<std::string> kUnicodePayloads = {"Étoile", "ÉCLAIR", "Жаворонок", "ЖУРАВЛЬ",
                                                   "ØRSTED"};

const std::vector<std::string> kFirstNames = {
    "Yuri",   "Valentina", "Neil",   "Sally",     "Thomas",  "Samantha",  "Chris",  "Peggy",
    "Sergei", "Liwei",     "Kōichi", "Akihiko",   "Claudie", "Jean-Loup", "Ulf",    "Marcos",
    "Sunita", "Kalpana",   "Mae",    "Alexander", "Tim",     "Anousheh",  "Soichi", "Luca",
    "André",  "Jessica",   "Oleg",   "Sigmund",   "Dumitru", "Zhigang",   "Jasmin", "Rayyanah"};

const std::vector<std::string> kLastNames = {
    "Gagarin",  "Tereshkova", "Armstrong", "Ride",    "Pesquet", "Cristoforetti", "Hadfield",
    "Whitson",  "Krikalev",   "Yang",      "Wakata",  "Hoshide", "Haigneré",      "Chrétien",
    "Merbold",  "Pontes",     "Williams",  "Chawla",  "Jemison", "Gerst",         "Peake",
    "Ansari",   "Noguchi",    "Parmitano", "Kuipers", "Meir",    "Kononenko",     "Jähn",
    "Prunariu", "Zhai",       "Mogensen",  "Barnawi"};

const std::vector<SiteInfo> kSites = {
    {"Cape Canaveral SFS, FL, USA", 1, 1, 28.4889, -80.5778, "America/New_York"},
    {"Baikonur Cosmodrome, Republic of Kazakhstan", 12, 1, 45.9650, 63.3050, "Asia/Qyzylorda"},
    {"Jiuquan Satellite Launch Center, People's Republic of China", 3, 1, 40.9580, 100.2910,
     "Asia/Shanghai"},
    {"Guiana Space Centre, French Guiana", 31, 1, 5.2390, -52.7680, "America/Cayenne"},
    {"Vandenberg SFB, CA, USA", 1, 1, 34.7420, -120.5724, "America/Los_Angeles"},
    {"Kennedy Space Center, FL, USA", 1, 1, 28.6082, -80.6041, "America/New_York"},
    {"Plesetsk Cosmodrome, Russian Federation", 2, 1, 62.9271, 40.5777, "Europe/Moscow"},
    {"Tanegashima Space Center, Japan", 5, 1, 30.4009, 130.9750, "Asia/Tokyo"},
    {"Satish Dhawan Space Centre, India", 6, 1, 13.7199, 80.2304, "Asia/Kolkata"},
    {"Rocket Lab Launch Complex 1, Mahia Peninsula, New Zealand", 14, 1, -39.2600, 177.8650,
     "Pacific/Auckland"},
    {"Wenchang Space Launch Site, People's Republic of China", 3, 1, 19.6145, 110.9510,
     "Asia/Shanghai"},
    {"Vostochny Cosmodrome, Siberia, Russian Federation", 2, 1, 51.8844, 128.3340, "Asia/Yakutsk"},
    {"Alcântara Launch Center, Maranhão, Brazil", 11, 1, -2.3390, -44.4170, "America/Fortaleza"},
    {"Andøya Spaceport, Norway", 21, 1, 69.2942, 16.0207, "Europe/Oslo"},
    {"Palmachim Airbase, State of Israel", 15, 1, 31.8848, 34.6802, "Asia/Jerusalem"},
    {"Starbase, TX, USA", 1, 1, 25.9972, -97.1560, "America/Chicago"},
    {"Mare Tranquillitatis, Moon", 1, 2, 0.6741, 23.4730, "UTC"},
    {"Jezero Crater, Mars", 1, 3, 18.4447, 77.4508, "UTC"},
};

const std::vector<std::string> kEventStems = {
    "Starship Flight Test {}", "{} Docking",  "{} Undocking",
    "US Spacewalk {}",         "VKD-{}",      "Static Fire {}",
    "Press Conference {}",     "Flyby {}",    "Moon Landing {}",
    "Celestial Event {}",      "Berthing {}", "Landing {}"};

const std::vector<std::string> kEventPlaces = {"International Space Station",
                                               "Tiangong space station",
                                               "Starbase, TX, USA",
                                               "Kennedy Space Center, FL, USA",
                                               "Baikonur Cosmodrome, Kazakhstan",
                                               "Moon",
                                               "Mars",
                                               ""};

const std::vector<std::string> kComments = {
    "Launch date moved to the right.", "Weather is 80% GO for launch.",
    "Static fire complete.",           "Payload encapsulated.",
    "Rolled out to the pad.",          "Scrubbed for the day; next attempt in 24 hours.",
    "Launch window opens at T-0.",     "Mission success confirmed by the operator.",
    "Погода благоприятная.",           "Retour à l'usine pour inspection."};

}  // namespace ll2::ingest::vocabulary
