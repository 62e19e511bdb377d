// Programs (/2.3.0/programs/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_programs(model::Registry& r) {
  KindBuilder{r.kind("program")}
      .model("Program")
      .text({"name"})
      .fk("image", "image")
      .text({"info_url", "wiki_url", "description"})
      .m2m("agencies", "agency")
      .datetime({"start_date", "end_date"})
      .m2m("mission_patches", "mission_patch")
      .fk("type", "program_type")
      .rows("vid_urls", "vid_url");  // printed by 2.4.0's ProgramNormal

  r.view("ProgramMini", "program",
         {mode("list"), id(), url("programs"), col("name"), nested("image", "Image"),
          col("info_url"), col("wiki_url")});
  r.view(
       "ProgramNormal", "program",
       {mode("normal"), col("description"), nested("agencies", "AgencyMini"), col("start_date"),
        col("end_date"), nested("mission_patches", "MissionPatch"), nested("type", "ProgramType")})
      .extends("ProgramMini");

  r.resource({
      .path = "programs",
      .singular = "Program",
      .plural = "Programs",
      .modes = {{"list", "ProgramMini"}, {"normal", "ProgramNormal"}},
      .detail_mode = "normal",
      .default_ordering = {"id"},
      .tags = {"Programs"},
      .schema_name = "ProgramEndpoint",
      .mode_example = "mode=list",
  });
}

}  // namespace ll2::resources
