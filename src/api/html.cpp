#include "api/html.hpp"

#include <fmt/format.h>

#include "api/docs.hpp"
#include "api/params.hpp"
#include "json/writer.hpp"
#include "util/text.hpp"

namespace ll2::api {

const char* status_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    default:
      return "Error";
  }
}

namespace {

constexpr const char* kStyle = R"css(/* ll2d browsable API */
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#f5f6f8}
header{background:#1b2a41;color:#fff;padding:10px 24px}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
.breadcrumb{font-size:14px;margin:8px 0}.breadcrumb a{color:#2a5db0}
h1{font-size:26px;margin:8px 0 12px}
.docs{background:#fff;border:1px solid #dde;border-radius:6px;padding:4px 18px;margin-bottom:14px}
.docs h4{margin:14px 0 2px}.docs p{margin:4px 0}
pre{background:#fff;border:1px solid #dde;border-radius:6px;padding:12px;overflow:auto;font-size:13px;white-space:pre-wrap;word-break:break-word}
pre.request{padding:8px 12px}
.actions{float:right}.actions a{display:inline-block;border:1px solid #2a5db0;border-radius:4px;padding:3px 10px;margin-left:6px;color:#2a5db0;text-decoration:none}
.pager a,.pager span{display:inline-block;padding:3px 9px;margin:2px;border:1px solid #ccd;border-radius:4px;text-decoration:none}
.pager span.current{background:#2a5db0;color:#fff}.pager span.disabled{color:#aaa}
form.filters{background:#fff;border:1px solid #dde;border-radius:6px;padding:12px 18px;margin:14px 0}
form.filters label{display:inline-block;min-width:220px;margin:4px 12px 4px 0;font-size:13px}
form.filters input,form.filters select{display:block;width:210px;padding:3px}
)css";

}  // namespace

const std::string& stylesheet() {
  static const std::string css(kStyle);
  return css;
}

const std::string& stylesheet_etag() {
  static const std::string etag = [] {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a of the content
    for (char c : stylesheet()) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
    return fmt::format("\"{:016x}\"", h);
  }();
  return etag;
}

namespace {

std::string page_title(const PageInput& p) {
  if (p.resource == nullptr) return "Api Root";
  return route_name(*p.resource, p.action) + (p.is_list ? " List" : " Instance");
}

// The pretty-printed body with every absolute URL made a link.
std::string linked_json(const std::string& compact) {
  const std::string pretty = json::pretty(compact);
  std::string out;
  out.reserve(pretty.size() * 11 / 10);
  for (size_t i = 0; i < pretty.size(); ++i) {
    if (pretty[i] != '"') {
      text::append_html_escaped(out, std::string_view(&pretty[i], 1));
      continue;
    }
    size_t j = i + 1;
    while (j < pretty.size() && pretty[j] != '"') {
      if (pretty[j] == '\\') ++j;
      ++j;
    }
    const std::string_view inner(pretty.data() + i + 1, j - i - 1);
    const bool is_url = (inner.starts_with("http://") || inner.starts_with("https://")) &&
                        inner.find('\\') == std::string_view::npos;
    const bool is_key = j + 1 < pretty.size() && pretty[j + 1] == ':';
    out += "&quot;";
    if (is_url && !is_key) {
      out += "<a href=\"";
      text::append_html_escaped(out, inner);
      out += "\">";
      text::append_html_escaped(out, inner);
      out += "</a>";
    } else {
      text::append_html_escaped(out, inner);
    }
    out += "&quot;";
    i = j;
  }
  return out;
}

std::string query_with(const http::QueryParams& params, std::string_view key,
                       std::string_view value) {
  std::string out = "?";
  out += params.encode_replacing(key, value);
  return out;
}

// What a filter's input shows while it is empty: the form of its value.
const char* placeholder(const Filter& f) {
  const char* one = "";
  switch (f.kind) {
    case ValueKind::DateTime:
      one = "2024-06-06T06:48:00Z";
      break;
    case ValueKind::Date:
      one = "2024-06-06";
      break;
    case ValueKind::Boolean:
      return "true / false";
    case ValueKind::Uuid:
      one = "uuid";
      break;
    case ValueKind::Text:
      one = "text";
      break;
    default:
      one = f.integer ? "id" : "number";
      break;
  }
  if (f.kind == ValueKind::MultipleChoice) return "id (repeat for more)";
  if (f.csv) return f.kind == ValueKind::Text ? "a,b" : "1,2";
  return one;
}

void filter_form(std::string& out, const PageInput& p) {
  const Resource& r = *p.resource;
  const auto value = [&](std::string_view key) {
    return text::html_escape(p.params->get(key).value_or(""));
  };
  out +=
      fmt::format("<form class=\"filters\" method=\"get\" action=\"/2.3.0/{}/\"><h3>Filters</h3>",
                  route_path(r, p.action));
  out += "<input type=\"hidden\" name=\"format\" value=\"api\">";
  if (r.mode_parameter) {
    out += "<label>mode<select name=\"mode\"><option value=\"\">(default)</option>";
    for (const auto& m : r.modes) {
      out += fmt::format("<option value=\"{0}\"{1}>{0}</option>", m.name,
                         p.params->get("mode") == m.name ? " selected" : "");
    }
    out += "</select></label>";
  }
  for (const Filter* f : route_filters(r, p.action)) {
    out += fmt::format("<label>{0}<input name=\"{0}\" value=\"{1}\" placeholder=\"{2}\"></label>",
                       f->param, value(f->param), placeholder(*f));
  }
  if (!route_search_fields(r, p.action).empty()) {
    out += fmt::format("<label>search<input type=\"search\" name=\"search\" value=\"{}\"></label>",
                       value("search"));
  }
  if (!r.ordering_fields.empty()) {
    out += "<label>ordering<select name=\"ordering\"><option value=\"\">(default)</option>";
    for (const auto& o : r.ordering_fields) {
      for (const std::string& term : {o, "-" + o}) {
        out += fmt::format("<option value=\"{0}\"{1}>{0}</option>", term,
                           p.params->get("ordering") == term ? " selected" : "");
      }
    }
    out += "</select></label>";
  }
  out += fmt::format(
      "<label>limit<input type=\"number\" min=\"1\" max=\"100\" name=\"limit\" "
      "value=\"{}\"></label>",
      value("limit"));
  out += "<p><button type=\"submit\">Apply</button></p></form>";
  // Empty fields would mean "not applied" anyway; leaving them out keeps URLs short.
  out +=
      "<script>document.querySelector('form.filters').addEventListener('submit',function(e){"
      "for(const el of "
      "e.target.elements){if(el.name&&el.value===''){el.disabled=true;}}});</script>";
}

void pager(std::string& out, const PageInput& p, int64_t count, int64_t limit, int64_t offset) {
  out += "<nav class=\"pager\">";
  const auto link = [&](int64_t off, const std::string& label) {
    out +=
        fmt::format("<a href=\"{}\">{}</a>",
                    text::html_escape(query_with(*p.params, "offset", std::to_string(off))), label);
  };
  if (offset > 0)
    link(std::max<int64_t>(0, offset - limit), "&laquo; Previous");
  else
    out += "<span class=\"disabled\">&laquo; Previous</span>";
  // offset may be anything up to INT64_MAX: every sum below is written so
  // that it cannot overflow (count and limit are small and positive).
  const int64_t pages = count / limit + (count % limit != 0 ? 1 : 0);
  const int64_t current = offset / limit;
  for (int64_t i = 0; i < pages; ++i) {
    if (i > 1 && i < pages - 2 && (i < current - 2 || i - 2 > current)) {
      if (i == 2 || i - 3 == current) out += "<span>&hellip;</span>";
      continue;
    }
    if (i == current && offset % limit == 0)
      out += fmt::format("<span class=\"current\">{}</span>", i + 1);
    else
      link(i * limit, std::to_string(i + 1));
  }
  if (offset < count - limit)  // offset + limit < count
    link(offset + limit, "Next &raquo;");
  else
    out += "<span class=\"disabled\">Next &raquo;</span>";
  out += "</nav>";
}

}  // namespace

std::string render_page(const PageInput& p) {
  const std::string title = page_title(p);
  std::string out;
  out.reserve(p.json.size() * 2 + 8192);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out +=
      fmt::format("<title>{} – ll2d</title><link rel=\"stylesheet\" href=\"{}?v={}\"></head><body>",
                  text::html_escape(title), kStylesheetPath, stylesheet_etag().substr(1, 8));
  out +=
      "<header><a href=\"/2.3.0/?format=api\">ll2d &middot; Launch Library 2 API "
      "2.3.0</a></header><main>";

  out += "<nav class=\"breadcrumb\"><a href=\"/2.3.0/?format=api\">Api Root</a>";
  if (p.resource != nullptr) {
    out += fmt::format(" / <a href=\"/2.3.0/{}/?format=api\">{} List</a>",
                       route_path(*p.resource, p.action),
                       text::html_escape(route_name(*p.resource, p.action)));
    if (!p.is_list)
      out += fmt::format(" / {} Instance", text::html_escape(route_name(*p.resource, p.action)));
  }
  out += "</nav>";

  out += fmt::format("<div class=\"actions\"><a class=\"format-json\" href=\"{}\">json</a></div>",
                     text::html_escape(query_with(*p.params, "format", "json")));
  out += fmt::format("<h1>{}</h1>", text::html_escape(title));
  if (p.resource != nullptr) {
    out += "<section class=\"docs\">";
    out += markdown_to_html(resource_docs_markdown(*p.resource, p.action, {false, "&format=api"}));
    out += "</section>";
  }

  if (p.resource != nullptr && p.is_list && p.status == 200) {
    const int64_t count = p.count;
    const int64_t limit = parse_limit(*p.params);
    const int64_t offset = parse_offset(*p.params);
    if (count > limit) pager(out, p, count, limit, offset);
    filter_form(out, p);
  }
  out += fmt::format("<pre class=\"request\"><b>{}</b> {}</pre>", text::html_escape(p.method),
                     text::html_escape(p.full_path));
  out += fmt::format("<pre class=\"response\"><span class=\"status\"><b>HTTP {} {}</b></span>\n",
                     p.status, status_reason(p.status));
  for (const auto& [name, value] : p.headers) {
    out += fmt::format("<b>{}:</b> {}\n", text::html_escape(name), text::html_escape(value));
  }
  out += fmt::format("\n<code id=\"body\">{}</code></pre>", linked_json(p.json));

  out += "</main></body></html>\n";
  return out;
}

}  // namespace ll2::api
