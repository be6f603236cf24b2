#include "sequence_space.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

using tlsdist::PieceSink;
using tlsdist::SequenceSpace;
using tlsdist::StreamPiece;

namespace {

constexpr uint32_t kIsn = 1000;

// Collects what joins the TLS stream, by frame and by TLS offset.
struct Collected final : PieceSink {
    std::map<uint64_t, std::vector<uint8_t>> by_offset;
    std::map<uint32_t, uint64_t> bytes_by_frame;
    std::vector<StreamPiece> pieces;  // data pointers not kept
    void take(const StreamPiece &piece) override
    {
        EXPECT_EQ(by_offset.count(piece.tls_offset), 0u) << "a byte delivered twice";
        by_offset[piece.tls_offset].assign(piece.data, piece.data + piece.length);
        bytes_by_frame[piece.frame] += piece.length;
        StreamPiece kept = piece;
        kept.data = nullptr;
        pieces.push_back(kept);
    }
    // The TLS bytes in stream order (holes left out).
    std::vector<uint8_t> stream() const
    {
        std::vector<uint8_t> all;
        for (const auto &[offset, bytes] : by_offset)
            all.insert(all.end(), bytes.begin(), bytes.end());
        return all;
    }
};

// Payload bytes of a TLS stream: a record header, then a counter pattern.
std::vector<uint8_t> tls_stream(size_t length)
{
    std::vector<uint8_t> bytes(length);
    for (size_t i = 0; i < length; ++i)
        bytes[i] = static_cast<uint8_t>(i * 7 + 3);
    const uint8_t header[5] = {22, 3, 3, 0x40, 0x00};
    std::copy(header, header + std::min<size_t>(5, length), bytes.begin());
    return bytes;
}

struct Seg {
    uint32_t frame;
    uint32_t seq;
    uint32_t length;
    uint32_t captured;
    size_t from;  // offset of the payload in the stream bytes
    bool syn = false;
};

void send(SequenceSpace &space, const Seg &s, const std::vector<uint8_t> &bytes, Collected &out)
{
    SequenceSpace::Segment segment;
    segment.frame = s.frame;
    segment.raw_seq = s.seq;
    segment.syn = s.syn;
    segment.reported_length = s.length;
    segment.captured_length = s.captured;
    segment.payload = s.length ? bytes.data() + s.from : nullptr;
    space.accept(segment, out);
}

Seg data(uint32_t frame, size_t from, uint32_t length, uint32_t isn = kIsn)
{
    return Seg{frame, isn + 1 + static_cast<uint32_t>(from), length, length, from};
}

// A side whose SYN the peer acknowledged.
SequenceSpace acknowledged_side(Collected &out, uint32_t isn = kIsn)
{
    SequenceSpace space;
    SequenceSpace::Segment syn;
    syn.frame = 1;
    syn.raw_seq = isn;
    syn.syn = true;
    space.accept(syn, out);
    space.acknowledge(isn + 1, out);
    return space;
}

}  // namespace

TEST(SequenceSpace, InOrderSegmentsJoinForTheirOwnFrame)
{
    const auto bytes = tls_stream(300);
    Collected out;
    auto space = acknowledged_side(out);
    EXPECT_TRUE(space.settled());
    send(space, data(2, 0, 100), bytes, out);
    send(space, data(3, 100, 200), bytes, out);
    EXPECT_EQ(out.stream(), bytes);
    EXPECT_EQ(out.bytes_by_frame[2], 100u);
    EXPECT_EQ(out.bytes_by_frame[3], 200u);
    ASSERT_EQ(out.pieces.size(), 2u);
    EXPECT_EQ(out.pieces[1].payload_offset, 0u);
    EXPECT_EQ(space.buffered_bytes(), 0u);
}

TEST(SequenceSpace, RetransmissionAndOverlapCountOnce)
{
    const auto bytes = tls_stream(300);
    Collected out;
    auto space = acknowledged_side(out);
    send(space, data(2, 0, 100), bytes, out);
    send(space, data(3, 0, 100), bytes, out);   // retransmission
    send(space, data(4, 60, 100), bytes, out);  // repacketized: 40 old, 60 new
    EXPECT_EQ(out.bytes_by_frame.count(3), 0u);
    EXPECT_EQ(out.bytes_by_frame[4], 60u);
    ASSERT_EQ(out.pieces.size(), 2u);
    EXPECT_EQ(out.pieces[1].payload_offset, 40u);
    space.finish(out);
    EXPECT_EQ(space.tls_bytes(), 160u);
    EXPECT_EQ(space.missed_bytes(), 0u);
}

TEST(SequenceSpace, SegmentAheadOfAHoleWaitsForTheFrameThatFillsIt)
{
    const auto bytes = tls_stream(3000);
    Collected out;
    auto space = acknowledged_side(out);
    send(space, data(2, 1440, 1440), bytes, out);  // the second segment, captured first
    EXPECT_TRUE(out.pieces.empty());
    EXPECT_EQ(space.buffered_bytes(), 1440u);
    send(space, data(3, 0, 1440), bytes, out);
    EXPECT_EQ(out.bytes_by_frame[3], 2880u);  // both join with the frame that filled the hole
    EXPECT_EQ(space.bytes_before_tls(), 0u);
    EXPECT_EQ(out.stream(), std::vector<uint8_t>(bytes.begin(), bytes.begin() + 2880));
    EXPECT_EQ(space.buffered_bytes(), 0u);
}

TEST(SequenceSpace, HoleNeverFilledIsMissedAndItsDataGoesToItsOwnFrame)
{
    const auto bytes = tls_stream(400);
    Collected out;
    auto space = acknowledged_side(out);
    send(space, data(2, 0, 100), bytes, out);
    send(space, data(3, 200, 100), bytes, out);  // 100..199 never captured
    send(space, data(4, 300, 100), bytes, out);
    EXPECT_EQ(out.bytes_by_frame.count(3), 0u);
    space.finish(out);
    EXPECT_EQ(out.bytes_by_frame[3], 100u);
    EXPECT_EQ(out.bytes_by_frame[4], 100u);
    EXPECT_EQ(space.tls_bytes(), 300u);
    EXPECT_EQ(space.missed_bytes(), 100u);
    EXPECT_EQ(space.bytes_before_tls(), 0u);
}

TEST(SequenceSpace, HoleIsGivenUpWhenDataRunsAWindowAhead)
{
    const uint32_t segment = 10000;
    const auto bytes = tls_stream(segment * 40);
    Collected out;
    auto space = acknowledged_side(out);
    send(space, data(2, 0, segment), bytes, out);
    uint32_t frame = 3;
    for (size_t from = 2 * segment; from < bytes.size(); from += segment)
        send(space, data(frame++, from, segment), bytes, out);
    EXPECT_LE(space.buffered_bytes(), static_cast<size_t>(SequenceSpace::kReorderWindow));
    space.finish(out);
    EXPECT_EQ(space.missed_bytes(), segment);
    EXPECT_EQ(space.tls_bytes(), bytes.size() - segment);
}

TEST(SequenceSpace, WithoutSynTheLowestDataIsTheOrigin)
{
    const auto bytes = tls_stream(3000);
    Collected out;
    SequenceSpace space;
    send(space, data(2, 1440, 1440), bytes, out);
    send(space, data(3, 0, 1440), bytes, out);
    EXPECT_TRUE(out.pieces.empty());  // nothing joins before the origin is settled
    space.finish(out);
    EXPECT_EQ(space.bytes_before_tls(), 0u);
    EXPECT_EQ(space.tls_bytes(), 2880u);
    EXPECT_EQ(space.missed_bytes(), 0u);
    // Replayed in capture order: frame 2's bytes wait for frame 3's.
    EXPECT_EQ(out.bytes_by_frame[3], 2880u);
}

TEST(SequenceSpace, StraysDoNotMoveTheOrigin)
{
    const auto bytes = tls_stream(2000);
    const std::vector<uint8_t> junk(100, 0x17);
    {
        Collected out;
        auto space = acknowledged_side(out);
        send(space, Seg{2, kIsn - 500000, 100, 100, 0}, junk, out);  // an older connection's segment
        send(space, data(3, 0, 1000), bytes, out);
        send(space, Seg{4, kIsn + 1 + 900000000, 100, 100, 0}, junk, out);  // far beyond
        space.finish(out);
        EXPECT_EQ(space.bytes_before_tls(), 0u);
        EXPECT_EQ(space.tls_bytes(), 1000u);
        EXPECT_EQ(space.missed_bytes(), 0u);
    }
    {
        Collected out;
        SequenceSpace space;  // no SYN: the cluster with the most bytes is the stream
        send(space, Seg{2, 5, 100, 100, 0}, junk, out);
        send(space, data(3, 0, 1000, 3000000000u), bytes, out);
        send(space, data(4, 1000, 1000, 3000000000u), bytes, out);
        space.finish(out);
        EXPECT_EQ(space.bytes_before_tls(), 0u);
        EXPECT_EQ(space.tls_bytes(), 2000u);
        EXPECT_EQ(space.missed_bytes(), 0u);
    }
}

TEST(SequenceSpace, TheAcknowledgedSynWins)
{
    const auto bytes = tls_stream(1000);
    Collected out;
    SequenceSpace space;
    for (uint32_t isn : {111u, 222u, 5000u}) {
        SequenceSpace::Segment syn;
        syn.raw_seq = isn;
        syn.syn = true;
        space.accept(syn, out);
    }
    space.acknowledge(111 + 1 + 77, out);  // acknowledges nothing
    EXPECT_FALSE(space.settled());
    space.acknowledge(5001, out);
    EXPECT_TRUE(space.settled());
    send(space, data(5, 0, 1000, 5000), bytes, out);
    space.finish(out);
    EXPECT_EQ(space.tls_bytes(), 1000u);
    EXPECT_EQ(space.bytes_before_tls(), 0u);
}

TEST(SequenceSpace, FastOpenDataOnTheSynIsStreamData)
{
    const auto bytes = tls_stream(1500);
    Collected out;
    SequenceSpace space;
    Seg syn{1, kIsn, 500, 500, 0, true};
    send(space, syn, bytes, out);
    space.acknowledge(kIsn + 1 + 500, out);
    send(space, data(3, 500, 1000), bytes, out);
    space.finish(out);
    EXPECT_EQ(space.tls_bytes(), 1500u);
    EXPECT_EQ(space.missed_bytes(), 0u);
    EXPECT_EQ(out.stream(), bytes);
}

TEST(SequenceSpace, PlaintextBeforeTheFirstRecordIsBeforeTls)
{
    std::vector<uint8_t> bytes(10, 'A');  // "STARTTLS\r\n"
    const auto tls = tls_stream(200);
    bytes.insert(bytes.end(), tls.begin(), tls.end());
    Collected out;
    auto space = acknowledged_side(out);
    send(space, Seg{2, kIsn + 1, 10, 10, 0}, bytes, out);
    send(space, Seg{3, kIsn + 11, 200, 200, 10}, bytes, out);
    space.finish(out);
    EXPECT_EQ(space.bytes_before_tls(), 10u);
    EXPECT_EQ(space.tls_bytes(), 200u);
    EXPECT_EQ(out.stream(), tls);
}

TEST(SequenceSpace, SnappedTailIsMissed)
{
    const auto bytes = tls_stream(300);
    Collected out;
    auto space = acknowledged_side(out);
    send(space, Seg{2, kIsn + 1, 100, 60, 0}, bytes, out);
    send(space, data(3, 100, 200), bytes, out);
    space.finish(out);
    EXPECT_EQ(space.tls_bytes(), 260u);
    EXPECT_EQ(space.missed_bytes(), 40u);
}

// Any order of the same segments: the same TLS stream, counts and origin.
TEST(SequenceSpace, FiguresDoNotDependOnCaptureOrder)
{
    const auto bytes = tls_stream(20000);
    std::vector<Seg> segments;
    uint32_t frame = 2;
    for (size_t from = 0; from < 14000; from += 1400)
        segments.push_back(data(frame++, from, 1400));
    segments.push_back(data(frame++, 2800, 1400));   // a retransmission
    segments.push_back(data(frame++, 4200, 2000));   // a repacketized one
    segments.push_back(data(frame++, 16000, 1000));  // after a hole of 2000
    std::mt19937 random(7);
    for (bool with_syn : {true, false}) {
        std::vector<uint8_t> expected_stream;
        uint64_t expected_missed = 0;
        for (int round = 0; round < 200; ++round) {
            Collected out;
            SequenceSpace space = with_syn ? acknowledged_side(out) : SequenceSpace();
            std::vector<Seg> order = segments;
            if (round > 0)
                std::shuffle(order.begin(), order.end(), random);
            for (const Seg &s : order)
                send(space, s, bytes, out);
            space.finish(out);
            const std::vector<uint8_t> stream = out.stream();
            EXPECT_EQ(space.bytes_before_tls(), 0u);
            EXPECT_EQ(space.tls_bytes(), stream.size());
            if (round == 0) {
                expected_stream = stream;
                expected_missed = space.missed_bytes();
                EXPECT_EQ(expected_missed, 2000u);
                EXPECT_EQ(stream.size(), 15000u);
            } else {
                EXPECT_EQ(stream, expected_stream) << "round " << round;
                EXPECT_EQ(space.missed_bytes(), expected_missed);
            }
        }
    }
}

// Whatever arrives (hostile sequence numbers), the counters stay within the
// sequence span: before TLS + TLS + missed = span, none negative.
TEST(SequenceSpace, CountersStayWithinTheSpan)
{
    std::mt19937 random(11);
    const auto bytes = tls_stream(70000);
    for (int round = 0; round < 300; ++round) {
        Collected out;
        SequenceSpace space;
        const uint32_t base = static_cast<uint32_t>(random());
        if (round % 2) {
            SequenceSpace::Segment syn;
            syn.raw_seq = base;
            syn.syn = true;
            space.accept(syn, out);
            space.acknowledge(base + 1, out);
        }
        for (uint32_t frame = 2; frame < 60; ++frame) {
            const auto length = static_cast<uint32_t>(random() % 1500);
            const uint32_t captured = random() % 4 ? length : length / 2;
            const size_t from = random() % (bytes.size() - 1500);
            uint32_t seq = base + 1 + static_cast<uint32_t>(from);
            if (random() % 10 == 0)
                seq = static_cast<uint32_t>(random());  // anywhere
            send(space, Seg{frame, seq, length, captured, from}, bytes, out);
            if (random() % 5 == 0)
                space.acknowledge(static_cast<uint32_t>(random()), out);
        }
        space.finish(out);
        uint64_t delivered = 0;
        for (const auto &[offset, piece] : out.by_offset)
            delivered += piece.size();
        EXPECT_EQ(delivered, space.tls_bytes());
        EXPECT_EQ(space.bytes_before_tls() + space.tls_bytes() + space.missed_bytes(), space.span());
        EXPECT_LE(space.span(), uint64_t{1} << 26);
        EXPECT_EQ(space.buffered_bytes(), 0u);
    }
}
