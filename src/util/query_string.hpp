// Query strings as Django and Python's urllib read and write them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll2::text {

// Percent-decoding with '+' as space, as urllib.parse.unquote_plus: invalid
// escapes stay as they are, invalid UTF-8 becomes U+FFFD.
std::string unquote_plus(std::string_view s);
// The same without the '+' rule, for URL paths.
std::string unquote(std::string_view s);
// urllib.parse.quote_plus(s, safe=''): only A-Z a-z 0-9 _ . - ~ stay as is.
void append_quote_plus(std::string& out, std::string_view s);

// An ordered multi-map of query parameters (Django's QueryDict).
class QueryParams {
 public:
  QueryParams() = default;
  // urllib.parse.parse_qsl(keep_blank_values=True), separator '&'.
  static QueryParams parse(std::string_view query);

  // Django's QueryDict.get: the last value for a key.
  std::optional<std::string_view> get(std::string_view key) const;
  bool contains(std::string_view key) const;
  // Django's QueryDict.getlist: every value for a key, in order.
  std::vector<std::string_view> get_all(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

  // DRF's replace_query_param: every value kept (parse_qs), `key` set to
  // `value`, keys sorted, urlencoded with doseq.
  std::string encode_replacing(std::string_view key, std::string_view value) const;
  std::string encode_replacing(std::string_view key1, std::string_view value1,
                               std::string_view key2, std::string_view value2) const;
  // DRF's remove_query_param followed by replace for `key`.
  std::string encode_removing(std::string_view removed, std::string_view key,
                              std::string_view value) const;

 private:
  std::string encode(const std::vector<std::pair<std::string, std::string>>& overrides,
                     std::string_view removed) const;
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace ll2::text
