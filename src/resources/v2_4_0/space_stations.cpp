// Space stations in 2.4.0: `deorbited` is whether the station has been
// deorbited, no longer its date (2.4.0's SpaceStationNormal and the views
// extending it); derived from the date ll2d stores.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_space_stations(model::Registry& r) {
  r.change_view("SpaceStationNormal")
      .set(computed(
          "deorbited", model::ColumnType::Boolean, {"deorbited"},
          [](const std::vector<Value>& date) { return Value(int64_t{is_null(date[0]) ? 0 : 1}); }));
}

}  // namespace ll2::resources::v2_4_0
