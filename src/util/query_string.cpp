#include "util/query_string.hpp"

#include <algorithm>
#include <map>

#include "util/text.hpp"

namespace ll2::text {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

namespace {
std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string bytes;
  bytes.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_as_space) {
      bytes += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      bytes += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      bytes += s[i];
    }
  }
  // Decode as UTF-8 with errors='replace'.
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t start = i;
    const char32_t cp = text::next_code_point(bytes, i);
    if (cp == 0xFFFD && !(i - start == 3 && bytes.compare(start, 3, "\xEF\xBF\xBD") == 0)) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(bytes, start, i - start);
    }
  }
  return out;
}
}  // namespace

std::string unquote_plus(std::string_view s) {
  return percent_decode(s, true);
}
std::string unquote(std::string_view s) {
  return percent_decode(s, false);
}

void append_quote_plus(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '.' || c == '-' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

QueryParams QueryParams::parse(std::string_view query) {
  QueryParams params;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view field = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (field.empty()) continue;
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) {
      params.items_.emplace_back(unquote_plus(field), std::string());
    } else {
      params.items_.emplace_back(unquote_plus(field.substr(0, eq)),
                                 unquote_plus(field.substr(eq + 1)));
    }
  }
  return params;
}

std::optional<std::string_view> QueryParams::get(std::string_view key) const {
  // NOLINTNEXTLINE(modernize-loop-convert): clang 14 cannot parse libstdc++ 12's reverse_view
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (it->first == key) return std::string_view(it->second);
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::get_all(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : items_) {
    if (k == key) out.emplace_back(v);
  }
  return out;
}

bool QueryParams::contains(std::string_view key) const {
  return get(key).has_value();
}

std::string QueryParams::encode(const std::vector<std::pair<std::string, std::string>>& overrides,
                                std::string_view removed) const {
  // parse_qs groups the values of a key in order of appearance; sorted() then
  // orders the keys by code point, which is UTF-8 byte order.
  std::map<std::string, std::vector<std::string>, std::less<>> grouped;
  for (const auto& [k, v] : items_) {
    if (k == removed) continue;
    grouped[k].push_back(v);
  }
  for (const auto& [k, v] : overrides) grouped[k] = {v};
  std::string out;
  for (const auto& [k, values] : grouped) {
    for (const auto& v : values) {
      if (!out.empty()) out += '&';
      append_quote_plus(out, k);
      out += '=';
      append_quote_plus(out, v);
    }
  }
  return out;
}

std::string QueryParams::encode_replacing(std::string_view key, std::string_view value) const {
  return encode({{std::string(key), std::string(value)}}, {});
}

std::string QueryParams::encode_replacing(std::string_view key1, std::string_view value1,
                                          std::string_view key2, std::string_view value2) const {
  return encode(
      {{std::string(key1), std::string(value1)}, {std::string(key2), std::string(value2)}}, {});
}

std::string QueryParams::encode_removing(std::string_view removed, std::string_view key,
                                         std::string_view value) const {
  return encode({{std::string(key), std::string(value)}}, removed);
}

}  // namespace ll2::text
