// Launches in 2.4.0: upcoming and previous are filters, not routes (the
// document has launches/, launches/mini/, launches/detailed/ and
// launches/{id}/), the net's parts are net__day..., more lists of ids; the basic view names its
// provider and where it flies from (LaunchBasic's launch_service_provider and location_name).
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_launches(model::Registry& r) {
  model::Resource& launches = r.change_resource("launches");
  launches.actions.clear();
  for (const char* part : {"day", "month", "year"})
    launches.change_filter(part).param = std::string("net__") + part;
  launches.filters.push_back(
      in_list("launcher_config_family_ids", "rocket__configuration__families__id"));
  launches.filters.push_back(in_list("mission__agency__ids", "mission__agencies__id"));
  // LL2 prints a mission's type by name only: the ids' names are matched.
  launches.filters.push_back(custom(
      "mission_type__ids", model::ValueKind::Number,
      [](const std::vector<Value>& ids, const model::FilterContext& context) {
        return context.named_as("mission_type", ids, "mission__type");
      },
      true));
  launches.filters.push_back(in_list("orbit__ids", "mission__orbit__id"));
  for (auto& f : time_windows("net")) launches.filters.push_back(std::move(f));
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
