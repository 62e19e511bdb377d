// Astronauts in 2.4.0: a short list view (AstronautEndpointList), the
// normal view with age, bio, type and nationality, the detailed one adding
// the rest and the flights as basic launches; a crew seat shows the normal view.
// The days, months and years of birth and death as filters.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_astronauts(model::Registry& r) {
  r.view("AstronautEndpointList", "astronaut",
         {id(), url("astronauts"), mode("list"), col("name"), nested("status", "AstronautStatus"),
          nested("agency", "AgencyMini"), nested("image", "Image")});
  r.view("AstronautNormal", "astronaut",
         {mode("normal"), col("age"), col("bio"), nested("type", "AstronautType"),
          nested("nationality", "Country")})
      .extends("AstronautEndpointList");
  r.view("AstronautEndpointNormal", "astronaut", {}).extends("AstronautNormal");
  r.view("AstronautEndpointDetailed", "astronaut",
         fields({{mode("detailed")},
                 cols({"in_space", "time_in_space", "eva_time", "date_of_birth", "date_of_death",
                       "wiki", "last_flight", "first_flight"}),
                 {nested("social_media_links", "SocialMediaLink")},
                 cols({"flights_count", "landings_count", "spacewalks_count"}),
                 {nested("flights", "LaunchBasic"), nested("landings", "SpacecraftFlightNormal"),
                  nested("spacewalks", "SpacewalkNormal")}}))
      .extends("AstronautNormal");
  r.change_view("AstronautFlight").set(nested("astronaut", "AstronautNormal"));
  auto& astronauts = r.change_resource("astronauts");
  astronauts.modes = {{"list", "AstronautEndpointList"},
                      {"normal", "AstronautEndpointNormal"},
                      {"detailed", "AstronautEndpointDetailed"}};
  for (const char* date : {"date_of_birth", "date_of_death"}) {
    for (auto& f : date_parts(date)) astronauts.filters.push_back(std::move(f));
  }
}

}  // namespace ll2::resources::v2_4_0
