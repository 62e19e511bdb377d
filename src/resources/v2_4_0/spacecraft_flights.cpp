// Spacecraft flights in 2.4.0: a mini/ list (SpacecraftFlightMini) and the
// mission end as filters.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_spacecraft_flights(model::Registry& r) {
  model::Resource& flights = r.change_resource("spacecraft_flights");
  flights.modes.insert(flights.modes.begin(), {"list", "SpacecraftFlightMini"});
  // The mission's end: a range, and its parts.
  auto& filters = flights.filters;
  for (auto& f : range("mission_end")) filters.push_back(std::move(f));
  for (auto& f : date_parts("mission_end")) filters.push_back(std::move(f));
}

}  // namespace ll2::resources::v2_4_0
