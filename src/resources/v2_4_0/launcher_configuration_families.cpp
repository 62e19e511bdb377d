// Launcher configuration families in 2.4.0: the list in its normal shape,
// the detail detailed, and no mini/ or detailed/ routes.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_launcher_configuration_families(model::Registry& r) {
  model::Resource& families = r.change_resource("launcher_configuration_families");
  families.modes = {{"normal", "LauncherConfigFamilyNormal"},
                    {"detailed", "LauncherConfigFamilyDetailed", nullptr, false}};
  families.list_mode = "normal";
  families.detail_mode = "detailed";
}

}  // namespace ll2::resources::v2_4_0
