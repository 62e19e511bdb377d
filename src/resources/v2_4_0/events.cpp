// Events in 2.4.0: upcoming and previous are filters, not routes (the
// document has events/, events/mini/, events/detailed/ and events/{id}/);
// `date__lt` (2.3.0's `date__gt__lt`) and lists of related ids.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_events(model::Registry& r) {
  model::Resource& events = r.change_resource("events");
  events.actions.clear();
  events.change_filter("date__gt__lt").param = "date__lt";
  events.filters.push_back(in_list("expedition__ids", "expeditions__id"));
  events.filters.push_back(in_list("launch__ids", "launches__id"));
  events.filters.push_back(in_list("program__ids", "program__id"));
  events.filters.push_back(in_list("spacestation__ids", "spacestations__id"));
  for (auto& f : time_windows("date")) events.filters.push_back(std::move(f));
}

}  // namespace ll2::resources::v2_4_0
