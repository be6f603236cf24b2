#include "histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
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

TEST(ByteHistogram, WordAtATimeCountingMatchesByteAtATime)
{
    // Lengths and offsets around the 8-byte steps of the kernel.
    std::vector<uint8_t> data(1000);
    uint32_t state = 12345;
    for (auto &byte : data) {
        state = state * 1103515245 + 12345;
        byte = static_cast<uint8_t>(state >> 16);
    }
    for (size_t offset : {0, 1, 3, 7}) {
        for (size_t length : {0, 1, 7, 8, 9, 15, 16, 17, 500, 993}) {
            ByteHistogram h;
            h.add(data.data() + offset, length);
            ByteHistogram::Counts expected{};
            for (size_t i = 0; i < length; ++i)
                ++expected[data[offset + i]];
            EXPECT_EQ(h.counts(), expected) << "offset " << offset << " length " << length;
        }
    }
}
