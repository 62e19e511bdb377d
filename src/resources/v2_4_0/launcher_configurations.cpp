// Launcher configurations in 2.4.0: manufacturers named briefly
// (AgencyMini) in configurations and families, families in their normal
// view, a family's parent in its mini view.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_launcher_configurations(model::Registry& r) {
  r.change_view("LauncherConfigNormal").set(nested("manufacturer", "AgencyMini"));
  r.change_view("LauncherConfigDetailed").set(nested("families", "LauncherConfigFamilyNormal"));
  r.change_view("LauncherConfigFamilyNormal").set(nested("manufacturer", "AgencyMini"));
  r.change_view("LauncherConfigFamilyDetailed")
      .set(nested("manufacturer", "AgencyMini"))
      .set(nested("parent", "LauncherConfigFamilyMini"));
  r.change_resource("launcher_configurations").filters.push_back(exact("reusable").front());
}

}  // namespace ll2::resources::v2_4_0
