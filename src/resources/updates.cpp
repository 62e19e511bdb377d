// Updates (/2.3.0/updates/): comments posted on launches, events and programs.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_updates(model::Registry& r) {
  // An update belongs to one launch, event or program (/updates/ filters by
  // launch and program); those list their updates from this side.
  KindBuilder{r.kind("update")}
      .model("Update")
      .text({"profile_image", "comment", "info_url", "created_by"})
      .datetime({"created_on"})
      .fk("launch", "launch")
      .fk("event", "event")
      .fk("program", "program");

  r.view(
      "Update", "update",
      fields({{id()}, cols({"profile_image", "comment", "info_url", "created_by", "created_on"})}));

  r.resource({
      .path = "updates",
      .singular = "Update",
      .plural = "Updates",
      .modes = {{"normal", "Update"}},
      .filters = filters({exact("created_on"), exact("launch"),
                          exact("launch__launch_service_provider"), exact("program")}),
      .ordering_fields = {"created_on"},
      .default_ordering = {"id"},
      .mode_parameter = false,
      .tags = {},
      .filter_example = "launch__launch_service_provider=121",
      .ordering_example = "ordering=-created_on",
  });
}

}  // namespace ll2::resources
