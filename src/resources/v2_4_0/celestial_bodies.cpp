// Celestial bodies in 2.4.0: their locations in 2.4.0's location view.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_celestial_bodies(model::Registry& r) {
  r.change_view("CelestialBodyEndpointDetailed")
      .set(nested("locations", "LocationDetailedSerializerNoCelestialBody"));
}

}  // namespace ll2::resources::v2_4_0
