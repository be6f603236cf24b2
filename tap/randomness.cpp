#include "randomness.h"

#include <algorithm>
#include <array>
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

namespace {

// log2 of a count; small counts (most of a short session's) from a table
// filled once, since the writers measure two histograms per session.
double log2_of_count(uint64_t count)
{
    static const std::array<double, 4096> table = [] {
        std::array<double, 4096> logs{};
        for (size_t i = 1; i < logs.size(); ++i)
            logs[i] = std::log2(static_cast<double>(i));
        return logs;
    }();
    return count < table.size() ? table[count] : std::log2(static_cast<double>(count));
}

}  // namespace

Randomness measure_randomness(const ByteHistogram &histogram)
{
    Randomness result;
    result.sample = histogram.total();
    if (result.sample == 0)
        return result;
    const double n = static_cast<double>(result.sample);
    const double expected = n / 256.0;
    // H = -sum (c/n) log2(c/n) = log2(n) - (sum c log2 c) / n: one log2 per
    // count, most from the table, and no division per count.
    double weighted_logs = 0, squared_deviations = 0;
    histogram.for_each_count([&](auto count) {
        const double c = static_cast<double>(count);
        if (count != 0)
            weighted_logs += c * log2_of_count(count);
        squared_deviations += (c - expected) * (c - expected);
    });
    // (rounding can leave a one-value histogram a hair below 0)
    result.entropy = std::max(0.0, std::log2(n) - weighted_logs / n);
    result.chi_square = squared_deviations / expected;
    result.chi_square_p = chi_square_upper_tail(result.chi_square, 255.0);
    return result;
}

}  // namespace tlsdist
