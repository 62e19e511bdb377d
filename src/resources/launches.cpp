// Launches (/2.3.0/launches/), their rockets, missions and timelines.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::IdType;

void declare_launches(model::Registry& r) {
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
                "pad_launch_attempt_count_year", "agency_launch_attempt_count_year"})
      .text({"flightclub_url"})
      .reverse("updates", "update", "launch")
      .rows("info_urls", "info_url")
      .rows("vid_urls", "vid_url")
      .rows("timeline", "timeline_event")
      .text({"pad_turnaround"})
      .m2m("mission_patches", "mission_patch");
  // The vehicle of one launch: its configuration, and the stages, spacecraft
  // and payloads whose foreign key names it. The spacecraft flights go by
  // Django's name for the relation, as LL2's filters spell it
  // (rocket__spacecraftflight__spacecraft__id); views print spacecraft_stage.
  KindBuilder{r.kind("rocket")}
      .fk("configuration", "launcher_config")
      .reverse("launcher_stage", "first_stage", "rocket")
      .reverse("spacecraftflight", "spacecraft_flight", "rocket")
      .reverse("payloads", "payload_flight", "rocket");
  KindBuilder{r.kind("mission")}
      .text({"name", "type", "description"})  // LL2 prints the mission type by name only
      .fk("image", "image")
      .fk("orbit", "orbit")
      .m2m("agencies", "agency")
      .rows("info_urls", "info_url")
      .rows("vid_urls", "vid_url");
  KindBuilder{r.kind("timeline_event", IdType::None)}
      .fk("type", "timeline_event_type")
      .text({"relative_time"});  // an ISO 8601 duration, printed as LL2 wrote it

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
  r.view("LaunchDetailed", "launch",
         {mode("detailed"), nested("launch_service_provider", "AgencyDetailed"),
          nested("rocket", "RocketDetailed"), col("flightclub_url"), nested("updates", "Update"),
          nested("info_urls", "InfoURL"), nested("vid_urls", "VidURL"),
          nested("timeline", "TimelineEvent"), col("pad_turnaround"),
          nested("mission_patches", "MissionPatch")})
      .extends("LaunchNormal");

  r.view("RocketNormal", "rocket", {id(), nested("configuration", "LauncherConfigList")});
  r.view("RocketDetailed", "rocket",
         {nested("configuration", "LauncherConfigDetailed"),
          nested("launcher_stage", "FirstStageNormal"),
          nested("spacecraft_stage", "SpacecraftFlightDetailedSerializerNoLaunch")
              .from("spacecraftflight"),
          nested("payloads", "PayloadFlightSerializerNoLaunch")})
      .extends("RocketNormal");
  r.view("Mission", "mission",
         {id(), col("name"), col("type"), col("description"), nested("image", "Image"),
          nested("orbit", "Orbit"), nested("agencies", "AgencyDetailed"),
          nested("info_urls", "InfoURL"), nested("vid_urls", "VidURL")});
  r.view("TimelineEvent", "timeline_event",
         {nested("type", "TimelineEventType"), col("relative_time")});
}

}  // namespace ll2::resources
