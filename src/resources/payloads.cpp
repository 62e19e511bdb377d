#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_payloads(model::Registry& r) {
  KindBuilder{r.kind("payload_type")}.text({"name"});
  KindBuilder{r.kind("payload")}
      .text({"name"})
      .fk("type", "payload_type")
      .fk("manufacturer", "agency")
      .fk("operator", "agency")
      .fk("image", "image")
      .text({"wiki_link", "info_link"})
      .m2m("program", "program")
      .integer({"cost"})
      .flt({"mass"})
      .text({"description"});
  KindBuilder{r.kind("payload_flight")}
      .text({"destination"})
      .integer({"amount"})
      .fk("payload", "payload")
      .fk("launch", "launch")
      .fk("landing", "landing");

  r.view("PayloadType", "payload_type", {id(), col("name")});
  r.view("PayloadMini", "payload",
         {mode("list"), id(), col("name"), nested("type", "PayloadType"),
          nested("manufacturer", "AgencyMini"), nested("operator", "AgencyMini"),
          nested("image", "Image")});
  r.view("PayloadNormal", "payload",
         {mode("normal"), nested("manufacturer", "AgencyNormal"),
          nested("operator", "AgencyNormal"), col("wiki_link"), col("info_link"),
          nested("program", "ProgramMini"), col("cost"), col("mass"), col("description")})
      .extends("PayloadMini");
  r.view("PayloadFlightMini", "payload_flight",
         {mode("list"), id(), url("payload_flights"), col("destination"), col("amount"),
          nested("payload", "PayloadMini"), nested("launch", "LaunchMini"),
          nested("landing", "Landing")});
  r.view("PayloadFlightNormal", "payload_flight",
         {mode("normal"), nested("payload", "PayloadNormal"), nested("launch", "LaunchNormal")})
      .extends("PayloadFlightMini");
}

}  // namespace ll2::resources
