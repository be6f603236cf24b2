#include "record_framer.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

using namespace tlsdist;

namespace {

struct Split {
    std::array<uint64_t, kContentKinds> bytes{};      // by kind, headers included
    std::array<uint64_t, kContentKinds> fragments{};  // fragment bytes only
    std::vector<uint8_t> application_data;            // the application_data fragments
};

// Frames `stream` in chunks of `chunk` bytes, resuming from the packed state
// between chunks as the plugin does between frames.
Split frame_in_chunks(const std::vector<uint8_t> &stream, size_t chunk)
{
    Split split;
    RecordFramer::State state = RecordFramer::kStreamStart;
    for (size_t at = 0; at < stream.size(); at += chunk) {
        const size_t length = std::min(chunk, stream.size() - at);
        RecordFramer framer(state);
        framer.split(stream.data() + at, length, [&](ContentKind kind, bool fragment, const uint8_t *piece, size_t n) {
            split.bytes[kind] += n;
            if (fragment) {
                split.fragments[kind] += n;
                if (kind == kApplicationDataContent)
                    split.application_data.insert(split.application_data.end(), piece, piece + n);
            }
        });
        state = framer.state();
    }
    return split;
}

void append_record(std::vector<uint8_t> &stream, uint8_t type, std::vector<uint8_t> fragment)
{
    stream.insert(stream.end(), {type, 3, 3, static_cast<uint8_t>(fragment.size() >> 8),
                                 static_cast<uint8_t>(fragment.size())});
    stream.insert(stream.end(), fragment.begin(), fragment.end());
}

}  // namespace

TEST(RecordFramer, SplitsByContentTypeWhateverTheChunking)
{
    std::vector<uint8_t> stream;
    append_record(stream, 22, std::vector<uint8_t>(300, 0x16));
    append_record(stream, 20, {1});
    append_record(stream, 23, {});  // an empty record
    append_record(stream, 23, std::vector<uint8_t>(70000 % 65536, 0xaa));
    append_record(stream, 21, {1, 0});
    append_record(stream, 24, {1, 2, 3});
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{7}, size_t{1460}, stream.size()}) {
        const Split split = frame_in_chunks(stream, chunk);
        EXPECT_EQ(split.bytes[kHandshakeContent], 305u) << chunk;
        EXPECT_EQ(split.bytes[kChangeCipherSpecContent], 6u) << chunk;
        EXPECT_EQ(split.bytes[kApplicationDataContent], 5u + 5u + 70000 % 65536) << chunk;
        EXPECT_EQ(split.bytes[kAlertContent], 7u) << chunk;
        EXPECT_EQ(split.bytes[kHeartbeatContent], 8u) << chunk;
        EXPECT_EQ(split.bytes[kUnframedContent], 0u) << chunk;
        EXPECT_EQ(split.fragments[kHandshakeContent], 300u) << chunk;
        EXPECT_EQ(split.application_data, std::vector<uint8_t>(70000 % 65536, 0xaa)) << chunk;
    }
}

TEST(RecordFramer, AnInvalidHeaderLeavesTheRestUnframed)
{
    std::vector<uint8_t> stream;
    append_record(stream, 22, {1, 2, 3});
    stream.insert(stream.end(), {23, 2, 3, 0, 1, 9});  // major version 2
    append_record(stream, 23, {4, 5});
    for (size_t chunk : {size_t{1}, size_t{4}, stream.size()}) {
        const Split split = frame_in_chunks(stream, chunk);
        EXPECT_EQ(split.bytes[kHandshakeContent], 8u) << chunk;
        // The content type byte counts under no type: the header it began failed.
        EXPECT_EQ(split.bytes[kApplicationDataContent], 0u) << chunk;
        EXPECT_EQ(split.bytes[kUnframedContent], 6u + 7u) << chunk;
    }
    std::vector<uint8_t> not_tls = {'E', 'H', 'L', 'O'};
    EXPECT_EQ(frame_in_chunks(not_tls, 4).bytes[kUnframedContent], 4u);
}

TEST(RecordFramer, Sslv2ClientHelloOnlyAsTheFirstRecord)
{
    // SSLv2-format ClientHello: length 0x0031 with the high bit, then 49 bytes.
    std::vector<uint8_t> stream = {0x80, 0x31};
    stream.insert(stream.end(), 0x31, 0x01);
    append_record(stream, 22, {1});
    const Split split = frame_in_chunks(stream, 3);
    EXPECT_EQ(split.bytes[kHandshakeContent], 2u + 0x31 + 6u);
    EXPECT_EQ(split.fragments[kHandshakeContent], 0x31u + 1u);
    EXPECT_EQ(split.bytes[kUnframedContent], 0u);

    std::vector<uint8_t> late;
    append_record(late, 22, {1});
    late.insert(late.end(), {0x80, 0x01, 0x00});
    EXPECT_EQ(frame_in_chunks(late, 2).bytes[kUnframedContent], 3u);
}

TEST(RecordFramer, LoseEndsFramingAndSurvivesTheState)
{
    RecordFramer framer;
    framer.lose();
    RecordFramer resumed(framer.state());
    EXPECT_TRUE(resumed.lost());
    const uint8_t bytes[] = {22, 3, 3, 0, 0};
    uint64_t unframed = 0;
    resumed.split(bytes, sizeof bytes, [&](ContentKind kind, bool, const uint8_t *, size_t n) {
        EXPECT_EQ(kind, kUnframedContent);
        unframed += n;
    });
    EXPECT_EQ(unframed, 5u);
    EXPECT_STREQ(content_kind_name(kApplicationDataContent), "application_data");
}

TEST(DtlsDatagram, FramesRecordsAndUnifiedHeaders)
{
    // A DTLS 1.2 handshake record (13-byte header, 3-byte fragment), a
    // ChangeCipherSpec, then DTLS 1.3 ciphertext: unified header 0x2c
    // (001, no CID, 16-bit sequence number, length present) with 4 bytes,
    // then 0x20 (8-bit sequence number, no length): the rest of the datagram.
    std::vector<uint8_t> datagram = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3, 1, 2, 3,
                                     20, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 1,
                                     0x2c, 0x00, 0x05, 0x00, 0x04, 9, 9, 9, 9,
                                     0x20, 0x07, 8, 8, 8};
    std::array<uint64_t, kContentKinds> bytes{};
    std::vector<uint8_t> application_data;
    split_dtls_datagram(datagram.data(), datagram.size(), [&](ContentKind kind, bool fragment, const uint8_t *p, size_t n) {
        bytes[kind] += n;
        if (fragment && kind == kApplicationDataContent)
            application_data.insert(application_data.end(), p, p + n);
    });
    EXPECT_EQ(bytes[kHandshakeContent], 16u);
    EXPECT_EQ(bytes[kChangeCipherSpecContent], 14u);
    EXPECT_EQ(bytes[kApplicationDataContent], 9u + 5u);
    EXPECT_EQ(bytes[kUnframedContent], 0u);
    EXPECT_EQ(application_data, (std::vector<uint8_t>{9, 9, 9, 9, 8, 8, 8}));

    // A connection id (length unknown here), a cut record, a non-DTLS version.
    for (std::vector<uint8_t> odd : {std::vector<uint8_t>{0x30, 1, 2, 3}, std::vector<uint8_t>{23, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 9, 1},
                                     std::vector<uint8_t>{23, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}) {
        uint64_t unframed = 0;
        split_dtls_datagram(odd.data(), odd.size(), [&](ContentKind kind, bool, const uint8_t *, size_t n) {
            EXPECT_EQ(kind, kUnframedContent);
            unframed += n;
        });
        EXPECT_EQ(unframed, odd.size());
    }
}
