// How random a byte distribution looks: Shannon entropy and Pearson's
// chi-square test against the uniform distribution over the 256 byte values.
// Ciphertext scores close to 8 bits per byte and a chi-square near its 255
// degrees of freedom; compressed data has high entropy but, given enough
// bytes, fails the chi-square test; plain text fails both.
#pragma once

#include <cstdint>

#include "histogram.h"

namespace tlsdist {

struct Randomness {
    uint64_t sample = 0;       // bytes counted; the figures below mean nothing when 0
    double entropy = 0;        // bits per byte, 0..8
    double chi_square = 0;     // sum over values of (count - n/256)^2 / (n/256)
    double chi_square_p = 1;   // P(X >= chi_square) for X ~ chi-square with 255 degrees of freedom
};

Randomness measure_randomness(const ByteHistogram &histogram);

// Upper tail of the chi-square distribution: Q(k/2, x/2), the regularized
// upper incomplete gamma function.
double chi_square_upper_tail(double x, double degrees_of_freedom);

}  // namespace tlsdist
