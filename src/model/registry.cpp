#include <stdexcept>

#include "model/schema.hpp"

namespace ll2::model {

Catalog::Catalog(std::vector<Registry> versions) : versions_(std::move(versions)) {
  if (versions_.empty()) throw std::logic_error("a catalog serves at least one version");
}

const Registry* Catalog::find(std::string_view name) const {
  for (const auto& v : versions_) {
    if (v.version().name == name) return &v;
  }
  return nullptr;
}

const Registry* Catalog::for_path(std::string_view path) const {
  for (const auto& v : versions_) {
    if (path.starts_with(v.version().prefix)) return &v;
  }
  return nullptr;
}

const Registry* Catalog::for_url(std::string_view url) const {
  for (const auto& v : versions_) {
    if (url.find(v.version().prefix) != std::string_view::npos) return &v;
  }
  return nullptr;
}

const Resource* Catalog::find_resource(std::string_view route) const {
  for (const auto& v : versions_) {
    if (const Resource* r = v.find_resource(route)) return r;
    if (const Route* r = v.find_route(route)) return r->resource;
  }
  return nullptr;
}

std::string Catalog::names() const {
  std::string out;
  for (size_t i = 0; i < versions_.size(); ++i) {
    if (i > 0) out += i + 1 == versions_.size() ? " and " : ", ";
    out += versions_[i].version().name;
  }
  return out;
}

}  // namespace ll2::model
