#include "capture_shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capture_bytes.h"

using namespace tlsdist;
using namespace tlsdist::capture_bytes;

namespace {

constexpr uint32_t kNull = 0, kEthernet = 1, kRaw = 12, kRawOpenBsd = 14, kRawIp = 101, kLoop = 108,
                   kLinuxCooked = 113, kIPv4 = 228, kIPv6 = 229, kLinuxCooked2 = 276, kIeee80211 = 105;
constexpr uint16_t kEtherIPv4 = 0x0800, kEtherIPv6 = 0x86dd, kEtherArp = 0x0806;
constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpV6 = 58;
constexpr size_t kShards = 4;

// Frames written header by header, in network byte order.
Bytes ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return Bytes(true).u8(a).u8(b).u8(c).u8(d);
}

// 2001:db8::(high):(low)
Bytes ip6(uint16_t high, uint16_t low)
{
    return Bytes(true).u16(0x2001).u16(0x0db8).zeros(8).u16(high).u16(low);
}

Bytes tcp(uint16_t source_port, uint16_t destination_port)
{
    return Bytes(true).u16(source_port).u16(destination_port).u32(1).u32(0).u8(0x50).u8(0x18).u16(65535).u32(0);
}

Bytes udp(uint16_t source_port, uint16_t destination_port, uint16_t payload = 4)
{
    return Bytes(true).u16(source_port).u16(destination_port).u16(static_cast<uint16_t>(8 + payload)).u16(0).zeros(payload);
}

// flags_fragment: the flags (0x2000: more fragments) and the offset in 8-byte units
Bytes ipv4(const Bytes &source, const Bytes &destination, uint8_t protocol, const Bytes &payload,
           uint16_t flags_fragment = 0)
{
    Bytes b(true);
    b.u8(0x45).u8(0).u16(static_cast<uint16_t>(20 + payload.data.size())).u16(0x1234).u16(flags_fragment);
    return b.u8(64).u8(protocol).u16(0).append(source).append(destination).append(payload);
}

Bytes ipv6(const Bytes &source, const Bytes &destination, uint8_t next, const Bytes &payload)
{
    Bytes b(true);
    b.u32(0x60000000).u16(static_cast<uint16_t>(payload.data.size())).u8(next).u8(64);
    return b.append(source).append(destination).append(payload);
}

// type, code, checksum, 4 bytes unused (or the MTU), then the packet quoted
Bytes icmp(uint8_t type, uint8_t code, const Bytes &quoted)
{
    return Bytes(true).u8(type).u8(code).u16(0).u32(0).append(quoted);
}

Bytes first_bytes(const Bytes &bytes, size_t count)
{
    Bytes b(true);
    b.data.assign(bytes.data.begin(), bytes.data.begin() + static_cast<std::ptrdiff_t>(count));
    return b;
}

// Hop-by-hop, routing or destination options: 16 bytes (a length field of 1).
Bytes options_header(uint8_t next)
{
    return Bytes(true).u8(next).u8(1).zeros(14);
}

Bytes fragment_header(uint8_t next, uint16_t offset, bool more)
{
    return Bytes(true).u8(next).u8(0).u16(static_cast<uint16_t>(offset << 3 | (more ? 1 : 0))).u32(7);
}

// 24 bytes (a length field of 4): next, length, reserved, SPI, sequence, 12 bytes of ICV
Bytes authentication_header(uint8_t next)
{
    return Bytes(true).u8(next).u8(4).u16(0).u32(0x100).u32(1).zeros(12);
}

Bytes ethernet(uint16_t ether_type, const Bytes &payload, std::initializer_list<uint16_t> tags = {})
{
    Bytes b(true);
    b.u16(0x0200).u32(1).u16(0x0200).u32(2);
    for (uint16_t tag : tags)
        b.u16(tag).u16(100);  // tag protocol, VLAN 100
    return b.u16(ether_type).append(payload);
}

Bytes linux_cooked(uint16_t protocol, const Bytes &payload)
{
    // packet type, ARPHRD_ETHER, address length, address (8), protocol
    return Bytes(true).u16(0).u16(1).u16(6).u32(0x02000000).u32(1).u16(protocol).append(payload);
}

Bytes linux_cooked2(uint16_t protocol, const Bytes &payload)
{
    // protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address (8)
    return Bytes(true).u16(protocol).u16(0).u32(3).u16(1).u8(0).u8(6).zeros(8).append(payload);
}

Bytes null_header(bool big_endian, uint32_t family, const Bytes &payload)
{
    return Bytes(big_endian).u32(family).append(payload);
}

size_t shard(uint32_t link_type, const Bytes &frame, size_t shard_count = kShards)
{
    return shard_of_packet(link_type, frame.data.data(), frame.data.size(), shard_count);
}

size_t shard_of_ethernet_pair(const Bytes &a, const Bytes &b)
{
    return shard(kEthernet, ethernet(kEtherIPv4, ipv4(a, b, kTcp, tcp(1, 2))));
}

size_t shard_of_ethernet_pair6(const Bytes &a, const Bytes &b)
{
    return shard(kEthernet, ethernet(kEtherIPv6, ipv6(a, b, kTcp, tcp(1, 2))));
}

TEST(ShardOfPacket, BothDirectionsOfAConnectionAgree)
{
    for (uint8_t i = 1; i <= 50; ++i) {
        const Bytes client = ip4(10, 0, i, 7), server = ip4(192, 0, 2, i);
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(client, server, kTcp, tcp(40000, 443)))),
                  shard(kEthernet, ethernet(kEtherIPv4, ipv4(server, client, kTcp, tcp(443, 40000)))))
            << int{i};
        const Bytes client6 = ip6(i, 1), server6 = ip6(0xff, i);
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv6, ipv6(client6, server6, kTcp, tcp(40000, 443)))),
                  shard(kEthernet, ethernet(kEtherIPv6, ipv6(server6, client6, kTcp, tcp(443, 40000)))))
            << int{i};
    }
}

TEST(ShardOfPacket, EveryPortPairBetweenTwoHostsAgrees)
{
    const Bytes a = ip4(172, 16, 1, 10), b = ip4(172, 16, 200, 3);
    const size_t expected = shard_of_ethernet_pair(a, b);
    for (uint16_t port : {uint16_t{53}, uint16_t{443}, uint16_t{8443}, uint16_t{50000}, uint16_t{65535}}) {
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(a, b, kTcp, tcp(port, 443)))), expected) << port;
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(b, a, kUdp, udp(443, port)))), expected) << port;
    }
    const Bytes a6 = ip6(1, 1), b6 = ip6(2, 2);
    const size_t expected6 = shard_of_ethernet_pair6(a6, b6);
    for (uint16_t port : {uint16_t{53}, uint16_t{443}, uint16_t{50000}}) {
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv6, ipv6(a6, b6, kUdp, udp(port, 4433)))), expected6) << port;
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv6, ipv6(b6, a6, kTcp, tcp(443, port)))), expected6) << port;
    }
}

TEST(ShardOfPacket, LaterFragmentsGoWithTheFirst)
{
    for (uint8_t i = 1; i <= 20; ++i) {
        const Bytes a = ip4(10, 1, 1, i), b = ip4(10, 2, 2, 2);
        const size_t first = shard(kEthernet, ethernet(kEtherIPv4, ipv4(a, b, kUdp, udp(5000, 4433, 1472), 0x2000)));
        // offsets 185 and 370 (8-byte units): no UDP header, only data
        const Bytes middle = Bytes(true).zeros(1480), last = Bytes(true).zeros(100);
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(a, b, kUdp, middle, 0x2000 | 185))), first) << int{i};
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(a, b, kUdp, last, 370))), first) << int{i};
    }
}

// A router whose own pair with `host` is in another shard than `flow_shard`,
// so that an ICMP error keyed by its own addresses would show.
std::optional<Bytes> router_elsewhere(const Bytes &host, size_t flow_shard)
{
    for (uint8_t i = 1; i < 255; ++i) {
        const Bytes router = ip4(10, 9, 9, i);
        if (shard_of_ethernet_pair(router, host) != flow_shard)
            return router;
    }
    return std::nullopt;
}

std::optional<Bytes> router6_elsewhere(const Bytes &host, size_t flow_shard)
{
    for (uint16_t i = 1; i < 255; ++i) {
        const Bytes router = ip6(0x99, i);
        if (shard_of_ethernet_pair6(router, host) != flow_shard)
            return router;
    }
    return std::nullopt;
}

TEST(ShardOfPacket, IcmpErrorsGoWithThePacketTheyQuote)
{
    const Bytes a = ip4(10, 1, 1, 1), b = ip4(10, 2, 2, 2);
    const Bytes sent = ipv4(a, b, kUdp, udp(5000, 53));
    const size_t flow = shard(kEthernet, ethernet(kEtherIPv4, sent));
    const std::optional<Bytes> router = router_elsewhere(a, flow);
    ASSERT_TRUE(router);
    const size_t router_pair = shard_of_ethernet_pair(*router, a);
    const Bytes quote = first_bytes(sent, 28);  // the IP header and 8 bytes, as routers quote
    for (uint8_t type : {uint8_t{3}, uint8_t{4}, uint8_t{5}, uint8_t{11}, uint8_t{12}})
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(*router, a, kIcmp, icmp(type, 3, quote)))), flow)
            << int{type};
    // a port unreachable from the host it was sent to, quoting the packet whole
    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(b, a, kIcmp, icmp(3, 3, sent)))), flow);

    // the quoted addresses not captured, no error, a later fragment: by its own addresses
    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(*router, a, kIcmp, icmp(3, 3, first_bytes(sent, 19))))),
              router_pair);
    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(*router, a, kIcmp, icmp(8, 0, quote)))), router_pair);
    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(*router, a, kIcmp, icmp(3, 3, quote), 185))), router_pair);
}

TEST(ShardOfPacket, Icmpv6ErrorsGoWithThePacketTheyQuote)
{
    const Bytes a = ip6(1, 1), b = ip6(2, 2);
    const Bytes sent = ipv6(a, b, kUdp, udp(5000, 53));
    const size_t flow = shard(kEthernet, ethernet(kEtherIPv6, sent));
    const std::optional<Bytes> router = router6_elsewhere(a, flow);
    ASSERT_TRUE(router);
    const size_t router_pair = shard_of_ethernet_pair6(*router, a);
    const auto from_router = [&](uint8_t next, const Bytes &payload) {
        return shard(kEthernet, ethernet(kEtherIPv6, ipv6(*router, a, next, payload)));
    };
    for (uint8_t type : {uint8_t{1}, uint8_t{2}, uint8_t{3}, uint8_t{4}})
        EXPECT_EQ(from_router(kIcmpV6, icmp(type, 0, sent)), flow) << int{type};
    // behind extension headers: hop-by-hop, routing, destination options, a first fragment, AH
    const Bytes error = icmp(1, 4, sent);
    EXPECT_EQ(from_router(0, options_header(43).append(options_header(60)).append(options_header(kIcmpV6)).append(error)),
              flow);
    EXPECT_EQ(from_router(44, fragment_header(kIcmpV6, 0, true).append(error)), flow);
    EXPECT_EQ(from_router(51, authentication_header(kIcmpV6).append(error)), flow);

    // the quote cut short, no error, a later fragment: by its own addresses
    EXPECT_EQ(from_router(kIcmpV6, icmp(1, 4, first_bytes(sent, 39))), router_pair);
    EXPECT_EQ(from_router(kIcmpV6, icmp(128, 0, sent)), router_pair);
    EXPECT_EQ(from_router(44, fragment_header(kIcmpV6, 1, false).append(error)), router_pair);
}

TEST(ShardOfPacket, EveryLinkLayerAgreesWithEthernet)
{
    // pairs whose shard is not 0, where a frame read as no IP would land
    std::optional<Bytes> a, b;
    for (uint8_t i = 1; i < 255 && !a; ++i)
        if (shard_of_ethernet_pair(ip4(10, 3, 3, i), ip4(10, 4, 4, 4)) != 0)
            a = ip4(10, 3, 3, i), b = ip4(10, 4, 4, 4);
    std::optional<Bytes> a6, b6;
    for (uint16_t i = 1; i < 255 && !a6; ++i)
        if (shard_of_ethernet_pair6(ip6(3, i), ip6(4, 4)) != 0)
            a6 = ip6(3, i), b6 = ip6(4, 4);
    ASSERT_TRUE(a && a6);
    const Bytes packet = ipv4(*a, *b, kTcp, tcp(40000, 443)), packet6 = ipv6(*a6, *b6, kTcp, tcp(40000, 443));
    const size_t expected = shard(kEthernet, ethernet(kEtherIPv4, packet));
    const size_t expected6 = shard(kEthernet, ethernet(kEtherIPv6, packet6));

    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, packet, {0x8100})), expected);
    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, packet, {0x88a8, 0x8100})), expected);
    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv6, packet6, {0x9100, 0x8100})), expected6);
    EXPECT_EQ(shard(kLinuxCooked, linux_cooked(kEtherIPv4, packet)), expected);
    EXPECT_EQ(shard(kLinuxCooked, linux_cooked(kEtherIPv6, packet6)), expected6);
    EXPECT_EQ(shard(kLinuxCooked2, linux_cooked2(kEtherIPv4, packet)), expected);
    EXPECT_EQ(shard(kLinuxCooked2, linux_cooked2(kEtherIPv6, packet6)), expected6);
    for (bool big_endian : {false, true}) {
        EXPECT_EQ(shard(kNull, null_header(big_endian, 2, packet)), expected) << big_endian;
        for (uint32_t family : {10u, 24u, 28u, 30u})
            EXPECT_EQ(shard(kNull, null_header(big_endian, family, packet6)), expected6) << big_endian << family;
    }
    EXPECT_EQ(shard(kLoop, null_header(true, 2, packet)), expected);
    EXPECT_EQ(shard(kLoop, null_header(true, 30, packet6)), expected6);
    for (uint32_t raw : {kRaw, kRawOpenBsd, kRawIp}) {
        EXPECT_EQ(shard(raw, packet), expected) << raw;
        EXPECT_EQ(shard(raw, packet6), expected6) << raw;
    }
    EXPECT_EQ(shard(kIPv4, packet), expected);
    EXPECT_EQ(shard(kIPv6, packet6), expected6);
}

TEST(ShardOfPacket, FramesWithoutAnIpHeaderGoToShardZero)
{
    // a pair whose shard is not 0, so that reading any of these as IP would show
    std::optional<Bytes> a;
    for (uint8_t i = 1; i < 255 && !a; ++i)
        if (shard_of_ethernet_pair(ip4(10, 5, 5, i), ip4(10, 6, 6, 6)) != 0)
            a = ip4(10, 5, 5, i);
    ASSERT_TRUE(a);
    const Bytes packet = ipv4(*a, ip4(10, 6, 6, 6), kTcp, tcp(40000, 443));
    const Bytes packet6 = ipv6(ip6(5, 5), ip6(6, 6), kTcp, tcp(40000, 443));

    EXPECT_EQ(shard(kEthernet, ethernet(kEtherArp, packet)), 0u);
    EXPECT_EQ(shard(kEthernet, first_bytes(ethernet(kEtherIPv4, packet), 13)), 0u);
    EXPECT_EQ(shard(kEthernet, first_bytes(ethernet(kEtherIPv4, packet, {0x8100}), 17)), 0u);  // cut in the tag
    EXPECT_EQ(shard(kEthernet, first_bytes(ethernet(kEtherIPv4, packet), 14 + 19)), 0u);
    EXPECT_EQ(shard(kEthernet, first_bytes(ethernet(kEtherIPv6, packet6), 14 + 39)), 0u);
    Bytes long_header = packet;
    long_header.data[0] = 0x4f;  // 60 bytes of header in a 40-byte packet
    EXPECT_EQ(shard(kIPv4, long_header), 0u);
    Bytes short_header = packet;
    short_header.data[0] = 0x44;
    EXPECT_EQ(shard(kIPv4, short_header), 0u);
    EXPECT_EQ(shard(kIPv6, packet), 0u);  // the version disagrees with the link type
    EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv6, packet)), 0u);
    EXPECT_EQ(shard(kRawIp, Bytes(true).u8(0x50).append(first_bytes(packet, 39))), 0u);
    EXPECT_EQ(shard(kNull, null_header(false, 7, packet)), 0u);
    EXPECT_EQ(shard(kLoop, null_header(false, 2, packet)), 0u);  // LOOP is in network order only
    EXPECT_EQ(shard(kLinuxCooked, linux_cooked(kEtherArp, packet)), 0u);
    EXPECT_EQ(shard(kLinuxCooked2, first_bytes(linux_cooked2(kEtherIPv4, packet), 19)), 0u);
    EXPECT_EQ(shard(kIeee80211, packet), 0u);
    EXPECT_EQ(shard(kRaw, Bytes(true)), 0u);
}

TEST(ShardOfPacket, OneShardIsShardZero)
{
    for (uint8_t i = 1; i <= 20; ++i)
        EXPECT_EQ(shard(kEthernet, ethernet(kEtherIPv4, ipv4(ip4(10, 7, 7, i), ip4(10, 8, 8, 8), kTcp, tcp(1, 2))), 1),
                  0u);
}

TEST(ShardOfPacket, PairsSpreadOverEveryShard)
{
    std::vector<size_t> frames_per_shard(kShards);
    for (uint16_t i = 0; i < 1000; ++i) {
        const Bytes client = ip4(10, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 1);
        const size_t k = shard(kEthernet, ethernet(kEtherIPv4, ipv4(client, ip4(192, 0, 2, 1), kTcp, tcp(40000, 443))));
        ASSERT_LT(k, kShards);
        ++frames_per_shard[k];
    }
    // 250 each on average: a well mixed hash stays far from 150
    for (size_t k = 0; k < kShards; ++k)
        EXPECT_GE(frames_per_shard[k], 150u) << k;
    for (uint16_t i = 0; i < 200; ++i)
        EXPECT_LT(shard(kIPv6, ipv6(ip6(7, i), ip6(8, 8), kUdp, udp(1, 2)), 64), 64u);
}

// One frame of a built capture: its link type, bytes, and which pair of hosts it is of.
struct Frame {
    uint32_t link_type;
    Bytes data;
    int pair;
};

// A capture built part by part: the file header or pcapng blocks that are
// no frames, and the records of frames (numbered 1, 2... in file order).
struct Capture {
    struct Part {
        Bytes bytes;
        std::optional<Frame> frame;
    };
    std::vector<Part> parts;

    std::vector<uint8_t> file() const
    {
        Bytes all;
        for (const Part &part : parts)
            all.append(part.bytes);
        return all.data;
    }
    std::vector<const Frame *> frames() const
    {
        std::vector<const Frame *> frames;
        for (const Part &part : parts)
            if (part.frame)
                frames.push_back(&*part.frame);
        return frames;
    }
};

// The frame of a pair of hosts, Ethernet and IPv4, with its own ports and payload size.
Frame frame_of_pair(int pair, bool reply, uint16_t port)
{
    const Bytes client = ip4(10, 20, static_cast<uint8_t>(pair), 1), server = ip4(198, 51, 100, 9);
    const Bytes packet = reply ? ipv4(server, client, kUdp, udp(443, port, static_cast<uint16_t>(pair)))
                               : ipv4(client, server, kTcp, tcp(port, 443));
    return Frame{kEthernet, ethernet(kEtherIPv4, packet), pair};
}

Capture pcap_capture(bool big_endian, const std::vector<Frame> &frames)
{
    Capture capture;
    Bytes header(big_endian);
    header.u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(kEthernet);
    capture.parts.push_back({header, std::nullopt});
    uint32_t second = 1700000000;
    for (const Frame &frame : frames) {
        const auto length = static_cast<uint32_t>(frame.data.data.size());
        Bytes record(big_endian);
        record.u32(second++).u32(0).u32(length).u32(length).append(frame.data);
        capture.parts.push_back({record, frame});
    }
    return capture;
}

Bytes interface_block(bool big_endian, uint16_t link_type)
{
    Bytes body(big_endian);
    body.u16(link_type).u16(0).u32(65535);
    return block(big_endian, 1, body);
}

Bytes packet_block(bool big_endian, uint32_t interface, const Bytes &frame)
{
    Bytes body(big_endian);
    const auto length = static_cast<uint32_t>(frame.data.size());
    body.u32(interface).u32(0).u32(1000000).u32(length).u32(length).append(frame);
    body.zeros((4 - length % 4) % 4);
    return block(big_endian, 6, body);
}

// A name resolution, interface statistics or decryption secrets block (with
// a body the scan takes: two words).
Bytes other_block(bool big_endian, uint32_t type)
{
    Bytes body(big_endian);
    body.u32(0).u32(0);
    return block(big_endian, type, body);
}

class MemoryShards : public ShardWriter {
public:
    explicit MemoryShards(size_t count) : files(count), frames(count) {}
    bool to_every_shard(const uint8_t *bytes, size_t length) override
    {
        for (std::vector<uint8_t> &file : files)
            file.insert(file.end(), bytes, bytes + length);
        return true;
    }
    bool to_shard(size_t shard, uint64_t frame, const uint8_t *bytes, size_t length) override
    {
        files.at(shard).insert(files.at(shard).end(), bytes, bytes + length);
        frames.at(shard).push_back(frame);
        return true;
    }

    std::vector<std::vector<uint8_t>> files;
    std::vector<std::vector<uint64_t>> frames;
};

// A file in memory, handed over a copy at a time in one buffer that each
// call overwrites, as a source that reads through a window may: a pointer
// kept past the next call would read another part of the file.
class CopyingSource : public ByteSource {
public:
    explicit CopyingSource(const std::vector<uint8_t> &file) : file_(file) {}
    uint64_t size() const override { return file_.size(); }
    const uint8_t *bytes(uint64_t offset, size_t count) override
    {
        if (offset > file_.size() || count > file_.size() - offset)
            return nullptr;
        copy_.assign(copy_.size(), 0xee);
        if (copy_.size() < count)
            copy_.resize(count);
        std::copy_n(file_.begin() + static_cast<std::ptrdiff_t>(offset), count, copy_.begin());
        return copy_.data();
    }

private:
    const std::vector<uint8_t> &file_;
    std::vector<uint8_t> copy_;
};

// What every split must give: each frame in exactly one shard, at the shard
// shard_of_packet names, a pair's frames together; each shard the parts
// that are no frames and its own frames, in file order, which the scan
// vouches for.
void expect_shards_of(const Capture &capture, const MemoryShards &shards)
{
    const std::vector<const Frame *> frames = capture.frames();
    const size_t count = shards.files.size();
    std::vector<size_t> shard_of_frame(frames.size(), count);
    for (size_t k = 0; k < count; ++k) {
        uint64_t previous = 0;
        for (uint64_t frame : shards.frames[k]) {
            ASSERT_GT(frame, previous) << "shard " << k;
            ASSERT_LE(frame, frames.size()) << "shard " << k;
            EXPECT_EQ(shard_of_frame[frame - 1], count) << "frame " << frame << " in two shards";
            shard_of_frame[frame - 1] = k;
            previous = frame;
        }
    }
    std::map<int, size_t> shard_of_pair;
    for (size_t i = 0; i < frames.size(); ++i) {
        const Frame &frame = *frames[i];
        ASSERT_LT(shard_of_frame[i], count) << "frame " << i + 1 << " in no shard";
        EXPECT_EQ(shard_of_frame[i], shard(frame.link_type, frame.data, count)) << "frame " << i + 1;
        EXPECT_EQ(shard_of_pair.emplace(frame.pair, shard_of_frame[i]).first->second, shard_of_frame[i])
            << "frame " << i + 1;
    }
    uint64_t frames_in_shards = 0;
    for (size_t k = 0; k < count; ++k) {
        Bytes expected;
        uint64_t number = 0;
        for (const Capture::Part &part : capture.parts)
            if (!part.frame || shard_of_frame[number++] == k)
                expected.append(part.bytes);
        EXPECT_EQ(shards.files[k], expected.data) << "shard " << k;
        const std::optional<CaptureFacts> facts = scan_capture(shards.files[k].data(), shards.files[k].size());
        ASSERT_TRUE(facts) << "shard " << k;
        EXPECT_EQ(facts->frames, shards.frames[k].size()) << "shard " << k;
        frames_in_shards += facts->frames;
    }
    EXPECT_EQ(frames_in_shards, frames.size());
}

size_t shards_with_frames(const MemoryShards &shards)
{
    size_t used = 0;
    for (const std::vector<uint64_t> &frames : shards.frames)
        used += frames.empty() ? 0 : 1;
    return used;
}

std::vector<Frame> frames_of_pairs(int pairs)
{
    std::vector<Frame> frames;
    for (int pair = 0; pair < pairs; ++pair)
        for (uint16_t port : {uint16_t{40000}, uint16_t{40001}})
            for (bool reply : {false, true})
                frames.push_back(frame_of_pair(pair, reply, port));
    frames.push_back(Frame{kEthernet, ethernet(kEtherArp, Bytes(true).zeros(28)), -1});
    return frames;
}

TEST(ShardCapture, PcapSplitsIntoCapturesOfWholeFlows)
{
    for (bool big_endian : {false, true}) {
        const Capture capture = pcap_capture(big_endian, frames_of_pairs(12));
        const std::vector<uint8_t> file = capture.file();
        MemoryShards shards(3);
        CopyingSource source(file);
        ASSERT_EQ(shard_capture(source, 3, shards), ShardOutcome::Done);
        expect_shards_of(capture, shards);
        EXPECT_GE(shards_with_frames(shards), 2u);  // (12 pairs all in one shard would be a poor hash)
    }
}

TEST(ShardCapture, PcapngShardsKeepEveryBlockThatIsNoFrame)
{
    // Two sections: little-endian with Ethernet and raw IP interfaces, a name
    // resolution block, decryption secrets and statistics; big-endian with
    // Linux cooked and Ethernet ones.
    Capture capture;
    const auto add = [&](const Bytes &bytes) { capture.parts.push_back({bytes, std::nullopt}); };
    const auto add_frame = [&](bool big_endian, uint32_t interface, const Frame &frame) {
        capture.parts.push_back({packet_block(big_endian, interface, frame.data), frame});
    };
    add(section(false));
    add(interface_block(false, kEthernet));
    add(interface_block(false, kRawIp));
    add(other_block(false, 4));
    for (int pair = 0; pair < 6; ++pair) {
        add_frame(false, 0, frame_of_pair(pair, false, 40000));
        const Bytes packet = ipv4(ip4(198, 51, 100, 9), ip4(10, 20, static_cast<uint8_t>(pair), 1), kTcp, tcp(443, 40000));
        add_frame(false, 1, Frame{kRawIp, packet, pair});
    }
    add(other_block(false, 10));
    add_frame(false, 0, frame_of_pair(2, true, 40001));
    add(other_block(false, 5));
    add(section(true));
    add(interface_block(true, kLinuxCooked));
    add(interface_block(true, kEthernet));
    for (int pair = 3; pair < 12; ++pair) {
        const Bytes packet = ipv4(ip4(10, 20, static_cast<uint8_t>(pair), 1), ip4(198, 51, 100, 9), kUdp, udp(5353, 443));
        add_frame(true, 0, Frame{kLinuxCooked, linux_cooked(kEtherIPv4, packet), pair});
        add_frame(true, 1, frame_of_pair(pair, true, 40000));
    }
    add(other_block(true, 5));
    const std::vector<uint8_t> file = capture.file();

    MemoryShards shards(3);
    CopyingSource source(file);
    ASSERT_EQ(shard_capture(source, 3, shards), ShardOutcome::Done);
    expect_shards_of(capture, shards);
    EXPECT_GE(shards_with_frames(shards), 2u);

    MemoryShards one(1);
    CopyingSource again(file);
    ASSERT_EQ(shard_capture(again, 1, one), ShardOutcome::Done);
    EXPECT_EQ(one.files[0], file);
}

TEST(ShardCapture, DamagedFilesAreNotVouchedFor)
{
    const std::vector<uint8_t> pcap = pcap_capture(false, frames_of_pairs(3)).file();
    std::vector<uint8_t> cut(pcap.begin(), pcap.end() - 10);  // in the last record
    MemoryShards shards(2);
    CopyingSource cut_source(cut);
    EXPECT_EQ(shard_capture(cut_source, 2, shards), ShardOutcome::NotVouchedFor);

    Capture capture;
    capture.parts.push_back({section(false), std::nullopt});
    capture.parts.push_back({interface_block(false, kEthernet), std::nullopt});
    for (const Frame &frame : frames_of_pairs(3))
        capture.parts.push_back({packet_block(false, 0, frame.data), frame});
    std::vector<uint8_t> pcapng = capture.file();
    pcapng.resize(pcapng.size() - 30);
    CopyingSource pcapng_source(pcapng);
    EXPECT_EQ(shard_capture(pcapng_source, 2, shards), ShardOutcome::NotVouchedFor);

    const std::vector<uint8_t> text{'n', 'o', 't', ' ', 'a', ' ', 'c', 'a', 'p', 't', 'u', 'r', 'e'};
    CopyingSource text_source(text);
    EXPECT_EQ(shard_capture(text_source, 2, shards), ShardOutcome::NotVouchedFor);
}

// Fails the nth call (1-based) and counts the calls.
class FailingShards : public ShardWriter {
public:
    explicit FailingShards(int failing_call) : failing_call_(failing_call) {}
    bool to_every_shard(const uint8_t *, size_t) override { return ++calls != failing_call_; }
    bool to_shard(size_t, uint64_t, const uint8_t *, size_t) override { return ++calls != failing_call_; }

    int calls = 0;

private:
    int failing_call_;
};

TEST(ShardCapture, AFailedWriteEndsTheSplit)
{
    const std::vector<uint8_t> file = pcap_capture(false, frames_of_pairs(3)).file();
    for (int failing_call : {1, 4}) {  // the file header, the third frame
        FailingShards shards(failing_call);
        CopyingSource source(file);
        EXPECT_EQ(shard_capture(source, 2, shards), ShardOutcome::WriteFailed) << failing_call;
        EXPECT_EQ(shards.calls, failing_call);
    }
}

}  // namespace
