// Launcher configurations in 2.4.0: manufacturers named briefly
// (AgencyMini) in configurations and families, families in their normal
// view, a family's parent in its mini view; the maiden flight's parts as
// filters.
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
  auto& filters = r.change_resource("launcher_configurations").filters;
  filters.push_back(exact("reusable").front());
  for (auto& f : date_parts("maiden_flight")) filters.push_back(std::move(f));
}

}  // namespace ll2::resources::v2_4_0
