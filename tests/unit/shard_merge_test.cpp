#include "shard_merge.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace tlsdist;

namespace {

ShardFacts facts_of(std::vector<uint32_t> tcp, std::vector<uint32_t> udp, uint64_t rows = 0, uint64_t late = 0)
{
    ShardFacts facts;
    facts.packet_rows = rows;
    facts.late_packet_rows = late;
    facts.first_frames[0] = std::move(tcp);
    facts.first_frames[1] = std::move(udp);
    return facts;
}

}  // namespace

TEST(ShardFacts, WrittenAndReadBack)
{
    std::string text;
    append_shard_facts(text, facts_of({1, 4}, {0, 2}, 7, 3));
    EXPECT_EQ(text,
              "tlsdist shard facts 1\npacket-rows 7\nlate-packet-rows 3\n"
              "stream tcp 0 1\nstream tcp 1 4\nstream udp 1 2\n");
    std::string error;
    const std::optional<ShardFacts> facts = parse_shard_facts(text, &error);
    ASSERT_TRUE(facts) << error;
    EXPECT_EQ(facts->packet_rows, 7u);
    EXPECT_EQ(facts->late_packet_rows, 3u);
    EXPECT_EQ(facts->first_frames[0], (std::vector<uint32_t>{1, 4}));
    EXPECT_EQ(facts->first_frames[1], (std::vector<uint32_t>{0, 2}));  // (udp 0 never appeared)
}

TEST(ShardFacts, RefusesWhatTheViewDoesNotWrite)
{
    const std::string good = "tlsdist shard facts 1\npacket-rows 2\nlate-packet-rows 1\nstream tcp 0 1\n";
    std::string error;
    ASSERT_TRUE(parse_shard_facts(good, &error)) << error;
    for (const std::string &bad : {
             std::string("tlsdist shard facts 2\npacket-rows 2\nlate-packet-rows 1\n"),
             good.substr(0, good.size() - 1),                         // cut short
             good + "stream tcp 0 5\n",                               // a stream twice
             good + "stream sctp 1 5\n",                              // no such transport
             good + "stream tcp 1 0\n",                               // frames count from 1
             good + "stream tcp x 3\n",
             good + "packet-rows 3\n",                                // a count twice
             std::string("tlsdist shard facts 1\npacket-rows 1\nlate-packet-rows 2\n"),  // more late than all
             std::string("tlsdist shard facts 1\npacket-rows 1\n"),   // no late count
         }) {
        error.clear();
        EXPECT_FALSE(parse_shard_facts(bad, &error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(FrameList, RisingFrameNumbersOnly)
{
    std::string error;
    const auto frames = parse_frame_list("2\n3\n10\n", &error);
    ASSERT_TRUE(frames) << error;
    EXPECT_EQ(*frames, (std::vector<uint32_t>{2, 3, 10}));
    EXPECT_TRUE(parse_frame_list("", &error));  // a shard without frames
    for (const char *bad : {"2\n2\n", "3\n2\n", "0\n", "2\nx\n", "2\n3", "-1\n"})
        EXPECT_FALSE(parse_frame_list(bad, &error)) << bad;
}

// Whole capture: frames 1..8. Shard 0 holds 1, 2, 5, 6; shard 1 holds 3, 4, 7, 8.
// Shard 0's TCP streams first appear in its frames 1 and 3 (whole 1 and 5),
// shard 1's in its frames 1 and 3 (whole 3 and 7): whole order s0.0, s1.0,
// s0.1, s1.1. UDP is numbered on its own: shard 1's stream in its frame 2
// (whole 4), shard 0's two both in its frame 4 (whole 6), in their own order.
TEST(NumberStreams, RankByTheWholeCapturesFirstFrame)
{
    const std::vector<std::vector<uint32_t>> frames = {{1, 2, 5, 6}, {3, 4, 7, 8}};
    const std::vector<ShardFacts> facts = {facts_of({1, 3}, {4, 4}), facts_of({1, 3}, {2})};
    std::string error;
    const auto numbers = number_streams(facts, frames, &error);
    ASSERT_TRUE(numbers) << error;
    EXPECT_EQ((*numbers)[0].whole[0], (std::vector<uint32_t>{0, 2}));
    EXPECT_EQ((*numbers)[1].whole[0], (std::vector<uint32_t>{1, 3}));
    EXPECT_EQ((*numbers)[0].whole[1], (std::vector<uint32_t>{1, 2}));
    EXPECT_EQ((*numbers)[1].whole[1], (std::vector<uint32_t>{0}));
}

TEST(NumberStreams, RefusesAStreamWithoutAPlace)
{
    const std::vector<std::vector<uint32_t>> frames = {{1, 2}, {3}};
    std::string error;
    // shard 0's TCP stream 0 never appeared
    EXPECT_FALSE(number_streams({facts_of({0, 1}, {}), facts_of({}, {})}, frames, &error));
    EXPECT_NE(error.find("never appeared"), std::string::npos) << error;
    // shard 1 has one frame, not two
    EXPECT_FALSE(number_streams({facts_of({1}, {}), facts_of({}, {2})}, frames, &error));
    EXPECT_NE(error.find("does not have"), std::string::npos) << error;
}

TEST(PacketRow, FrameAndStreamInTheWholeCapture)
{
    StreamNumbers numbers;
    numbers.whole[0] = {4, 9};
    numbers.whole[1] = {7};
    const std::vector<uint32_t> frames = {3, 8, 12};
    const auto tcp = packet_row_in_whole_capture(
        "2,2026-11-24T00:03:19.792526Z,10.0.0.2,38768,10.0.0.1,443,1,tcp,tx,3,0,1", frames, numbers);
    ASSERT_TRUE(tcp);
    EXPECT_EQ(tcp->frame, 8u);
    EXPECT_EQ(tcp->text, "8,2026-11-24T00:03:19.792526Z,10.0.0.2,38768,10.0.0.1,443,9,tcp,tx,3,0,1");
    const auto udp =
        packet_row_in_whole_capture("3,2026-11-24T00:03:20.000000Z,::1,4433,::1,5000,0,udp,rx,1,2", frames, numbers);
    ASSERT_TRUE(udp);
    EXPECT_EQ(udp->frame, 12u);
    EXPECT_EQ(udp->text, "12,2026-11-24T00:03:20.000000Z,::1,4433,::1,5000,7,udp,rx,1,2");
    for (const char *bad : {
             "0,t,a,1,b,2,0,tcp,tx,1",  // frames count from 1
             "4,t,a,1,b,2,0,tcp,tx,1",  // the shard has 3
             "1,t,a,1,b,2,2,tcp,tx,1",  // no TCP stream 2
             "1,t,a,1,b,2,1,udp,tx,1",  // no UDP stream 1
             "1,t,a,1,b,2,0,sctp,tx,1",
             "1,t,a,1,b,2",
             "x,t,a,1,b,2,0,tcp,tx,1",
         })
        EXPECT_FALSE(packet_row_in_whole_capture(bad, frames, numbers)) << bad;
}
