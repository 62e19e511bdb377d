// Payloads (/2.3.0/payloads/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_payloads(model::Registry& r) {
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

  r.view("PayloadMini", "payload",
         {mode("list"), id(), col("name"), nested("type", "PayloadType"),
          nested("manufacturer", "AgencyMini"), nested("operator", "AgencyMini"),
          nested("image", "Image")});
  r.view("PayloadNormal", "payload",
         {mode("normal"), nested("manufacturer", "AgencyNormal"),
          nested("operator", "AgencyNormal"), col("wiki_link"), col("info_link"),
          nested("program", "ProgramMini"), col("cost"), col("mass"), col("description")})
      .extends("PayloadMini");
  r.view("PayloadDetailed", "payload",
         {mode("detailed"), nested("manufacturer", "AgencyDetailed"),
          nested("operator", "AgencyDetailed"), nested("program", "ProgramNormal")})
      .extends("PayloadNormal");
}

}  // namespace ll2::resources
