// Spacewalks (/2.3.0/spacewalks/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;
using model::ValueKind;

void declare_spacewalks(model::Registry& r) {
  KindBuilder{r.kind("spacewalk")}
      .model("Spacewalk")
      .text({"name"})
      .datetime({"start", "end"})
      .text({"duration", "location"})  // duration: an ISO 8601 string, as LL2 wrote it
      .m2m("crew", "astronaut_flight")
      .fk("spacestation", "space_station")
      .fk("expedition", "expedition")
      .fk("spacecraft_flight", "spacecraft_flight")
      .fk("event", "event")
      .m2m("program", "program");

  r.view("SpacewalkList", "spacewalk",
         {mode("list"), id(), url("spacewalks"), col("name"), col("start"), col("end"),
          col("duration"), col("location")});
  // Says "list": nested in astronauts.
  r.view("SpacewalkNormal", "spacewalk", {nested("crew", "AstronautFlight")})
      .extends("SpacewalkList");
  r.view("SpacewalkEndpointNormal", "spacewalk",
         {mode("normal"), nested("spacestation", "SpaceStationMini"),
          nested("expedition", "ExpeditionMini"),
          nested("spacecraft_flight", "SpacecraftFlightNormal"), nested("event", "EventMini"),
          nested("program", "ProgramMini")})
      .extends("SpacewalkNormal");
  r.view("SpacewalkEndpointDetailed", "spacewalk",
         {mode("detailed"), nested("spacestation", "SpaceStationNormal"),
          nested("expedition", "ExpeditionNormalSerializerForSpacewalk"),
          nested("spacecraft_flight", "SpacecraftFlightDetailed"), nested("event", "EventNormal"),
          nested("program", "ProgramNormal")})
      .extends("SpacewalkEndpointNormal");

  r.resource({
      .path = "spacewalks",
      .singular = "Spacewalk",
      .plural = "Spacewalks",
      .modes = {{"list", "SpacewalkList"},
                {"normal", "SpacewalkEndpointNormal"},
                {"detailed", "SpacewalkEndpointDetailed"}},
      .filters = filters({{in_list("astronaut__ids", "crew__astronaut__id")},
                          {date_part("day", "start", Lookup::Day)},
                          range("end"),
                          {in_list("event__ids", "event__id")},
                          exact("id"),
                          {in_list("ids", "id")},
                          {in_list("launch__ids", "spacecraft_flight__launch__id")},
                          {date_part("month", "start", Lookup::Month)},
                          lookups("name", {Lookup::Exact, Lookup::Contains}),
                          {in_list("owner__ids", "spacestation__owners__id", ValueKind::Decimal)},
                          {in_list("program__ids", "program__id")},
                          lookups("program__name", {Lookup::Exact, Lookup::Contains}),
                          {in_list("spacestation__ids", "spacestation__id")},
                          lookups("start", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
                          {date_part("year", "start", Lookup::Year)}}),
      .search_fields = {"crew__astronaut__name", "location", "name", "program__name"},
      .ordering_fields = {"duration", "end", "id", "name", "start"},
      .default_ordering = {"id"},
      .tags = {"Spacewalks"},
      .schema_name = "SpacewalkEndpoint",
      .mode_example = "mode=list",
      .filter_example = "program__name=Apollo",
      .search_example = "search=Hubble",
      .ordering_example = "ordering=-duration",
  });
}

}  // namespace ll2::resources
