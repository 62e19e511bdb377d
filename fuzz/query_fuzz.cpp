// Fuzzes everything a request's query string reaches before the database:
// parsing, validation against the declaration, SQL generation, link building.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/params.hpp"
#include "catalog/catalog.hpp"
#include "store/sql_builder.hpp"
#include "util/datetime.hpp"
#include "util/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto params = ll2::text::QueryParams::parse(input);
  const auto& resource = *ll2::model::registry().find_resource("docking_events");
  for (const bool detail : {false, true}) {
    auto selected = ll2::api::select(resource, params, detail);
    if (auto* sel = std::get_if<ll2::api::Selection>(&selected)) {
      const auto statements = ll2::store::sql::list(sel->query);
      // Values are bound, never pasted: the SQL text holds no input bytes.
      if (statements.page.sql.find('\'') != std::string::npos) __builtin_trap();
    }
  }
  (void)params.encode_replacing("limit", "10", "offset", "20");
  (void)params.encode_removing("offset", "limit", "10");
  (void)ll2::datetime::parse_filter_datetime(input);
  (void)ll2::datetime::parse_duration(input);
  (void)ll2::text::django_decimal_to_integer(input);
  (void)ll2::text::python_int_saturating(input);
  (void)ll2::text::unicode_upper(input);
  (void)ll2::api::search_terms(input);
  return 0;
}
