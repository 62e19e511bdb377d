// Spacecraft configurations (/2.3.0/spacecraft_configurations/) and their
// families (/2.3.0/spacecraft_configuration_families/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;

void declare_spacecraft_configurations(model::Registry& r) {
  const auto counts = {"spacecraft_flown", "total_launch_count", "successful_launches",
                       "failed_launches",  "attempted_landings", "successful_landings",
                       "failed_landings"};
  KindBuilder{r.kind("spacecraft_config_family")}
      .model("SpacecraftConfigFamily")
      .text({"name", "description"})
      .fk("manufacturer", "agency")
      .fk("parent", "spacecraft_config_family")
      .col("maiden_flight", ColumnType::Date)
      .integer(counts)
      .reverse("spacecraft", "spacecraft_config", "family", "name");  // LL2 orders them by name
  KindBuilder{r.kind("spacecraft_config")}
      .model("SpacecraftConfiguration")
      .text({"name"})
      .fk("type", "spacecraft_config_type")
      .fk("agency", "agency")
      .m2m("family", "spacecraft_config_family")
      .boolean({"in_use"})
      .fk("image", "image")
      .text({"capability", "history", "details"})
      .col("maiden_flight", ColumnType::Date)
      .flt({"height", "diameter"})
      .boolean({"human_rated"})
      .integer({"crew_capacity", "payload_capacity", "payload_return_capacity"})
      .text({"flight_life", "wiki_link", "info_link"})
      .integer(counts)
      .text({"fastest_turnaround"});

  r.view("SpacecraftConfigFamilyMini", "spacecraft_config_family",
         {mode("list"), id(), col("name")});
  r.view("SpacecraftConfigFamilyNormal", "spacecraft_config_family",
         {mode("normal"), col("description"), nested("manufacturer", "AgencyMini"),
          nested("parent", "SpacecraftConfigFamilyMini"), col("maiden_flight")})
      .extends("SpacecraftConfigFamilyMini");
  // Says "normal": nested in detailed configurations.
  r.view("SpacecraftConfigFamilyDetailed", "spacecraft_config_family",
         fields({{nested("manufacturer", "AgencyNormal"),
                  nested("parent", "SpacecraftConfigFamilyNormal")},
                 cols(counts)}))
      .extends("SpacecraftConfigFamilyNormal");
  r.view("SpacecraftConfigFamilyEndpointDetailed", "spacecraft_config_family",
         {mode("detailed"), nested("spacecraft", "SpacecraftConfigNormal")})
      .extends("SpacecraftConfigFamilyDetailed");

  r.view(
      "SpacecraftConfigNormal", "spacecraft_config",
      {mode("normal"), id(), url("spacecraft_configurations"), col("name"),
       nested("type", "SpacecraftConfigType"), nested("agency", "AgencyMini"),
       nested("family", "SpacecraftConfigFamilyNormal"), col("in_use"), nested("image", "Image")});
  r.view("SpacecraftConfigDetailed", "spacecraft_config",
         fields({{mode("detailed"), nested("agency", "AgencyNormal"),
                  nested("family", "SpacecraftConfigFamilyDetailed")},
                 cols({"capability", "history", "details", "maiden_flight", "height", "diameter",
                       "human_rated", "crew_capacity", "payload_capacity",
                       "payload_return_capacity", "flight_life", "wiki_link", "info_link"}),
                 cols(counts),
                 {col("fastest_turnaround")}}))
      .extends("SpacecraftConfigNormal");

  r.resource({
      .path = "spacecraft_configuration_families",
      .singular = "Spacecraft Configuration Family",
      .plural = "Spacecraft Configuration Families",
      .modes = {{"list", "SpacecraftConfigFamilyMini"},
                {"normal", "SpacecraftConfigFamilyNormal"},
                {"detailed", "SpacecraftConfigFamilyEndpointDetailed"}},
      .filters = filters({exact("manufacturer"), exact("name")}),
      .search_fields = {"manufacturer__abbrev", "manufacturer__name", "name"},
      .ordering_fields = {"name"},
      .default_ordering = {"id"},
      .tags = {"Spacecraft", "Families"},
      .schema_name = "SpacecraftConfigFamilyEndpoint",
      .mode_example = "mode=list",
      .filter_example = "manufacturer=121",
      .search_example = "search=Northrop",
      .ordering_example = "ordering=name",
  });
  r.resource({
      .path = "spacecraft_configurations",
      .singular = "Spacecraft Configuration",
      .plural = "Spacecraft Configurations",
      .modes = {{"normal", "SpacecraftConfigNormal"}, {"detailed", "SpacecraftConfigDetailed"}},
      .filters = filters({exact("agency"), exact("human_rated"), exact("in_use"), exact("name")}),
      .search_fields = {"agency__abbrev", "agency__name", "name"},
      .ordering_fields = {"name"},
      .default_ordering = {"name"},  // LL2's model ordering (facts §8)
      .tags = {"Spacecraft", "Configurations"},
      .schema_name = "SpacecraftConfigurationEndpoint",
      .mode_example = "mode=detailed",
      .filter_example = "human_rated=True",
      .search_example = "search=Dragon",
      .ordering_example = "ordering=name",
  });
}

}  // namespace ll2::resources
