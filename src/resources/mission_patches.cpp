// Mission patches (/2.3.0/mission_patches/). Launches, expeditions and
// programs list their patches; a patch shows those lists from its side.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

void declare_mission_patches(model::Registry& r) {
  KindBuilder{r.kind("mission_patch")}
      .model("MissionPatch")
      .text({"name"})
      .integer({"priority"})
      .text({"image_url"})
      .fk("agency", "agency")
      .reverse("launches", "launch", "mission_patches")
      .reverse("expeditions", "expedition", "mission_patches")
      .reverse("program", "program", "mission_patches");

  r.view("MissionPatch", "mission_patch",
         {id(), col("name"), col("priority"), col("image_url"), nested("agency", "AgencyMini"),
          mode("normal")});
  r.view("MissionPatchDetailed", "mission_patch",
         {nested("agency", "AgencyDetailed"), mode("detailed"), nested("launches", "LaunchNormal"),
          nested("expeditions", "ExpeditionNormal"), nested("program", "ProgramNormal")})
      .extends("MissionPatch");

  r.resource({
      .path = "mission_patches",
      .singular = "Mission Patch",
      .plural = "Mission Patches",
      .modes = {{"normal", "MissionPatch"}, {"detailed", "MissionPatchDetailed"}},
      .filters = filters({exact("agency__id"),
                          lookups("agency__name", {Lookup::Exact, Lookup::Contains}),
                          exact("id"),
                          {in_list("ids", "id")},
                          lookups("name", {Lookup::Exact, Lookup::Contains})}),
      .search_fields = {"agency__name", "name"},
      .ordering_fields = {"agency__name", "id", "name", "priority"},
      .default_ordering = {"id"},
      .tags = {"Patches"},
      .schema_name = "MissionPatchEndpoint",
      .mode_example = "mode=detailed",
      .filter_example = "agency__id=147",
      .search_example = "search=Ariane",
      .ordering_example = "ordering=priority",
  });
}

}  // namespace ll2::resources
