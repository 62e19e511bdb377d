// Locations (/2.3.0/locations/): launch sites, each with its pads.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_locations(model::Registry& r) {
  KindBuilder{r.kind("location")}
      .text({"name"})
      .fk("celestial_body", "celestial_body")
      .boolean({"active"})
      .fk("country", "country")
      .text({"description"})
      .fk("image", "image")
      .text({"map_image"})
      .flt({"longitude", "latitude"})
      .text({"timezone_name"})
      .integer({"total_launch_count", "total_landing_count"})
      .reverse("pads", "pad", "location");

  r.view("Location", "location",
         fields({{mode("normal"), id(), url("locations"), col("name"),
                  nested("celestial_body", "CelestialBodyDetailed"), col("active"),
                  nested("country", "Country"), col("description"), nested("image", "Image")},
                 cols({"map_image", "longitude", "latitude", "timezone_name", "total_launch_count",
                       "total_landing_count"})}));
  r.view("LocationSerializerNoCelestialBody", "location", {})
      .extends("Location")
      .without({"celestial_body"});
  r.view("LocationSerializerWithPads", "location",
         {mode("detailed"), nested("pads", "PadSerializerNoLocation")})
      .extends("Location");
}

}  // namespace ll2::resources
