// Stages (/api/ll/2.4.0/stages/, new in 2.4.0): each flight of a launcher as
// a first stage, with the rocket it flew on as a link.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

namespace {

// `type=N`: LL2 prints a stage's type by name only, so the stages whose type
// is first stage type N's name.
model::Predicate of_type(const std::vector<Value>& ids, const model::FilterContext& context) {
  return context.named_as("first_stage_type", ids, "type");
}

}  // namespace

void declare_stages(model::Registry& r) {
  r.view("StageStandaloneNormal", "first_stage",
         {mode("normal"), id(), url("stages"), col("type"), col("reused"),
          col("launcher_flight_number"), nested("launcher", "LauncherMini"),
          hyperlink("rocket", "rockets"), col("previous_flight_date"), col("turn_around_time")});
  r.view("StageStandaloneDetailed", "first_stage",
         {mode("detailed"), nested("launcher", "LauncherNormal"), nested("landing", "Landing"),
          nested("previous_flight", "LaunchMini")})
      .extends("StageStandaloneNormal");

  r.resource({
      .path = "stages",
      .singular = "Stage",
      .plural = "Stages",
      .modes = {{"normal", "StageStandaloneNormal"},
                {"detailed", "StageStandaloneDetailed", nullptr, false}},
      .filters = filters({exact("id"),
                          exact("launcher"),
                          {in_list("launcher__ids", "launcher__id")},
                          lookups("launcher__serial_number", {Lookup::Exact, Lookup::IContains}),
                          exact("reused"),
                          exact("rocket"),
                          {in_list("rocket__ids", "rocket__id")},
                          {custom_choice("type", "first_stage_type", of_type)}}),
      .search_fields = {"launcher__serial_number", "rocket__configuration__name",
                        "rocket__launch__name"},
      .ordering_fields = {"id", "launcher_flight_number", "previous_flight_date"},
      .default_ordering = {"id"},
      .tags = {"stages"},
      .filter_example = "rocket__ids=3007,3008",
      .search_example = "search=B1058",
      .ordering_example = "ordering=-previous_flight_date",
  });
}

}  // namespace ll2::resources::v2_4_0
