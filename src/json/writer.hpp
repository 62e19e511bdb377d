// A streaming JSON writer that appends to a caller-owned buffer and prints
// exactly as DRF's JSONRenderer does with UNICODE_JSON and COMPACT_JSON on:
// no spaces, UTF-8 unescaped except \u2028/\u2029, floats as Python's repr.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/pyfloat.hpp"

namespace ll2::json {

void append_string(std::string& out, std::string_view s);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  void key(std::string_view k) {
    comma();
    append_string(out_, k);
    out_ += ':';
    after_key_ = true;
  }
  void null() { scalar("null"); }
  void boolean(bool b) { scalar(b ? "true" : "false"); }
  void integer(int64_t v) {
    comma();
    out_ += std::to_string(v);
  }
  void number(double v) {
    comma();
    append_python_float(out_, v);
  }
  void string(std::string_view s) {
    comma();
    append_string(out_, s);
  }
  // A value that is already JSON text.
  void raw(std::string_view json) { scalar(json); }

  std::string& buffer() { return out_; }

 private:
  static constexpr int kMaxDepth = 64;

  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0) {
      if (!first_[depth_]) out_ += ',';
      first_[depth_] = false;
    }
  }
  void scalar(std::string_view text) {
    comma();
    out_ += text;
  }
  void open(char c) {
    comma();
    out_ += c;
    ++depth_;
    first_[depth_] = true;
  }
  void close(char c) {
    out_ += c;
    --depth_;
  }

  std::string& out_;
  bool first_[kMaxDepth + 1] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

// Re-indents compact JSON text as Python's json.dumps(indent=N) prints it
// (N spaces a level, ": " after keys, no space after commas): DRF's browsable
// API uses 4, a client's `Accept: application/json; indent=N` asks for N.
std::string pretty(std::string_view in, int indent = 4);

}  // namespace ll2::json
