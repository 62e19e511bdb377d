// 2.4.0 has no Starship dashboard (no dashboard/starship path in its document).
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_dashboard(model::Registry& r) {
  r.drop_resource("dashboard/starship");
}

}  // namespace ll2::resources::v2_4_0
