// Celestial bodies (/2.3.0/celestial_bodies/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;

void declare_celestial_bodies(model::Registry& r) {
  KindBuilder{r.kind("celestial_body")}
      .model("CelestialBody")
      .text({"name"})
      .fk("type", "celestial_body_type")
      .flt({"diameter", "mass", "gravity"})
      .col("length_of_day", ColumnType::Duration)  // Django's DurationField: "27 07:43:12"
      .boolean({"atmosphere"})
      .fk("image", "image")
      .text({"description", "wiki_url"})
      .integer({"total_attempted_launches", "successful_launches", "failed_launches",
                "total_attempted_landings", "successful_landings", "failed_landings"})
      .reverse("locations", "location", "celestial_body");

  r.view("CelestialBodyMini", "celestial_body", {mode("list"), id(), col("name")});
  r.view("CelestialBodyNormal", "celestial_body",
         fields({{mode("normal"), nested("type", "CelestialBodyType")},
                 cols({"diameter", "mass", "gravity", "length_of_day", "atmosphere"}),
                 {nested("image", "Image"), col("description"), col("wiki_url")}}))
      .extends("CelestialBodyMini");
  // LL2's CelestialBodyDetailed extends the normal serializer and says "normal".
  r.view("CelestialBodyDetailed", "celestial_body",
         cols({"total_attempted_launches", "successful_launches", "failed_launches",
               "total_attempted_landings", "successful_landings", "failed_landings"}))
      .extends("CelestialBodyNormal");
  r.view("CelestialBodyEndpointDetailed", "celestial_body",
         {mode("detailed"), nested("locations", "LocationSerializerNoCelestialBody")})
      .extends("CelestialBodyDetailed");

  r.resource({
      .path = "celestial_bodies",
      .singular = "Celestial Body",
      .plural = "Celestial Bodies",
      .modes = {{"list", "CelestialBodyMini"},
                {"normal", "CelestialBodyNormal"},
                {"detailed", "CelestialBodyEndpointDetailed"}},
      .search_fields = {"name", "type__name"},
      .ordering_fields = {"id", "name"},
      .default_ordering = {"id"},
      .tags = {"Celestial", "Bodies"},
      .schema_name = "CelestialBodyEndpoint",
      .mode_example = "mode=list",
      .search_example = "search=Mars",
      .ordering_example = "ordering=-name",
  });
}

}  // namespace ll2::resources
