#include "histogram.h"

#include <gtest/gtest.h>

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
