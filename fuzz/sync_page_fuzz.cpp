// Fuzzes what `ll2d sync` reads of an upstream's answers before importing
// them: a list page, a detail's id and /api-throttle/'s report (all from a
// server that may be hostile), and the masking of a URL's password.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sync/page.hpp"
#include "util/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ll2::sync::read_page(input);
  (void)ll2::sync::read_object_id(input);
  (void)ll2::sync::read_report(input);
  (void)ll2::text::mask_url_password(input);
  return 0;
}
