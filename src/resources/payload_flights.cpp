// Payload flights (/2.3.0/payload_flights/): one payload on one launch.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_payload_flights(model::Registry& r) {
  KindBuilder{r.kind("payload_flight")}
      .model("PayloadFlight")
      .text({"destination"})
      .integer({"amount"})
      .fk("payload", "payload")
      .fk("launch", "launch")
      .fk("landing", "landing")
      .fk("rocket", "rocket")  // not printed: the rocket lists its payloads
      .reverse("docking_events", "docking_event", "payload_flight_chaser")
      // LL2 links a flight to its rocket and to its launch (whose rocket it
      // is); each view gives one of the two.
      .derive("rocket", "launch__rocket")
      .derive("launch", "rocket__launch");

  r.view("PayloadFlightMini", "payload_flight",
         {mode("list"), id(), url("payload_flights"), col("destination"), col("amount"),
          nested("payload", "PayloadMini"), nested("launch", "LaunchMini"),
          nested("landing", "Landing")});
  r.view("PayloadFlightNormal", "payload_flight",
         {mode("normal"), nested("payload", "PayloadNormal"), nested("launch", "LaunchNormal")})
      .extends("PayloadFlightMini");
  r.view("PayloadFlightDetailed", "payload_flight",
         {mode("detailed"), nested("payload", "PayloadDetailed"),
          nested("docking_events", "DockingEventForChaserNormal")})
      .extends("PayloadFlightNormal");
  // Shown from the landing's or the rocket's side.
  r.view("PayloadFlightMiniSerializerNoLanding", "payload_flight", {})
      .extends("PayloadFlightMini")
      .without({"landing"});
  r.view("PayloadFlightNormalSerializerNoLanding", "payload_flight", {})
      .extends("PayloadFlightNormal")
      .without({"landing"});
  r.view("PayloadFlightDetailedSerializerNoLanding", "payload_flight", {})
      .extends("PayloadFlightDetailed")
      .without({"landing"});
  r.view("PayloadFlightSerializerNoLaunch", "payload_flight", {})
      .extends("PayloadFlightDetailed")
      .without({"launch"});

  r.resource({
      .path = "payload_flights",
      .singular = "Payload Flight",
      .plural = "Payload Flights",
      .modes = {{"list", "PayloadFlightMini"},
                {"normal", "PayloadFlightNormal"},
                {"detailed", "PayloadFlightDetailed"}},
      .filters = filters({exact("payload")}),
      .default_ordering = {"id"},
      .tags = {"Flights"},
      .schema_name = "PayloadFlightEndpoint",
      .mode_example = "mode=list",
      .filter_example = "payload=2",
  });
}

}  // namespace ll2::resources
