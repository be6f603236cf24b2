// One capture split by flow into shards that tshark can read side by side
// (tlsdist --shards): every frame that Wireshark's TCP and UDP conversations
// and stream numbers could tie together lands in the same shard, so that
// each connection gets in its shard exactly the figures it gets in the whole
// capture. Frames are keyed by the unordered pair of IP addresses of their
// outer IP header (both directions, every port, fragments without ports,
// tunnels, resumed sessions between the same two hosts), and ICMP errors by
// the pair of the packet they quote.
//
// It splits only files capture_scan.h vouches for, through the same walk.
#pragma once

#include "capture_scan.h"

#include <cstddef>
#include <cstdint>

namespace tlsdist {

// Where shard_capture writes.
class ShardWriter {
public:
    virtual ~ShardWriter() = default;
    // Bytes every shard's file gets, in file order (pcap file header; pcapng blocks other than packets)
    virtual bool to_every_shard(const uint8_t *bytes, size_t length) = 0;
    // One packet record, whole (pcap record header + data, or the whole pcapng EPB), to one shard;
    // frame: its 1-based number in the whole capture (tshark's frame number)
    virtual bool to_shard(size_t shard, uint64_t frame, const uint8_t *bytes, size_t length) = 0;
};

// NotVouchedFor: a file capture_scan.h does not vouch for (what was written
// before the walk found out is to be thrown away); WriteFailed: a writer call
// returned false.
enum class ShardOutcome { Done, NotVouchedFor, WriteFailed };
ShardOutcome shard_capture(ByteSource &source, size_t shard_count, ShardWriter &out);

// The shard (0..shard_count-1) of one packet, from its link type and captured
// bytes: the same on every platform. A frame without an IP header the
// function reads (not IP, a link type it does not know, cut short) goes to 0.
size_t shard_of_packet(uint32_t link_type, const uint8_t *data, size_t captured, size_t shard_count);

}  // namespace tlsdist
