// Celestial bodies, locations, pads and landings.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;

void declare_places(model::Registry& r) {
  KindBuilder{r.kind("celestial_body_type")}.text({"name"});
  KindBuilder{r.kind("celestial_body")}
      .text({"name"})
      .fk("type", "celestial_body_type")
      .flt({"diameter", "mass", "gravity"})
      .col("length_of_day", ColumnType::Duration)
      .boolean({"atmosphere"})
      .fk("image", "image")
      .text({"description", "wiki_url"})
      .integer({"total_attempted_launches", "successful_launches", "failed_launches",
                "total_attempted_landings", "successful_landings", "failed_landings"});
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
      .integer({"total_launch_count", "total_landing_count"});
  KindBuilder{r.kind("pad")}
      .boolean({"active"})
      .m2m("agencies", "agency")
      .text({"name"})
      .fk("image", "image")
      .text({"description", "info_url", "wiki_url", "map_url"})
      .flt({"latitude", "longitude"})
      .fk("country", "country")
      .text({"map_image"})
      .integer({"total_launch_count", "orbital_launch_attempt_count"})
      .text({"fastest_turnaround"})
      .fk("location", "location");
  KindBuilder{r.kind("landing_type")}.text({"name", "abbrev", "description"});
  KindBuilder{r.kind("landing_location")}
      .text({"name"})
      .boolean({"active"})
      .text({"abbrev", "description"})
      .fk("location", "location")
      .flt({"longitude", "latitude"})
      .fk("image", "image")
      .integer({"successful_landings", "attempted_landings", "failed_landings"})
      .fk("celestial_body", "celestial_body");
  KindBuilder{r.kind("landing")}
      .boolean({"attempt", "success"})
      .text({"description"})
      .flt({"downrange_distance"})
      .fk("landing_location", "landing_location")
      .fk("type", "landing_type");

  r.view("CelestialBodyType", "celestial_body_type", {id(), col("name")});
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

  r.view("Location", "location",
         fields({{mode("normal"), id(), url("locations"), col("name"),
                  nested("celestial_body", "CelestialBodyDetailed"), col("active"),
                  nested("country", "Country"), col("description"), nested("image", "Image")},
                 cols({"map_image", "longitude", "latitude", "timezone_name", "total_launch_count",
                       "total_landing_count"})}));
  r.view("LocationSerializerNoCelestialBody", "location", {})
      .extends("Location")
      .without({"celestial_body"});

  r.view("Pad", "pad",
         fields({{id(), url("pads"), col("active"), nested("agencies", "AgencyNormal"), col("name"),
                  nested("image", "Image")},
                 cols({"description", "info_url", "wiki_url", "map_url", "latitude", "longitude"}),
                 {nested("country", "Country")},
                 cols({"map_image", "total_launch_count", "orbital_launch_attempt_count",
                       "fastest_turnaround"}),
                 {nested("location", "Location")}}));

  r.view("LandingType", "landing_type", fields({{id()}, cols({"name", "abbrev", "description"})}));
  r.view("LandingLocation", "landing_location",
         fields({{id()},
                 cols({"name", "active", "abbrev", "description"}),
                 {nested("location", "LocationSerializerNoCelestialBody"), col("longitude"),
                  col("latitude"), nested("image", "Image")},
                 cols({"successful_landings", "attempted_landings", "failed_landings"}),
                 {nested("celestial_body", "CelestialBodyNormal")}}));
  r.view("Landing", "landing",
         fields({{id(), url("landings")},
                 cols({"attempt", "success", "description", "downrange_distance"}),
                 {nested("landing_location", "LandingLocation"), nested("type", "LandingType")}}));
}

}  // namespace ll2::resources
