// Launchers (/2.3.0/launchers/): reusable first stages and boosters, and the
// first stages (one flight of a launcher on a rocket) they fly as.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

void declare_launchers(model::Registry& r) {
  KindBuilder{r.kind("launcher")}
      .model("Launcher")
      .boolean({"flight_proven"})
      .text({"serial_number"})
      .boolean({"is_placeholder"})
      .fk("status", "launcher_status")
      .fk("image", "image")
      .text({"details"})
      .integer({"successful_landings", "attempted_landings", "flights"})
      .datetime({"last_launch_date", "first_launch_date"})
      .text({"fastest_turnaround"})
      .fk("launcher_config", "launcher_config")
      // Not printed: the Starship dashboard finds the cores that flew its launches.
      .reverse("firststage", "first_stage", "launcher");
  KindBuilder{r.kind("first_stage")}
      .model("FirstStage")
      .text({"type"})  // LL2 prints the stage type by name only
      .boolean({"reused"})
      .integer({"launcher_flight_number"})
      .fk("launcher", "launcher")
      .datetime({"previous_flight_date"})
      .text({"turn_around_time"})
      .fk("landing", "landing")
      .fk("previous_flight", "launch")
      .fk("rocket", "rocket");  // not printed: the rocket lists its stages

  r.view("LauncherMini", "launcher",
         {mode("list"), id(), url("launchers"), col("flight_proven"), col("serial_number"),
          col("is_placeholder"), nested("status", "LauncherStatus"), nested("image", "Image")});
  r.view("LauncherNormal", "launcher",
         fields({{mode("normal")},
                 cols({"details", "successful_landings", "attempted_landings", "flights",
                       "last_launch_date", "first_launch_date", "fastest_turnaround"})}))
      .extends("LauncherMini");
  r.view("LauncherDetailed", "launcher",
         {mode("detailed"), nested("launcher_config", "LauncherConfigList")})
      .extends("LauncherNormal");

  r.view(
      "FirstStageMini", "first_stage",
      {id(), col("type"), col("reused"), col("launcher_flight_number"),
       nested("launcher", "LauncherMini"), col("previous_flight_date"), col("turn_around_time")});
  r.view("FirstStageNormal", "first_stage",
         {nested("launcher", "LauncherNormal"), nested("landing", "Landing"),
          nested("previous_flight", "LaunchMini")})
      .extends("FirstStageMini");
  r.view("FirstStageNormalSerializerNoLanding", "first_stage", {})
      .extends("FirstStageNormal")
      .without({"landing"});
  r.view("FirstStageDetailedSerializerNoLanding", "first_stage",
         {nested("previous_flight", "LaunchNormal")})
      .extends("FirstStageNormalSerializerNoLanding");

  r.resource({
      .path = "launchers",
      .singular = "Launcher",
      .plural = "Launchers",
      .modes = {{"list", "LauncherMini"},
                {"normal", "LauncherNormal"},
                {"detailed", "LauncherDetailed"}},
      .filters = filters(
          {range("attempted_landings"),
           exact("first_launch_date"),
           exact("flight_proven"),
           range("flights"),
           lookups("id", {Lookup::Exact, Lookup::Contains}),
           exact("is_placeholder"),
           exact("last_launch_date"),
           {in_list("launcher_config__ids", "launcher_config__id")},
           lookups("launcher_config__manufacturer__name", {Lookup::Exact, Lookup::Contains}),
           lookups("serial_number", {Lookup::Exact, Lookup::Contains}),
           exact("status"),
           range("successful_landings")}),
      .search_fields = {"serial_number", "status__name"},
      .ordering_fields = {"attempted_landings", "flight_proven", "flights", "id",
                          "successful_landings"},
      .default_ordering = {"serial_number"},  // LL2's model ordering (facts §8)
      .tags = {"Launchers"},
      .schema_name = "LauncherEndpoint",
      .mode_example = "mode=list",
      .filter_example = "is_placeholder=True",
      .search_example = "search=B1048",
      .ordering_example = "ordering=-flights",
  });
}

}  // namespace ll2::resources
