// One version of the LL2 API as a value: where its routes live and how they
// are shaped. Every version is served from the same kinds (one database);
// each has its own views and resources (model::Registry).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ll2::model {

struct Version {
  std::string name = "2.3.0";
  // Where its routes are: every path below it is one of its routes.
  std::string prefix = "/2.3.0/";
  // The OpenAPI document's info.title.
  std::string title = "TheSpaceDevs LL2 API, as served by ll2d";
  // The Help section of each endpoint's docs links here.
  std::string help_title = "ll.thespacedevs.com/docs";
  std::string help_url = "https://ll.thespacedevs.com/docs/";
  // How a list route is told which view to print: by a `mode` parameter
  // (2.3.0: ?mode=detailed), or by a route of its own per mode (2.4.0:
  // launches/detailed/). Then each mode other than the list's default is
  // answered at `path/<route>/`, named here by mode (list → mini).
  bool mode_routes = false;
  std::vector<std::pair<std::string, std::string>> mode_route_names;
  // The route of the throttle's report (answered when throttling is on),
  // and whether its OpenAPI document is served: 2.3.0's LL2 document
  // declares an array of one object where LL2 answers the object, so that
  // one is left out rather than documented wrongly.
  std::string throttle_path = "api-throttle";
  bool throttle_documented = false;

  // The route segment of a mode's own list (mode_routes).
  std::string mode_route(const std::string& mode) const {
    for (const auto& [from, to] : mode_route_names) {
      if (from == mode) return to;
    }
    return mode;
  }
};

}  // namespace ll2::model
