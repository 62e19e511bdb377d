#include "sync/page.hpp"

#include <charconv>
#include <optional>

#include "ingest/json_source.hpp"

namespace ll2::sync {

namespace {

using ingest::JsonNode;
using Type = JsonNode::Type;

constexpr std::string_view kNotAPage = "not a page (expected {count, next, previous, results})";

std::optional<int64_t> integer(const JsonNode* n) {
  if (n == nullptr || n->type != Type::Number) return std::nullopt;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(n->text.data(), n->text.data() + n->text.size(), v);
  if (ec != std::errc() || end != n->text.data() + n->text.size()) return std::nullopt;
  return v;
}

// An id as the importer keys it: an integer or a string; anything else none.
std::optional<Value> id_of(const JsonNode& object) {
  const JsonNode* id = object.get("id");
  if (id == nullptr) return std::nullopt;
  if (id->type == Type::String) return Value(std::string(id->text));
  if (const auto n = integer(id)) return Value(*n);
  return std::nullopt;
}

// The document's root, or why there is none ("nesting deeper than 64 levels").
std::variant<const JsonNode*, std::string> root_of(const ingest::JsonParse& parsed) {
  if (parsed.root == nullptr)
    return parsed.too_deep ? parsed.error : "not JSON (" + parsed.error + ")";
  return parsed.root;
}

}  // namespace

std::variant<PageInfo, std::string> read_page(std::string_view body) {
  const auto parsed = ingest::parse_json(body);
  const auto root = root_of(parsed);
  if (const auto* e = std::get_if<std::string>(&root)) return *e;
  const JsonNode& d = *std::get<const JsonNode*>(root);
  if (d.type != Type::Object) return std::string(kNotAPage);
  const auto count = integer(d.get("count"));
  const JsonNode* next = d.get("next");
  const JsonNode* results = d.get("results");
  if (!count || results == nullptr || results->type != Type::Array || next == nullptr ||
      (next->type != Type::Null && next->type != Type::String))
    return std::string(kNotAPage);
  PageInfo info;
  info.count = *count;
  info.has_next = next->type == Type::String;
  info.results = results->size;
  for (const JsonNode& r : results->items()) {
    if (r.type != Type::Object) return std::string("a result is not an object");
    if (auto id = id_of(r)) info.ids.push_back(std::move(*id));
    const JsonNode* lu = r.get("last_updated");
    if (lu != nullptr && lu->type == Type::String && info.newest < lu->text)
      info.newest = std::string(lu->text);
  }
  return info;
}

std::variant<Value, std::string> read_object_id(std::string_view body) {
  const auto parsed = ingest::parse_json(body);
  const auto root = root_of(parsed);
  if (const auto* e = std::get_if<std::string>(&root)) return *e;
  const JsonNode& d = *std::get<const JsonNode*>(root);
  if (d.type != Type::Object) return std::string("not an object");
  if (auto id = id_of(d)) return std::move(*id);
  return std::string("an object without an integer or string id");
}

std::variant<UpstreamReport, std::string> read_report(std::string_view body) {
  const auto parsed = ingest::parse_json(body);
  const auto root = root_of(parsed);
  if (const auto* e = std::get_if<std::string>(&root)) return *e;
  const JsonNode& d = *std::get<const JsonNode*>(root);
  if (d.type != Type::Object) return std::string("not an object");
  UpstreamReport report;
  for (const auto& [key, out] :
       {std::pair<const char*, int64_t*>{"your_request_limit", &report.limit},
        {"limit_frequency_secs", &report.frequency_s},
        {"current_use", &report.current_use},
        {"next_use_secs", &report.next_use_s}}) {
    const JsonNode* n = d.get(key);
    if (n == nullptr) continue;
    const auto v = integer(n);
    if (!v || *v < 0) return std::string(key) + " is not a number of 0 or more";
    *out = *v;
  }
  constexpr int64_t kDay = 86'400;
  if (report.frequency_s > kDay)
    return "a window of " + std::to_string(report.frequency_s) + " s (more than a day)";
  if (report.limit > 1'000'000)
    return "a limit of " + std::to_string(report.limit) + " calls (more than a million)";
  // Without a window, an hour (LL2's).
  const int64_t window = report.frequency_s > 0 ? report.frequency_s : 3'600;
  if (report.next_use_s > window)
    return "a wait of " + std::to_string(report.next_use_s) + " s, longer than its window of " +
           std::to_string(window) + " s";
  return report;
}

}  // namespace ll2::sync
