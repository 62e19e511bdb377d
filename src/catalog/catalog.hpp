#pragma once
// The versions ll2d serves, assembled from their declarations in
// src/resources (the only code that knows every resource). Declared in
// model's namespace, where users have always found them; the catalog is a
// global for now, and passing it explicitly is the next step.

#include "model/schema.hpp"

namespace ll2::model {

// Every version ll2d serves (src/resources): built once, on first use.
const Catalog& catalog();
// Its first version (2.3.0), whose kinds every version shares.
const Registry& registry();

}  // namespace ll2::model
