// The small lookup kinds LL2 serves under /2.3.0/config/ (statuses, types,
// countries, orbits, ...) and a few more that appear only nested. Each is a
// name (or role, or abbreviation) with an id, rendered by one view.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_config(model::Registry& r) {
  // Kinds that are only an id and a name, their views of the same shape, and
  // LL2's model class (configurations/models.py; else the view's name).
  struct Named {
    const char* kind;
    const char* view;
    const char* model;
  };
  const Named named[] = {
      {"agency_type", "AgencyType", "AgencyType"},
      {"astronaut_status", "AstronautStatus", "AstronautStatus"},
      {"astronaut_type", "AstronautType", "AstronautType"},
      {"celestial_body_type", "CelestialBodyType", "CelestialBodyType"},
      {"event_type", "EventType", "EventType"},
      {"first_stage_type", "FirstStageType", "FirstStageType"},
      {"info_url_type", "InfoURLType", "InfoURLType"},
      {"launcher_status", "LauncherStatus", "LauncherStatus"},
      {"mission_type", "MissionType", "MissionType"},
      {"notice_type", "NoticeType", "NoticeType"},
      {"payload_type", "PayloadType", "PayloadType"},
      {"program_type", "ProgramType", "ProgramType"},
      {"road_closure_status", "RoadClosureStatus", "RoadClosureStatus"},
      {"space_station_status", "SpaceStationStatus", "SpaceStationStatus"},
      {"space_station_type", "SpaceStationType", "SpaceStationType"},
      {"spacecraft_config_type", "SpacecraftConfigType", "SpacecraftConfigurationType"},
      {"spacecraft_status", "SpacecraftStatus", "SpacecraftStatus"},
      {"vid_url_type", "VidURLType", "VidURLType"},
  };
  for (const auto& [kind, view, model] : named) {
    KindBuilder{r.kind(kind)}.model(model).text({"name"});
    r.view(view, kind, {id(), col("name")});
  }

  KindBuilder{r.kind("astronaut_role")}.model("AstronautRole").text({"role"}).integer({"priority"});
  KindBuilder{r.kind("country")}.model("Country").text(
      {"name", "alpha_2_code", "alpha_3_code", "nationality_name", "nationality_name_composed"});
  KindBuilder{r.kind("landing_type")}.model("LandingType").text({"name", "abbrev", "description"});
  KindBuilder{r.kind("language")}.model("Language").text({"name", "code"});
  KindBuilder{r.kind("launch_status")}
      .model("LaunchStatus")
      .text({"name", "abbrev", "description"});
  KindBuilder{r.kind("net_precision")}
      .model("NetPrecision")
      .text({"name", "abbrev", "description"});
  KindBuilder{r.kind("orbit")}
      .model("Orbit")
      .text({"name", "abbrev"})
      .fk("celestial_body", "celestial_body");
  KindBuilder{r.kind("timeline_event_type")}
      .model("TimelineEventType")
      .text({"abbrev", "description"});

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

  // The /2.3.0/config/ endpoints: one shape each, no filters or search, in
  // id order (orbits by name, their model's ordering in LL2).
  struct ConfigEndpoint {
    const char* path;
    const char* view;
    const char* singular;
    const char* plural;
    std::vector<std::string> tags;
    bool summary = true;
  };
  const ConfigEndpoint endpoints[] = {
      {"config/agency_types",
       "AgencyType",
       "Agency Type",
       "Agency Types",
       {"Agency", "Types", "Configurations"}},
      {"config/astronaut_roles",
       "AstronautRole",
       "Astronaut Role",
       "Astronaut Roles",
       {"Astronaut", "Configurations"}},
      {"config/astronaut_statuses",
       "AstronautStatus",
       "Astronaut Status",
       "Astronaut Statuses",
       {"Astronaut", "Configurations"}},
      {"config/astronaut_types",
       "AstronautType",
       "Astronaut Type",
       "Astronaut Types",
       {"Astronaut", "Types", "Configurations"}},
      {"config/celestial_body_types",
       "CelestialBodyType",
       "Celestial Body Type",
       "Celestial Body Types",
       {"Celestial", "Types", "Configurations"}},
      {"config/countries", "Country", "Country", "Countries", {"Countries", "Configurations"}},
      {"config/docking_locations",
       "DockingLocation",
       "Docking Location",
       "Docking Locations",
       {"Docking", "Configurations"}},
      {"config/event_types", "EventType", "Event Type", "Event Types", {"Types", "Configurations"}},
      {"config/first_stage_types",
       "FirstStageType",
       "First Stage Type",
       "First Stage Types",
       {"Stages", "Types", "Configurations"}},
      {"config/image_licenses",
       "ImageLicense",
       "Image License",
       "Image Licenses",
       {"Licenses", "Configurations"}},
      {"config/image_variant_types",
       "ImageVariantType",
       "Image Variant Type",
       "Image Variant Types",
       {"Variants", "Types", "Configurations"}},
      {"config/infourl_types",
       "InfoURLType",
       "Info URL Type",
       "Info URL Types",
       {"Types", "Configurations"}},
      {"config/landing_locations",
       "LandingLocation",
       "Landing Location",
       "Landing Locations",
       {"Locations", "Configurations"}},
      {"config/landing_types",
       "LandingType",
       "Landing Type",
       "Landing Types",
       {"Types", "Configurations"}},
      {"config/languages", "Language", "Language", "Languages", {"Languages", "Configurations"}},
      {"config/launch_statuses",
       "LaunchStatus",
       "Launch Status",
       "Launch Statuses",
       {"Launch", "Configurations"}},
      {"config/launcher_statuses",
       "LauncherStatus",
       "Launcher Status",
       "Launcher Statuses",
       {"Launcher", "Configurations"}},
      {"config/mission_types",
       "MissionType",
       "Mission Type",
       "Mission Types",
       {"Types", "Configurations"}},
      {"config/net_precisions",
       "NetPrecision",
       "Net Precision",
       "Net Precisions",
       {"Precisions", "Configurations"}},
      {"config/notice_types",
       "NoticeType",
       "Notice Type",
       "Notice Types",
       {"Types", "Configurations"}},
      {"config/orbits", "Orbit", "Orbit", "Orbits", {"Configurations"}},
      {"config/payload_types",
       "PayloadType",
       "Payload Type",
       "Payload Types",
       {"Types", "Configurations"}},
      {"config/program_types",
       "ProgramType",
       "Program Type",
       "Program Types",
       {"Types", "Configurations"}},
      {"config/road_closure_statuses",
       "RoadClosureStatus",
       "Road Closure Status",
       "Road Closure Statuses",
       {"Closure", "Configurations"}},
      {"config/space_station_statuses",
       "SpaceStationStatus",
       "Space Station Status",
       "Space Station Statuses",
       {"Station", "Configurations"}},
      {"config/spacecraft_configuration_types",
       "SpacecraftConfigType",
       "Spacecraft Configuration Type",
       "Spacecraft Configuration Types",
       {"Spacecraft", "Types", "Configurations"}},
      {"config/spacecraft_statuses",
       "SpacecraftStatus",
       "Spacecraft Status",
       "Spacecraft Statuses",
       {"Spacecraft", "Configurations"}},
      // LL2's document names these two operations with no summary.
      {"config/timeline_event_types",
       "TimelineEventType",
       "Timeline Event Type",
       "Timeline Event Types",
       {"Timeline", "Events", "Types", "Configurations"},
       false},
      {"config/vidurl_types",
       "VidURLType",
       "Video URL Type",
       "Video URL Types",
       {"Types", "Configurations"},
       false},
  };
  for (const auto& e : endpoints) {
    const bool orbits = std::string_view(e.path) == "config/orbits";
    r.resource({
        .path = e.path,
        .singular = e.singular,
        .plural = e.plural,
        .modes = {{"normal", e.view}},
        .default_ordering = {orbits ? "name" : "id"},
        .mode_parameter = false,
        .tags = e.tags,
        .openapi_summary = e.summary,
    });
  }
}

}  // namespace ll2::resources
