// Updates (/2.3.0/updates/): comments posted on launches, events and programs.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_updates(model::Registry& r) {
  // An update belongs to one launch, event or program (/updates/ filters by
  // launch and program); those list their updates from this side.
  KindBuilder{r.kind("update")}
      .text({"profile_image", "comment", "info_url", "created_by"})
      .datetime({"created_on"})
      .fk("launch", "launch")
      .fk("event", "event")
      .fk("program", "program");

  r.view(
      "Update", "update",
      fields({{id()}, cols({"profile_image", "comment", "info_url", "created_by", "created_on"})}));
}

}  // namespace ll2::resources
