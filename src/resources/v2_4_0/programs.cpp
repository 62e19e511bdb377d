// Programs in 2.4.0: a detailed/ list (in the normal shape, as the detail),
// and ProgramNormal lists the program's videos.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_programs(model::Registry& r) {
  r.change_resource("programs").modes.push_back({"detailed", "ProgramNormal"});
  r.change_view("ProgramNormal").set(nested("vid_urls", "VidURL"));
}

}  // namespace ll2::resources::v2_4_0
