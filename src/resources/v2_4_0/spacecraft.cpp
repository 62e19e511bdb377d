// Spacecraft in 2.4.0: a mini/ list, in the normal shape.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_spacecraft(model::Registry& r) {
  auto& modes = r.change_resource("spacecraft").modes;
  modes.insert(modes.begin(), {"list", "SpacecraftNormal"});
}

}  // namespace ll2::resources::v2_4_0
