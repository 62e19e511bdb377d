// Fuzzes the importer's validation of untrusted JSON files.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto& root = *ll2::model::registry().find_resource("docking_events")->kind;
  (void)ll2::ingest::collect(ll2::model::catalog(), &root, input, "fuzz.json");
  return 0;
}
