#include "api/reads.hpp"

#include <mutex>
#include <unordered_map>

namespace ll2::api {

bool unchanged_since(const std::vector<std::string>& reads, uint64_t generation,
                     const KindGenerations& now) {
  for (const auto& name : reads) {
    if (const auto it = now.find(name); it != now.end() && it->second > generation) return false;
  }
  return true;
}

void kinds_on_path(const Kind& kind, std::string_view path, std::set<std::string>& out) {
  out.insert(kind.name);
  const size_t sep = path.find("__");
  const Field* f = kind.field(path.substr(0, sep));
  if (f == nullptr || f->target_kind == nullptr) return;
  out.insert(kind.name + "." + f->name);
  if (sep == std::string_view::npos) {
    out.insert(f->target_kind->name);
    return;
  }
  kinds_on_path(*f->target_kind, path.substr(sep + 2), out);
}

namespace {

void view_reads(const View& view, std::set<std::string>& out, std::set<const View*>& seen) {
  if (!seen.insert(&view).second) return;
  if (view.kind != nullptr) out.insert(view.kind->name);
  for (const ViewField& vf : view.fields) {
    if (vf.field != nullptr && vf.field->target_kind != nullptr) {
      out.insert(view.kind->name + "." + vf.field->name);
      out.insert(vf.field->target_kind->name);
    }
    vf.type->reads(vf, out);
    if (vf.view != nullptr) view_reads(*vf.view, out, seen);
  }
}

}  // namespace

void view_reads(const View& view, std::set<std::string>& out) {
  std::set<const View*> seen;
  view_reads(view, out, seen);
}

const Reads& view_reads(const View& view) {
  static std::mutex mutex;
  static std::unordered_map<const View*, Reads> built;
  std::lock_guard lock(mutex);
  Reads& reads = built[&view];
  if (!reads) {
    std::set<std::string> names;
    view_reads(view, names);
    reads = std::make_shared<const std::vector<std::string>>(names.begin(), names.end());
  }
  return reads;
}

const Reads& resource_reads(const Resource& resource, const Mode& mode) {
  static std::mutex mutex;
  static std::unordered_map<const Mode*, Reads> built;
  std::lock_guard lock(mutex);
  Reads& reads = built[&mode];
  if (!reads) {
    std::set<std::string> names;
    if (mode.resolved != nullptr) view_reads(*mode.resolved, names);
    for (const auto& f : resource.filters) kinds_on_path(*resource.kind, f.path, names);
    for (const auto& p : resource.search_fields)
      kinds_on_path(*resource.kind, resource.kind->path_for(p), names);
    for (const auto& p : resource.ordering_fields) kinds_on_path(*resource.kind, p, names);
    reads = std::make_shared<const std::vector<std::string>>(names.begin(), names.end());
  }
  return reads;
}

}  // namespace ll2::api
