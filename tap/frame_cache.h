// What the first pass learned about each frame, kept for every later pass
// (tshark -2, Wireshark's re-runs of a statistic), which read no fields and
// consult no connection state: they replay this cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "capture_tracker.h"
#include "handshake_facts.h"
#include "record_framer.h"
#include "transport.h"

namespace tlsdist {

// One frame of a connection (a TCP segment, or a datagram of a DTLS
// conversation); 24 bytes.
struct CachedFrame {
    uint32_t stream = 0;
    uint32_t tls_offset = 0;  // the frame's TLS bytes, as an offset into the frame
    uint32_t tls_length = 0;
    RecordFramer::State framing = RecordFramer::kStreamStart;  // at tls_offset
    FrameFlags flags;
    Transport transport = Transport::Tcp;
    uint8_t sender = 0;
    bool connection = false;  // false: not a frame of a connection (nothing cached)
    bool has_extra = false;   // its TLS bytes are in CachedExtra, not at tls_offset
};

// The rare frames whose TLS bytes are not one run of the frame's own data:
// bytes of earlier frames that waited for this one (out-of-order segments),
// late runs, several runs, or bytes held in a reassembled IP packet.
struct CachedExtra {
    std::vector<uint8_t> bytes;  // the frame's new TLS bytes, concatenated
    std::vector<uint32_t> run_lengths;
    std::vector<RecordFramer::State> run_framing;

    void add(const uint8_t *data, uint32_t length, RecordFramer::State framing);
    uint32_t total_length() const;
};

class FrameCache {
public:
    // Keeps a frame's facts (once, on the first pass) and returns the kept copy.
    CachedFrame &store(uint32_t number, const CachedFrame &frame);
    // The frame's TLS bytes go here instead of at tls_offset: marks the frame
    // and returns its (empty) extra.
    CachedExtra &store_extra(uint32_t number, CachedFrame &frame);
    // Late runs the tracker made since the last call go with the frames they
    // are attributed to (frames whose bytes waited had none of their own).
    void take_late_runs(const CaptureTracker &tracker);
    // Which of the frame's decrypted records (their indexes, in the order
    // Wireshark added them) are application data: as many as there are (a
    // large offloaded segment may hold hundreds).
    void store_decrypted_application_data(uint32_t number, std::vector<uint32_t> records);
    void clear();

    // A frame of a connection, or none.
    const CachedFrame *find(uint32_t number) const;
    // The extra of a frame with has_extra.
    const CachedExtra &extra(uint32_t number) const { return extras_.at(number); }
    // How many TLS bytes joined the stream with the frame.
    uint32_t tls_byte_count(uint32_t number, const CachedFrame &frame) const;
    // None when the frame has no decrypted application data.
    const std::vector<uint32_t> *decrypted_application_data(uint32_t number) const;

private:
    std::vector<CachedFrame> frames_;  // indexed by frame number
    std::unordered_map<uint32_t, CachedExtra> extras_;
    std::unordered_map<uint32_t, std::vector<uint32_t>> decrypted_application_data_;
    size_t late_runs_taken_ = 0;  // tracker.late_runs() already in extras_
};

}  // namespace tlsdist
