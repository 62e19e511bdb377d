// Spacecraft (/2.3.0/spacecraft/): individual vehicles.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_spacecraft(model::Registry& r) {
  KindBuilder{r.kind("spacecraft")}
      .model("Spacecraft")
      .text({"name", "serial_number"})
      .boolean({"is_placeholder"})
      .fk("image", "image")
      .boolean({"in_space"})
      .text({"time_in_space", "time_docked"})  // LL2 prints these as ISO 8601 strings
      .integer({"flights_count", "mission_ends_count"})
      .fk("status", "spacecraft_status")
      .text({"description"})
      .fk("spacecraft_config", "spacecraft_config")
      .text({"fastest_turnaround"})
      .reverse("flights", "spacecraft_flight", "spacecraft");

  r.view(
      "SpacecraftNormal", "spacecraft",
      fields({{mode("normal"), id(), url("spacecraft"), col("name"), col("serial_number"),
               col("is_placeholder"), nested("image", "Image")},
              cols({"in_space", "time_in_space", "time_docked", "flights_count",
                    "mission_ends_count"}),
              {nested("status", "SpacecraftStatus"), col("description"),
               nested("spacecraft_config", "SpacecraftConfigNormal"), col("fastest_turnaround")}}));
  // Says "normal": nested in detailed flights.
  r.view("SpacecraftDetailed", "spacecraft",
         {nested("spacecraft_config", "SpacecraftConfigDetailed")})
      .extends("SpacecraftNormal");
  r.view("SpacecraftEndpointDetailed", "spacecraft",
         {mode("detailed"), nested("flights", "SpacecraftFlightNormal")})
      .extends("SpacecraftDetailed");

  r.resource({
      .path = "spacecraft",
      .singular = "Spacecraft",
      .plural = "Spacecraft",
      .modes = {{"normal", "SpacecraftNormal"}, {"detailed", "SpacecraftEndpointDetailed"}},
      .filters = filters({exact("in_space"), exact("is_placeholder"), exact("name"),
                          exact("spacecraft_config"), exact("status")}),
      .search_fields = {"name", "spacecraft_config__name"},
      .ordering_fields = {"flights_count", "id", "mission_ends_count", "time_docked",
                          "time_in_space"},
      .default_ordering = {"id"},
      .tags = {"Spacecraft"},
      .schema_name = "SpacecraftEndpoint",
      .mode_example = "mode=detailed",
      .filter_example = "is_placeholder=True",
      .search_example = "search=Endeavour",
      .ordering_example = "ordering=-flights_count",
  });
}

}  // namespace ll2::resources
