#include "capture_scan.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <tuple>
#include <vector>

namespace tlsdist {

namespace {

// Numbers in a file's byte order, from bytes the source has handed over.
class Reader {
public:
    explicit Reader(bool big_endian) : big_endian_(big_endian) {}

    uint16_t u16(const uint8_t *p) const
    {
        return big_endian_ ? static_cast<uint16_t>(p[0] << 8 | p[1]) : static_cast<uint16_t>(p[1] << 8 | p[0]);
    }
    uint32_t u32(const uint8_t *p) const
    {
        const uint32_t high = u16(p + (big_endian_ ? 0 : 2)), low = u16(p + (big_endian_ ? 2 : 0));
        return high << 16 | low;
    }

private:
    bool big_endian_;
};

class MemorySource : public ByteSource {
public:
    MemorySource(const uint8_t *data, size_t size) : data_(data), size_(size) {}
    uint64_t size() const override { return size_; }
    const uint8_t *bytes(uint64_t offset, size_t count) override
    {
        return offset <= size_ && count <= size_ - offset ? data_ + offset : nullptr;
    }

private:
    const uint8_t *data_;
    size_t size_;
};

// (scan_capture needs only the facts)
class NoVisitor : public CaptureVisitor {
public:
    bool other_part(uint64_t, size_t) override { return true; }
    bool packet(const PacketRecord &) override { return true; }
};

void keep_earliest(CaptureFacts &facts, uint64_t seconds, uint32_t nanoseconds)
{
    if (!facts.has_time || seconds < facts.earliest_seconds ||
        (seconds == facts.earliest_seconds && nanoseconds < facts.earliest_nanoseconds)) {
        facts.has_time = true;
        facts.earliest_seconds = seconds;
        facts.earliest_nanoseconds = nanoseconds;
    }
}

constexpr uint32_t kPcapMicroseconds = 0xa1b2c3d4, kPcapNanoseconds = 0xa1b23c4d;
constexpr size_t kPcapFileHeader = 24, kPcapRecordHeader = 16;
// Wiretap refuses a larger pcap record for most link types (and for the
// rest, capinfos decides).
constexpr uint32_t kPcapLargestRecord = 262144;

std::optional<CaptureFacts> walk_pcap(ByteSource &source, CaptureVisitor &visitor)
{
    const uint8_t *header = source.bytes(0, kPcapFileHeader);
    if (!header)
        return std::nullopt;
    Reader in(false);
    if (in.u32(header) != kPcapMicroseconds && in.u32(header) != kPcapNanoseconds)
        in = Reader(true);
    const uint32_t magic = in.u32(header);
    if (magic != kPcapMicroseconds && magic != kPcapNanoseconds)
        return std::nullopt;
    const bool nanoseconds = magic == kPcapNanoseconds;
    // (other versions, and records that a standard header does not explain,
    // are where Wiretap guesses at one of the modified pcap formats)
    if (in.u16(header + 4) != 2 || in.u16(header + 6) != 4)
        return std::nullopt;
    const uint32_t snap_length = in.u32(header + 16);
    const uint32_t link_type = in.u32(header + 20) & 0xffff;  // (the bits above are FCS length and flags)
    if (!visitor.other_part(0, kPcapFileHeader))
        return std::nullopt;
    CaptureFacts facts;
    facts.type = nanoseconds ? "nsecpcap" : "pcap";
    const uint32_t fraction_limit = nanoseconds ? 1000000000u : 1000000u;
    const uint64_t size = source.size();
    uint64_t at = kPcapFileHeader;
    while (at < size) {
        const uint8_t *record = source.bytes(at, kPcapRecordHeader);
        if (!record)
            return std::nullopt;
        const uint32_t seconds = in.u32(record), fraction = in.u32(record + 4);
        const uint32_t included = in.u32(record + 8), original = in.u32(record + 12);
        if (fraction >= fraction_limit || included > kPcapLargestRecord || included > original ||
            (snap_length != 0 && included > snap_length))
            return std::nullopt;
        const uint64_t data_at = at + kPcapRecordHeader;
        if (size - data_at < included)
            return std::nullopt;
        if (!visitor.packet(PacketRecord{at, kPcapRecordHeader + included, link_type, data_at, included}))
            return std::nullopt;
        at = data_at + included;
        ++facts.frames;
        keep_earliest(facts, seconds, nanoseconds ? fraction : fraction * 1000u);
    }
    return facts;
}

constexpr uint32_t kSectionHeader = 0x0a0d0d0a, kByteOrderMagic = 0x1a2b3c4d;
constexpr uint32_t kInterfaceDescription = 1, kNameResolution = 4, kInterfaceStatistics = 5,
                   kEnhancedPacket = 6, kDecryptionSecrets = 10;
constexpr size_t kBlockHeader = 8;                     // type, length
constexpr size_t kBlockOverhead = kBlockHeader + 4;    // and the length again
constexpr size_t kSectionHeaderStart = 16;             // type, length, byte order, version
constexpr size_t kSmallestSectionHeader = 28;
constexpr size_t kEnhancedPacketHeader = 20;           // interface, time stamp, lengths
constexpr uint32_t kLargestBlock = 16 * 1024 * 1024;   // beyond it Wiretap gives up on the file
constexpr uint32_t kLargestInterface = 64 * 1024;      // (a larger one is left to capinfos)
constexpr uint16_t kOptionEnd = 0, kTimeResolution = 9, kTimeOffset = 14;

struct Interface {
    uint32_t link_type = 0;
    uint64_t units_per_second = 1000000;
};

// An interface's time resolution, or none where the scan leaves the file to
// capinfos (a binary resolution, finer than nanoseconds, a time offset).
std::optional<Interface> read_interface(const Reader &in, const uint8_t *body, size_t length)
{
    Interface interface;
    interface.link_type = in.u16(body);
    size_t at = 8;  // link type, reserved, snap length
    while (at + 4 <= length) {
        const uint16_t code = in.u16(body + at), option_length = in.u16(body + at + 2);
        at += 4;
        if (code == kOptionEnd)
            break;
        const size_t padded = (static_cast<size_t>(option_length) + 3) & ~size_t{3};
        if (padded > length - at || code == kTimeOffset)
            return std::nullopt;
        if (code == kTimeResolution) {
            if (option_length != 1)
                return std::nullopt;
            const uint8_t resolution = body[at];
            if (resolution & 0x80 || resolution > 9)
                return std::nullopt;
            interface.units_per_second = 1;
            for (int i = 0; i < resolution; ++i)
                interface.units_per_second *= 10;
        }
        at += padded;
    }
    return interface;
}

std::optional<CaptureFacts> walk_pcapng(ByteSource &source, CaptureVisitor &visitor)
{
    const uint64_t size = source.size();
    CaptureFacts facts;
    facts.type = "pcapng";
    Reader in(false);
    std::vector<Interface> interfaces;  // of the current section
    uint64_t at = 0;
    while (at < size) {
        const uint8_t *header = source.bytes(at, kBlockHeader);
        if (!header)
            return std::nullopt;
        const uint32_t type = in.u32(header);  // (a section header's reads the same either way)
        if (type == kSectionHeader) {
            // Each section says its own byte order.
            header = source.bytes(at, kSectionHeaderStart);
            if (!header)
                return std::nullopt;
            if (Reader(false).u32(header + 8) == kByteOrderMagic)
                in = Reader(false);
            else if (Reader(true).u32(header + 8) == kByteOrderMagic)
                in = Reader(true);
            else
                return std::nullopt;
            if (in.u16(header + 12) != 1)
                return std::nullopt;
            interfaces.clear();
        }
        const uint32_t length = in.u32(header + 4);
        if (length < kBlockOverhead || (type == kSectionHeader && length < kSmallestSectionHeader) ||
            length % 4 != 0 || length > kLargestBlock || length > size - at)
            return std::nullopt;
        const uint64_t body_at = at + kBlockHeader;
        const size_t body_length = length - kBlockOverhead;
        std::optional<PacketRecord> packet;
        switch (type) {
        case kSectionHeader:
        case kNameResolution:
        case kInterfaceStatistics:
        case kDecryptionSecrets:
            break;
        case kInterfaceDescription: {
            const uint8_t *body = body_length >= 8 && body_length <= kLargestInterface
                                      ? source.bytes(body_at, body_length)
                                      : nullptr;
            const std::optional<Interface> interface = body ? read_interface(in, body, body_length) : std::nullopt;
            if (!interface)
                return std::nullopt;
            interfaces.push_back(*interface);
            break;
        }
        case kEnhancedPacket: {
            const uint8_t *body = body_length >= kEnhancedPacketHeader
                                      ? source.bytes(body_at, kEnhancedPacketHeader)
                                      : nullptr;
            if (!body)
                return std::nullopt;
            const uint32_t id = in.u32(body);
            const uint64_t units = static_cast<uint64_t>(in.u32(body + 4)) << 32 | in.u32(body + 8);
            const uint32_t captured = in.u32(body + 12);
            if (id >= interfaces.size() || captured > body_length - kEnhancedPacketHeader)
                return std::nullopt;
            packet = PacketRecord{at, length, interfaces[id].link_type, body_at + kEnhancedPacketHeader, captured};
            const uint64_t per_second = interfaces[id].units_per_second;
            ++facts.frames;
            keep_earliest(facts, units / per_second,
                          static_cast<uint32_t>(units % per_second * (1000000000u / per_second)));
            break;
        }
        default:
            return std::nullopt;  // a block that is a frame in tshark, or that the scan does not know
        }
        const uint8_t *trailer = source.bytes(at + length - 4, 4);
        if (!trailer || in.u32(trailer) != length)
            return std::nullopt;
        if (packet ? !visitor.packet(*packet) : !visitor.other_part(at, length))
            return std::nullopt;
        at += length;
    }
    return facts;
}

}  // namespace

std::optional<CaptureFacts> walk_capture(ByteSource &source, CaptureVisitor &visitor)
{
    const uint8_t *magic = source.bytes(0, 4);
    if (!magic)
        return std::nullopt;
    return Reader(false).u32(magic) == kSectionHeader ? walk_pcapng(source, visitor) : walk_pcap(source, visitor);
}

std::optional<CaptureFacts> scan_capture(ByteSource &source)
{
    NoVisitor visitor;
    return walk_capture(source, visitor);
}

std::optional<CaptureFacts> scan_capture(const uint8_t *data, size_t size)
{
    MemorySource source(data, size);
    return scan_capture(source);
}

void sort_file_set(std::vector<ScannedFile> &files, FileSetOrder order)
{
    if (order == FileSetOrder::ByName) {
        const auto base_name = [](const ScannedFile &file) {
            const std::string_view name = file.name;
            const size_t slash = name.rfind('/');
            return slash == std::string_view::npos ? name : name.substr(slash + 1);
        };
        std::stable_sort(files.begin(), files.end(), [&](const ScannedFile &a, const ScannedFile &b) {
            return base_name(a) < base_name(b);  // (char_traits compares bytes as unsigned, like memcmp)
        });
        return;
    }
    const auto earliest = [](const ScannedFile &file) {
        return file.facts.has_time ? std::make_tuple(true, file.facts.earliest_seconds, file.facts.earliest_nanoseconds)
                                   : std::make_tuple(false, uint64_t{0}, uint32_t{0});
    };
    std::stable_sort(files.begin(), files.end(),
                     [&](const ScannedFile &a, const ScannedFile &b) { return earliest(a) < earliest(b); });
}

std::string earliest_time_text(const CaptureFacts &facts)
{
    if (!facts.has_time)
        return "n/a";
    char text[40];
    std::snprintf(text, sizeof text, "%llu.%09u", static_cast<unsigned long long>(facts.earliest_seconds),
                  facts.earliest_nanoseconds);
    return text;
}

}  // namespace tlsdist
