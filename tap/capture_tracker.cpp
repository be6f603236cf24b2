#include "capture_tracker.h"

namespace tlsdist {

void CaptureTracker::frame_new_bytes(Connection &connection, TrackedSegment &tracked,
                                     const uint8_t *payload)
{
    RecordFramer &framer = connection.framers[tracked.sender];
    uint64_t &framed_to = connection.framed_to[tracked.sender];
    for (uint32_t i = 0; i < tracked.news.span_count; ++i) {
        const PayloadSpan &span = tracked.news.spans[i];
        if (span.tls_offset != framed_to || !payload)
            framer.lose();
        tracked.framing[i] = framer.state();
        if (!framer.lost())
            framer.split(payload + span.offset, span.length, [](ContentKind, bool, const uint8_t *, size_t) {});
        framed_to = span.tls_offset + span.length;
    }
}

TrackedSegment CaptureTracker::accept(const TcpSegmentFacts &segment)
{
    if (segment.stream >= connections_.size())
        connections_.resize(size_t{segment.stream} + 1);
    Connection &connection = connections_[segment.stream];
    if (!connection.seen) {
        connection.seen = true;
        connection.first_sender = segment.source;
    }
    TrackedSegment tracked;
    tracked.sender = segment.source == connection.first_sender ? 0 : 1;
    connection.handshake.observe(tracked.sender, segment.flags, segment.hello_version);
    connection.handshake.count_client_hellos(segment.client_hellos);
    if (segment.hello_details && segment.flags & (kClientHello | kServerHello))
        connection.handshake.observe_details((segment.flags & kServerHello) != 0, *segment.hello_details);
    tracked.news = connection.directions[tracked.sender].accept(
        segment.raw_seq, segment.syn, segment.reported_length, segment.captured_length,
        segment.tls_begins_at);
    frame_new_bytes(connection, tracked, segment.payload);
    return tracked;
}

const HandshakeFacts *CaptureTracker::handshake(uint32_t stream) const
{
    if (stream >= connections_.size() || !connections_[stream].seen)
        return nullptr;
    return &connections_[stream].handshake;
}

uint64_t CaptureTracker::plaintext_prefix(uint32_t stream, uint8_t sender) const
{
    if (stream >= connections_.size() || !connections_[stream].seen)
        return 0;
    return connections_[stream].directions[sender & 1].plaintext_prefix();
}

void CaptureTracker::clear()
{
    connections_.clear();
    connections_.shrink_to_fit();
}

}  // namespace tlsdist
