// Locations (/2.3.0/locations/): launch sites, each with its pads.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

void declare_locations(model::Registry& r) {
  KindBuilder{r.kind("location")}
      .model("Location")
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

  r.resource({
      .path = "locations",
      .singular = "Location",
      .plural = "Locations",
      .modes = {{"normal", "Location"}, {"detailed", "LocationSerializerWithPads"}},
      .filters = filters({{filter("country_code", "country__alpha_3_code")},
                          exact("id"),
                          lookups("name", {Lookup::Exact, Lookup::Contains}),
                          range("total_landing_count"),
                          range("total_launch_count")}),
      .search_fields = {"country__alpha_3_code", "name"},
      .ordering_fields = {"total_landing_count", "total_launch_count"},
      .default_ordering = {"id"},
      .tags = {},
      .schema_name = "LocationEndpoint",
      .mode_example = "mode=detailed",
      .filter_example = "country_code=NZL",
      .search_example = "search=Cape Canaveral",
      .ordering_example = "ordering=-total_launch_count",
  });
}

}  // namespace ll2::resources
