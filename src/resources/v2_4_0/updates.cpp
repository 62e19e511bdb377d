// Updates in 2.4.0: each names what it is about (UpdateEndpoint: the
// launch, event or program).
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_updates(model::Registry& r) {
  r.view("UpdateEndpoint", "update",
         {nested("launch", "LaunchBasic"), nested("event", "EventMini"),
          nested("program", "ProgramMini")})
      .extends("Update");
  r.change_resource("updates").modes = {{"normal", "UpdateEndpoint"}};
}

}  // namespace ll2::resources::v2_4_0
