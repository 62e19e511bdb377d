// Query parameters validated against a resource's declaration, as DRF and
// django-filter read them. Errors are values: an ordered field -> messages
// map that the engine renders as a 400 body.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "api/declarations.hpp"
#include "store/store.hpp"
#include "util/query_string.hpp"

namespace ll2::api {

inline constexpr int64_t kDefaultLimit = 10;
inline constexpr int64_t kMaxLimit = 100;
// Distinct search terms a request may give (each costs a pass over the names).
inline constexpr size_t kMaxSearchTerms = 20;

// {"field": ["message", ...], ...} in field order. An error under the empty
// name is DRF's ValidationError raised outside a form: the body is its list.
using FieldErrors = std::vector<std::pair<std::string, std::vector<std::string>>>;
// DRF's 400 body for them: {"field": ["message"]}, or the list alone.
std::string errors_body(const FieldErrors& errors);

struct Selection {
  const Mode* mode = nullptr;
  store::ListQuery query;  // filters, search, ordering, limit and offset applied
};

// Whether an object of a kind exists (ModelChoice filters ask the store).
using ExistsFn = std::function<bool(const Kind& kind, const Value& id)>;

// What a request selects besides its parameters.
struct SelectContext {
  const model::Action* action = nullptr;  // launches/upcoming: its base filter and order
  // A mode's own route (2.4.0's launches/mini/): its view, and `mode` is no
  // parameter. Null: the resource's default, or `mode` where it takes one.
  const Mode* mode = nullptr;
  bool mode_parameter = true;   // the version takes `mode` (2.3.0) at all
  model::FilterContext filter;  // the request's time
  ExistsFn exists;              // null: every id exists
};

// Mode, filters, search, ordering and pagination for a list (or, with
// `detail`, for get_object: no ordering or pagination).
std::variant<Selection, FieldErrors> select(const Resource& resource,
                                            const text::QueryParams& params, bool detail,
                                            const SelectContext& context = {});

// DRF's LimitOffsetPagination parameters.
int64_t parse_limit(const text::QueryParams& params);
int64_t parse_offset(const text::QueryParams& params);
// DRF 3.17.1's SearchFilter terms (search_smart_split): Django's smart_split,
// each token stripped of commas; a quoted token ("…" or '…') is one term,
// unquoted (an empty quote: the empty term, which matches every text), any
// other is split on commas. nullopt when the value holds a NUL (the
// ProhibitNullCharactersValidator of DRF's CharField: a 400).
std::optional<std::vector<std::string>> search_terms(std::string_view search);
// The 400 body of a NUL in a search or a filter value (Django's message).
inline constexpr const char* kNullCharacters = "Null characters are not allowed.";
// DRF's OrderingFilter: valid terms kept in order; empty when none is valid.
std::vector<store::OrderKey> ordering_terms(const Resource& resource, std::string_view ordering);

}  // namespace ll2::api
