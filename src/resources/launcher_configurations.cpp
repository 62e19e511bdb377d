// Launcher configurations (/2.3.0/launcher_configurations/) and their
// families (/2.3.0/launcher_configuration_families/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;

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
      .text({"name"})
      .m2m("manufacturer", "agency")  // a family may have several manufacturers
      .fk("parent", "launcher_config_family")
      .text({"description"})
      .boolean({"active"})
      .col("maiden_flight", ColumnType::Date)
      .integer(launch_counts);
  KindBuilder{r.kind("launcher_config")}
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
}

}  // namespace ll2::resources
