#include "api/feed_schema.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "api/changes_view.hpp"
#include "api/live_page.hpp"
#include "api/openapi.hpp"
#include "feed/changes.hpp"
#include "json/writer.hpp"

namespace ll2::api {

namespace {

using Writer = json::Writer;

// The kinds the log names (those of the first version `first` with ids of
// their own), as the feed accepts them in `kinds`.
std::vector<std::string> logged_kinds(const model::Registry& first) {
  std::vector<std::string> out;
  for (const auto& k : first.kinds()) {
    if (k->id_type != model::IdType::None) out.push_back(k->name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every type an entry can carry.
std::vector<std::string> feed_types(const model::Registry& first) {
  std::vector<std::string> out;
  for (const auto& name : logged_kinds(first)) {
    for (auto& t : feed::types_of(*first.find_kind(name))) out.push_back(std::move(t));
  }
  return out;
}

void string_enum(Writer& w, const std::vector<std::string>& values) {
  w.begin_object();
  w.key("type");
  w.string("string");
  w.key("enum");
  w.begin_array();
  for (const auto& v : values) w.string(v);
  w.end_array();
  w.end_object();
}

void parameter_schema(Writer& w, const model::Registry& first, ChangeParameterValue value) {
  switch (value) {
    case ChangeParameterValue::Sequence:
      w.raw(R"({"type":"integer","minimum":0,"default":0})");
      return;
    case ChangeParameterValue::Limit:
      w.raw(fmt::format(R"({{"type":"integer","minimum":1,"maximum":{},"default":{}}})",
                        feed::kMaxChangeLimit, store::ChangeQuery{}.limit));
      return;
    case ChangeParameterValue::Kinds:
    case ChangeParameterValue::Types:
      w.begin_object();
      w.key("type");
      w.string("array");
      w.key("items");
      string_enum(w,
                  value == ChangeParameterValue::Kinds ? logged_kinds(first) : feed_types(first));
      w.end_object();
      return;
    case ChangeParameterValue::Text:
      w.raw(R"({"type":"string"})");
      return;
  }
}

// The feed's parameters, then every launch filter (the first version's
// /launches/ filters, which narrow the feed to the launches they select now);
// the stream's also Last-Event-ID.
void feed_parameters(Writer& w, const model::Registry& first, bool stream) {
  w.key("parameters");
  w.begin_array();
  for (const auto& p : kChangeParameters) {
    w.begin_object();
    w.key("in");
    w.string("query");
    w.key("name");
    w.string(p.name);
    w.key("schema");
    parameter_schema(w, first, p.value);
    if (p.value == ChangeParameterValue::Kinds || p.value == ChangeParameterValue::Types) {
      w.key("style");
      w.string("form");
      w.key("explode");
      w.boolean(false);
    }
    w.key("description");
    w.string(p.description);
    w.end_object();
  }
  // A launch filter named as one of the feed's own (`id`) is the feed's.
  for (const auto& f : first.find_resource("launches")->filters) {
    if (!is_change_parameter(f.param)) write_filter_parameter(w, f);
  }
  if (stream)
    w.raw(
        R"({"in":"header","name":"Last-Event-ID","required":false,"schema":{"type":"integer","minimum":0},"description":"The last entry received: the stream starts after it (instead of `since`)."})");
  w.end_array();
}

constexpr std::string_view kBadRequest =
    R"({"description":"A parameter is not valid: the messages by parameter.","content":{"application/json":{"schema":{"type":"object","additionalProperties":{"type":"array","items":{"type":"string"}}}}}})";

void changes_path(Writer& w, const model::Registry& first) {
  w.begin_object();
  w.key("get");
  w.begin_object();
  w.raw(
      R"("operationId":"ll2d_changes_list","summary":"A page of the change log after a sequence number.","description":"Entries after `since`, oldest first. Call `next` (or pass `next_since` as `since`) to go on; `more` says whether entries are already waiting. Any filter of the launches list (lsp__id, location__ids, is_crewed, ...) keeps only the entries of launches it selects now.")");
  feed_parameters(w, first, false);
  w.key("responses");
  w.begin_object();
  w.raw(
      R"("200":{"description":"A page of entries.","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ChangePage"}}}})");
  w.key("400");
  w.raw(kBadRequest);
  w.end_object();
  w.end_object();
  w.end_object();
}

void stream_path(Writer& w, const model::Registry& first) {
  w.begin_object();
  w.key("get");
  w.begin_object();
  w.raw(
      R"("operationId":"ll2d_changes_stream","summary":"The change log as Server-Sent Events, as it happens.","description":"Each entry is an event whose `id:` is its sequence number and whose `data:` is the entry (a ChangeEntry) as JSON. A reconnecting client sends Last-Event-ID and gets every entry after it. A quiet stream sends a comment line every 15 seconds.")");
  feed_parameters(w, first, true);
  w.key("responses");
  w.begin_object();
  w.raw(
      R"("200":{"description":"The stream: `id: SEQ` and `data: ENTRY` lines, one blank line after each event.","content":{"text/event-stream":{"schema":{"type":"string"}}}})");
  w.key("400");
  w.raw(kBadRequest);
  w.end_object();
  w.end_object();
  w.end_object();
}

void html_path(Writer& w, std::string_view id, std::string_view summary) {
  w.raw(fmt::format(
      R"({{"get":{{"operationId":"{}","summary":"{}","responses":{{"200":{{"description":"The page.","content":{{"text/html":{{"schema":{{"type":"string"}}}}}}}}}}}}}})",
      id, summary));
}

void schemas(Writer& w, const model::Registry& first) {
  w.key("ChangeEntry");
  w.begin_object();
  w.raw(
      R"("type":"object","required":["seq","time","kind","id","op","types","fields","changes","url"])");
  w.key("properties");
  w.begin_object();
  w.raw(
      R"("seq":{"type":"integer","description":"The entry's sequence number: the cursor."},"time":{"type":"string","format":"date-time"})");
  w.key("kind");
  string_enum(w, logged_kinds(first));
  w.raw(
      R"("id":{"oneOf":[{"type":"integer"},{"type":"string","format":"uuid"}]},"op":{"type":"string","enum":["created","updated","deleted"]})");
  w.key("types");
  w.begin_object();
  w.key("type");
  w.string("array");
  w.key("items");
  string_enum(w, feed_types(first));
  w.end_object();
  w.raw(
      R"("fields":{"type":"array","items":{"type":"string"},"description":"What the write set (created) or changed (updated)."},"changes":{"type":"object","description":"The watched fields' old and new values (a status or precision as its id, name and abbrev).","additionalProperties":{"type":"object","properties":{"old":{},"new":{}}}},"url":{"type":"string","format":"uri","nullable":true})");
  w.end_object();
  w.end_object();
  w.raw(
      R"("ChangePage":{"type":"object","required":["since","next_since","next","more","results"],"properties":{"since":{"type":"integer"},"next_since":{"type":"integer"},"next":{"type":"string","format":"uri"},"more":{"type":"boolean"},"results":{"type":"array","items":{"$ref":"#/components/schemas/ChangeEntry"}}}})");
}

}  // namespace

std::string feed_openapi_document(const model::Registry& first, const std::string& server) {
  std::string out;
  Writer w(out);
  w.begin_object();
  w.key("openapi");
  w.string("3.0.3");
  w.raw(
      R"("info":{"title":"ll2d's own endpoints","version":"v1","description":"What ll2d serves besides Launch Library 2's API: its change feed and live page."})");
  w.key("paths");
  w.begin_object();
  w.key(kChangesPath);
  changes_path(w, first);
  w.key(kChangeStreamPath);
  stream_path(w, first);
  w.key(kLivePagePath);
  html_path(w, "ll2d_live", "The next launches with countdowns, following the change stream.");
  w.key(kFeedSchemaPath);
  w.raw(
      R"({"get":{"operationId":"ll2d_schema","summary":"This document.","responses":{"200":{"description":"The document.","content":{"application/vnd.oai.openapi+json":{"schema":{"type":"object"}}}}}}})");
  w.end_object();
  w.key("components");
  w.begin_object();
  w.key("schemas");
  w.begin_object();
  schemas(w, first);
  w.end_object();
  w.end_object();
  write_servers(w, server);
  w.end_object();
  return out;
}

Response feed_schema_view(const Request& request, const model::Registry& first,
                          const std::string& server) {
  if (auto refused = refuse_unless_read(request)) return std::move(*refused);
  Response r;
  r.headers = {{"Allow", "GET, HEAD"}};
  r.content_type = "application/vnd.oai.openapi+json";
  r.body = feed_openapi_document(first, server);
  r.omit_body = request.method == "HEAD";
  return r;
}

}  // namespace ll2::api
