// Launches and what they link to: statuses, rockets, missions, programs.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::IdType;

void declare_launches(model::Registry& r) {
  KindBuilder{r.kind("launch_status")}.text({"name", "abbrev", "description"});
  KindBuilder{r.kind("net_precision")}.text({"name", "abbrev", "description"});
  KindBuilder{r.kind("launcher_config_family")}.text({"name"});
  KindBuilder{r.kind("launcher_config")}
      .text({"name"})
      .m2m("families", "launcher_config_family")
      .text({"full_name", "variant"});
  KindBuilder{r.kind("rocket")}.fk("configuration", "launcher_config");
  KindBuilder{r.kind("orbit")}.text({"name", "abbrev"}).fk("celestial_body", "celestial_body");
  KindBuilder{r.kind("language")}.text({"name", "code"});
  KindBuilder{r.kind("info_url_type")}.text({"name"});
  KindBuilder{r.kind("vid_url_type")}.text({"name"});
  KindBuilder{r.kind("mission")}
      .text({"name", "type", "description"})  // LL2 prints the mission type by name only
      .fk("image", "image")
      .fk("orbit", "orbit")
      .m2m("agencies", "agency")
      .rows("info_urls", "info_url")
      .rows("vid_urls", "vid_url");
  KindBuilder{r.kind("info_url", IdType::None)}
      .integer({"priority"})
      .text({"source", "title", "description", "feature_image", "url"})
      .fk("type", "info_url_type")
      .fk("language", "language");
  KindBuilder{r.kind("vid_url", IdType::None)}
      .integer({"priority"})
      .text({"source", "publisher", "title", "description", "feature_image", "url"})
      .fk("type", "vid_url_type")
      .fk("language", "language")
      .datetime({"start_time", "end_time"})
      .boolean({"live"});
  KindBuilder{r.kind("program_type")}.text({"name"});
  KindBuilder{r.kind("mission_patch")}
      .text({"name"})
      .integer({"priority"})
      .text({"image_url"})
      .fk("agency", "agency");
  KindBuilder{r.kind("program")}
      .text({"name"})
      .fk("image", "image")
      .text({"info_url", "wiki_url", "description"})
      .m2m("agencies", "agency")
      .datetime({"start_date", "end_date"})
      .m2m("mission_patches", "mission_patch")
      .fk("type", "program_type");
  KindBuilder{r.kind("launch", IdType::Uuid)}
      .text({"name", "slug", "launch_designator"})
      .fk("status", "launch_status")
      .datetime({"last_updated", "net"})
      .fk("net_precision", "net_precision")
      .datetime({"window_end", "window_start"})
      .fk("image", "image")
      .text({"infographic"})
      .integer({"probability"})
      .text({"weather_concerns", "failreason", "hashtag"})
      .fk("launch_service_provider", "agency")
      .fk("rocket", "rocket")
      .fk("mission", "mission")
      .fk("pad", "pad")
      .boolean({"webcast_live"})
      .m2m("program", "program")
      .integer({"orbital_launch_attempt_count", "location_launch_attempt_count",
                "pad_launch_attempt_count", "agency_launch_attempt_count",
                "orbital_launch_attempt_count_year", "location_launch_attempt_count_year",
                "pad_launch_attempt_count_year", "agency_launch_attempt_count_year"});

  r.view("LaunchStatus", "launch_status",
         fields({{id()}, cols({"name", "abbrev", "description"})}));
  r.view("NetPrecision", "net_precision",
         fields({{id()}, cols({"name", "abbrev", "description"})}));
  r.view("LauncherConfigFamilyMini", "launcher_config_family", {mode("list"), id(), col("name")});
  r.view("LauncherConfigList", "launcher_config",
         {mode("list"), id(), url("launcher_configurations"), col("name"),
          nested("families", "LauncherConfigFamilyMini"), col("full_name"), col("variant")});
  r.view("RocketNormal", "rocket", {id(), nested("configuration", "LauncherConfigList")});
  r.view("Orbit", "orbit",
         {id(), col("name"), col("abbrev"), nested("celestial_body", "CelestialBodyMini")});
  r.view("Language", "language", {id(), col("name"), col("code")});
  r.view("InfoURLType", "info_url_type", {id(), col("name")});
  r.view("VidURLType", "vid_url_type", {id(), col("name")});
  r.view("InfoURL", "info_url",
         fields({cols({"priority", "source", "title", "description", "feature_image", "url"}),
                 {nested("type", "InfoURLType"), nested("language", "Language")}}));
  r.view("VidURL", "vid_url",
         fields({cols({"priority", "source", "publisher", "title", "description", "feature_image",
                       "url"}),
                 {nested("type", "VidURLType"), nested("language", "Language")},
                 cols({"start_time", "end_time", "live"})}));
  r.view("Mission", "mission",
         {id(), col("name"), col("type"), col("description"), nested("image", "Image"),
          nested("orbit", "Orbit"), nested("agencies", "AgencyDetailed"),
          nested("info_urls", "InfoURL"), nested("vid_urls", "VidURL")});
  r.view("ProgramType", "program_type", {id(), col("name")});
  r.view("MissionPatch", "mission_patch",
         {id(), col("name"), col("priority"), col("image_url"), nested("agency", "AgencyMini"),
          mode("normal")});
  r.view("ProgramMini", "program",
         {mode("list"), id(), url("programs"), col("name"), nested("image", "Image"),
          col("info_url"), col("wiki_url")});
  r.view(
       "ProgramNormal", "program",
       {mode("normal"), col("description"), nested("agencies", "AgencyMini"), col("start_date"),
        col("end_date"), nested("mission_patches", "MissionPatch"), nested("type", "ProgramType")})
      .extends("ProgramMini");
  r.view("LaunchMini", "launch", {id(), url("launches"), col("name")});
  r.view("LaunchBasic", "launch",
         {mode("list"), col("slug"), col("launch_designator"), nested("status", "LaunchStatus"),
          col("last_updated"), col("net"), nested("net_precision", "NetPrecision"),
          col("window_end"), col("window_start"), nested("image", "Image"), col("infographic")})
      .extends("LaunchMini");
  r.view("LaunchNormal", "launch",
         fields({{mode("normal")},
                 cols({"probability", "weather_concerns", "failreason", "hashtag"}),
                 {nested("launch_service_provider", "AgencyMini"), nested("rocket", "RocketNormal"),
                  nested("mission", "Mission"), nested("pad", "Pad"), col("webcast_live"),
                  nested("program", "ProgramNormal")},
                 cols({"orbital_launch_attempt_count", "location_launch_attempt_count",
                       "pad_launch_attempt_count", "agency_launch_attempt_count",
                       "orbital_launch_attempt_count_year", "location_launch_attempt_count_year",
                       "pad_launch_attempt_count_year", "agency_launch_attempt_count_year"})}))
      .extends("LaunchBasic");
}

}  // namespace ll2::resources
