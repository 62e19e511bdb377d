// Payloads (/2.3.0/payloads/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_payloads(model::Registry& r) {
  KindBuilder{r.kind("payload")}
      .model("Payload")
      .text({"name"})
      .fk("type", "payload_type")
      .fk("manufacturer", "agency")
      .fk("operator", "agency")
      .fk("image", "image")
      .text({"wiki_link", "info_link"})
      .m2m("program", "program")
      .integer({"cost"})
      .flt({"mass"})
      .text({"description"})
      // Not printed; searched and ordered through, as LL2's `payloadflight`.
      .reverse("payloadflight", "payload_flight", "payload");

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

  r.resource({
      .path = "payloads",
      .singular = "Payload",
      .plural = "Payloads",
      .modes = {{"list", "PayloadMini"},
                {"normal", "PayloadNormal"},
                {"detailed", "PayloadDetailed"}},
      .filters = filters({exact("manufacturer__id"), exact("manufacturer__name"), exact("name"),
                          exact("operator"), exact("operator__id"), exact("operator__name"),
                          exact("program__id")}),
      .search_fields = {"manufacturer__name", "name", "operator__name",
                        "payloadflight__destination", "payloadflight__rocket__launch__name"},
      .ordering_fields = {"id", "name", "payloadflight__rocket__launch__net"},
      .default_ordering = {"id"},
      .tags = {"Payloads"},
      .schema_name = "PayloadEndpoint",
      .mode_example = "mode=list",
      .filter_example = "program__id=18",
      .search_example = "search=EarthCare",
      .ordering_example = "ordering=-payloadflight__rocket__launch__net",
  });
}

}  // namespace ll2::resources
