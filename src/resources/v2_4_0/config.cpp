// Configurations in 2.4.0: notice and road closure statuses are no longer
// endpoints of their own (2.4.0's document has neither path).
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_config(model::Registry& r) {
  r.drop_resource("config/notice_types");
  r.drop_resource("config/road_closure_statuses");
}

}  // namespace ll2::resources::v2_4_0
