// First-pass state of a whole capture: for every TCP connection (Wireshark's
// tcp.stream), who sent first and which stream bytes each direction has
// already delivered. Wireshark dissects each frame once in order before any
// re-run; the results are cached per frame, so re-runs never consult this.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dtls_handshake.h"
#include "endpoint.h"
#include "handshake_facts.h"
#include "hello_parser.h"
#include "record_framer.h"
#include "sequence_space.h"
#include "transport.h"

namespace tlsdist {

struct TcpSegmentFacts {
    uint32_t frame = 0;  // frame number (capture order)
    uint32_t stream = 0;
    Endpoint source;
    Endpoint destination;
    uint32_t raw_seq = 0;
    uint32_t raw_ack = 0;
    bool syn = false;
    bool ack = false;  // raw_ack is valid
    uint32_t reported_length = 0;
    uint32_t captured_length = 0;
    const uint8_t *payload = nullptr;  // the captured payload bytes
    // Only the SYN flags and TlsDissected count: TLS hellos are read from the
    // stream itself, in sequence order.
    FrameFlags flags;
};

// A UDP datagram of a conversation Wireshark's DTLS dissector was handed.
struct UdpDatagramFacts {
    uint32_t stream = 0;  // udp.stream
    Endpoint source;
    std::optional<uint32_t> dtls_begins_at;  // offset in the payload, when DTLS is in this datagram
    const uint8_t *dtls_bytes = nullptr;     // the datagram's DTLS bytes, when captured
    uint32_t dtls_length = 0;
    // (TlsDissected: the hellos are read from the datagrams' own records)
    FrameFlags flags;
};

// TLS bytes that joined a side's stream, for one frame.
struct TrackedRun {
    const uint8_t *data = nullptr;
    uint32_t length = 0;
    RecordFramer::State framing = RecordFramer::kStreamStart;  // at the first byte
    // Set when the bytes are the frame's own payload, from this offset.
    std::optional<uint32_t> payload_offset;
};

struct TrackedSegment {
    uint8_t sender = 0;  // 0: the endpoint that sent the connection's first frame
    // Some of the segment's bytes wait (for an earlier hole or for the
    // origin): they join later, for another frame or as a late run of this one.
    bool waiting = false;
    const TrackedRun *runs = nullptr;  // valid until the next accept()
    size_t run_count = 0;
};

// TLS bytes attributed to a frame after that frame was handed on: bytes that
// waited behind a hole that was never filled, or for an origin settled later.
struct LateRun {
    uint32_t frame = 0;
    uint32_t stream = 0;
    uint8_t sender = 0;
    RecordFramer::State framing = RecordFramer::kStreamStart;
    size_t offset = 0;  // in late_bytes()
    uint32_t length = 0;
};

class CaptureTracker {
public:
    TrackedSegment accept(const TcpSegmentFacts &segment);
    // Returns the sender (0: the endpoint that sent the conversation's first datagram).
    uint8_t accept(const UdpDatagramFacts &datagram);
    // End of the first pass (or of what has been read so far): settles every
    // origin and gives up every hole; what waited becomes late runs. May be
    // called again after more frames.
    void finish();
    void clear();
    // Names a cipher suite as the ServerHello selected it (Wireshark's
    // names); without a namer, or for an unnamed suite, "0x1301".
    using CipherSuiteNamer = const char *(*)(uint16_t suite);
    void set_cipher_suite_namer(CipherSuiteNamer namer) { cipher_suite_namer_ = namer; }

    // Late runs, in the order they were made (not frame order).
    const std::vector<LateRun> &late_runs() const { return late_runs_; }
    const uint8_t *late_bytes(const LateRun &run) const { return late_bytes_.data() + run.offset; }

    // What the connection's frames so far say about its client and version
    // (after the first pass, everything the capture says).
    const HandshakeFacts *handshake(uint32_t stream, Transport transport = Transport::Tcp) const;
    // Per side (0 or 1, as in TrackedSegment) of a TCP connection: stream
    // bytes before TLS began, and TLS bytes the capture never carried (both
    // 0 over UDP, where each datagram says whether it is DTLS).
    uint64_t bytes_before_tls(uint32_t stream, uint8_t sender, Transport transport = Transport::Tcp) const;
    uint64_t missed_bytes(uint32_t stream, uint8_t sender, Transport transport = Transport::Tcp) const;
    // One side of a TCP connection, or none.
    const SequenceSpace *tcp_side(uint32_t stream, uint8_t sender) const;
    // Copied bytes waiting for holes or origins, over all connections.
    size_t buffered_bytes() const { return buffered_bytes_; }

private:
    struct Connection {
        bool seen = false;
        Endpoint first_sender;
        HandshakeFacts handshake;
        SequenceSpace sides[2];
        RecordFramer framers[2];
        uint64_t framed_to[2] = {0, 0};  // TLS bytes of each side framed so far
        // Each side's hellos, read from its own TLS bytes in stream order
        // (over UDP, from its datagrams' DTLS records); allocated at its
        // first TLS byte, released when the reading ends.
        std::unique_ptr<HandshakeReader> readers[2];
        std::unique_ptr<DtlsHandshakeReader> dtls_readers[2];
        bool hellos_read[2] = {false, false};
    };
    void read_hellos(Connection &connection, uint8_t sender, const StreamPiece &piece, bool after_hole);
    template <typename Reader>
    void take_read_hellos(Connection &connection, uint8_t sender, std::unique_ptr<Reader> &reader,
                          uint32_t client_hellos_before);
    void observe_hello(Connection &connection, uint8_t sender, const ParsedHello &hello);
    class Sink;
    friend class Sink;
    Connection &connection(uint32_t stream, Transport transport, const Endpoint &source);
    const Connection *find(uint32_t stream, Transport transport) const;
    void take_piece(Connection &connection, uint32_t stream, uint8_t sender, const StreamPiece &piece,
                    std::optional<uint32_t> current_frame);
    // By transport, then stream (Wireshark numbers tcp.stream and udp.stream
    // densely, each from 0).
    std::vector<Connection> connections_[2];
    std::vector<TrackedRun> current_runs_;
    std::vector<uint8_t> current_bytes_;  // copies for current_runs_ that are not the frame's own
    static constexpr size_t kOwnBytes = SIZE_MAX;
    std::vector<size_t> current_copy_offsets_;  // per run: where its copy is, or kOwnBytes
    const uint8_t *current_payload_ = nullptr;  // the payload accept() was given
    std::vector<LateRun> late_runs_;
    std::vector<uint8_t> late_bytes_;
    size_t buffered_bytes_ = 0;
    CipherSuiteNamer cipher_suite_namer_ = nullptr;
};

}  // namespace tlsdist
