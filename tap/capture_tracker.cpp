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
        if (framer.lost())
            connection.handshake.observe_content(tracked.sender, kUnframedContent);
        else
            framer.split(payload + span.offset, span.length,
                         [&](ContentKind kind, bool, const uint8_t *, size_t) {
                             connection.handshake.observe_content(tracked.sender, kind);
                         });
        framed_to = span.tls_offset + span.length;
    }
}

CaptureTracker::Connection &CaptureTracker::connection(uint32_t stream, Transport transport,
                                                       const Endpoint &source)
{
    auto &connections = connections_[static_cast<size_t>(transport)];
    if (stream >= connections.size())
        connections.resize(size_t{stream} + 1);
    Connection &connection = connections[stream];
    if (!connection.seen) {
        connection.seen = true;
        connection.first_sender = source;
    }
    return connection;
}

const CaptureTracker::Connection *CaptureTracker::find(uint32_t stream, Transport transport) const
{
    const auto &connections = connections_[static_cast<size_t>(transport)];
    if (stream >= connections.size() || !connections[stream].seen)
        return nullptr;
    return &connections[stream];
}

uint8_t CaptureTracker::accept(const UdpDatagramFacts &datagram)
{
    Connection &connection = this->connection(datagram.stream, Transport::Udp, datagram.source);
    const uint8_t sender = datagram.source == connection.first_sender ? 0 : 1;
    connection.handshake.observe(sender, datagram.flags, datagram.hello_version);
    connection.handshake.count_client_hellos(datagram.client_hellos);
    if (datagram.hello_details && datagram.flags & (kClientHello | kServerHello))
        connection.handshake.observe_details((datagram.flags & kServerHello) != 0, *datagram.hello_details);
    if (datagram.dtls_bytes)
        split_dtls_datagram(datagram.dtls_bytes, datagram.dtls_length,
                            [&](ContentKind kind, bool, const uint8_t *, size_t) {
                                connection.handshake.observe_content(sender, kind);
                            });
    return sender;
}

TrackedSegment CaptureTracker::accept(const TcpSegmentFacts &segment)
{
    Connection &connection = this->connection(segment.stream, Transport::Tcp, segment.source);
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

const HandshakeFacts *CaptureTracker::handshake(uint32_t stream, Transport transport) const
{
    const Connection *found = find(stream, transport);
    return found ? &found->handshake : nullptr;
}

uint64_t CaptureTracker::bytes_before_tls(uint32_t stream, uint8_t sender, Transport transport) const
{
    const Connection *found = find(stream, transport);
    return found && transport == Transport::Tcp ? found->directions[sender & 1].bytes_before_tls() : 0;
}

void CaptureTracker::clear()
{
    for (auto &connections : connections_) {
        connections.clear();
        connections.shrink_to_fit();
    }
}

}  // namespace tlsdist
