#include "randomness.h"

#include <cmath>

namespace tlsdist {

namespace {

// P(a, x) by its power series, good for x < a + 1.
double lower_gamma_series(double a, double x)
{
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < 10000; ++n) {
        term *= x / (a + n);
        sum += term;
        if (std::fabs(term) < std::fabs(sum) * 1e-16)
            break;
    }
    return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Q(a, x) by its continued fraction (modified Lentz), good for x >= a + 1.
double upper_gamma_fraction(double a, double x)
{
    constexpr double kTiny = 1e-300;
    double b = x + 1.0 - a;
    double c = 1.0 / kTiny;
    double d = 1.0 / b;
    double fraction = d;
    for (int n = 1; n < 10000; ++n) {
        const double an = -n * (n - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < kTiny)
            d = kTiny;
        c = b + an / c;
        if (std::fabs(c) < kTiny)
            c = kTiny;
        d = 1.0 / d;
        const double step = d * c;
        fraction *= step;
        if (std::fabs(step - 1.0) < 1e-16)
            break;
    }
    return fraction * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

}  // namespace

double chi_square_upper_tail(double x, double degrees_of_freedom)
{
    const double a = degrees_of_freedom / 2.0;
    const double half = x / 2.0;
    if (half <= 0)
        return 1.0;
    return half < a + 1.0 ? 1.0 - lower_gamma_series(a, half) : upper_gamma_fraction(a, half);
}

Randomness measure_randomness(const ByteHistogram &histogram)
{
    Randomness result;
    result.sample = histogram.total();
    if (result.sample == 0)
        return result;
    const double n = static_cast<double>(result.sample);
    const double expected = n / 256.0;
    for (uint64_t count : histogram.counts()) {
        const double c = static_cast<double>(count);
        if (count != 0)
            result.entropy -= (c / n) * std::log2(c / n);
        result.chi_square += (c - expected) * (c - expected) / expected;
    }
    result.chi_square_p = chi_square_upper_tail(result.chi_square, 255.0);
    return result;
}

}  // namespace tlsdist
