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
  const auto payload_head = [](const char* mode_name, const char* agency_view) {
    return std::vector{mode(mode_name),
                       id(),
                       col("name"),
                       nested("type", "PayloadType"),
                       nested("manufacturer", agency_view),
                       nested("operator", agency_view),
                       nested("image", "Image")};
  };
  r.view("PayloadMini", "payload", payload_head("list", "AgencyMini"));
  r.view("PayloadNormal", "payload",
         fields({payload_head("normal", "AgencyNormal"),
                 {col("wiki_link"), col("info_link"), nested("program", "ProgramMini"), col("cost"),
                  col("mass"), col("description")}}));
  const auto flight = [](const char* mode_name, const char* payload_view, const char* launch_view) {
    return std::vector{mode(mode_name),
                       id(),
                       url("payload_flights"),
                       col("destination"),
                       col("amount"),
                       nested("payload", payload_view),
                       nested("launch", launch_view),
                       nested("landing", "Landing")};
  };
  r.view("PayloadFlightMini", "payload_flight", flight("list", "PayloadMini", "LaunchMini"));
  r.view("PayloadFlightNormal", "payload_flight",
         flight("normal", "PayloadNormal", "LaunchNormal"));
}

}  // namespace ll2::resources
