// Spacecraft flights (/2.3.0/spacecraft_flights/): one spacecraft on one
// launch, with its crews and the dockings it made as the chaser.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_spacecraft_flights(model::Registry& r) {
  KindBuilder{r.kind("spacecraft_flight")}
      .model("SpacecraftFlight")
      .text({"destination"})
      .datetime({"mission_end"})
      .fk("spacecraft", "spacecraft")
      .fk("launch", "launch")
      .fk("landing", "landing")
      .text({"duration", "turn_around_time"})  // ISO 8601 durations, as LL2 wrote them
      .fk("rocket", "rocket")                  // not printed: the rocket lists its spacecraft
      .m2m("launch_crew", "astronaut_flight")
      .m2m("onboard_crew", "astronaut_flight")
      .m2m("landing_crew", "astronaut_flight")
      .reverse("docking_events", "docking_event", "flight_vehicle_chaser")
      // LL2 links a flight to its rocket and to its launch (whose rocket it
      // is); each view gives one of the two.
      .derive("rocket", "launch__rocket")
      .derive("launch", "rocket__launch");

  r.view("SpacecraftFlightMini", "spacecraft_flight",
         {id(), url("spacecraft_flights"), col("destination"), col("mission_end"),
          nested("spacecraft", "SpacecraftNormal"), nested("launch", "LaunchMini"),
          nested("landing", "Landing"), col("duration"), col("turn_around_time")});
  r.view("SpacecraftFlightNormal", "spacecraft_flight",
         {nested("launch", "LaunchNormal"), mode("normal")})
      .extends("SpacecraftFlightMini");
  r.view("SpacecraftFlightDetailed", "spacecraft_flight",
         {nested("spacecraft", "SpacecraftDetailed"), mode("detailed"),
          nested("launch_crew", "AstronautFlight"), nested("onboard_crew", "AstronautFlight"),
          nested("landing_crew", "AstronautFlight"),
          nested("docking_events", "DockingEventForChaserNormal")})
      .extends("SpacecraftFlightNormal");
  // Shown from the landing's, the rocket's or a docking event's side.
  r.view("SpacecraftFlightMiniSerializerNoLanding", "spacecraft_flight", {})
      .extends("SpacecraftFlightMini")
      .without({"landing"});
  r.view("SpacecraftFlightNormalSerializerNoLanding", "spacecraft_flight", {})
      .extends("SpacecraftFlightNormal")
      .without({"landing"});
  r.view("SpacecraftFlightDetailedSerializerNoLanding", "spacecraft_flight", {})
      .extends("SpacecraftFlightDetailed")
      .without({"landing"});
  r.view("SpacecraftFlightDetailedSerializerNoLaunch", "spacecraft_flight", {})
      .extends("SpacecraftFlightDetailed")
      .without({"launch"});
  r.view("SpacecraftFlightForDockingEvent", "spacecraft_flight",
         {id(), url("spacecraft_flights"), nested("spacecraft", "SpacecraftDetailed"),
          nested("launch", "LaunchNormal")});

  r.resource({
      .path = "spacecraft_flights",
      .singular = "Spacecraft Flight",
      .plural = "Spacecraft Flights",
      .modes = {{"normal", "SpacecraftFlightNormal"}, {"detailed", "SpacecraftFlightDetailed"}},
      .filters = filters({exact("spacecraft")}),
      .default_ordering = {"id"},
      .tags = {"Spacecraft", "Flights"},
      .schema_name = "SpacecraftFlightEndpoint",
      .mode_example = "mode=detailed",
      .filter_example = "spacecraft=289",
  });
}

}  // namespace ll2::resources
