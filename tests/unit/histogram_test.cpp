#include "histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using tlsdist::ByteHistogram;

TEST(ByteHistogram, CountsEachValue)
{
    const uint8_t bytes[] = {0x16, 0x03, 0x03, 0x00, 0xff, 0x03};
    ByteHistogram h;
    h.add(bytes, sizeof bytes);
    EXPECT_EQ(h[0x03], 3u);
    EXPECT_EQ(h[0x16], 1u);
    EXPECT_EQ(h[0x00], 1u);
    EXPECT_EQ(h[0xff], 1u);
    EXPECT_EQ(h[0x01], 0u);
    EXPECT_EQ(h.total(), sizeof bytes);
}

TEST(ByteHistogram, AccumulatesAcrossCallsAndMerges)
{
    std::vector<uint8_t> all(70000);
    for (size_t i = 0; i < all.size(); ++i)
        all[i] = static_cast<uint8_t>(i * 7);
    ByteHistogram whole, first, second;
    whole.add(all.data(), all.size());
    first.add(all.data(), 1234);
    second.add(all.data() + 1234, all.size() - 1234);
    first.merge(second);
    EXPECT_EQ(first.counts(), whole.counts());
    EXPECT_EQ(whole.total(), all.size());
    // i*7 mod 256 visits every value: 70000 = 273*256 + 112
    EXPECT_EQ(whole[0], 274u);
}

TEST(ByteHistogram, EmptyInputChangesNothing)
{
    ByteHistogram h;
    h.add(nullptr, 0);
    EXPECT_EQ(h.total(), 0u);
}

TEST(ByteHistogram, CountsPastFourGibibytesWithoutOverflow)
{
    // Doubling by merging reaches 2^33 bytes without counting them one by one.
    std::vector<uint8_t> mebibyte(1 << 20, 0xab);
    mebibyte[0] = 0x01;
    ByteHistogram h;
    h.add(mebibyte.data(), mebibyte.size());
    for (int doubling = 0; doubling < 13; ++doubling) {
        const ByteHistogram copy = h;
        h.merge(copy);
    }
    const uint64_t copies = uint64_t{1} << 13;
    EXPECT_EQ(h.total(), copies << 20);
    EXPECT_EQ(h[0xab], copies * ((1 << 20) - 1));
    EXPECT_EQ(h[0x01], copies);
    EXPECT_GT(h[0xab], uint64_t{UINT32_MAX});

    // Adding and merging keep working, in either direction, once counts are wide.
    h.add(mebibyte.data(), 2);
    EXPECT_EQ(h[0x01], copies + 1);
    EXPECT_EQ(h[0xab], copies * ((1 << 20) - 1) + 1);
    ByteHistogram narrow;
    narrow.add(mebibyte.data(), 1);
    narrow.merge(h);
    EXPECT_EQ(narrow.counts(), [&] { ByteHistogram::Counts c = h.counts(); ++c[0x01]; return c; }());
    EXPECT_EQ(narrow.total(), h.total() + 1);
}

namespace {

// The expected counts of every test below come from this loop, one byte at a
// time, independent of the kernel's word loads and tables.
ByteHistogram::Counts naive_counts(const uint8_t *data, size_t length)
{
    ByteHistogram::Counts counts{};
    for (size_t i = 0; i < length; ++i)
        ++counts[data[i]];
    return counts;
}

// Random bytes, or runs of one value of random lengths (from 1 byte to a few
// thousand), the two kinds of input the kernel treats differently.
std::vector<uint8_t> test_bytes(size_t size, uint32_t seed, bool runs)
{
    std::mt19937 generator(seed);
    std::vector<uint8_t> bytes(size);
    size_t i = 0;
    while (i < size) {
        const auto value = static_cast<uint8_t>(generator());
        const size_t run = runs ? 1 + generator() % 3000 : 1;
        for (size_t j = 0; j < run && i < size; ++j, ++i)
            bytes[i] = runs ? value : static_cast<uint8_t>(generator());
    }
    return bytes;
}

}  // namespace

TEST(ByteHistogram, EveryLengthAroundTheKernelsStepsMatchesByteAtATime)
{
    // The kernel counts in steps of 64 bytes, then 16, then the last 15 or
    // fewer one by one: every length from 0 to 200 (three steps of 64 and
    // each remainder), from every alignment.
    const std::vector<uint8_t> bytes = test_bytes(256, 12345, false);
    for (size_t offset = 0; offset < 16; ++offset) {
        for (size_t length = 0; length <= 200; ++length) {
            ByteHistogram h;
            h.add(bytes.data() + offset, length);
            ASSERT_EQ(h.counts(), naive_counts(bytes.data() + offset, length))
                << "offset " << offset << " length " << length;
        }
    }
}

TEST(ByteHistogram, RandomLengthsAndUnalignedStartsMatchANaiveCount)
{
    // Lengths 0..5000 (both sides of the two-table threshold), start pointers
    // at every alignment, random bytes and runs of one value.
    std::mt19937 generator(2024);
    for (bool runs : {false, true}) {
        const std::vector<uint8_t> bytes = test_bytes(6000, runs ? 7 : 8, runs);
        for (int trial = 0; trial < 400; ++trial) {
            const size_t offset = generator() % 16;
            const size_t length = trial < 64 ? static_cast<size_t>(trial) : generator() % 5001;
            ByteHistogram h;
            h.add(bytes.data() + offset, length);
            EXPECT_EQ(h.counts(), naive_counts(bytes.data() + offset, length))
                << "runs " << runs << " offset " << offset << " length " << length;
            EXPECT_EQ(h.total(), length);
            for (size_t v = 0; v < 256; ++v)
                ASSERT_EQ(h[v], h.counts()[v]);
        }
    }
}

TEST(ByteHistogram, ManyCallsOfMixedSizesMatchANaiveCount)
{
    // One histogram fed calls of random sizes, small and large, in sequence:
    // the counts kept in the histogram are the first table of large calls.
    std::mt19937 generator(99);
    const std::vector<uint8_t> bytes = test_bytes(1 << 20, 11, true);
    ByteHistogram h;
    size_t position = 0;
    while (position < bytes.size()) {
        size_t length = generator() % 3 == 0 ? generator() % 40000 : generator() % 2000;
        length = std::min(length, bytes.size() - position);
        h.add(bytes.data() + position, length);
        position += length;
    }
    EXPECT_EQ(h.counts(), naive_counts(bytes.data(), bytes.size()));
    EXPECT_EQ(h.total(), bytes.size());
}

TEST(ByteHistogram, OneValueInLargeCallsIsCountedExactly)
{
    const std::vector<uint8_t> bytes(300000, 0x5a);
    ByteHistogram h;
    for (int call = 0; call < 10; ++call)
        h.add(bytes.data() + call, bytes.size() - call);
    EXPECT_EQ(h[0x5a], 10 * 300000u - 45u);
    EXPECT_EQ(h.total(), 10 * 300000u - 45u);
    for (size_t v = 0; v < 256; ++v) {
        if (v != 0x5a) {
            EXPECT_EQ(h[v], 0u);
        }
    }
}

TEST(ByteHistogram, StepsThatAlmostHoldOneValueAreCountedByteByByte)
{
    // The kernel counts a 64-byte step at once when it holds one value. Steps
    // that differ from one value in a single byte, anywhere (the first and
    // last 8 bytes then still agree unless the byte is among them), steps of
    // one repeated 8-byte word of several values, and steps whose first and
    // last words are one value but different ones must count byte by byte.
    for (size_t odd = 0; odd < 64; ++odd) {
        for (uint8_t other : {uint8_t{0}, uint8_t{1}, uint8_t{0xff}}) {
            std::vector<uint8_t> bytes(64 * 3 + 8, 0x00);
            bytes[64 + odd] = static_cast<uint8_t>(other ^ 0x80);
            ByteHistogram h;
            h.add(bytes.data(), bytes.size());
            ASSERT_EQ(h.counts(), naive_counts(bytes.data(), bytes.size())) << "odd byte at " << odd;
        }
    }
    std::vector<uint8_t> words(64 * 4);
    for (size_t i = 0; i < words.size(); ++i)
        words[i] = static_cast<uint8_t>(i % 8);
    std::fill(words.begin() + 128, words.begin() + 136, 7);
    std::fill(words.begin() + 136, words.begin() + 184, 9);
    std::fill(words.begin() + 184, words.begin() + 192, 7);
    ByteHistogram h;
    h.add(words.data(), words.size());
    EXPECT_EQ(h.counts(), naive_counts(words.data(), words.size()));
    EXPECT_EQ(h[9], 48u);
}

TEST(ByteHistogram, MergeMatchesANaiveCountOfBothParts)
{
    std::mt19937 generator(5);
    const std::vector<uint8_t> bytes = test_bytes(200000, 3, false);
    for (int trial = 0; trial < 50; ++trial) {
        const size_t split = generator() % bytes.size();
        ByteHistogram first, second;
        first.add(bytes.data(), split);
        second.add(bytes.data() + split, bytes.size() - split);
        first.merge(second);
        EXPECT_EQ(first.counts(), naive_counts(bytes.data(), bytes.size())) << "split " << split;
        EXPECT_EQ(first.total(), bytes.size());
        // merging an empty histogram changes nothing
        first.merge(ByteHistogram{});
        EXPECT_EQ(first.counts(), naive_counts(bytes.data(), bytes.size()));
    }
}

TEST(ByteHistogram, WideCountsKeepCountingCallsOfEverySizeExactly)
{
    // Past 4 GiB (reached by merging), calls small and large still add
    // exactly what a naive count finds, and for_each_count reads the counts.
    std::vector<uint8_t> block(1 << 20);
    for (size_t i = 0; i < block.size(); ++i)
        block[i] = static_cast<uint8_t>(i * 31 + (i >> 9));
    const ByteHistogram::Counts block_counts = naive_counts(block.data(), block.size());
    ByteHistogram h;
    h.add(block.data(), block.size());
    for (int doubling = 0; doubling < 12; ++doubling) {  // 4 GiB
        const ByteHistogram copy = h;
        h.merge(copy);
    }
    ByteHistogram::Counts expected{};
    for (size_t v = 0; v < 256; ++v)
        expected[v] = block_counts[v] << 12;
    ASSERT_EQ(h.counts(), expected);
    ASSERT_GT(h.total(), uint64_t{UINT32_MAX});

    std::mt19937 generator(17);
    for (int call = 0; call < 40; ++call) {
        const size_t offset = generator() % 16;
        const size_t length = call % 2 ? generator() % 5000 : generator() % (block.size() - 16);
        h.add(block.data() + offset, length);
        const ByteHistogram::Counts part = naive_counts(block.data() + offset, length);
        for (size_t v = 0; v < 256; ++v)
            expected[v] += part[v];
    }
    EXPECT_EQ(h.counts(), expected);
    size_t value = 0;
    h.for_each_count([&](uint64_t count) { EXPECT_EQ(count, expected[value++]); });
    EXPECT_EQ(value, 256u);
}

TEST(ByteHistogram, ClearForgetsNarrowAndWideCounts)
{
    const std::vector<uint8_t> bytes = test_bytes(5000, 31, false);
    ByteHistogram h;
    h.clear();
    EXPECT_EQ(h.total(), 0u);
    h.add(bytes.data(), bytes.size());
    h.clear();
    EXPECT_EQ(h.counts(), ByteHistogram::Counts{});
    EXPECT_EQ(h.total(), 0u);
    h.add(bytes.data(), 100);
    EXPECT_EQ(h.counts(), naive_counts(bytes.data(), 100));

    // Wide (past 4 GiB by merging), then cleared: narrow again and empty.
    ByteHistogram::Counts many{};
    many[7] = uint64_t{1} << 33;
    h.merge(*ByteHistogram::from_counts(many));
    ASSERT_EQ(h[7], (uint64_t{1} << 33) + naive_counts(bytes.data(), 100)[7]);
    h.clear();
    EXPECT_EQ(h.counts(), ByteHistogram::Counts{});
    EXPECT_EQ(h.total(), 0u);
    h.add(bytes.data() + 100, 200);
    EXPECT_EQ(h.counts(), naive_counts(bytes.data() + 100, 200));
    EXPECT_EQ(h.total(), 200u);
    size_t values = 0;
    h.for_each_count([&](auto count) {
        EXPECT_EQ(sizeof count, sizeof(uint32_t));  // narrow again
        EXPECT_EQ(count, naive_counts(bytes.data() + 100, 200)[values++]);
    });
    EXPECT_EQ(values, 256u);
}

TEST(ByteHistogram, LargeAddsUpToAndAcrossTheNarrowLimit)
{
    // One value counted up to exactly 2^32 - 1 by a large (two-table) add,
    // which stays narrow, then one byte more, which widens first.
    const std::vector<uint8_t> zeros(1 << 20, 0x00);
    ByteHistogram power;  // 1 MiB << k
    power.add(zeros.data(), zeros.size());
    ByteHistogram h;  // sum of 1 MiB << k for k = 0..11: 2^32 - 2^20
    for (int k = 0; k < 12; ++k) {
        h.merge(power);
        const ByteHistogram copy = power;
        power.merge(copy);
    }
    ASSERT_EQ(h.total(), (uint64_t{1} << 32) - (1 << 20));
    h.add(zeros.data(), zeros.size() - 1);
    EXPECT_EQ(h[0], uint64_t{UINT32_MAX});
    EXPECT_EQ(h.total(), uint64_t{UINT32_MAX});
    size_t wide_counts = 0;  // still narrow: the visitor sees 32-bit counts
    h.for_each_count([&](auto count) { wide_counts += sizeof count == 8; });
    EXPECT_EQ(wide_counts, 0u);
    h.add(zeros.data(), 1);
    EXPECT_EQ(h[0], uint64_t{1} << 32);
    h.add(zeros.data(), zeros.size());
    EXPECT_EQ(h[0], (uint64_t{1} << 32) + (1 << 20));
    EXPECT_EQ(h.total(), h[0]);
    for (size_t v = 1; v < 256; ++v)
        EXPECT_EQ(h[v], 0u);

    // The same crossing within one large add.
    ByteHistogram g;
    power = ByteHistogram{};
    power.add(zeros.data(), zeros.size());
    for (int k = 0; k < 12; ++k) {
        g.merge(power);
        const ByteHistogram copy = power;
        power.merge(copy);
    }
    g.add(zeros.data() + 3, zeros.size() - 3);
    g.add(zeros.data(), 4096);
    EXPECT_EQ(g[0], (uint64_t{1} << 32) - 3 + 4096);
    EXPECT_EQ(g.total(), g[0]);
}

TEST(ByteHistogram, FromCountsHasThoseCountsNarrowOrWide)
{
    ByteHistogram::Counts counts{};
    counts[0] = 3;
    counts[255] = 7;
    const auto narrow = ByteHistogram::from_counts(counts);
    ASSERT_TRUE(narrow);
    EXPECT_EQ(narrow->counts(), counts);
    EXPECT_EQ(narrow->total(), 10u);
    counts[1] = uint64_t{1} << 40;  // past 32-bit counts
    const auto wide = ByteHistogram::from_counts(counts);
    ASSERT_TRUE(wide);
    EXPECT_EQ(wide->counts(), counts);
    EXPECT_EQ(wide->total(), (uint64_t{1} << 40) + 10);
    // It keeps counting as one that counted those bytes would.
    ByteHistogram more = *narrow;
    const uint8_t data[] = {0, 0, 9};
    more.add(data, sizeof data);
    EXPECT_EQ(more[0], 5u);
    EXPECT_EQ(more[9], 1u);
    EXPECT_EQ(more.total(), 13u);
    counts[2] = UINT64_MAX;  // the sum would overflow
    EXPECT_FALSE(ByteHistogram::from_counts(counts));
}
