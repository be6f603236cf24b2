// The first pass over a capture: each frame, read once in capture order, goes
// to the core's CaptureTracker (per-connection facts, TLS bytes seen for the
// first time) and its outcome into the FrameCache that every later pass replays.
#pragma once

#include <epan/packet.h>

#include <optional>
#include <vector>

#include "capture_tracker.h"
#include "frame_cache.h"

namespace tlsdist {

// A TCP header as TCP's own tap hands it over: how a frame read at tap time
// learns its stream index without tcp.stream in the tree.
struct TcpTapHeader {
    uint32_t stream = 0;
    uint32_t raw_seq = 0;
    uint32_t raw_ack = 0;
    uint16_t source_port = 0;
    uint16_t destination_port = 0;
    std::optional<uint32_t> payload_length;  // tcp.len, where TCP gave one
};

class FirstPass {
public:
    // A frame read for the first time; returns its cached facts, or none when
    // it is not a frame of a connection. waiting: some of its bytes wait.
    // tcp_headers: for a frame read at tap time, the headers TCP's tap gave
    // for it, in order; none: the tree's tcp.stream items tell the stream.
    const CachedFrame *read(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, bool &waiting,
                            const std::vector<TcpTapHeader> *tcp_headers = nullptr);
    // Ends the first pass over what has been read so far: data still waiting
    // joins as late runs, cached with the frames that carried it.
    void finish();
    void clear();

    // From the next frame on, note the frame each TCP and UDP stream index
    // first appears in (for tlsdist,shard): every index in the frame's tree,
    // quoted and tunnelled headers too, since each one Wireshark gave counts
    // in its numbering.
    void list_streams() { listing_streams_ = true; }
    bool listing_streams() const { return listing_streams_; }
    // By transport (Tcp, Udp), by stream index: that frame, or 0 (not seen).
    const std::vector<uint32_t> &stream_first_frames(Transport transport) const
    {
        return stream_first_frames_[transport_index(transport)];
    }

    const CaptureTracker &tracker() const { return tracker_; }
    CaptureTracker &tracker() { return tracker_; }
    const FrameCache &cache() const { return cache_; }

private:
    // tls_read: Wireshark's TLS dissector read the frame.
    const CachedFrame *read_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, bool tls_read, bool &waiting,
                                const std::vector<TcpTapHeader> *tcp_headers);
    const CachedFrame *read_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);
    void find_decrypted_application_data(packet_info *pinfo, proto_tree *tree);
    void note_streams(packet_info *pinfo, proto_tree *tree);

    CaptureTracker tracker_;
    FrameCache cache_;
    bool unfinished_ = false;  // frames were read since the last finish()
    bool listing_streams_ = false;
    std::vector<uint32_t> stream_first_frames_[2];
};

// The frame's decrypted records: the data sources the TLS and DTLS
// dissectors add, one per record they decrypt, in the order they added them,
// which is the same on every pass. Wireshark marks them by name only (no TLS
// or DTLS field points at an application data record's plaintext, and the
// record list of packet-tls-utils.h needs headers libwireshark-dev lacks):
// these are the names packet-tls.c and packet-dtls.c give them from 4.0 to
// 4.6 (the tests with key logs over TLS and DTLS fail if one changes).
std::vector<tvbuff_t *> decrypted_records(packet_info *pinfo);

// The endpoint of an address and port of a frame (IPv4, IPv6; any other
// address as a bare port).
Endpoint endpoint_of(const address &addr, uint32_t port);

}  // namespace tlsdist
