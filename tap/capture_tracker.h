// First-pass state of a whole capture: for every TCP connection (Wireshark's
// tcp.stream), who sent first and which stream bytes each direction has
// already delivered. Wireshark dissects each frame once in order before any
// re-run; the results are cached per frame, so re-runs never consult this.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "endpoint.h"
#include "handshake_facts.h"
#include "record_framer.h"
#include "sequence_space.h"
#include "transport.h"

namespace tlsdist {

struct TcpSegmentFacts {
    uint32_t stream = 0;
    Endpoint source;
    uint32_t raw_seq = 0;
    bool syn = false;
    uint32_t reported_length = 0;
    uint32_t captured_length = 0;
    const uint8_t *payload = nullptr;  // the captured payload bytes
    std::optional<uint32_t> tls_begins_at;
    uint8_t flags = 0;  // FrameFlag bits
    uint16_t hello_version = 0;
    uint8_t client_hellos = 0;  // ClientHello messages in the segment
    const HelloDetails *hello_details = nullptr;  // with kClientHello or kServerHello
};

// A UDP datagram of a conversation Wireshark's DTLS dissector was handed.
struct UdpDatagramFacts {
    uint32_t stream = 0;  // udp.stream
    Endpoint source;
    std::optional<uint32_t> dtls_begins_at;  // offset in the payload, when DTLS is in this datagram
    const uint8_t *dtls_bytes = nullptr;     // the datagram's DTLS bytes, when captured
    uint32_t dtls_length = 0;
    uint8_t flags = 0;    // FrameFlag bits
    uint16_t hello_version = 0;
    uint8_t client_hellos = 0;
    const HelloDetails *hello_details = nullptr;
};

struct TrackedSegment {
    uint8_t sender = 0;  // 0: the endpoint that sent the connection's first frame
    SegmentNews news;
    // Record framing at the start of each of news.spans, for RecordFramer.
    std::array<RecordFramer::State, SegmentNews::kMaxSpans> framing{};
};

class CaptureTracker {
public:
    TrackedSegment accept(const TcpSegmentFacts &segment);
    // Returns the sender (0: the endpoint that sent the conversation's first datagram).
    uint8_t accept(const UdpDatagramFacts &datagram);
    void clear();

    // What the connection's frames so far say about its client and version
    // (after the first pass, everything the capture says).
    const HandshakeFacts *handshake(uint32_t stream, Transport transport = Transport::Tcp) const;
    // Bytes the sender (0 or 1, as in TrackedSegment) sent before TLS began
    // (always 0 over UDP, where each datagram says whether it is DTLS).
    uint64_t bytes_before_tls(uint32_t stream, uint8_t sender, Transport transport = Transport::Tcp) const;

private:
    struct Connection {
        bool seen = false;
        Endpoint first_sender;
        HandshakeFacts handshake;
        SequenceSpace directions[2];
        RecordFramer framers[2];
        uint64_t framed_to[2] = {0, 0};  // TLS bytes of each direction framed so far
    };
    static void frame_new_bytes(Connection &connection, TrackedSegment &tracked, const uint8_t *payload);
    Connection &connection(uint32_t stream, Transport transport, const Endpoint &source);
    const Connection *find(uint32_t stream, Transport transport) const;
    // By transport, then stream (Wireshark numbers tcp.stream and udp.stream
    // densely, each from 0).
    std::vector<Connection> connections_[2];
};

}  // namespace tlsdist
