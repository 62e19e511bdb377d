#include <gtest/gtest.h>

#include "json/writer.hpp"
#include "util/pyfloat.hpp"

using ll2::python_float;

TEST(PythonFloat, MatchesPythonRepr) {
  EXPECT_EQ(python_float(3474800.0), "3474800.0");
  EXPECT_EQ(python_float(7.342e+22), "7.342e+22");
  EXPECT_EQ(python_float(1.622), "1.622");
  EXPECT_EQ(python_float(-153.9852), "-153.9852");
  EXPECT_EQ(python_float(0.1), "0.1");
  EXPECT_EQ(python_float(0.0), "0.0");
  EXPECT_EQ(python_float(-0.0), "-0.0");
  EXPECT_EQ(python_float(1e16), "1e+16");
  EXPECT_EQ(python_float(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(python_float(0.0001), "0.0001");
  EXPECT_EQ(python_float(0.00001), "1e-05");
  EXPECT_EQ(python_float(1.5e-7), "1.5e-07");
  EXPECT_EQ(python_float(5e-324), "5e-324");
  EXPECT_EQ(python_float(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(python_float(100.0), "100.0");
  EXPECT_EQ(python_float(0.30000000000000004), "0.30000000000000004");
}

TEST(JsonWriter, CompactUtf8AsDrfPrints) {
  std::string out;
  ll2::json::Writer w(out);
  w.begin_object();
  w.key("name");
  w.string(
      "Chang\xE2\x80\x99"
      "e \"6\"\n\t\x01/\\");
  w.key("list");
  w.begin_array();
  w.integer(1);
  w.number(2.0);
  w.null();
  w.boolean(false);
  w.end_array();
  w.key("empty");
  w.begin_object();
  w.end_object();
  w.key("sep");
  w.string(
      "a\xE2\x80\xA8"
      "b");
  w.end_object();
  EXPECT_EQ(out,
            "{\"name\":\"Chang\xE2\x80\x99"
            "e \\\"6\\\"\\n\\t\\u0001/\\\\\",\"list\":[1,2.0,null,false],"
            "\"empty\":{},\"sep\":\"a\\u2028b\"}");
}

TEST(JsonPretty, IndentsLikeDrfBrowsableApi) {
  EXPECT_EQ(
      ll2::json::pretty(R"({"a":[1,{"b":"x,:{}"}],"c":[],"d":{}})"),
      "{\n    \"a\": [\n        1,\n        {\n            \"b\": \"x,:{}\"\n        }\n    ],\n"
      "    \"c\": [],\n    \"d\": {}\n}");
}
