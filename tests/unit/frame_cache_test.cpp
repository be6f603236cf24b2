#include "frame_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace tlsdist;

namespace {

std::string text(const std::vector<uint8_t> &bytes)
{
    return std::string(bytes.begin(), bytes.end());
}

const uint8_t *bytes_of(const std::string &s)
{
    return reinterpret_cast<const uint8_t *>(s.data());
}

}  // namespace

TEST(FrameCache, FindsOnlyFramesOfConnections)
{
    FrameCache cache;
    CachedFrame segment;
    segment.connection = true;
    segment.stream = 3;
    segment.tls_offset = 54;
    segment.tls_length = 100;
    segment.sender = 1;
    segment.flags = FrameFlag::TlsDissected;
    cache.store(5, segment);
    cache.store(6, CachedFrame{});  // a frame the first pass kept nothing for

    const CachedFrame *found = cache.find(5);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->stream, 3u);
    EXPECT_EQ(found->sender, 1u);
    EXPECT_TRUE(found->flags.has(FrameFlag::TlsDissected));
    EXPECT_FALSE(found->flags.has(FrameFlag::ClientHello));
    EXPECT_EQ(cache.tls_byte_count(5, *found), 100u);
    EXPECT_EQ(cache.find(4), nullptr);  // below the last stored frame, never stored
    EXPECT_EQ(cache.find(6), nullptr);
    EXPECT_EQ(cache.find(1000), nullptr);

    cache.clear();
    EXPECT_EQ(cache.find(5), nullptr);
}

TEST(FrameCache, ExtraRunsStandForTheFrameBytes)
{
    FrameCache cache;
    CachedFrame frame;
    frame.connection = true;
    frame.tls_length = 0;
    const std::string first = "abc", second = "de";
    CachedExtra &extra = cache.store_extra(7, frame);
    extra.add(bytes_of(first), 3, RecordFramer::kStreamStart);
    extra.add(bytes_of(second), 2, 0x1234);
    cache.store(7, frame);

    const CachedFrame *found = cache.find(7);
    ASSERT_NE(found, nullptr);
    EXPECT_TRUE(found->has_extra);
    EXPECT_EQ(cache.tls_byte_count(7, *found), 5u);
    EXPECT_EQ(text(cache.extra(7).bytes), "abcde");
    EXPECT_EQ(cache.extra(7).run_lengths, (std::vector<uint32_t>{3, 2}));
    EXPECT_EQ(cache.extra(7).run_framing, (std::vector<RecordFramer::State>{RecordFramer::kStreamStart, 0x1234}));
}

TEST(FrameCache, KeepsWhichDecryptedRecordsAreApplicationData)
{
    FrameCache cache;
    // A frame may hold more than 32 records (a large offloaded segment).
    const std::vector<uint32_t> records = {0, 2, 31, 32, 40, 199};
    cache.store_decrypted_application_data(9, records);
    ASSERT_NE(cache.decrypted_application_data(9), nullptr);
    EXPECT_EQ(*cache.decrypted_application_data(9), records);
    EXPECT_EQ(cache.decrypted_application_data(8), nullptr);
    cache.clear();
    EXPECT_EQ(cache.decrypted_application_data(9), nullptr);
}

TEST(FrameCache, LateRunsGoWithTheFramesThatCarriedThem)
{
    // No SYN: the server's second segment (a record's tail, frame 1) is
    // captured before its first (header and head, frame 2); both wait for
    // the origin until the end of the capture settles it (late runs).
    const uint8_t client_address[4] = {192, 0, 2, 1};
    const uint8_t server_address[4] = {198, 51, 100, 7};
    const Endpoint client = Endpoint::ipv4(client_address, 40000);
    const Endpoint server = Endpoint::ipv4(server_address, 443);
    const std::string record = std::string("\x16\x03\x03\x00\x0b", 5) + "hello world";
    CaptureTracker tracker;
    FrameCache cache;
    const auto send = [&](uint32_t number, uint32_t seq, size_t from, size_t length) {
        TcpSegmentFacts facts;
        facts.frame = number;
        facts.source = server;
        facts.destination = client;
        facts.flags = FrameFlag::TlsDissected;
        facts.raw_seq = seq;
        facts.payload = bytes_of(record) + from;
        facts.reported_length = facts.captured_length = static_cast<uint32_t>(length);
        const TrackedSegment tracked = tracker.accept(facts);
        EXPECT_EQ(tracked.run_count, 0u);
        CachedFrame frame;
        frame.connection = true;
        frame.sender = tracked.sender;
        cache.store(number, frame);
        cache.take_late_runs(tracker);
    };
    send(1, 7008, 8, 8);
    send(2, 7000, 0, 8);
    EXPECT_EQ(cache.tls_byte_count(1, *cache.find(1)), 0u);
    EXPECT_EQ(cache.tls_byte_count(2, *cache.find(2)), 0u);

    tracker.finish();
    cache.take_late_runs(tracker);
    cache.take_late_runs(tracker);  // taken once only
    // Frame 2 filled what frame 1's bytes waited behind: both pieces join
    // the stream with frame 2, in sequence order.
    const CachedFrame *filled = cache.find(2);
    ASSERT_NE(filled, nullptr);
    EXPECT_TRUE(filled->has_extra);
    EXPECT_EQ(cache.tls_byte_count(2, *filled), 16u);
    EXPECT_EQ(text(cache.extra(2).bytes), record);
    EXPECT_EQ(cache.extra(2).run_lengths, (std::vector<uint32_t>{8, 8}));
    // The second piece continues the record the first began.
    EXPECT_EQ(cache.extra(2).run_framing[0], RecordFramer::kStreamStart);
    EXPECT_NE(cache.extra(2).run_framing[1], RecordFramer::kStreamStart);
    const CachedFrame *early = cache.find(1);
    ASSERT_NE(early, nullptr);
    EXPECT_FALSE(early->has_extra);
    EXPECT_EQ(cache.tls_byte_count(1, *early), 0u);
}
