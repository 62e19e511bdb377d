// Conditions on a resource's rows, as data: what django-filter's lookups and
// Q objects express, in terms of declared field paths only. The store turns a
// predicate into SQL; custom filters and actions build predicates.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/value.hpp"

namespace ll2::model {

// Django's lookups, as a filter names them after `__`.
enum class Lookup {
  Exact,       // =; on a relation, its id
  IExact,      // UPPER(x) = UPPER(v)
  Contains,    // case-sensitive substring (PostgreSQL LIKE)
  IContains,   // UPPER(x) contains UPPER(v), Unicode-aware
  StartsWith,  // case-sensitive prefix
  IStartsWith,
  Gt,
  Gte,
  Lt,
  Lte,
  In,      // one of several values
  IsNull,  // value 1: IS NULL; 0: IS NOT NULL (a relation: has no / has rows)
  Year,    // a date-time's UTC year is one of the values
  Month,
  Day,
};

struct Predicate {
  enum class Kind { All, Nothing, Compare, And, Or, Not };
  Kind kind = Kind::All;
  // Compare: `path` (a field path of the root kind, through any relation;
  // a path through a many-valued relation matches when any related row does)
  // `lookup` `values` (one value, except for In, Year, Month and Day).
  std::string path;
  Lookup lookup = Lookup::Exact;
  std::vector<Value> values;
  std::vector<Predicate> children;  // And, Or, Not (one child)
  // Compare against the request's time: `values` is that time plus this
  // offset (microseconds), so the rows it matches change as time passes
  // (FilterContext::since_now; an answer built on it expires: api/clock.hpp).
  std::optional<int64_t> clock_offset;

  static Predicate all() { return {}; }
  static Predicate nothing() {
    Predicate p;
    p.kind = Kind::Nothing;
    return p;
  }
  static Predicate compare(std::string path, Lookup lookup, std::vector<Value> values) {
    Predicate p;
    p.kind = Kind::Compare;
    p.path = std::move(path);
    p.lookup = lookup;
    p.values = std::move(values);
    return p;
  }
  static Predicate compare(std::string path, Lookup lookup, Value value) {
    return compare(std::move(path), lookup, std::vector<Value>{std::move(value)});
  }
  static Predicate any_of(std::vector<Predicate> children) {
    Predicate p;
    p.kind = Kind::Or;
    p.children = std::move(children);
    return p;
  }
  static Predicate negate(Predicate child) {
    Predicate p;
    p.kind = Kind::Not;
    p.children.push_back(std::move(child));
    return p;
  }
  // Adds a condition that must hold too (the tree stays flat).
  void require(Predicate p) {
    if (p.kind == Kind::All) return;
    if (kind == Kind::All) {
      *this = std::move(p);
      return;
    }
    if (kind != Kind::And) {
      Predicate self = std::move(*this);
      *this = {};
      kind = Kind::And;
      children.push_back(std::move(self));
    }
    children.push_back(std::move(p));
  }
};

}  // namespace ll2::model
