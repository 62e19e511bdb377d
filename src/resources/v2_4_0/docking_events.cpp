// Docking events in 2.4.0: one shape, list and detail alike
// (DockingEventEndpointNormal); no docking_events/detailed/ route.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_docking_events(model::Registry& r) {
  r.change_resource("docking_events").modes = {{"normal", "DockingEventEndpointNormal"}};
}

}  // namespace ll2::resources::v2_4_0
