#include "api/params.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "util/datetime.hpp"
#include "util/text.hpp"

namespace ll2::api {

int64_t parse_limit(const http::QueryParams& params) {
  const auto raw = params.get("limit");
  if (!raw) return kDefaultLimit;
  const auto v = text::python_int_saturating(*raw);
  if (!v || *v <= 0) return kDefaultLimit;
  return std::min(*v, kMaxLimit);
}

int64_t parse_offset(const http::QueryParams& params) {
  const auto raw = params.get("offset");
  if (!raw) return 0;
  const auto v = text::python_int_saturating(*raw);
  return v && *v >= 0 ? *v : 0;
}

std::vector<std::string> search_terms(std::string_view search) {
  std::string cleaned;
  cleaned.reserve(search.size());
  for (char c : search) {
    if (c == '\0') continue;
    cleaned += c == ',' ? ' ' : c;
  }
  return text::python_split(cleaned);
}

std::vector<store::OrderKey> ordering_terms(const Resource& resource, std::string_view ordering) {
  std::vector<store::OrderKey> keys;
  for (std::string_view term : text::split_stripped(ordering, ',')) {
    const bool descending = !term.empty() && term[0] == '-';
    if (descending) term.remove_prefix(1);
    const bool allowed = std::find(resource.ordering_fields.begin(), resource.ordering_fields.end(),
                                   term) != resource.ordering_fields.end();
    // A field ordered by twice sorts as it did the first time, so keeping
    // only the first bounds the ORDER BY by the allow-list's size.
    const bool seen = std::any_of(keys.begin(), keys.end(),
                                  [&](const store::OrderKey& k) { return k.path == term; });
    if (allowed && !seen) keys.push_back({std::string(term), descending});
  }
  return keys;
}

namespace {

void add_error(FieldErrors& errors, const std::string& field, std::string message) {
  for (auto& [name, messages] : errors) {
    if (name == field) {
      messages.push_back(std::move(message));
      return;
    }
  }
  errors.push_back({field, {std::move(message)}});
}

std::string join_modes(const Resource& r) {
  std::string out;
  for (const auto& m : r.modes) out += (out.empty() ? "" : ", ") + m.name;
  return out;
}

}  // namespace

std::variant<Selection, FieldErrors> select(const Resource& resource,
                                            const http::QueryParams& params, bool detail) {
  Selection sel;
  FieldErrors errors;
  sel.mode = resource.mode(detail ? resource.detail_mode : resource.list_mode);
  if (const auto m = params.get("mode"); m && !m->empty()) {
    if (const Mode* chosen = resource.mode(*m)) {
      sel.mode = chosen;
    } else {
      add_error(errors, "mode",
                "Select a valid choice. " + std::string(*m) +
                    " is not one of the available choices: " + join_modes(resource) + ".");
      return errors;
    }
  }

  store::ListQuery& q = sel.query;
  q.kind = resource.kind;
  for (const auto& f : resource.filters) {
    const auto raw = params.get(f.param);
    if (!raw || raw->empty()) continue;  // django-filter skips empty values
    if (f.value == FilterValue::DateTime) {
      if (const auto t = datetime::parse_filter_datetime(*raw)) {
        q.where.push_back({f.path, f.op, *t});
      } else {
        add_error(errors, f.param, "Enter a valid date/time.");
      }
    } else {
      const auto n = text::django_decimal_to_integer(*raw);
      if (!n.valid) {
        add_error(errors, f.param, "Enter a number.");
      } else if (!n.in_range) {
        q.matches_nothing = true;
      } else {
        q.where.push_back({f.path, f.op, n.value});
      }
    }
  }
  if (!errors.empty()) return errors;

  if (const auto s = params.get("search")) {
    q.search_paths = resource.search_fields;
    // Every term must match, so a repeated term adds nothing; distinct terms
    // are capped because each one costs a pass over the searched names.
    for (auto& term : search_terms(*s)) {
      std::string upper = text::unicode_upper(term);
      if (std::find(q.search_terms.begin(), q.search_terms.end(), upper) == q.search_terms.end())
        q.search_terms.push_back(std::move(upper));
    }
    if (q.search_terms.size() > kMaxSearchTerms) {
      add_error(errors, "search",
                fmt::format("Ensure this value has at most {} search terms (it has {}).",
                            kMaxSearchTerms, q.search_terms.size()));
      return errors;
    }
  }
  if (detail) return sel;

  if (const auto o = params.get("ordering"); o && !o->empty())
    q.order = ordering_terms(resource, *o);
  if (q.order.empty()) {
    for (const auto& d : resource.default_ordering) {
      const bool desc = !d.empty() && d[0] == '-';
      q.order.push_back({desc ? d.substr(1) : d, desc});
    }
  }
  q.limit = parse_limit(params);
  q.offset = parse_offset(params);
  return sel;
}

}  // namespace ll2::api
