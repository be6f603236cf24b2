// The first pass over a capture: each frame, read once in capture order, goes
// to the core's CaptureTracker (per-connection facts, TLS bytes seen for the
// first time) and its outcome into the FrameCache that every later pass replays.
#pragma once

#include <epan/packet.h>

#include <vector>

#include "capture_tracker.h"
#include "frame_cache.h"

namespace tlsdist {

class FirstPass {
public:
    // A frame read for the first time; returns its cached facts, or none when
    // it is not a frame of a connection. waiting: some of its bytes wait.
    const CachedFrame *read(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, bool &waiting);
    // Ends the first pass over what has been read so far: data still waiting
    // joins as late runs, cached with the frames that carried it.
    void finish();
    void clear();

    const CaptureTracker &tracker() const { return tracker_; }
    CaptureTracker &tracker() { return tracker_; }
    const FrameCache &cache() const { return cache_; }

private:
    // tls_read: Wireshark's TLS dissector read the frame.
    const CachedFrame *read_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, bool tls_read, bool &waiting);
    const CachedFrame *read_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);
    void find_decrypted_application_data(packet_info *pinfo, proto_tree *tree);

    CaptureTracker tracker_;
    FrameCache cache_;
    bool unfinished_ = false;  // frames were read since the last finish()
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
