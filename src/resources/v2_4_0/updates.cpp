// Updates in 2.4.0: each names what it is about (UpdateEndpoint: the
// launch, event or program), and is found by that program too.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;
using model::Predicate;

namespace {

// `all__program=N`: updates on program N, or on a launch or an event of it.
Predicate about_program(const std::vector<Value>& values, const model::FilterContext& /*context*/) {
  const Value& program = values.at(0);
  return Predicate::any_of({Predicate::compare("program", Lookup::Exact, program),
                            Predicate::compare("launch__program", Lookup::Exact, program),
                            Predicate::compare("event__program", Lookup::Exact, program)});
}

}  // namespace

void declare_updates(model::Registry& r) {
  r.view("UpdateEndpoint", "update",
         {nested("launch", "LaunchBasic"), nested("event", "EventMini"),
          nested("program", "ProgramMini")})
      .extends("Update");
  r.change_resource("updates").modes = {{"normal", "UpdateEndpoint"}};
  // By the program of what an update is about, and when it was made.
  auto& filters = r.change_resource("updates").filters;
  filters.push_back(custom_choice("all__program", "program", about_program));
  filters.back().on_detail = true;
  for (auto& f : lookups("created_on", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}))
    filters.push_back(std::move(f));
  filters.push_back(filter("event__program", "event__program"));
  filters.push_back(filter("launch__program", "launch__program"));
}

}  // namespace ll2::resources::v2_4_0
