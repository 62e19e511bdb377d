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

constexpr const char* kStyle = R"css(/* ll2d browsable API, laid out as DRF 3.17.1's */
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#f5f6f8}
header{background:#1b2a41;color:#fff;padding:10px 24px}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
.breadcrumb{font-size:14px;margin:8px 0;background:#e9ecf1;border-radius:4px;padding:6px 12px}.breadcrumb a{color:#2a5db0}
.page-header h1{font-size:26px;margin:8px 0 12px}
.docs{background:#fff;border:1px solid #dde;border-radius:6px;padding:4px 18px;margin-bottom:14px;font-size:14px;max-height:13em;overflow:auto;resize:vertical}
.docs h4{margin:10px 0 2px}.docs p{margin:2px 0}
pre{background:#fff;border:1px solid #dde;border-radius:6px;padding:12px;overflow:auto;font-size:13px;white-space:pre-wrap;word-break:break-word}
pre.request{padding:8px 12px}
.actions{float:right;display:flex;gap:8px;margin-top:8px}
.btn{display:inline-block;border:1px solid #2a5db0;border-radius:4px;padding:4px 12px;color:#2a5db0;background:#fff;font:inherit;font-size:14px;text-decoration:none;cursor:pointer}
.btn-primary{background:#2a5db0;color:#fff}
.pager a,.pager span{display:inline-block;padding:3px 9px;margin:2px;border:1px solid #ccd;border-radius:4px;text-decoration:none}
.pager span.current{background:#2a5db0;color:#fff}.pager span.disabled{color:#aaa}
dialog.modal{border:1px solid #99a;border-radius:6px;padding:0;max-width:760px;width:90vw;max-height:85vh}
dialog.modal::backdrop{background:rgba(0,0,0,.4)}
.modal-header{position:sticky;top:0;background:#fff;border-bottom:1px solid #dde;padding:10px 18px}
.modal-title{margin:0;font-size:18px}.close{float:right;border:0;background:none;font-size:22px;line-height:1;cursor:pointer}
form.filters{padding:12px 18px;display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:6px 14px;align-items:end}
form.filters label{font-size:13px;overflow-wrap:anywhere}
form.filters input,form.filters select{display:block;width:100%;box-sizing:border-box;padding:3px}
form.filters p{grid-column:1/-1;position:sticky;bottom:0;background:#fff;margin:0;padding:8px 0}
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

std::string query_with(const text::QueryParams& params, std::string_view key,
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

// The filters in a modal behind the "Filters" button, as DRF 3.17.1's
// base.html places its filter form, so that a list's first result is near
// the top however many filters the endpoint has. A native <dialog>: the page
// ships no jQuery or Bootstrap (ll2d vendors no third-party code).
void filters_modal(std::string& out, const PageInput& p) {
  const Resource& r = *p.resource;
  const auto value = [&](std::string_view key) {
    return text::html_escape(p.params->get(key).value_or(""));
  };
  out +=
      "<dialog class=\"modal\" id=\"filtersModal\" aria-labelledby=\"filtersTitle\">"
      "<div class=\"modal-header\"><button type=\"button\" class=\"close\" "
      "data-dismiss=\"modal\" aria-label=\"Close\">&times;</button>"
      "<h4 class=\"modal-title\" id=\"filtersTitle\">Filters</h4></div>";
  out += fmt::format("<form class=\"filters modal-body\" method=\"get\" action=\"{}{}/\">",
                     p.version->prefix, route_path(r, p.action));
  out += "<input type=\"hidden\" name=\"format\" value=\"api\">";
  if (r.mode_parameter && !p.version->mode_routes) {
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
  out += "<p><button type=\"submit\" class=\"btn btn-primary\">Apply</button></p></form></dialog>";
}

// The page's one script: the Filters button opens the modal, its close
// button and Escape close it, and empty fields are left out of a submitted
// query (they would mean "not applied" anyway; the URL stays short).
constexpr const char* kPageScript =
    "<script>(function(){const m=document.getElementById('filtersModal');"
    "document.querySelector('[data-target=\"#filtersModal\"]').addEventListener('click',"
    "function(){m.showModal();});"
    "m.querySelector('[data-dismiss=modal]').addEventListener('click',function(){m.close();});"
    "m.querySelector('form').addEventListener('submit',function(e){for(const el of "
    "e.target.elements){if(el.name&&el.value===''){el.disabled=true;}}});})();</script>";

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

// DRF 3.17.1's base.html and api.html, in their order: navbar, breadcrumbs,
// the request buttons (format, Filters), the page header and description,
// the paginator, the request and the response; the filters modal and the
// CSRF configuration (a JSON script tag) after the content.
std::string render_page(const PageInput& p) {
  const std::string title = page_title(p);
  // A paginated list has filters (the dashboard, one object, has none).
  const bool list = p.resource != nullptr && p.resource->paginated && p.is_list && p.status == 200;
  std::string out;
  out.reserve(p.json.size() * 2 + 8192);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"robots\" content=\"NONE,NOARCHIVE\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out +=
      fmt::format("<title>{} – ll2d</title><link rel=\"stylesheet\" href=\"{}?v={}\"></head><body>",
                  text::html_escape(title), kStylesheetPath, stylesheet_etag().substr(1, 8));
  const std::string& prefix = p.version->prefix;
  out += fmt::format(
      "<header class=\"navbar\"><a class=\"navbar-brand\" href=\"{}?format=api\">ll2d "
      "&middot; Launch Library 2 API {}</a></header><main class=\"container\">",
      prefix, p.version->name);

  out += fmt::format("<nav class=\"breadcrumb\"><a href=\"{}?format=api\">Api Root</a>", prefix);
  if (p.resource != nullptr) {
    out += fmt::format(" / <a href=\"{}{}/?format=api\">{} List</a>", prefix,
                       route_path(*p.resource, p.action),
                       text::html_escape(route_name(*p.resource, p.action)));
    if (!p.is_list)
      out += fmt::format(" / {} Instance", text::html_escape(route_name(*p.resource, p.action)));
  }
  out += "</nav><div id=\"content\">";

  out +=
      fmt::format("<div class=\"region actions\"><a class=\"btn format-json\" href=\"{}\">json</a>",
                  text::html_escape(query_with(*p.params, "format", "json")));
  if (list) {
    out +=
        "<button type=\"button\" class=\"btn filters-button\" data-toggle=\"modal\" "
        "data-target=\"#filtersModal\">Filters</button>";
  }
  out += "</div><div class=\"content-main\">";
  out += fmt::format("<div class=\"page-header\"><h1>{}</h1></div>", text::html_escape(title));
  if (p.resource != nullptr) {
    out += "<section class=\"docs\">";
    out += markdown_to_html(
        resource_docs_markdown(*p.version, *p.resource, p.action, {false, "&format=api"}));
    out += "</section>";
  }
  if (list) {
    const int64_t limit = parse_limit(*p.params);
    if (p.count > limit) pager(out, p, p.count, limit, parse_offset(*p.params));
  }
  out += fmt::format("<div class=\"request-info\"><pre class=\"request\"><b>{}</b> {}</pre></div>",
                     text::html_escape(p.method), text::html_escape(p.full_path));
  out += fmt::format(
      "<div class=\"response-info\"><pre class=\"response\"><span class=\"status\"><b>HTTP {} "
      "{}</b></span>\n",
      p.status, status_reason(p.status));
  for (const auto& [name, value] : p.headers) {
    out += fmt::format("<b>{}:</b> {}\n", text::html_escape(name), text::html_escape(value));
  }
  out += fmt::format("\n<code id=\"body\">{}</code></pre></div>", linked_json(p.json));
  out += "</div></div></main>";

  if (list) filters_modal(out, p);
  // DRF's CSRF configuration for its scripts. ll2d serves GET only and sets
  // no CSRF cookie, so the token is empty.
  out +=
      "<script type=\"application/json\" id=\"drf_csrf\">{\"csrfHeaderName\":\"X-CSRFTOKEN\","
      "\"csrfToken\":\"\"}</script>";
  if (list) out += kPageScript;
  out += "</body></html>\n";
  return out;
}

}  // namespace ll2::api
