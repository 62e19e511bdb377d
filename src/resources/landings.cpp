// Landings (/2.3.0/landings/) and landing locations. A landing belongs to one
// first stage, spacecraft flight or payload flight, whose foreign key points
// at it (LL2's one-to-one): the endpoint shows it from the landing's side.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ValueKind;

void declare_landings(model::Registry& r) {
  KindBuilder{r.kind("landing_location")}
      .model("LandingLocation")
      .text({"name"})
      .boolean({"active"})
      .text({"abbrev", "description"})
      .fk("location", "location")
      .flt({"longitude", "latitude"})
      .fk("image", "image")
      .integer({"successful_landings", "attempted_landings", "failed_landings"})
      .fk("celestial_body", "celestial_body");
  KindBuilder{r.kind("landing")}
      .model("Landing")
      .boolean({"attempt", "success"})
      .text({"description"})
      .flt({"downrange_distance"})
      .fk("landing_location", "landing_location")
      .fk("type", "landing_type")
      .reverse_one("firststage", "first_stage", "landing")
      .reverse_one("spacecraftflight", "spacecraft_flight", "landing")
      .reverse_one("payloadflight", "payload_flight", "landing");

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
  r.view("LandingEndpointList", "landing",
         {mode("list"), nested("firststage", "FirstStageMini"),
          nested("spacecraftflight", "SpacecraftFlightMiniSerializerNoLanding"),
          nested("payloadflight", "PayloadFlightMiniSerializerNoLanding")})
      .extends("Landing");
  r.view("LandingEndpointNormal", "landing",
         {mode("normal"), nested("firststage", "FirstStageNormalSerializerNoLanding"),
          nested("spacecraftflight", "SpacecraftFlightNormalSerializerNoLanding"),
          nested("payloadflight", "PayloadFlightNormalSerializerNoLanding")})
      .extends("LandingEndpointList");
  r.view("LandingEndpointDetailed", "landing",
         {mode("detailed"), nested("firststage", "FirstStageDetailedSerializerNoLanding"),
          nested("spacecraftflight", "SpacecraftFlightDetailedSerializerNoLanding"),
          nested("payloadflight", "PayloadFlightDetailedSerializerNoLanding")})
      .extends("LandingEndpointNormal");

  r.resource({
      .path = "landings",
      .singular = "Landing",
      .plural = "Landings",
      .modes = {{"list", "LandingEndpointList"},
                {"normal", "LandingEndpointNormal"},
                {"detailed", "LandingEndpointDetailed"}},
      .filters =
          filters({exact("attempt"),
                   {in_list("firststage_launch__ids", "firststage__rocket__launch__id")},
                   {in_list("landing_location__ids", "landing_location__id")},
                   {in_list("landing_type__ids", "type__id")},
                   {in_list("launcher__ids", "firststage__launcher__id")},
                   {in_list("launcher_config__ids", "firststage__launcher__launcher_config__id")},
                   {in_list("launcher_serial_numbers", "firststage__launcher__serial_number",
                            ValueKind::Text)},
                   {in_list("spacecraft__ids", "spacecraftflight__spacecraft__id")},
                   {in_list("spacecraft_config__ids",
                            "spacecraftflight__spacecraft__spacecraft_config__id")},
                   {in_list("spacecraft_launch__ids", "spacecraftflight__launch__id")},
                   exact("success")}),
      .search_fields = {"firststage__launcher__launcher_config__name",
                        "firststage__launcher__serial_number", "firststage__rocket__launch__name",
                        "landing_location__abbrev", "landing_location__name",
                        "spacecraftflight__rocket__launch__name",
                        "spacecraftflight__spacecraft__name",
                        "spacecraftflight__spacecraft__serial_number",
                        "spacecraftflight__spacecraft__spacecraft_config__name"},
      .ordering_fields = {"downrange_distance", "id"},
      .default_ordering = {"id"},
      .tags = {"Landings"},
      .schema_name = "LandingEndpoint",
      .mode_example = "mode=list",
      .filter_example = "spacecraft__ids=39,37",
      .search_example = "search=B1059",
      .ordering_example = "ordering=downrange_distance",
  });
}

}  // namespace ll2::resources
