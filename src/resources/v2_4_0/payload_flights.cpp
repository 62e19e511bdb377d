// Payload flights in 2.4.0: the list in its mini shape, the detail normal,
// and no mini/ or detailed/ routes.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

void declare_payload_flights(model::Registry& r) {
  model::Resource& flights = r.change_resource("payload_flights");
  flights.modes = {{"list", "PayloadFlightMini"},
                   {"normal", "PayloadFlightNormal", nullptr, false}};
  flights.list_mode = "list";
  flights.detail_mode = "normal";
}

}  // namespace ll2::resources::v2_4_0
