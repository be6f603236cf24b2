// One side of a TCP connection in sequence space (doc/tcp-accounting.md):
// where its stream begins (the SYN the peer acknowledged, else its lowest
// data), which segments are strays, where TLS begins, and which bytes join
// the stream in sequence order, each once, whatever order the capture holds
// them in.
//
// Segments that arrive ahead of a hole, or before the origin is known, wait
// (copied) until the hole fills or the origin is settled; the wait is bounded
// by kReorderWindow of sequence space, past which a hole is given up.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace tlsdist {

// Bytes that joined a side's TLS stream, in stream order.
struct StreamPiece {
    uint32_t frame = 0;  // the frame they are attributed to
    const uint8_t *data = nullptr;  // valid during the call only
    uint32_t length = 0;
    uint64_t tls_offset = 0;  // position in the side's TLS bytes
    // Set when the bytes are the attributed frame's own payload, from here.
    std::optional<uint32_t> payload_offset;
};

class PieceSink {
public:
    virtual void take(const StreamPiece &piece) = 0;

protected:
    ~PieceSink() = default;
};

// The first payload bytes of a segment look like the start of TLS: a record
// header (type 20..24, version 3.0..3.4, length 1..18432) or an SSLv2-format
// ClientHello.
bool looks_like_tls_start(const uint8_t *payload, uint32_t length);

class SequenceSpace {
public:
    // How far (sequence space) data may run ahead of a hole, or of an origin
    // not yet settled, before tlsdist stops waiting for it.
    static constexpr int64_t kReorderWindow = 256 * 1024;
    // Before the origin is settled, at most this many segments wait (they may
    // carry few captured bytes each: a snap length).
    static constexpr size_t kWaitingSegments = 1024;
    // Data this far beyond the stream's highest byte belongs to another connection.
    static constexpr int64_t kStrayDistance = int64_t{1} << 24;

    struct Segment {
        uint32_t frame = 0;
        uint32_t raw_seq = 0;
        bool syn = false;               // SYN occupies one sequence number before the payload
        uint32_t reported_length = 0;   // TCP payload length
        uint32_t captured_length = 0;   // the part of it in the capture
        const uint8_t *payload = nullptr;
    };

    // A segment of this side. Pieces that join the TLS stream go to sink.
    void accept(const Segment &segment, PieceSink &sink);
    // The peer acknowledged up to ack (a segment of the peer's with ACK).
    void acknowledge(uint32_t ack, PieceSink &sink);
    // End of the capture: settle the origin, give up every hole.
    void finish(PieceSink &sink);

    bool tls_started() const { return tls_start_ != kNoTls; }
    bool settled() const { return settled_; }
    // Stream bytes before TLS began (all of them while it has not).
    uint64_t bytes_before_tls() const;
    uint64_t tls_bytes() const { return tls_bytes_; }
    // Sequence space from the origin to the highest end of the stream's
    // segments: bytes before TLS + TLS bytes + missed bytes.
    uint64_t span() const { return highest_end_ > 0 ? static_cast<uint64_t>(highest_end_) : 0; }
    // TLS stream bytes the capture never carried (known after finish()).
    uint64_t missed_bytes() const;
    // Bytes copied while they wait for a hole or the origin.
    size_t buffered_bytes() const { return buffers_ ? buffers_->bytes : 0; }

private:
    struct Waiting {
        uint32_t frame = 0;
        uint32_t raw_seq = 0;   // of the first payload byte
        uint32_t reported_length = 0;
        bool tls_like = false;  // its payload starts like TLS
        std::vector<uint8_t> bytes;
    };
    struct Ahead {
        uint32_t frame = 0;
        int64_t reported_end = 0;
        bool tls_like = false;
        std::vector<uint8_t> bytes;
    };

    void remember_syn(uint32_t isn, uint32_t length, PieceSink &sink);
    void settle(uint32_t origin, PieceSink &sink);
    void settle_from_data(PieceSink &sink);
    void place(uint32_t frame, uint32_t raw_seq, uint32_t reported_length, const uint8_t *bytes,
               uint32_t captured_length, bool tls_like, bool own, PieceSink &sink);
    // Delivers [edge_, end) of a segment that starts at begin.
    void deliver(uint32_t frame, int64_t begin, int64_t reported_end, const uint8_t *bytes,
                 uint32_t captured_length, bool tls_like, bool own, PieceSink &sink);
    // Delivers what waits right at the edge: to `frame`, or without one to
    // the frames that carried it.
    void drain(std::optional<uint32_t> frame, PieceSink &sink);
    // Stops waiting for the lowest hole; the bytes behind it go to their own frames.
    void give_up_hole(PieceSink &sink);
    int64_t unwrap(uint32_t raw_seq) const;

    // Before the origin is settled: the side's SYNs (the last few distinct
    // ones) and the peer's acknowledgment numbers seen before them.
    struct Syn {
        uint32_t isn = 0;
        uint32_t length = 0;  // TCP Fast Open data on the SYN
    };
    static constexpr size_t kSyns = 2;
    static constexpr size_t kEarlyAcks = 2;
    bool settled_ = false;
    uint8_t syn_count_ = 0;
    uint8_t early_ack_count_ = 0;
    Syn syns_[kSyns];
    uint32_t early_acks_[kEarlyAcks] = {};

    // Copies of data that waits: allocated only when some does, so that a
    // connection whose segments come in order pays nothing.
    struct Buffers {
        std::vector<Waiting> waiting;          // before the origin is settled, in capture order
        std::multimap<int64_t, Ahead> ahead;   // after: data beyond a hole, by start
        size_t bytes = 0;
    };
    std::unique_ptr<Buffers> buffers_;
    Buffers &buffers();
    void release_buffers_if_empty();

    // After: offsets from the origin.
    uint32_t origin_ = 0;
    int64_t edge_ = 0;          // every position below is delivered or missed
    int64_t highest_end_ = 0;   // highest end of the stream's segments
    static constexpr int64_t kNoTls = -1;
    int64_t tls_start_ = kNoTls;  // where TLS begins, once it has
    uint64_t tls_bytes_ = 0;
};

}  // namespace tlsdist
