// Pads in 2.4.0: PadDetailed (2.3.0's Pad, its location as a LocationList)
// and the same without its location, as a location lists its pads.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_pads(model::Registry& r) {
  r.view("PadDetailed", "pad", {nested("location", "LocationList")}).extends("Pad");
  r.view("PadDetailedSerializerNoLocation", "pad", {nested("agencies", "AgencyMini")})
      .extends("PadDetailed")
      .without({"location"});
  r.change_resource("pads").modes = {{"normal", "PadDetailed"}};
  r.change_resource("pads").filters.push_back(exact("active").front());
}

}  // namespace ll2::resources::v2_4_0
