// Launcher configurations (/2.3.0/launcher_configurations/) and their
// families (/2.3.0/launcher_configuration_families/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;
using model::Lookup;
using model::ValueKind;

void declare_launcher_configurations(model::Registry& r) {
  const auto launch_counts = {"total_launch_count",
                              "consecutive_successful_launches",
                              "successful_launches",
                              "failed_launches",
                              "pending_launches",
                              "attempted_landings",
                              "successful_landings",
                              "failed_landings",
                              "consecutive_successful_landings"};
  KindBuilder{r.kind("launcher_config_family")}
      .model("LauncherConfigFamily")
      .text({"name"})
      .m2m("manufacturer", "agency")  // a family may have several manufacturers
      .fk("parent", "launcher_config_family")
      .text({"description"})
      .boolean({"active"})
      .col("maiden_flight", ColumnType::Date)
      .integer(launch_counts);
  KindBuilder{r.kind("launcher_config")}
      .model("LauncherConfig")
      .text({"name"})
      .m2m("families", "launcher_config_family")
      .text({"full_name", "variant"})
      .boolean({"active", "is_placeholder"})
      .fk("manufacturer", "agency")
      .m2m("program", "program")
      .boolean({"reusable"})
      .fk("image", "image")
      .text({"info_url", "wiki_url", "description", "alias"})
      .integer({"min_stage", "max_stage"})
      .flt({"length", "diameter"})
      .col("maiden_flight", ColumnType::Date)
      .integer({"launch_cost"})
      .flt({"launch_mass", "leo_capacity", "gto_capacity", "geo_capacity", "sso_capacity",
            "to_thrust", "apogee"})
      .integer(launch_counts)
      .text({"fastest_turnaround"});

  r.view("LauncherConfigFamilyMini", "launcher_config_family", {mode("list"), id(), col("name")});
  r.view("LauncherConfigFamilyNormal", "launcher_config_family",
         {mode("normal"), nested("manufacturer", "AgencyNormal"),
          nested("parent", "LauncherConfigFamilyMini")})
      .extends("LauncherConfigFamilyMini");
  r.view("LauncherConfigFamilyDetailed", "launcher_config_family",
         fields({{mode("detailed"), nested("manufacturer", "AgencyDetailed"),
                  nested("parent", "LauncherConfigFamilyNormal"), col("description"), col("active"),
                  col("maiden_flight")},
                 cols(launch_counts)}))
      .extends("LauncherConfigFamilyNormal");

  r.view("LauncherConfigList", "launcher_config",
         {mode("list"), id(), url("launcher_configurations"), col("name"),
          nested("families", "LauncherConfigFamilyMini"), col("full_name"), col("variant")});
  r.view("LauncherConfigNormal", "launcher_config",
         {mode("normal"), nested("families", "LauncherConfigFamilyNormal"), col("active"),
          col("is_placeholder"), nested("manufacturer", "AgencyNormal"),
          nested("program", "ProgramNormal"), col("reusable"), nested("image", "Image"),
          col("info_url"), col("wiki_url")})
      .extends("LauncherConfigList");
  r.view("LauncherConfigDetailed", "launcher_config",
         fields({{mode("detailed"), nested("families", "LauncherConfigFamilyDetailed"),
                  nested("manufacturer", "AgencyDetailed")},
                 cols({"description", "alias", "min_stage", "max_stage", "length", "diameter",
                       "maiden_flight", "launch_cost", "launch_mass", "leo_capacity",
                       "gto_capacity", "geo_capacity", "sso_capacity", "to_thrust", "apogee"}),
                 cols(launch_counts),
                 {col("fastest_turnaround")}}))
      .extends("LauncherConfigNormal");
  // Nested in its manufacturer's AgencyEndpointDetailed.
  r.view("LauncherConfigDetailedSerializerNoManufacturer", "launcher_config", {})
      .extends("LauncherConfigDetailed")
      .without({"manufacturer"});

  r.resource({
      .path = "launcher_configuration_families",
      .singular = "Launcher Configuration Family",
      .plural = "Launcher Configuration Families",
      .modes = {{"list", "LauncherConfigFamilyMini"},
                {"normal", "LauncherConfigFamilyNormal"},
                {"detailed", "LauncherConfigFamilyDetailed"}},
      .filters =
          filters({range("attempted_landings"),
                   range("consecutive_successful_landings"),
                   range("consecutive_successful_launches"),
                   range("failed_landings"),
                   range("failed_launches"),
                   range("maiden_flight"),
                   lookups("manufacturer__abbrev", {Lookup::Exact, Lookup::Contains}),
                   {filter("manufacturer__country_code", "manufacturer__country__alpha_3_code")},
                   lookups("manufacturer__id", {Lookup::Exact, Lookup::Contains}),
                   lookups("manufacturer__name", {Lookup::Exact, Lookup::Contains}),
                   lookups("name", {Lookup::Exact, Lookup::Contains}),
                   range("pending_launches"),
                   range("successful_landings"),
                   range("successful_launches"),
                   range("total_launch_count")}),
      .search_fields = {"manufacturer__abbrev", "manufacturer__name", "name"},
      .ordering_fields = {"attempted_landings", "consecutive_successful_landings",
                          "consecutive_successful_launches", "failed_landings", "failed_launches",
                          "name", "pending_launches", "successful_landings", "successful_launches",
                          "total_launch_count"},
      .default_ordering = {"id"},
      .tags = {"Launcher", "Families"},
      .schema_name = "LauncherConfigFamilyEndpoint",
      .mode_example = "mode=list",
      .filter_example = "manufacturer__name=SpaceX",
      .search_example = "search=Ariane",
      .ordering_example = "ordering=-total_launch_count",
  });
  r.resource({
      .path = "launcher_configurations",
      .singular = "Launcher Configuration",
      .plural = "Launcher Configurations",
      .modes = {{"list", "LauncherConfigList"},
                {"normal", "LauncherConfigNormal"},
                {"detailed", "LauncherConfigDetailed"}},
      .filters = filters(
          {exact("active"),
           range("attempted_landings"),
           range("consecutive_successful_landings"),
           range("consecutive_successful_launches"),
           range("failed_landings"),
           range("failed_launches"),
           {filter("families", "families")},
           {filter("families__contains", "families", Lookup::Exact, ValueKind::MultipleChoice)},
           lookups("full_name", {Lookup::Exact, Lookup::Contains}),
           exact("is_placeholder"),
           range("maiden_flight"),
           lookups("manufacturer__name", {Lookup::Exact, Lookup::Contains}),
           lookups("name", {Lookup::Exact, Lookup::Contains}),
           range("pending_launches"),
           {filter("program", "program")},
           {filter("program__contains", "program", Lookup::Exact, ValueKind::MultipleChoice)},
           range("successful_landings"),
           range("successful_launches"),
           range("total_launch_count")}),
      .search_fields = {"full_name", "manufacturer__abbrev", "manufacturer__name", "name"},
      .ordering_fields = {"attempted_landings", "consecutive_successful_landings",
                          "consecutive_successful_launches", "failed_landings", "failed_launches",
                          "gto_capacity", "launch_cost", "launch_mass", "leo_capacity",
                          "maiden_flight", "name", "pending_launches", "successful_landings",
                          "successful_launches", "total_launch_count"},
      .default_ordering = {"name"},  // LL2's model ordering (facts §8)
      .tags = {"Launcher", "Configurations"},
      .schema_name = "LauncherConfigEndpoint",
      .mode_example = "mode=list",
      .filter_example = "manufacturer__name=SpaceX",
      .search_example = "search=Soyuz",
      .ordering_example = "ordering=-total_launch_count",
  });
}

}  // namespace ll2::resources
