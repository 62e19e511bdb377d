#include <fmt/format.h>

#include <stdexcept>

#include "api/schema.hpp"
#include "resources/resources.hpp"

namespace ll2::api {

namespace {
Registry build() {
  Registry r;
  resources::declare_images(r);
  resources::declare_agencies(r);
  resources::declare_places(r);
  resources::declare_launches(r);
  resources::declare_spacecraft(r);
  resources::declare_payloads(r);
  resources::declare_space_stations(r);
  resources::declare_docking_events(r);
  const auto problems = r.resolve();
  if (!problems.empty()) {
    // A broken declaration is a programming error caught by every test run.
    throw std::logic_error(fmt::format("invalid declarations: {}", fmt::join(problems, "; ")));
  }
  return r;
}
}  // namespace

const Registry& registry() {
  static const Registry r = build();
  return r;
}

}  // namespace ll2::api
