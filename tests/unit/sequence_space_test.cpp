#include "sequence_space.h"

#include <gtest/gtest.h>

#include <optional>

using tlsdist::SegmentNews;
using tlsdist::SequenceSpace;

namespace {

constexpr uint32_t kIsn = 1000;

struct Spans {
    std::vector<std::pair<uint32_t, uint32_t>> list;
    bool operator==(const Spans &o) const { return list == o.list; }
};

Spans spans_of(const SegmentNews &news)
{
    Spans s;
    for (uint32_t i = 0; i < news.span_count; ++i)
        s.list.emplace_back(news.spans[i].offset, news.spans[i].length);
    return s;
}

// A connection whose TLS starts with the first payload byte.
SequenceSpace tls_from_start(uint32_t isn = kIsn)
{
    SequenceSpace space;
    space.accept(isn, true, 0, 0, std::nullopt);  // SYN
    return space;
}

SegmentNews data(SequenceSpace &space, uint32_t seq, uint32_t length,
                 std::optional<uint32_t> tls_at = std::nullopt)
{
    return space.accept(seq, false, length, length, tls_at);
}

}  // namespace

TEST(SequenceSpace, InOrderSegmentsCountOnce)
{
    auto space = tls_from_start();
    auto news = data(space, kIsn + 1, 100, 0u);
    EXPECT_EQ(spans_of(news).list, (std::vector<std::pair<uint32_t, uint32_t>>{{0, 100}}));
    EXPECT_EQ(news.missed_delta, 0);
    news = data(space, kIsn + 101, 50);
    EXPECT_EQ(news.tls_bytes(), 50u);
    EXPECT_EQ(news.missed_delta, 0);
}

TEST(SequenceSpace, RetransmissionAddsNothing)
{
    auto space = tls_from_start();
    data(space, kIsn + 1, 100, 0u);
    data(space, kIsn + 101, 100);
    auto news = data(space, kIsn + 1, 100);
    EXPECT_EQ(news.tls_bytes(), 0u);
    EXPECT_EQ(news.missed_delta, 0);
    news = data(space, kIsn + 51, 150);  // covers both, all old
    EXPECT_EQ(news.tls_bytes(), 0u);
}

TEST(SequenceSpace, OverlappingRetransmissionCountsOnlyNewTail)
{
    auto space = tls_from_start();
    data(space, kIsn + 1, 100, 0u);
    // Repacketized: 40 old bytes and 60 new ones.
    auto news = data(space, kIsn + 61, 100);
    EXPECT_EQ(spans_of(news).list, (std::vector<std::pair<uint32_t, uint32_t>>{{40, 60}}));
}

TEST(SequenceSpace, GapIsMissedUntilFilled)
{
    auto space = tls_from_start();
    data(space, kIsn + 1, 100, 0u);
    auto news = data(space, kIsn + 201, 100);  // bytes 100..199 not seen (yet)
    EXPECT_EQ(news.tls_bytes(), 100u);
    EXPECT_EQ(news.missed_delta, 100);
    news = data(space, kIsn + 101, 100);  // the hole arrives late
    EXPECT_EQ(news.tls_bytes(), 100u);
    EXPECT_EQ(news.missed_delta, -100);
}

TEST(SequenceSpace, SegmentSpanningAHoleAndSeenBytesYieldsSeveralSpans)
{
    auto space = tls_from_start();
    data(space, kIsn + 1, 10, 0u);     // [0,10)
    data(space, kIsn + 21, 10);        // [20,30)
    data(space, kIsn + 41, 10);        // [40,50)
    auto news = data(space, kIsn + 1, 60);  // [0,60): new are [10,20) [30,40) [50,60)
    EXPECT_EQ(spans_of(news).list,
              (std::vector<std::pair<uint32_t, uint32_t>>{{10, 10}, {30, 10}, {50, 10}}));
    EXPECT_EQ(news.missed_delta, -20 + 0);  // holes of 20 filled, 10 new beyond the end
}

TEST(SequenceSpace, WrapsAroundTheSequenceSpace)
{
    const uint32_t isn = 0xffffff00u;
    auto space = tls_from_start(isn);
    uint64_t total = 0;
    uint32_t seq = isn + 1;
    for (int i = 0; i < 10; ++i) {  // crosses 2^32 after 255 bytes
        total += data(space, seq, 100, i == 0 ? std::optional<uint32_t>(0) : std::nullopt).tls_bytes();
        seq += 100;
    }
    EXPECT_EQ(total, 1000u);
    EXPECT_EQ(data(space, isn + 201, 100).tls_bytes(), 0u);  // retransmission across the wrap
}

TEST(SequenceSpace, LongStreamsPassSeveralWraps)
{
    auto space = tls_from_start();
    uint64_t total = 0;
    uint32_t seq = kIsn + 1;
    const uint32_t chunk = 1u << 30;  // reported length only: nothing captured
    for (int i = 0; i < 10; ++i) {
        auto news = space.accept(seq, false, chunk, 0, i == 0 ? std::optional<uint32_t>(0) : std::nullopt);
        total += static_cast<uint64_t>(news.missed_delta);
        seq += chunk;
    }
    EXPECT_EQ(total, 10ull << 30);  // every uncaptured byte is missing, none counted twice
}

TEST(SequenceSpace, BytesBeforeTlsStartAreNotTls)
{
    SequenceSpace space;
    space.accept(kIsn, true, 0, 0, std::nullopt);
    auto news = data(space, kIsn + 1, 30);  // "STARTTLS\r\n" and the like
    EXPECT_EQ(news.tls_bytes(), 0u);
    EXPECT_EQ(news.missed_delta, 0);
    EXPECT_FALSE(space.tls_started());
    news = data(space, kIsn + 31, 200, 0u);
    EXPECT_TRUE(space.tls_started());
    EXPECT_EQ(news.tls_bytes(), 200u);
    news = data(space, kIsn + 1, 230);  // retransmission of both parts
    EXPECT_EQ(news.tls_bytes(), 0u);
}

TEST(SequenceSpace, TlsCanStartInsideASegment)
{
    auto space = tls_from_start();
    auto news = data(space, kIsn + 1, 100, 40u);
    EXPECT_EQ(spans_of(news).list, (std::vector<std::pair<uint32_t, uint32_t>>{{40, 60}}));
}

TEST(SequenceSpace, SnappedPayloadCountsCapturedPartAndMissesTheRest)
{
    auto space = tls_from_start();
    auto news = space.accept(kIsn + 1, false, 1000, 600, 0u);
    EXPECT_EQ(news.tls_bytes(), 600u);
    EXPECT_EQ(news.missed_delta, 400);
}

TEST(SequenceSpace, CaptureStartingMidConnection)
{
    SequenceSpace space;  // no SYN: the first segment defines offset 0
    auto news = data(space, 123456, 500, 0u);
    EXPECT_EQ(news.tls_bytes(), 500u);
    news = data(space, 123456 + 500, 100);
    EXPECT_EQ(news.tls_bytes(), 100u);
    // TLS begins where the TLS dissector was first handed the stream: a segment
    // from before that (it was out of order) is not counted.
    news = data(space, 123456 - 100, 100, 0u);
    EXPECT_EQ(news.tls_bytes(), 0u);
    EXPECT_EQ(news.missed_delta, 0);
}

TEST(SequenceSpace, HolesAreBoundedAgainstHostileCaptures)
{
    auto space = tls_from_start();
    uint64_t counted = 0;
    int64_t missed = 0;
    // Every other 10-byte block: 1000 holes.
    for (uint32_t i = 0; i < 1000; ++i) {
        auto news = data(space, kIsn + 1 + 20 * i, 10, i == 0 ? std::optional<uint32_t>(0) : std::nullopt);
        counted += news.tls_bytes();
        missed += news.missed_delta;
    }
    EXPECT_EQ(counted, 10000u);
    EXPECT_EQ(missed, 999 * 10);
    // Filling every hole late: only the most recent holes are still tracked.
    for (uint32_t i = 0; i < 999; ++i) {
        auto news = data(space, kIsn + 11 + 20 * i, 10);
        counted += news.tls_bytes();
        missed += news.missed_delta;
    }
    EXPECT_EQ(counted + static_cast<uint64_t>(missed), 19990u);  // the extent is never exceeded
    EXPECT_GT(missed, 0);
    EXPECT_LE(counted, 19990u);
    // Repeating everything adds nothing.
    for (uint32_t i = 0; i < 1999; ++i)
        EXPECT_EQ(data(space, kIsn + 1 + 10 * i, 10).tls_bytes(), 0u);
}
