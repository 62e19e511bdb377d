#pragma once
// The versions ll2d serves, assembled from their declarations in
// src/resources (the only code that knows every resource). main() takes
// the catalog from here once and passes it to the commands, which pass it
// (or its first version, a store's schema) down; no folder of src/ links
// this one. Tests call it for a ready catalog (test::catalog()).

#include "model/schema.hpp"

namespace ll2::model {

// Every version ll2d serves (src/resources): built once, on first use.
const Catalog& catalog();
// Its first version (2.3.0), whose kinds every version shares.
const Registry& registry();

}  // namespace ll2::model
