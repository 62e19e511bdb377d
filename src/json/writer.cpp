#include "json/writer.hpp"

namespace ll2::json {

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the current run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const char* esc = nullptr;
    char buf[7];
    if (c == '"') {
      esc = "\\\"";
    } else if (c == '\\') {
      esc = "\\\\";
    } else if (c == '\n') {
      esc = "\\n";
    } else if (c == '\r') {
      esc = "\\r";
    } else if (c == '\t') {
      esc = "\\t";
    } else if (c == '\b') {
      esc = "\\b";
    } else if (c == '\f') {
      esc = "\\f";
    } else if (c < 0x20) {
      buf[0] = '\\', buf[1] = 'u', buf[2] = '0', buf[3] = '0';
      buf[4] = kHex[c >> 4], buf[5] = kHex[c & 0xF], buf[6] = 0;
      esc = buf;
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      // U+2028 and U+2029: DRF escapes them so the output is valid JavaScript.
      out.append(s, run, i - run);
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      run = i + 1;
      continue;
    } else {
      continue;
    }
    out.append(s, run, i - run);
    out += esc;
    run = i + 1;
  }
  out.append(s, run, s.size() - run);
  out += '"';
}

std::string pretty(std::string_view in, int indent) {
  std::string out;
  out.reserve(in.size() * 2);
  int depth = 0;
  auto newline = [&] {
    out += '\n';
    out.append(static_cast<size_t>(depth) * static_cast<size_t>(indent), ' ');
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    switch (c) {
      case '"': {
        const size_t start = i++;
        while (i < in.size() && in[i] != '"') {
          if (in[i] == '\\') ++i;
          ++i;
        }
        out.append(in, start, i - start + 1);
        break;
      }
      case '{':
      case '[': {
        const char closing = c == '{' ? '}' : ']';
        if (i + 1 < in.size() && in[i + 1] == closing) {
          out += c;
          out += closing;
          ++i;
          break;
        }
        out += c;
        ++depth;
        newline();
        break;
      }
      case '}':
      case ']':
        --depth;
        newline();
        out += c;
        break;
      case ',':
        out += ',';
        newline();
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace ll2::json
