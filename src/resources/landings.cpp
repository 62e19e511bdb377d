// Landings (/2.3.0/landings/) and landing locations. A landing belongs to one
// first stage, spacecraft flight or payload flight, whose foreign key points
// at it (LL2's one-to-one): the endpoint shows it from the landing's side.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_landings(model::Registry& r) {
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
}

}  // namespace ll2::resources
