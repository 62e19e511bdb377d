// Landings in 2.4.0: a landing location's location in 2.4.0's location view.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_landings(model::Registry& r) {
  r.change_view("LandingLocation")
      .set(nested("location", "LocationDetailedSerializerNoCelestialBody"));
}

}  // namespace ll2::resources::v2_4_0
