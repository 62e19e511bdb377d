// Astronauts (/2.3.0/astronauts/) and their seats on flights.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;
using model::Lookup;
using model::ValueKind;

namespace {

// `has_flown=true`: astronauts with at least one flight.
model::Predicate has_flown(const std::vector<Value>& values,
                           const model::FilterContext& /*context*/) {
  const bool flown = std::get<int64_t>(values.at(0)) != 0;
  return model::Predicate::compare("flights", Lookup::IsNull, int64_t{flown ? 0 : 1});
}

// `is_human=false`: the astronauts LL2 types "Non-Human" (animals); true:
// everyone else (an astronaut without a type counts as human).
model::Predicate is_human(const std::vector<Value>& values,
                          const model::FilterContext& /*context*/) {
  auto non_human = model::Predicate::compare("type__name", Lookup::Exact, std::string("Non-Human"));
  if (std::get<int64_t>(values.at(0)) == 0) return non_human;
  return model::Predicate::negate(std::move(non_human));
}

}  // namespace

void declare_astronauts(model::Registry& r) {
  KindBuilder{r.kind("astronaut")}
      .model("Astronaut")
      .text({"name"})
      .fk("status", "astronaut_status")
      .fk("agency", "agency")
      .fk("image", "image")
      .fk("type", "astronaut_type")
      .boolean({"in_space"})
      .text({"time_in_space", "eva_time"})  // ISO 8601 durations, printed as LL2 wrote them
      .integer({"age"})
      .col("date_of_birth", ColumnType::Date)
      .col("date_of_death", ColumnType::Date)
      .m2m("nationality", "country")
      .text({"bio", "wiki"})
      .datetime({"last_flight", "first_flight"})
      .m2m("social_media_links", "social_media_link")
      .integer({"flights_count", "landings_count", "spacewalks_count"})
      // LL2 derives these from the crews; a copy keeps them as imported.
      .m2m("flights", "launch")
      .m2m("landings", "spacecraft_flight")
      .m2m("spacewalks", "spacewalk");
  // One astronaut's seat in a crew (a flight's, an expedition's, a spacewalk's).
  KindBuilder{r.kind("astronaut_flight")}.fk("role", "astronaut_role").fk("astronaut", "astronaut");

  r.view("AstronautNormal", "astronaut",
         {id(), url("astronauts"), col("name"), nested("status", "AstronautStatus"),
          nested("agency", "AgencyMini"), nested("image", "Image")});
  // LL2 says "list" here: this is the astronaut list mode's serializer.
  r.view("AstronautDetailed", "astronaut",
         fields({{mode("list"), nested("type", "AstronautType")},
                 cols({"in_space", "time_in_space", "eva_time", "age", "date_of_birth",
                       "date_of_death"}),
                 {nested("nationality", "Country"), col("bio"), col("wiki"), col("last_flight"),
                  col("first_flight"), nested("social_media_links", "SocialMediaLink")}}))
      .extends("AstronautNormal");
  r.view("AstronautEndpointNormal", "astronaut",
         {mode("normal"), col("flights_count"), col("landings_count"), col("spacewalks_count")})
      .extends("AstronautDetailed");
  r.view("AstronautEndpointDetailed", "astronaut",
         {mode("detailed"), nested("flights", "LaunchNormal"),
          nested("landings", "SpacecraftFlightNormal"), nested("spacewalks", "SpacewalkNormal")})
      .extends("AstronautEndpointNormal");
  r.view("AstronautFlight", "astronaut_flight",
         {id(), nested("role", "AstronautRole"), nested("astronaut", "AstronautDetailed")});

  r.resource({
      .path = "astronauts",
      .singular = "Astronaut",
      .plural = "Astronauts",
      .modes = {{"list", "AstronautDetailed"},
                {"normal", "AstronautEndpointNormal"},
                {"detailed", "AstronautEndpointDetailed"}},
      .filters = filters({range("age"),
                          {in_list("agency_ids", "agency__id", ValueKind::Decimal)},
                          range("date_of_birth"),
                          range("date_of_death"),
                          range("first_flight"),
                          range("flights_count"),
                          {custom("has_flown", ValueKind::Boolean, has_flown)},
                          exact("in_space"),
                          {custom("is_human", ValueKind::Boolean, is_human)},
                          range("landings_count"),
                          range("last_flight"),
                          {filter("nationality", "nationality__nationality_name")},
                          {in_list("status_ids", "status__id", ValueKind::Decimal)},
                          exact("type__id")}),
      .search_fields = {"agency__abbrev", "agency__name", "name", "nationality__nationality_name"},
      .ordering_fields = {"age", "date_of_birth", "eva_time", "flights_count", "id",
                          "landings_count", "last_flight", "name", "spacewalks_count", "status",
                          "time_in_space"},
      .default_ordering = {"id"},
      .tags = {"Astronauts"},
      .schema_name = "AstronautEndpoint",
      .mode_example = "mode=list",
      .filter_example = "has_flown=true",
      .search_example = "search=Pesquet",
      .ordering_example = "ordering=-time_in_space",
  });
}

}  // namespace ll2::resources
