// Expeditions in 2.4.0: `is_active`.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;
using model::Predicate;

namespace {

// `is_active=true`: started and not ended by now (no end, or an end still to
// come); false: the others.
Predicate is_active(const std::vector<Value>& values, const model::FilterContext& c) {
  Predicate active = c.since_now("start", Lookup::Lte);
  active.require(Predicate::any_of(
      {Predicate::compare("end", Lookup::IsNull, int64_t{1}), c.since_now("end", Lookup::Gt)}));
  if (std::get<int64_t>(values.at(0)) != 0) return active;
  return Predicate::negate(std::move(active));
}

}  // namespace

void declare_expeditions(model::Registry& r) {
  r.change_resource("expeditions")
      .filters.push_back(custom("is_active", model::ValueKind::Boolean, is_active));
}

}  // namespace ll2::resources::v2_4_0
