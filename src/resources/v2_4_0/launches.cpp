// Launches in 2.4.0: upcoming and previous are no routes of their own (the
// document has launches/, launches/mini/, launches/detailed/ and
// launches/{id}/); the basic view names its provider and where it flies
// from (LaunchBasic's launch_service_provider and location_name).
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_launches(model::Registry& r) {
  r.change_resource("launches").actions.clear();
  r.change_view("LaunchBasic")
      .insert_before("infographic", nested("launch_service_provider", "AgencyMini"))
      .set(path("location_name", "pad__location__name"));
  // The normal view: the provider in full, the pad with its short location,
  // programs briefly, and no location_name.
  r.change_view("LaunchNormal")
      .set(nested("launch_service_provider", "AgencyNormal"))
      .set(nested("pad", "PadDetailed"))
      .set(nested("program", "ProgramMini"))
      .without({"location_name"});
  // The detailed view lists programs in full again.
  r.change_view("LaunchDetailed").set(nested("program", "ProgramNormal"));
  r.change_view("Mission").set(nested("agencies", "AgencyMini"));
}

}  // namespace ll2::resources::v2_4_0
