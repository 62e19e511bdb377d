// Each file in src/resources declares a group of LL2 object kinds, their
// serializer views (OpenAPI component schemas, fields in wire order) and, for
// kinds ll2d serves as endpoints, the endpoint itself.
#pragma once

#include "api/schema.hpp"

namespace ll2::resources {

void declare_images(api::Registry& r);
void declare_agencies(api::Registry& r);
void declare_places(api::Registry& r);
void declare_launches(api::Registry& r);
void declare_spacecraft(api::Registry& r);
void declare_payloads(api::Registry& r);
void declare_space_stations(api::Registry& r);
void declare_docking_events(api::Registry& r);

}  // namespace ll2::resources
