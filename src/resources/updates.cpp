// Updates (/2.3.0/updates/): comments posted on launches, events and programs.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_updates(model::Registry& r) {
  KindBuilder{r.kind("update")}
      .text({"profile_image", "comment", "info_url", "created_by"})
      .datetime({"created_on"});

  r.view(
      "Update", "update",
      fields({{id()}, cols({"profile_image", "comment", "info_url", "created_by", "created_on"})}));
}

}  // namespace ll2::resources
