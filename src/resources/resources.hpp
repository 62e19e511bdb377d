// Each file src/resources/NAME.cpp declares one LL2 resource, or a group of
// the object kinds it is built from, as `declare_NAME(Registry&)`: the kinds
// (tables), their serializer views (OpenAPI component schemas, keys in wire
// order) and the endpoint itself. A later version's changes are files of
// their own: src/resources/v2_4_0/NAME.cpp declares
// `v2_4_0::declare_NAME(Registry&)`. CMake lists the files and only the
// catalog (src/catalog/catalog.cpp) includes the list (resources/all.hpp),
// so a new file compiles with the catalog alone.
#pragma once

#include "model/schema.hpp"
