#include "api/params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "json/writer.hpp"
#include "util/datetime.hpp"
#include "util/text.hpp"

namespace ll2::api {

int64_t parse_limit(const text::QueryParams& params) {
  const auto raw = params.get("limit");
  if (!raw) return kDefaultLimit;
  const auto v = text::python_int_saturating(*raw);
  if (!v || *v <= 0) return kDefaultLimit;
  return std::min(*v, kMaxLimit);
}

int64_t parse_offset(const text::QueryParams& params) {
  const auto raw = params.get("offset");
  if (!raw) return 0;
  const auto v = text::python_int_saturating(*raw);
  return v && *v >= 0 ? *v : 0;
}

std::optional<std::vector<std::string>> search_terms(std::string_view search) {
  if (search.find('\0') != std::string_view::npos) return std::nullopt;
  std::vector<std::string> terms;
  for (std::string_view token : text::smart_split(search)) {
    while (!token.empty() && token.front() == ',') token.remove_prefix(1);
    while (!token.empty() && token.back() == ',') token.remove_suffix(1);
    if (!token.empty() && (token[0] == '"' || token[0] == '\'') && token[0] == token.back()) {
      terms.push_back(text::unescape_quoted(token));
      continue;
    }
    // Empty parts are dropped before stripping: `"a, ,b"x` has the term "".
    size_t start = 0;
    for (size_t comma = 0; comma != std::string_view::npos; start = comma + 1) {
      comma = token.find(',', start);
      const std::string_view part = token.substr(start, comma - start);
      if (!part.empty()) terms.emplace_back(text::python_strip(part));
    }
  }
  return terms;
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
    std::string path = resource.kind->path_for(term);
    const bool seen = std::any_of(keys.begin(), keys.end(),
                                  [&](const store::OrderKey& k) { return k.path == path; });
    if (allowed && !seen) keys.push_back({std::move(path), descending});
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

namespace {

// One element of a parameter read as a filter's value kind: a value, nothing
// (an empty value, which django-filter does not apply), or a message.
struct Element {
  enum class State { Value, Empty, Invalid } state = State::Empty;
  Value value;
  std::string message;
};

Element value(Value v) {
  return {Element::State::Value, std::move(v), {}};
}
Element invalid(std::string message) {
  return {Element::State::Invalid, {}, std::move(message)};
}

bool has_nul(std::string_view s) {
  return s.find('\0') != std::string_view::npos;
}

constexpr const char* kInvalidChoice =
    "Select a valid choice. That choice is not one of the available choices.";

// An id as Django's pk lookup reads it: int() for integer ids, uuid.UUID()
// for UUIDs.
std::optional<Value> parse_id(const Kind& kind, std::string_view raw) {
  if (kind.id_type == IdType::Uuid) {
    if (auto u = text::python_uuid(raw)) return Value(*u);
    return std::nullopt;
  }
  if (auto i = text::python_int(raw)) return Value(*i);
  return std::nullopt;
}

Element parse_element(const Filter& f, std::string_view raw, const SelectContext& ctx) {
  using K = model::ValueKind;
  switch (f.kind) {
    case K::Number:
    case K::Decimal: {
      const std::string_view s = text::python_strip(raw);
      if (s.empty()) return {};
      const auto n = text::django_decimal_to_integer(s);
      if (!n.valid) return invalid("Enter a number.");
      // Django's IntegerField truncates a decimal lookup value; beyond int64
      // the value still compares as the number it is.
      if (f.integer && n.in_range) return value(n.value);
      return value(*text::django_decimal_to_double(s));
    }
    case K::DateTime: {
      if (const auto t = datetime::parse_filter_datetime(raw)) return value(*t);
      return invalid("Enter a valid date/time.");
    }
    case K::Date: {
      if (auto d = datetime::parse_filter_date(raw)) return value(std::move(*d));
      return invalid("Enter a valid date.");
    }
    case K::Boolean: {
      // django-filter's BooleanWidget: anything else is "no value".
      std::string lower(raw);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "true" || lower == "1") return value(int64_t{1});
      if (lower == "false" || lower == "0") return value(int64_t{0});
      return {};
    }
    case K::Text: {
      const std::string_view s = text::python_strip(raw);  // forms.CharField strips
      if (s.empty() && !f.csv) return {};
      if (has_nul(s)) return invalid(kNullCharacters);  // its validator
      return value(std::string(s));
    }
    case K::Uuid: {
      const std::string_view s = text::python_strip(raw);
      if (s.empty()) return {};
      if (auto u = text::python_uuid(s)) return value(std::move(*u));
      return invalid("Enter a valid UUID.");
    }
    case K::Choice: {
      if (raw.empty()) return {};
      if (has_nul(raw)) return invalid(kNullCharacters);  // before the lookup
      const auto id = parse_id(*f.choice_kind, raw);
      if (!id || (ctx.exists && !ctx.exists(*f.choice_kind, *id))) return invalid(kInvalidChoice);
      return value(*id);
    }
    case K::MultipleChoice:
    case K::Auto:
      break;
  }
  return {};
}

// str() of an id as Python prints it.
std::string id_text(const Value& id) {
  if (const auto* i = std::get_if<int64_t>(&id)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&id)) return *s;
  return {};
}

// ModelMultipleChoiceFilter: every value of a repeated parameter names an
// object that exists; the filter matches any of them.
std::variant<std::vector<Value>, std::string> parse_choices(
    const Filter& f, const std::vector<std::string_view>& raws, const SelectContext& ctx) {
  // Django checks each value for a NUL before reading it as an id.
  if (std::any_of(raws.begin(), raws.end(), has_nul)) return std::string(kNullCharacters);
  std::vector<Value> ids;
  for (const auto raw : raws) {
    const auto id = parse_id(*f.choice_kind, raw);
    if (!id) return fmt::format("\u201c{}\u201d is not a valid value.", raw);
    ids.push_back(*id);
  }
  // Django compares str(pk) of the objects found with each value as given,
  // so ` 1`, `01` or `１` is no choice even where id 1 exists.
  for (size_t i = 0; i < ids.size(); ++i) {
    if ((ctx.exists && !ctx.exists(*f.choice_kind, ids[i])) || id_text(ids[i]) != raws[i])
      return fmt::format("Select a valid choice. {} is not one of the available choices.", raws[i]);
  }
  return ids;
}

// Django 5.0's integer lookups: a bound outside the column's range is no
// SQL but the whole or the empty result (FullResultSet / EmptyResultSet), so
// `founding_year__lt=2147483648` lists rows whose value is NULL too. Every
// integer column is an IntegerField (32 bits), as in the peer's models.
std::optional<model::Predicate> beyond_integer_column(const Filter& f, const Value& v) {
  using model::Lookup;
  constexpr double kMin = -2147483648.0;
  constexpr double kMax = 2147483647.0;
  if (!f.integer || f.path.find("__") != std::string::npos) return std::nullopt;
  double x = 0;
  if (const auto* i = std::get_if<int64_t>(&v)) {
    x = static_cast<double>(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    x = *d;
  } else {
    return std::nullopt;
  }
  const bool over = x > kMax;
  const bool under = x < kMin;
  if (!over && !under) return std::nullopt;
  switch (f.lookup) {
    case Lookup::Exact:
      return model::Predicate::nothing();
    case Lookup::Gt:
    case Lookup::Gte:
      return over ? model::Predicate::nothing() : model::Predicate::all();
    case Lookup::Lt:
    case Lookup::Lte:
      return over ? model::Predicate::all() : model::Predicate::nothing();
    default:
      return std::nullopt;
  }
}

// A filter's condition from its parameter; nullopt when it does not apply.
std::optional<model::Predicate> apply_filter(const Filter& f, const text::QueryParams& params,
                                             const SelectContext& ctx, FieldErrors& errors) {
  using model::Predicate;
  std::vector<Value> values;
  if (f.kind == model::ValueKind::MultipleChoice) {
    const auto raws = params.get_all(f.param);
    // An empty value is no id either: `program=` is a 400, as in Django.
    if (raws.empty()) return std::nullopt;
    auto parsed = parse_choices(f, raws, ctx);
    if (auto* message = std::get_if<std::string>(&parsed)) {
      add_error(errors, f.param, *message);
      return std::nullopt;
    }
    values = std::move(std::get<std::vector<Value>>(parsed));
    if (f.custom) return f.custom(values, ctx.filter);
    return Predicate::compare(f.path, model::Lookup::In, std::move(values));
  }
  const auto raw = params.get(f.param);
  if (!raw || raw->empty()) return std::nullopt;  // django-filter skips empty values
  if (!f.unsupported.empty()) {
    add_error(errors, f.param, f.unsupported);
    return std::nullopt;
  }
  if (f.csv) {
    // BaseCSVField: each comma-separated element read on its own; the first
    // bad one is the error. Empty elements read as None, which an IN drops.
    size_t start = 0;
    bool any_empty = false;
    while (true) {
      const size_t comma = raw->find(',', start);
      const std::string_view part = raw->substr(start, comma - start);
      const Element e = parse_element(f, part, ctx);
      if (e.state == Element::State::Invalid) {
        add_error(errors, f.param, e.message);
        return std::nullopt;
      }
      if (e.state == Element::State::Value)
        values.push_back(e.value);
      else
        any_empty = true;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (f.custom) return f.custom(values, ctx.filter);
    if (values.empty() && any_empty) return Predicate::nothing();  // IN (NULL, ...) matches nothing
  } else {
    const Element e = parse_element(f, *raw, ctx);
    if (e.state == Element::State::Invalid) {
      add_error(errors, f.param, e.message);
      return std::nullopt;
    }
    if (e.state == Element::State::Empty) return std::nullopt;
    values.push_back(e.value);
    if (f.custom) return f.custom(values, ctx.filter);
  }
  if (!f.csv) {
    if (auto bound = beyond_integer_column(f, values[0])) return bound;
  }
  model::Lookup lookup = f.lookup;
  if (f.csv && lookup == model::Lookup::Exact) lookup = model::Lookup::In;
  // Case-insensitive lookups compare PostgreSQL's UPPER of both sides.
  if (lookup == model::Lookup::IExact || lookup == model::Lookup::IContains ||
      lookup == model::Lookup::IStartsWith) {
    for (auto& v : values) {
      if (auto* s = std::get_if<std::string>(&v)) *s = text::unicode_upper(*s);
    }
  }
  return Predicate::compare(f.path, lookup, std::move(values));
}

}  // namespace

std::variant<Selection, FieldErrors> select(const Resource& resource,
                                            const text::QueryParams& params, bool detail,
                                            const SelectContext& context) {
  Selection sel;
  FieldErrors errors;
  sel.mode = context.mode != nullptr
                 ? context.mode
                 : resource.mode(detail ? resource.detail_mode : resource.list_mode);
  // Where LL2 documents no `mode`, it is no parameter (an unknown one).
  if (const auto m = params.get("mode");
      m && !m->empty() && resource.mode_parameter && context.mode_parameter) {
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
  const model::Action* action = context.action;
  if (action != nullptr && action->base) q.where.require(action->base(context.filter));
  // In django-filter's form order: the resource's filters, then the action's.
  const auto apply_all = [&](const std::vector<Filter>& filters) {
    for (const auto& f : filters) {
      if (auto p = apply_filter(f, params, context, errors)) q.where.require(std::move(*p));
    }
  };
  apply_all(resource.filters);
  if (action != nullptr) apply_all(action->extra_filters);
  if (!errors.empty()) return errors;
  context.filter.note_clock(*resource.kind, q.where);

  if (const auto s = params.get("search")) {
    for (const auto& path : resource.search_fields) {
      if (action == nullptr || std::find(action->omit_search.begin(), action->omit_search.end(),
                                         path) == action->omit_search.end())
        q.search_paths.push_back(resource.kind->path_for(path));
    }
    // A view with search fields reads `search` (LL2's default filter
    // backends have no SearchFilter): a NUL in it is a 400.
    const auto terms = search_terms(*s);
    if (!terms && !resource.search_fields.empty()) {
      add_error(errors, "", kNullCharacters);
      return errors;
    }
    // Every term must match, so a repeated term adds nothing; distinct terms
    // are capped because each one costs a pass over the searched names.
    for (const auto& term : terms.value_or(std::vector<std::string>{})) {
      std::string upper = text::unicode_upper(term);
      if (std::find(q.search_terms.begin(), q.search_terms.end(), upper) == q.search_terms.end())
        q.search_terms.push_back(std::move(upper));
    }
    // DRF's SearchFilter without search fields leaves the list as it is.
    if (q.search_paths.empty()) q.search_terms.clear();
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
    const auto& defaults = action != nullptr && !action->default_ordering.empty()
                               ? action->default_ordering
                               : resource.default_ordering;
    for (const auto& d : defaults) {
      const bool desc = !d.empty() && d[0] == '-';
      q.order.push_back({resource.kind->path_for(desc ? d.substr(1) : d), desc});
    }
  }
  q.limit = parse_limit(params);
  q.offset = parse_offset(params);
  return sel;
}

std::string errors_body(const FieldErrors& errors) {
  std::string body;
  json::Writer w(body);
  if (errors.size() == 1 && errors[0].first.empty()) {  // not a form's: a list
    w.begin_array();
    for (const auto& m : errors[0].second) w.string(m);
    w.end_array();
    return body;
  }
  w.begin_object();
  for (const auto& [field, messages] : errors) {
    w.key(field);
    w.begin_array();
    for (const auto& m : messages) w.string(m);
    w.end_array();
  }
  w.end_object();
  return body;
}

}  // namespace ll2::api
