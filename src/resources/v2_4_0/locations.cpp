// Locations in 2.4.0: the list's view is LocationDetailed (2.3.0's
// Location), a short LocationList is what a pad shows, and a location's
// pads are PadDetailedSerializerNoLocation.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_locations(model::Registry& r) {
  r.view("LocationDetailed", "location", {mode("detailed")}).extends("Location");
  r.view("LocationDetailedSerializerNoCelestialBody", "location", {})
      .extends("LocationDetailed")
      .without({"celestial_body"});
  r.view("LocationList", "location",
         {mode("list"), id(), url("locations"), col("name"),
          nested("celestial_body", "CelestialBodyMini"), nested("country", "Country"),
          col("description"), nested("image", "Image"), col("map_image"), col("timezone_name")});
  r.change_view("LocationSerializerWithPads")
      .set(nested("pads", "PadDetailedSerializerNoLocation"));
  r.change_resource("locations").modes = {{"normal", "LocationDetailed"},
                                          {"detailed", "LocationSerializerWithPads"}};
  r.change_resource("locations").filters.push_back(exact("active").front());
}

}  // namespace ll2::resources::v2_4_0
