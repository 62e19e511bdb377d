// Pads (/2.3.0/pads/): one view whatever the mode.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

void declare_pads(model::Registry& r) {
  KindBuilder{r.kind("pad")}
      .model("Pad")
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

  r.resource({
      .path = "pads",
      .singular = "Launch Pad",
      .plural = "Launch Pads",
      .modes = {{"normal", "Pad"}},
      .filters = filters({{in_list("agencies_ids", "agencies__id")},
                          lookups("id", {Lookup::Exact, Lookup::Contains}),
                          lookups("latitude", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
                          exact("location__id"),
                          lookups("location__name", {Lookup::Exact, Lookup::Contains}),
                          lookups("longitude", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
                          lookups("name", {Lookup::Exact, Lookup::Contains}),
                          range("orbital_launch_attempt_count"),
                          range("total_launch_count")}),
      .search_fields = {"location__name", "name", "orbital_launch_attempt_count",
                        "total_launch_count"},
      .ordering_fields = {"id", "location__id", "location__name", "name",
                          "orbital_launch_attempt_count", "total_launch_count"},
      .default_ordering = {"id"},
      .mode_parameter = false,
      .tags = {"Pads"},
      .filter_example = "location__id=11",
      .search_example = "search=39A",
      .ordering_example = "ordering=-orbital_launch_attempt_count",
  });
}

}  // namespace ll2::resources
