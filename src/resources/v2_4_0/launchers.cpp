// Launchers in 2.4.0: the first launch date's parts as filters.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_launchers(model::Registry& r) {
  auto& filters = r.change_resource("launchers").filters;
  for (auto& f : date_parts("first_launch_date")) filters.push_back(std::move(f));
}

}  // namespace ll2::resources::v2_4_0
