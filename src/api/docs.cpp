#include "api/docs.hpp"

#include <cmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace ll2::api {

namespace {
// LL2's docs list names alphabetically.
std::string code_list(std::vector<std::string> items, bool sorted = true) {
  if (sorted) std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& i : items) out += fmt::format("{}`{}`", out.empty() ? "" : ", ", i);
  return out;
}
}  // namespace

std::string route_name(const Resource& r, const model::Action* action) {
  return action == nullptr ? r.singular : action->title + " " + r.singular;
}

std::string route_path(const Resource& r, const model::Action* action) {
  return action == nullptr ? r.path : r.path + "/" + action->name;
}

std::vector<const Filter*> route_filters(const Resource& r, const model::Action* action) {
  std::vector<const Filter*> out;
  for (const auto& f : r.filters) out.push_back(&f);
  if (action != nullptr) {
    for (const auto& f : action->extra_filters) out.push_back(&f);
  }
  return out;
}

std::vector<std::string> route_search_fields(const Resource& r, const model::Action* action) {
  std::vector<std::string> out;
  for (const auto& p : r.search_fields) {
    if (action == nullptr || std::find(action->omit_search.begin(), action->omit_search.end(), p) ==
                                 action->omit_search.end())
      out.push_back(p);
  }
  return out;
}

std::string resource_docs_markdown(const model::Version& version, const Resource& r,
                                   const model::Action* action, const DocLinks& links) {
  const std::string path = route_path(r, action);
  const auto example = [&](const std::string& query) {
    if (links.relative) return fmt::format("Example - [/{}/?{}](./?{})", path, query, query);
    return fmt::format("Example - [/{}/?{}]({}{}/?{}{})", path, query, version.prefix, path, query,
                       links.suffix);
  };
  std::vector<std::string> modes;
  std::vector<std::string> filters;
  for (const auto& m : r.modes) modes.push_back(m.name);
  for (const Filter* f : route_filters(r, action)) filters.push_back(f->param);
  const auto search = route_search_fields(r, action);
  std::string md;
  if (r.mode_parameter && !version.mode_routes) {
    md += fmt::format("#### Modes\nLevels of detail in the response - {}\n\n{}\n\n",
                      code_list(modes, false), example(r.mode_example));
  }
  if (!filters.empty()) {
    const bool own = action != nullptr && !action->filter_example.empty();
    md += fmt::format("#### Filters\nParameters - {}\n\n{}\n\n", code_list(filters),
                      example(own ? action->filter_example : r.filter_example));
  }
  if (!search.empty()) {
    md += fmt::format("#### Search\nFields searched - {}\n\n{}\n\n", code_list(search),
                      example(r.search_example));
  }
  if (!r.ordering_fields.empty()) {
    md += fmt::format("#### Ordering\nFields - {}\n\n{}\n\n", code_list(r.ordering_fields),
                      example(r.ordering_example));
  }
  md += fmt::format(
      "#### Number of results\nUse `limit` to control the number of objects in the response (max "
      "100)\n\n{}\n\n",
      example("limit=2"));
  md += fmt::format("#### Format\nSwitch to JSON output - [/{}/?format=json]({})\n\n", path,
                    links.relative ? "./?format=json" : version.prefix + path + "/?format=json");
  md += fmt::format(
      "#### Help\nFind all the FAQs and support links on the documentation homepage - "
      "[{}]({})\n",
      version.help_title, version.help_url);
  return md;
}

std::string markdown_to_html(const std::string& markdown) {
  std::unique_ptr<char, decltype(&std::free)> html(
      cmark_markdown_to_html(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT), &std::free);
  return html ? std::string(html.get()) : std::string();
}

}  // namespace ll2::api
