// Spacecraft flights in 2.4.0: a mini/ list (SpacecraftFlightMini).
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_spacecraft_flights(model::Registry& r) {
  auto& modes = r.change_resource("spacecraft_flights").modes;
  modes.insert(modes.begin(), {"list", "SpacecraftFlightMini"});
}

}  // namespace ll2::resources::v2_4_0
