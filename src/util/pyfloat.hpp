#pragma once

#include <string>

namespace ll2 {

// Python's repr(float): the shortest string that round-trips, in fixed
// notation with a trailing ".0" for integral values, or in exponent notation
// ("7.342e+22", "1e-05") when the decimal exponent is below -4 or above 16.
void append_python_float(std::string& out, double v);
std::string python_float(double v);

}  // namespace ll2
