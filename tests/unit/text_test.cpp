#include <gtest/gtest.h>

#include "util/text.hpp"

using namespace ll2::text;

TEST(PythonInt, AcceptsWhatPythonIntAccepts) {
  EXPECT_EQ(python_int("7"), 7);
  EXPECT_EQ(python_int(" 7 "), 7);
  EXPECT_EQ(python_int("+7"), 7);
  EXPECT_EQ(python_int("-7"), -7);
  EXPECT_EQ(python_int("007"), 7);
  EXPECT_EQ(python_int("1_000"), 1000);
  EXPECT_EQ(python_int("\t12\n"), 12);
}

// int() and Decimal() read every Unicode decimal digit (Python 3.11).
TEST(PythonInt, ReadsUnicodeDecimalDigits) {
  EXPECT_EQ(python_int("\xef\xbc\x91\xef\xbc\x97"), 17);  // fullwidth
  EXPECT_EQ(python_int("\xd9\xa3_\xd9\xa4"), 34);         // Arabic-Indic
  EXPECT_EQ(python_int_saturating("\xe0\xa5\xab"), 5);    // Devanagari
  EXPECT_EQ(django_decimal_to_integer("\xef\xbc\x93.9").value, 3);
  EXPECT_EQ(django_decimal_to_double("\xef\xbc\x91"
                                     "e2"),
            100.0);
  EXPECT_FALSE(python_int("\xe2\x85\xa0").has_value());  // Roman numeral one: No, not Nd
  EXPECT_EQ(unicode_decimal(U'\U0001FBF9'), 9);
  EXPECT_EQ(unicode_decimal(U'\U0001FBFA'), -1);
}

TEST(PythonInt, RejectsWhatPythonIntRejects) {
  for (const char* bad : {"", " ", "abc", "7.0", "1e3", "_1", "1_", "1__0", "0x10", "--1", "7 7",
                          "99999999999999999999"}) {
    EXPECT_FALSE(python_int(bad).has_value()) << bad;
  }
}

TEST(DjangoDecimal, TruncatesLikeIntegerLookups) {
  const auto v = [](const char* s) { return django_decimal_to_integer(s); };
  EXPECT_EQ(v("7").value, 7);
  EXPECT_EQ(v(" 7 ").value, 7);
  EXPECT_EQ(v("007").value, 7);
  EXPECT_EQ(v("7.0").value, 7);
  EXPECT_EQ(v("7.9").value, 7);
  EXPECT_EQ(v("-7.9").value, -7);
  EXPECT_EQ(v("1e1").value, 10);
  EXPECT_EQ(v(".5").value, 0);
  EXPECT_EQ(v("5.").value, 5);
  EXPECT_TRUE(v("1_0").valid);
  EXPECT_EQ(v("1_0").value, 10);
  EXPECT_TRUE(v("7").in_range);
}

TEST(DjangoDecimal, InvalidAndOutOfRange) {
  for (const char* bad :
       {"", " ", "abc", "nan", "inf", "Infinity", "1e", "e5", "0x1", "1.2.3", "--1"}) {
    EXPECT_FALSE(django_decimal_to_integer(bad).valid) << bad;
  }
  const auto huge = django_decimal_to_integer("99999999999999999999");
  EXPECT_TRUE(huge.valid);
  EXPECT_FALSE(huge.in_range);
  EXPECT_FALSE(django_decimal_to_integer("1e400").in_range);
}

TEST(PythonSplit, SplitsOnUnicodeWhitespace) {
  EXPECT_EQ(python_split("  a b\tc\n"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(python_split("a\xC2\xA0"
                         "b"),
            (std::vector<std::string>{"a", "b"}));  // NBSP
  EXPECT_EQ(python_split("a\xE3\x80\x80"
                         "b"),
            (std::vector<std::string>{"a", "b"}));  // ideographic space
  EXPECT_EQ(python_split("Chang\xE2\x80\x99"
                         "e"),
            (std::vector<std::string>{"Chang\xE2\x80\x99"
                                      "e"}));
  EXPECT_TRUE(python_split("   ").empty());
  EXPECT_EQ(python_strip("\xC2\xA0 x \xE2\x80\x83"), "x");
}

TEST(UnicodeUpper, MatchesPostgresUpperUnderUtf8Locale) {
  EXPECT_EQ(unicode_upper("étoile"), "ÉTOILE");
  EXPECT_EQ(unicode_upper("жаворонок"), "ЖАВОРОНОК");
  EXPECT_EQ(unicode_upper("ørsted"), "ØRSTED");
  EXPECT_EQ(unicode_upper("salyut 7"), "SALYUT 7");
  EXPECT_EQ(unicode_upper("%_\\"), "%_\\");
  EXPECT_EQ(unicode_upper("中文"), "中文");
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape("<script>alert(\"x\") & 'y'</script>"),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#x27;y&#x27;&lt;/script&gt;");
}

TEST(SplitStripped, LikePythonSplitThenStrip) {
  EXPECT_EQ(split_stripped(" a , b,,c ", ','), (std::vector<std::string_view>{"a", "b", "", "c"}));
  EXPECT_EQ(split_stripped("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split_stripped("text/html;q=0.9", ';'),
            (std::vector<std::string_view>{"text/html", "q=0.9"}));
}

TEST(ContainsUpper, AgreesWithUpperThenFind) {
  for (const char* hay :
       {"Salyut 7", "salyut", "Étoile 10", "жаворонок 50", "100% Recycled_Module", "", "abc"}) {
    for (const char* needle : {"SALYUT", "ÉTOILE", "ЖАВОРОНОК", "%", "_", "", "ABCD", "7"}) {
      EXPECT_EQ(contains_upper(hay, needle), unicode_upper(hay).find(needle) != std::string::npos)
          << hay << " / " << needle;
    }
  }
}
