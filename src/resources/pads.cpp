// Pads (/2.3.0/pads/): one view whatever the mode.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_pads(model::Registry& r) {
  KindBuilder{r.kind("pad")}
      .boolean({"active"})
      .m2m("agencies", "agency")
      .text({"name"})
      .fk("image", "image")
      .text({"description", "info_url", "wiki_url", "map_url"})
      .flt({"latitude", "longitude"})
      .fk("country", "country")
      .text({"map_image"})
      .integer({"total_launch_count", "orbital_launch_attempt_count"})
      .text({"fastest_turnaround"})
      .fk("location", "location");

  r.view("Pad", "pad",
         fields({{id(), url("pads"), col("active"), nested("agencies", "AgencyNormal"), col("name"),
                  nested("image", "Image")},
                 cols({"description", "info_url", "wiki_url", "map_url", "latitude", "longitude"}),
                 {nested("country", "Country")},
                 cols({"map_image", "total_launch_count", "orbital_launch_attempt_count",
                       "fastest_turnaround"}),
                 {nested("location", "Location")}}));
  r.view("PadSerializerNoLocation", "pad", {nested("agencies", "AgencyMini")})
      .extends("Pad")
      .without({"location"});
}

}  // namespace ll2::resources
