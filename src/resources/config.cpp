// The small lookup kinds LL2 serves under /2.3.0/config/ (statuses, types,
// countries, orbits, ...) and a few more that appear only nested. Each is a
// name (or role, or abbreviation) with an id, rendered by one view.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_config(model::Registry& r) {
  // Kinds that are only an id and a name, and their views of the same shape.
  const std::pair<const char*, const char*> named[] = {
      {"agency_type", "AgencyType"},
      {"astronaut_status", "AstronautStatus"},
      {"astronaut_type", "AstronautType"},
      {"celestial_body_type", "CelestialBodyType"},
      {"event_type", "EventType"},
      {"first_stage_type", "FirstStageType"},
      {"info_url_type", "InfoURLType"},
      {"launcher_status", "LauncherStatus"},
      {"mission_type", "MissionType"},
      {"notice_type", "NoticeType"},
      {"payload_type", "PayloadType"},
      {"program_type", "ProgramType"},
      {"road_closure_status", "RoadClosureStatus"},
      {"space_station_status", "SpaceStationStatus"},
      {"space_station_type", "SpaceStationType"},
      {"spacecraft_config_type", "SpacecraftConfigType"},
      {"spacecraft_status", "SpacecraftStatus"},
      {"vid_url_type", "VidURLType"},
  };
  for (const auto& [kind, view] : named) {
    KindBuilder{r.kind(kind)}.text({"name"});
    r.view(view, kind, {id(), col("name")});
  }

  KindBuilder{r.kind("astronaut_role")}.text({"role"}).integer({"priority"});
  KindBuilder{r.kind("country")}.text(
      {"name", "alpha_2_code", "alpha_3_code", "nationality_name", "nationality_name_composed"});
  KindBuilder{r.kind("landing_type")}.text({"name", "abbrev", "description"});
  KindBuilder{r.kind("language")}.text({"name", "code"});
  KindBuilder{r.kind("launch_status")}.text({"name", "abbrev", "description"});
  KindBuilder{r.kind("net_precision")}.text({"name", "abbrev", "description"});
  KindBuilder{r.kind("orbit")}.text({"name", "abbrev"}).fk("celestial_body", "celestial_body");
  KindBuilder{r.kind("timeline_event_type")}.text({"abbrev", "description"});

  r.view("AstronautRole", "astronaut_role", {id(), col("role"), col("priority")});
  r.view("Country", "country",
         fields({{id()},
                 cols({"name", "alpha_2_code", "alpha_3_code", "nationality_name",
                       "nationality_name_composed"})}));
  r.view("LandingType", "landing_type", fields({{id()}, cols({"name", "abbrev", "description"})}));
  r.view("Language", "language", {id(), col("name"), col("code")});
  r.view("LaunchStatus", "launch_status",
         fields({{id()}, cols({"name", "abbrev", "description"})}));
  r.view("NetPrecision", "net_precision",
         fields({{id()}, cols({"name", "abbrev", "description"})}));
  r.view("Orbit", "orbit",
         {id(), col("name"), col("abbrev"), nested("celestial_body", "CelestialBodyMini")});
  r.view("TimelineEventType", "timeline_event_type", {id(), col("abbrev"), col("description")});
}

}  // namespace ll2::resources
