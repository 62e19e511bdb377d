// Events in 2.4.0: upcoming and previous are no routes of their own (the
// document has events/, events/mini/, events/detailed/ and events/{id}/).
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_events(model::Registry& r) {
  r.change_resource("events").actions.clear();
}

}  // namespace ll2::resources::v2_4_0
