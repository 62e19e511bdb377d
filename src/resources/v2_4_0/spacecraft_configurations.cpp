// Spacecraft configurations in 2.4.0: a family's parent in its mini view.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_spacecraft_configurations(model::Registry& r) {
  r.change_view("SpacecraftConfigFamilyDetailed")
      .set(nested("parent", "SpacecraftConfigFamilyMini"));
}

}  // namespace ll2::resources::v2_4_0
