// What the tlsdist command needs to know of each file of a file set before
// tshark reads them as one capture (issue 18): its format, how many frames
// tshark will number in it, and its earliest packet time, as
// `capinfos -t -c -a` gives them, found by walking the record headers
// instead of reading every packet through Wiretap.
//
// It answers only for files it can vouch for: uncompressed pcap and pcapng
// that are intact to the last byte, whose every record is a packet with a
// time stamp (pcap records, pcapng Enhanced Packet Blocks) or a block tshark
// shows no frame for (interfaces, statistics, name resolution, decryption
// secrets). For anything else (another format, compression, damage, custom or
// event blocks, simple packet blocks, binary time units, a time offset) it
// answers nothing, and the command asks capinfos, which reads every format
// and names what is wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tlsdist {

struct CaptureFacts {
    const char *type = "";  // capinfos' name for the format: pcap, nsecpcap, pcapng
    uint64_t frames = 0;
    bool has_time = false;  // false when there is no packet
    uint64_t earliest_seconds = 0;
    uint32_t earliest_nanoseconds = 0;
};

// Where the scan reads a file: the bytes [offset, offset + count), valid
// until the next call, or null where the file ends before them. The scan
// asks for a few bytes of each record, at rising offsets, so a source can
// read the file through a window instead of mapping all of it (each page
// mapped costs more than copying it, on a virtual machine above all).
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual uint64_t size() const = 0;
    virtual const uint8_t *bytes(uint64_t offset, size_t count) = 0;
};

std::optional<CaptureFacts> scan_capture(ByteSource &source);
// (a file in memory)
std::optional<CaptureFacts> scan_capture(const uint8_t *data, size_t size);

// One packet record, as the walk below reports it.
struct PacketRecord {
    uint64_t offset = 0;  // of the whole record: pcap record header and data, or pcapng block
    size_t length = 0;
    uint32_t link_type = 0;  // of its interface (a LINKTYPE_ number)
    uint64_t data_offset = 0;  // of the packet's captured bytes
    size_t captured = 0;
};

// What the walk behind scan_capture (and shard_capture) tells of each part
// of a file, in file order, once it has checked that part whole (a pcapng
// block up to its trailing length): the parts before a damage it finds
// further on have been told all the same, and the walk answers nothing. A
// visitor that needs a part's bytes asks the source for them (a pointer the
// walk had would not outlive the visitor's own reads). Returning false ends
// the walk, which then answers nothing.
class CaptureVisitor {
public:
    virtual ~CaptureVisitor() = default;
    // The pcap file header, or a pcapng block that is no packet (section
    // header, interface, name resolution, statistics, decryption secrets)
    virtual bool other_part(uint64_t offset, size_t length) = 0;
    virtual bool packet(const PacketRecord &record) = 0;
};

std::optional<CaptureFacts> walk_capture(ByteSource &source, CaptureVisitor &visitor);

// The order tshark reads a file set in: by file name, when every name is a
// dumpcap file-set name (PREFIX_NNNNN_YYYYMMDDhhmmss.EXT, whose number sorts
// as text), compared byte by byte as LC_ALL=C sort does; else by earliest
// packet time, a file without packets first. Ties keep the order given.
enum class FileSetOrder { ByName, ByTime };
struct ScannedFile {
    std::string name;  // as given: the file-set order compares what follows the last '/'
    CaptureFacts facts;
};
void sort_file_set(std::vector<ScannedFile> &files, FileSetOrder order);

// The earliest packet time as seconds since the epoch with nine decimals, or
// "n/a" (capinfos -a -S writes as many decimals as the file's precision).
std::string earliest_time_text(const CaptureFacts &facts);

}  // namespace tlsdist
