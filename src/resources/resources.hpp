// Each file src/resources/NAME.cpp declares one LL2 resource, or a group of
// the object kinds it is built from, as `declare_NAME(Registry&)`: the kinds
// (tables), their serializer views (OpenAPI component schemas, keys in wire
// order) and the endpoint itself. CMake lists the files; nothing else needs
// to know a new one.
#pragma once

#include "model/schema.hpp"

namespace ll2::resources {

#define LL2D_RESOURCE(name) void declare_##name(model::Registry& r);
#include "resource_list.inc"
#undef LL2D_RESOURCE

}  // namespace ll2::resources
