#include "capture_shard.h"

#include <cstring>
#include <optional>

namespace tlsdist {

namespace {

uint16_t network_u16(const uint8_t *p)
{
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

uint32_t network_u32(const uint8_t *p)
{
    return static_cast<uint32_t>(network_u16(p)) << 16 | network_u16(p + 2);
}

uint32_t little_endian_u32(const uint8_t *p)
{
    return static_cast<uint32_t>(p[3]) << 24 | static_cast<uint32_t>(p[2]) << 16 |
           static_cast<uint32_t>(p[1]) << 8 | p[0];
}

enum class Family : uint8_t { IPv4 = 4, IPv6 = 6 };

// Where a frame's IP header starts, and which IP it is.
struct Network {
    Family family;
    size_t offset;
};

// The two addresses of an IP header, in the order the header has them.
struct AddressPair {
    Family family;
    const uint8_t *first;
    const uint8_t *second;
};

constexpr uint32_t kLinkNull = 0, kLinkEthernet = 1, kLinkRaw = 12, kLinkRawOpenBsd = 14, kLinkRawIp = 101,
                   kLinkLoop = 108, kLinkLinuxCooked = 113, kLinkIPv4 = 228, kLinkIPv6 = 229,
                   kLinkLinuxCooked2 = 276;
constexpr uint16_t kEtherIPv4 = 0x0800, kEtherIPv6 = 0x86dd;
constexpr size_t kEthernetType = 12, kVlanTag = 4;
constexpr size_t kLinuxCookedProtocol = 14, kLinuxCookedHeader = 16;
constexpr size_t kLinuxCooked2Protocol = 0, kLinuxCooked2Header = 20;
constexpr size_t kNullHeader = 4;
constexpr size_t kIPv4Header = 20, kIPv6Header = 40;
constexpr uint8_t kIcmp = 1, kIcmpV6 = 58;
constexpr size_t kIcmpErrorHeader = 8;  // type, code, checksum, 4 bytes, then the quoted packet

bool is_vlan_tag(uint16_t ether_type)
{
    return ether_type == 0x8100 || ether_type == 0x88a8 || ether_type == 0x9100;  // 802.1Q, 802.1ad, QinQ
}

std::optional<Network> by_ether_type(uint16_t ether_type, size_t offset)
{
    if (ether_type == kEtherIPv4)
        return Network{Family::IPv4, offset};
    if (ether_type == kEtherIPv6)
        return Network{Family::IPv6, offset};
    return std::nullopt;
}

// The address families of the BSD loopback header, as the systems that
// write it number them (IPv6: Linux, NetBSD and OpenBSD, FreeBSD, macOS).
std::optional<Family> by_bsd_family(uint32_t family)
{
    if (family == 2)
        return Family::IPv4;
    if (family == 10 || family == 24 || family == 28 || family == 30)
        return Family::IPv6;
    return std::nullopt;
}

std::optional<Network> network_of(uint32_t link_type, const uint8_t *data, size_t captured)
{
    switch (link_type) {
    case kLinkEthernet:
        for (size_t at = kEthernetType; at + 2 <= captured; at += kVlanTag) {
            const uint16_t ether_type = network_u16(data + at);
            if (!is_vlan_tag(ether_type))
                return by_ether_type(ether_type, at + 2);
        }
        return std::nullopt;
    case kLinkLinuxCooked:
        if (captured < kLinuxCookedHeader)
            return std::nullopt;
        return by_ether_type(network_u16(data + kLinuxCookedProtocol), kLinuxCookedHeader);
    case kLinkLinuxCooked2:
        if (captured < kLinuxCooked2Header)
            return std::nullopt;
        return by_ether_type(network_u16(data + kLinuxCooked2Protocol), kLinuxCooked2Header);
    case kLinkNull:
    case kLinkLoop: {
        if (captured < kNullHeader)
            return std::nullopt;
        // LOOP is in network order; NULL in that of the host that captured,
        // whichever it was (a family read in the wrong order is above 0xffff)
        std::optional<Family> family = by_bsd_family(network_u32(data));
        if (!family && link_type == kLinkNull)
            family = by_bsd_family(little_endian_u32(data));
        if (!family)
            return std::nullopt;
        return Network{*family, kNullHeader};
    }
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawIp:
        if (captured < 1)
            return std::nullopt;
        if (data[0] >> 4 == 4)
            return Network{Family::IPv4, 0};
        if (data[0] >> 4 == 6)
            return Network{Family::IPv6, 0};
        return std::nullopt;
    case kLinkIPv4:
        return Network{Family::IPv4, 0};
    case kLinkIPv6:
        return Network{Family::IPv6, 0};
    default:
        return std::nullopt;
    }
}

bool is_icmp_error(uint8_t type)
{
    // destination unreachable, source quench, redirect, time exceeded, parameter problem
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

bool is_icmpv6_error(uint8_t type)
{
    // destination unreachable, packet too big, time exceeded, parameter problem
    return type >= 1 && type <= 4;
}

// The addresses of an IPv4 header, or those of the packet an ICMP error
// quotes, which Wireshark dissects as part of that packet's flow.
std::optional<AddressPair> ipv4_pair(const uint8_t *ip, size_t length)
{
    if (length < kIPv4Header || ip[0] >> 4 != 4)
        return std::nullopt;
    const size_t header = static_cast<size_t>(ip[0] & 0x0f) * 4;
    if (header < kIPv4Header || header > length)
        return std::nullopt;
    const bool first_fragment = (network_u16(ip + 6) & 0x1fff) == 0;
    if (ip[9] == kIcmp && first_fragment && length - header >= kIcmpErrorHeader + kIPv4Header) {
        const uint8_t *icmp = ip + header, *quoted = icmp + kIcmpErrorHeader;
        if (is_icmp_error(icmp[0]) && quoted[0] >> 4 == 4)
            return AddressPair{Family::IPv4, quoted + 12, quoted + 16};
    }
    return AddressPair{Family::IPv4, ip + 12, ip + 16};
}

// The ICMPv6 message of an IPv6 packet, past its extension headers, or null
// (another payload, a later fragment, headers cut short).
const uint8_t *icmpv6_of(const uint8_t *ip, size_t length, size_t &icmp_length)
{
    constexpr uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kAuthentication = 51, kDestination = 60;
    constexpr size_t kFragmentHeader = 8;
    uint8_t next = ip[6];
    size_t at = kIPv6Header;
    while (next != kIcmpV6) {
        size_t extent;
        if (next == kHopByHop || next == kRouting || next == kDestination || next == kAuthentication) {
            if (length - at < 2)
                return nullptr;
            extent = next == kAuthentication ? (static_cast<size_t>(ip[at + 1]) + 2) * 4
                                             : (static_cast<size_t>(ip[at + 1]) + 1) * 8;
        } else if (next == kFragment) {
            if (length - at < kFragmentHeader || (network_u16(ip + at + 2) & 0xfff8) != 0)
                return nullptr;
            extent = kFragmentHeader;
        } else {
            return nullptr;
        }
        next = ip[at];
        if (extent > length - at)
            return nullptr;
        at += extent;
    }
    icmp_length = length - at;
    return ip + at;
}

std::optional<AddressPair> ipv6_pair(const uint8_t *ip, size_t length)
{
    if (length < kIPv6Header || ip[0] >> 4 != 6)
        return std::nullopt;
    size_t icmp_length = 0;
    const uint8_t *icmp = icmpv6_of(ip, length, icmp_length);
    if (icmp && icmp_length >= kIcmpErrorHeader + kIPv6Header) {
        const uint8_t *quoted = icmp + kIcmpErrorHeader;
        if (is_icmpv6_error(icmp[0]) && quoted[0] >> 4 == 6)
            return AddressPair{Family::IPv6, quoted + 8, quoted + 24};
    }
    return AddressPair{Family::IPv6, ip + 8, ip + 24};
}

uint64_t fnv1a(uint64_t hash, const uint8_t *bytes, size_t count)
{
    for (size_t i = 0; i < count; ++i)
        hash = (hash ^ bytes[i]) * 0x100000001b3ull;
    return hash;
}

// FNV-1a over the family and the lower address then the higher (so that
// both directions agree), mixed by splitmix64's finaliser: bytes alone, so
// the same shard on every platform.
size_t shard_of_pair(const AddressPair &pair, size_t shard_count)
{
    const size_t size = pair.family == Family::IPv4 ? 4 : 16;
    const bool in_order = std::memcmp(pair.first, pair.second, size) <= 0;
    const uint8_t family = static_cast<uint8_t>(pair.family);
    uint64_t hash = fnv1a(0xcbf29ce484222325ull, &family, 1);
    hash = fnv1a(hash, in_order ? pair.first : pair.second, size);
    hash = fnv1a(hash, in_order ? pair.second : pair.first, size);
    hash = (hash ^ hash >> 30) * 0xbf58476d1ce4e5b9ull;
    hash = (hash ^ hash >> 27) * 0x94d049bb133111ebull;
    hash ^= hash >> 31;
    return static_cast<size_t>(hash % shard_count);
}

class ShardingVisitor : public CaptureVisitor {
public:
    ShardingVisitor(ByteSource &source, size_t shard_count, ShardWriter &out)
        : source_(source), shard_count_(shard_count), out_(out)
    {
    }

    bool other_part(uint64_t offset, size_t length) override
    {
        const uint8_t *bytes = source_.bytes(offset, length);
        return bytes && written(out_.to_every_shard(bytes, length));
    }

    bool packet(const PacketRecord &record) override
    {
        const uint8_t *bytes = source_.bytes(record.offset, record.length);
        if (!bytes)
            return false;
        const uint8_t *data = bytes + static_cast<size_t>(record.data_offset - record.offset);
        const size_t shard = shard_of_packet(record.link_type, data, record.captured, shard_count_);
        return written(out_.to_shard(shard, ++frames_, bytes, record.length));
    }

    bool write_failed() const { return write_failed_; }

private:
    bool written(bool ok)
    {
        write_failed_ = !ok;
        return ok;
    }

    ByteSource &source_;
    size_t shard_count_;
    ShardWriter &out_;
    uint64_t frames_ = 0;
    bool write_failed_ = false;
};

}  // namespace

size_t shard_of_packet(uint32_t link_type, const uint8_t *data, size_t captured, size_t shard_count)
{
    if (shard_count <= 1)
        return 0;
    const std::optional<Network> network = network_of(link_type, data, captured);
    if (!network)
        return 0;
    const uint8_t *ip = data + network->offset;
    const size_t length = captured - network->offset;
    const std::optional<AddressPair> pair =
        network->family == Family::IPv4 ? ipv4_pair(ip, length) : ipv6_pair(ip, length);
    return pair ? shard_of_pair(*pair, shard_count) : 0;
}

ShardOutcome shard_capture(ByteSource &source, size_t shard_count, ShardWriter &out)
{
    ShardingVisitor visitor(source, shard_count, out);
    if (walk_capture(source, visitor))
        return ShardOutcome::Done;
    return visitor.write_failed() ? ShardOutcome::WriteFailed : ShardOutcome::NotVouchedFor;
}

}  // namespace tlsdist
