#include "randomness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tlsdist {
namespace {

ByteHistogram histogram_of(const std::vector<uint8_t> &bytes)
{
    ByteHistogram histogram;
    histogram.add(bytes.data(), bytes.size());
    return histogram;
}

TEST(Randomness, EmptyDistributionHasNoSample)
{
    const Randomness r = measure_randomness(ByteHistogram{});
    EXPECT_EQ(r.sample, 0u);
    EXPECT_EQ(r.entropy, 0.0);
}

TEST(Randomness, EveryValueEquallyOftenIsEightBitsAndChiSquareZero)
{
    std::vector<uint8_t> bytes;
    for (int round = 0; round < 3; ++round)
        for (int value = 0; value < 256; ++value)
            bytes.push_back(static_cast<uint8_t>(value));
    const Randomness r = measure_randomness(histogram_of(bytes));
    EXPECT_EQ(r.sample, 768u);
    EXPECT_DOUBLE_EQ(r.entropy, 8.0);
    EXPECT_DOUBLE_EQ(r.chi_square, 0.0);
    EXPECT_DOUBLE_EQ(r.chi_square_p, 1.0);
}

TEST(Randomness, OneValueIsZeroBitsAndFailsTheTest)
{
    const Randomness r = measure_randomness(histogram_of(std::vector<uint8_t>(1000, 'A')));
    EXPECT_EQ(r.entropy, 0.0);
    // (1000 - 1000/256)^2/(1000/256) + 255 * 1000/256 = 255 * 1000
    EXPECT_NEAR(r.chi_square, 255000.0, 1e-6);
    EXPECT_LT(r.chi_square_p, 1e-300);
}

TEST(Randomness, TwoValuesEquallyOftenIsOneBit)
{
    std::vector<uint8_t> bytes;
    for (int i = 0; i < 50; ++i) {
        bytes.push_back(0x00);
        bytes.push_back(0xff);
    }
    EXPECT_DOUBLE_EQ(measure_randomness(histogram_of(bytes)).entropy, 1.0);
}

// Critical values of the chi-square distribution with 255 degrees of freedom,
// as published in statistical tables (and used by randomness test suites).
TEST(Randomness, UpperTailMatchesPublishedCriticalValues)
{
    EXPECT_NEAR(chi_square_upper_tail(254.3336, 255), 0.50, 1e-5);
    EXPECT_NEAR(chi_square_upper_tail(293.2478, 255), 0.05, 1e-6);
    EXPECT_NEAR(chi_square_upper_tail(310.4574, 255), 0.01, 1e-6);
    EXPECT_DOUBLE_EQ(chi_square_upper_tail(0, 255), 1.0);
}

// For an even number of degrees of freedom 2k the tail has a closed form:
// exp(-x/2) * sum_{i<k} (x/2)^i / i!. Both branches of the implementation
// (series below a+1, continued fraction above) are checked against it.
TEST(Randomness, UpperTailMatchesTheClosedFormForEvenDegrees)
{
    for (int k : {1, 2, 5, 64, 128}) {
        for (double x : {0.5, 3.0, 20.0, 100.0, 240.0, 256.0, 300.0, 600.0}) {
            double term = 1.0, sum = 0.0;
            for (int i = 0; i < k; ++i) {
                sum += term;
                term *= (x / 2) / (i + 1);
            }
            const double expected = std::exp(-x / 2) * sum;
            EXPECT_NEAR(chi_square_upper_tail(x, 2.0 * k), expected, 1e-12 + 1e-9 * expected)
                << "k=" << k << " x=" << x;
        }
    }
}


TEST(Randomness, EntropyMatchesTheTextbookSumForSmallAndLargeCounts)
{
    // Counts below and above the writers' table of logarithms (4096), in
    // one histogram and in histograms of one count each.
    std::vector<uint8_t> bytes;
    for (int value = 0; value < 256; ++value)
        bytes.insert(bytes.end(), static_cast<size_t>(value % 7 == 0 ? 5000 + 37 * value : 1 + value * 3),
                     static_cast<uint8_t>(value));
    const ByteHistogram histogram = histogram_of(bytes);
    double textbook = 0;
    const double n = static_cast<double>(bytes.size());
    for (int value = 0; value < 256; ++value) {
        const double p = static_cast<double>(histogram[static_cast<uint8_t>(value)]) / n;
        textbook -= p * std::log2(p);
    }
    EXPECT_NEAR(measure_randomness(histogram).entropy, textbook, 1e-12);
    for (size_t size : {size_t{1}, size_t{4095}, size_t{4096}, size_t{100000}})
        EXPECT_EQ(measure_randomness(histogram_of(std::vector<uint8_t>(size, 9))).entropy, 0.0) << size;
}

}  // namespace
}  // namespace tlsdist
