// Launches (/2.3.0/launches/), their rockets, missions and timelines.
#include "resources/resources.hpp"
#include "util/text.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::IdType;
using model::Lookup;
using model::ValueKind;

namespace {

// `related_lsp__id=1,2` / `related_lsp__name=A,B`: launches whose provider
// is one of these agencies or one of their child agencies (LL2's
// `Agency.parent`, whose related name is `related_agencies`). A child names
// its parent by name only, so children are found by that name.
model::Predicate provider_or_child(std::vector<Value> ids, std::vector<Value> names) {
  std::vector<model::Predicate> any;
  if (!ids.empty())
    any.push_back(
        model::Predicate::compare("launch_service_provider__id", Lookup::In, std::move(ids)));
  if (!names.empty()) {
    any.push_back(model::Predicate::compare("launch_service_provider__name", Lookup::In, names));
    any.push_back(
        model::Predicate::compare("launch_service_provider__parent", Lookup::In, std::move(names)));
  }
  return any.empty() ? model::Predicate::nothing() : model::Predicate::any_of(std::move(any));
}

model::Predicate related_by_id(const std::vector<Value>& values,
                               const model::FilterContext& context) {
  return provider_or_child(values, context.names_of("agency", values));
}

model::Predicate related_by_name(const std::vector<Value>& values,
                                 const model::FilterContext& /*context*/) {
  return provider_or_child({}, values);
}

// `include_suborbital=false` leaves out launches to a sub-orbital orbit;
// true changes nothing.
model::Predicate include_suborbital(const std::vector<Value>& values,
                                    const model::FilterContext& /*context*/) {
  if (std::get<int64_t>(values.at(0)) != 0) return {};
  return model::Predicate::negate(
      model::Predicate::compare("mission__orbit__name", Lookup::Exact, std::string("Sub-Orbital")));
}

// `is_crewed=true`: a spacecraft on the rocket has a launch crew (LL2's
// rocket__spacecraftflight__launch_crew__isnull=False); false: none has.
model::Predicate is_crewed(const std::vector<Value>& values,
                           const model::FilterContext& /*context*/) {
  const bool crewed = std::get<int64_t>(values.at(0)) != 0;
  return model::Predicate::compare("rocket__spacecraftflight__launch_crew", Lookup::IsNull,
                                   int64_t{crewed ? 0 : 1});
}

// `lsp__name=a,b`: the provider's name or abbreviation contains any of the
// names, case-insensitively.
model::Predicate lsp_name(const std::vector<Value>& values,
                          const model::FilterContext& /*context*/) {
  std::vector<model::Predicate> any;
  for (const auto& v : values) {
    const auto& name = std::get<std::string>(v);
    if (name.empty()) continue;
    const std::string upper = text::unicode_upper(name);
    any.push_back(
        model::Predicate::compare("launch_service_provider__name", Lookup::IContains, upper));
    any.push_back(
        model::Predicate::compare("launch_service_provider__abbrev", Lookup::IContains, upper));
  }
  if (any.empty()) return {};
  return model::Predicate::any_of(std::move(any));
}

// launches/upcoming searches everything but the designator.
model::Action upcoming_launches() {
  model::Action a = upcoming("net");
  a.omit_search = {"launch_designator"};
  a.filter_example = "hide_recent_previous=True";
  return a;
}

}  // namespace

void declare_launches(model::Registry& r) {
  KindBuilder{r.kind("launch", IdType::Uuid)}
      .model("Launch")
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
      .m2m("mission_patches", "mission_patch")
      // LL2 names a launch's spacecraft flights through its rocket
      // (rocket__spacecraftflight__…); the flights' own launch link reaches
      // them whichever side an import told (see spacecraft_flight.derive).
      .reverse("spacecraftflight", "spacecraft_flight", "launch")
      .alias("rocket__spacecraftflight", "spacecraftflight")
      // What launch alerts need (the change feed): launch.net_changed, ...
      .watch("net", "net_changed")
      .watch("window_start", "window_changed")
      .watch("window_end", "window_changed")
      .watch("status", "status_changed")
      .watch("webcast_live", "webcast_live", true)
      .watch("probability")
      .watch("net_precision")
      .reminders_before("net");
  // The vehicle of one launch: its configuration, and the stages, spacecraft
  // and payloads whose foreign key names it. The spacecraft flights go by
  // Django's name for the relation, as LL2's filters spell it
  // (rocket__spacecraftflight__spacecraft__id); views print spacecraft_stage.
  KindBuilder{r.kind("rocket")}
      .model("Rocket")  // 2.4.0's rockets/ names it in a 404
      .fk("configuration", "launcher_config")
      .reverse("launcher_stage", "first_stage", "rocket")
      .reverse("spacecraftflight", "spacecraft_flight", "rocket")
      .reverse("payloads", "payload_flight", "rocket")
      .reverse_one("launch", "launch", "rocket");  // not printed; filters and search go through it
  KindBuilder{r.kind("mission")}
      .model("Mission")
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

  r.resource({
      .path = "launches",
      .singular = "Launch",
      .plural = "Launches",
      .modes = {{"list", "LaunchBasic"},
                {"normal", "LaunchNormal"},
                {"detailed", "LaunchDetailed"}},
      .filters = filters(
          {range("agency_launch_attempt_count"),
           range("agency_launch_attempt_count_year"),
           {date_part("day", "net", Lookup::Day)},
           {in_list("id", "id")},
           {custom("include_suborbital", ValueKind::Boolean, include_suborbital)},
           {custom("is_crewed", ValueKind::Boolean, is_crewed)},
           lookups("last_updated", {Lookup::Gte, Lookup::Lte}),
           {in_list("launch_designator", "launch_designator", ValueKind::Text)},
           {in_list("launcher_config__id", "rocket__configuration__id")},
           {in_list("location__ids", "pad__location__id")},
           range("location_launch_attempt_count"),
           range("location_launch_attempt_count_year"),
           {in_list("lsp__id", "launch_service_provider__id")},
           {custom("lsp__name", ValueKind::Text, lsp_name, true)},
           exact("mission__orbit__celestial_body__id"),
           lookups("mission__orbit__name", {Lookup::Exact, Lookup::IContains}),
           {date_part("month", "net", Lookup::Month)},
           exact("name"),
           lookups("net", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
           range("orbital_launch_attempt_count"),
           range("orbital_launch_attempt_count_year"),
           exact("pad"),
           exact("pad__location"),
           exact("pad__location__celestial_body__id"),
           range("pad_launch_attempt_count"),
           range("pad_launch_attempt_count_year"),
           {filter("program", "program")},
           {custom("related_lsp__id", ValueKind::Number, related_by_id, true)},
           {custom("related_lsp__name", ValueKind::Text, related_by_name, true)},
           lookups("rocket__configuration__full_name", {Lookup::Exact, Lookup::IContains}),
           exact("rocket__configuration__id"),
           lookups("rocket__configuration__manufacturer__name", {Lookup::Exact, Lookup::IContains}),
           exact("rocket__configuration__name"),
           exact("rocket__spacecraftflight__spacecraft__id"),
           lookups("rocket__spacecraftflight__spacecraft__name",
                   {Lookup::Exact, Lookup::IContains}),
           {in_list("serial_number", "rocket__launcher_stage__launcher__serial_number",
                    ValueKind::Text)},
           exact("slug"),
           {in_list("spacecraft_config__ids",
                    "rocket__spacecraftflight__spacecraft__spacecraft_config__id")},
           exact("status"),
           {in_list("status__ids", "status__id")},
           {in_list("video_url", "vid_urls__url", ValueKind::Text)},
           lookups("window_end", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
           lookups("window_start", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
           {date_part("year", "net", Lookup::Year)}}),
      .search_fields = {"launch_designator", "launch_service_provider__name", "mission__name",
                        "name", "pad__location__name", "pad__name",
                        "rocket__configuration__manufacturer__abbrev",
                        "rocket__configuration__manufacturer__name", "rocket__configuration__name",
                        "rocket__spacecraftflight__spacecraft__name"},
      .ordering_fields = {"id", "last_updated", "name", "net"},
      .default_ordering = {"net"},  // facts §7: order_by('net', 'id')
      .actions = {upcoming_launches(), previous("net", {"Launches", "Previous"})},
      .tags = {"Launches"},
      .schema_name = "LaunchEndpoint",
      .mode_example = "mode=list",
      .filter_example = "pad__location=13",
      .search_example = "search=Starlink",
      .ordering_example = "ordering=-last_updated",
  });
}

}  // namespace ll2::resources
