// The engine works on the declarations (src/model) under their own names.
#pragma once

#include "model/schema.hpp"

namespace ll2::api {

using model::ColumnType;
using model::Field;
using model::Filter;
using model::IdType;
using model::Kind;
using model::Lookup;
using model::Mode;
using model::Predicate;
using model::Registry;
using model::Relation;
using model::Resource;
using model::ValueKind;
using model::View;
using model::ViewField;

}  // namespace ll2::api
