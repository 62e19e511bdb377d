// Spacecraft configurations, spacecraft and their flights.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;

void declare_spacecraft(model::Registry& r) {
  KindBuilder{r.kind("spacecraft_config_type")}.text({"name"});
  KindBuilder{r.kind("spacecraft_config_family")}
      .text({"name", "description"})
      .fk("manufacturer", "agency")
      .fk("parent", "spacecraft_config_family")
      .col("maiden_flight", ColumnType::Date);
  KindBuilder{r.kind("spacecraft_config")}
      .text({"name"})
      .fk("type", "spacecraft_config_type")
      .fk("agency", "agency")
      .m2m("family", "spacecraft_config_family")
      .boolean({"in_use"})
      .fk("image", "image");
  KindBuilder{r.kind("spacecraft_status")}.text({"name"});
  KindBuilder{r.kind("spacecraft")}
      .text({"name", "serial_number"})
      .boolean({"is_placeholder"})
      .fk("image", "image")
      .boolean({"in_space"})
      .text({"time_in_space", "time_docked"})  // LL2 prints these as ISO 8601 strings
      .integer({"flights_count", "mission_ends_count"})
      .fk("status", "spacecraft_status")
      .text({"description"})
      .fk("spacecraft_config", "spacecraft_config")
      .text({"fastest_turnaround"});
  KindBuilder{r.kind("spacecraft_flight")}
      .text({"destination"})
      .datetime({"mission_end"})
      .fk("spacecraft", "spacecraft")
      .fk("launch", "launch")
      .fk("landing", "landing")
      .text({"duration", "turn_around_time"});

  r.view("SpacecraftConfigType", "spacecraft_config_type", {id(), col("name")});
  r.view("SpacecraftConfigFamilyMini", "spacecraft_config_family",
         {mode("list"), id(), col("name")});
  r.view("SpacecraftConfigFamilyNormal", "spacecraft_config_family",
         {mode("normal"), col("description"), nested("manufacturer", "AgencyMini"),
          nested("parent", "SpacecraftConfigFamilyMini"), col("maiden_flight")})
      .extends("SpacecraftConfigFamilyMini");
  r.view(
      "SpacecraftConfigNormal", "spacecraft_config",
      {mode("normal"), id(), url("spacecraft_configurations"), col("name"),
       nested("type", "SpacecraftConfigType"), nested("agency", "AgencyMini"),
       nested("family", "SpacecraftConfigFamilyNormal"), col("in_use"), nested("image", "Image")});
  r.view("SpacecraftStatus", "spacecraft_status", {id(), col("name")});
  r.view(
      "SpacecraftNormal", "spacecraft",
      fields({{mode("normal"), id(), url("spacecraft"), col("name"), col("serial_number"),
               col("is_placeholder"), nested("image", "Image")},
              cols({"in_space", "time_in_space", "time_docked", "flights_count",
                    "mission_ends_count"}),
              {nested("status", "SpacecraftStatus"), col("description"),
               nested("spacecraft_config", "SpacecraftConfigNormal"), col("fastest_turnaround")}}));
  r.view("SpacecraftFlightMini", "spacecraft_flight",
         {id(), url("spacecraft_flights"), col("destination"), col("mission_end"),
          nested("spacecraft", "SpacecraftNormal"), nested("launch", "LaunchMini"),
          nested("landing", "Landing"), col("duration"), col("turn_around_time")});
  r.view("SpacecraftFlightNormal", "spacecraft_flight",
         {nested("launch", "LaunchNormal"), mode("normal")})
      .extends("SpacecraftFlightMini");
}

}  // namespace ll2::resources
