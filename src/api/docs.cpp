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

std::string example(const Resource& r, const std::string& query, const std::string& link_suffix) {
  return fmt::format("Example - [/{}/?{}](/2.3.0/{}/?{}{})", r.path, query, r.path, query,
                     link_suffix);
}
}  // namespace

std::string resource_docs_markdown(const Resource& r, const std::string& link_suffix) {
  std::vector<std::string> modes, filters;
  for (const auto& m : r.modes) modes.push_back(m.name);
  for (const auto& f : r.filters) filters.push_back(f.param);
  std::string md;
  md += fmt::format("#### Modes\nLevels of detail in the response - {}\n\n{}\n\n",
                    code_list(modes, false), example(r, r.mode_example, link_suffix));
  if (!filters.empty()) {
    md += fmt::format("#### Filters\nParameters - {}\n\n{}\n\n", code_list(filters),
                      example(r, r.filter_example, link_suffix));
  }
  if (!r.search_fields.empty()) {
    md += fmt::format("#### Search\nFields searched - {}\n\n{}\n\n", code_list(r.search_fields),
                      example(r, r.search_example, link_suffix));
  }
  if (!r.ordering_fields.empty()) {
    md += fmt::format("#### Ordering\nFields - {}\n\n{}\n\n", code_list(r.ordering_fields),
                      example(r, r.ordering_example, link_suffix));
  }
  md += fmt::format(
      "#### Number of results\nUse `limit` to control the number of objects in the response (max "
      "100)\n\n{}\n\n",
      example(r, "limit=2", link_suffix));
  md += fmt::format(
      "#### Format\nSwitch to JSON output - [/{}/?format=json](/2.3.0/{}/?format=json)\n\n", r.path,
      r.path);
  md +=
      "#### Help\nFind all the FAQs and support links on the documentation homepage - "
      "[ll.thespacedevs.com/docs](https://ll.thespacedevs.com/docs/)\n";
  return md;
}

std::string markdown_to_html(const std::string& markdown) {
  std::unique_ptr<char, decltype(&std::free)> html(
      cmark_markdown_to_html(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT), &std::free);
  return html ? std::string(html.get()) : std::string();
}

}  // namespace ll2::api
