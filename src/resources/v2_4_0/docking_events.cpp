// Docking events in 2.4.0: one shape, list and detail alike
// (DockingEventEndpointNormal), no docking_events/detailed/ route; `docked`
// and the docking date's parts as filters.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

namespace {

// `docked=true`: still docked, no departure yet; false: departed.
model::Predicate docked(const std::vector<Value>& values, const model::FilterContext& /*context*/) {
  const bool still = std::get<int64_t>(values.at(0)) != 0;
  return model::Predicate::compare("departure", Lookup::IsNull, int64_t{still ? 1 : 0});
}

}  // namespace

void declare_docking_events(model::Registry& r) {
  model::Resource& events = r.change_resource("docking_events");
  events.modes = {{"normal", "DockingEventEndpointNormal"}};
  events.filters.push_back(custom("docked", model::ValueKind::Boolean, docked));
  for (const auto& f : date_parts("docking")) events.filters.push_back(f);
}

}  // namespace ll2::resources::v2_4_0
