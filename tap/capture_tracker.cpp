#include "capture_tracker.h"

#include <cstdio>

#include "tls_version.h"

namespace tlsdist {

// Frames each piece of a side's TLS stream, in stream order, and hands it to
// the current frame or keeps it as a late run.
class CaptureTracker::Sink final : public PieceSink {
public:
    Sink(CaptureTracker &tracker, Connection &connection, uint32_t stream, uint8_t sender,
         std::optional<uint32_t> current_frame)
        : tracker_(tracker), connection_(connection), stream_(stream), sender_(sender), current_frame_(current_frame)
    {
    }
    void take(const StreamPiece &piece) override
    {
        tracker_.take_piece(connection_, stream_, sender_, piece, current_frame_);
    }

private:
    CaptureTracker &tracker_;
    Connection &connection_;
    uint32_t stream_;
    uint8_t sender_;
    std::optional<uint32_t> current_frame_;
};

void CaptureTracker::take_piece(Connection &connection, uint32_t stream, uint8_t sender, const StreamPiece &piece,
                                std::optional<uint32_t> current_frame)
{
    RecordFramer &framer = connection.framers[sender];
    uint64_t &framed_to = connection.framed_to[sender];
    const bool after_hole = piece.tls_offset != framed_to;  // a hole the capture never filled
    if (after_hole)
        framer.lose();
    read_hellos(connection, sender, piece, after_hole);
    const RecordFramer::State framing = framer.state();
    connection.handshake.observe_tls_began();
    framer.split(piece.data, piece.length, [&](ContentKind kind, bool, const uint8_t *, size_t) {
        connection.handshake.observe_content(sender, kind);
    });
    framed_to = piece.tls_offset + piece.length;

    if (current_frame && piece.frame == *current_frame) {
        TrackedRun run;
        run.length = piece.length;
        run.framing = framing;
        run.payload_offset = piece.payload_offset;
        size_t copy_at = kOwnBytes;
        // The frame's own bytes, in the payload it was given: a segment of
        // this frame's that waited and joins now comes from a copy that is
        // about to go, and is copied again like other frames' bytes.
        if (piece.payload_offset && current_payload_ && piece.data == current_payload_ + *piece.payload_offset) {
            run.data = piece.data;
        } else {  // pointed at once every copy is made (the buffer may move)
            copy_at = current_bytes_.size();
            current_bytes_.insert(current_bytes_.end(), piece.data, piece.data + piece.length);
        }
        current_runs_.push_back(run);
        current_copy_offsets_.push_back(copy_at);
        return;
    }
    LateRun late;
    late.frame = piece.frame;
    late.stream = stream;
    late.sender = sender;
    late.framing = framing;
    late.offset = late_bytes_.size();
    late.length = piece.length;
    late_bytes_.insert(late_bytes_.end(), piece.data, piece.data + piece.length);
    late_runs_.push_back(late);
}

void CaptureTracker::read_hellos(Connection &connection, uint8_t sender, const StreamPiece &piece, bool after_hole)
{
    if (connection.hellos_read[sender])
        return;
    std::unique_ptr<HandshakeReader> &reader = connection.readers[sender];
    if (!reader)
        reader = std::make_unique<HandshakeReader>();
    if (after_hole)
        reader->lose();
    const uint32_t client_hellos_before = reader->client_hellos();
    reader->feed_stream(piece.data, piece.length);
    take_read_hellos(connection, sender, reader, client_hellos_before);
}

// What a side's hello reader (TLS or DTLS) read since client_hellos_before
// was taken: its new ClientHellos counted, its hellos observed; a reader
// that is done is released, and the side's hellos are read no more.
template <typename Reader>
void CaptureTracker::take_read_hellos(Connection &connection, uint8_t sender, std::unique_ptr<Reader> &reader,
                                      uint32_t client_hellos_before)
{
    connection.handshake.count_client_hellos(reader->client_hellos() - client_hellos_before);
    for (const ParsedHello &hello : reader->take_hellos())
        observe_hello(connection, sender, hello);
    if (reader->finished()) {
        reader.reset();
        connection.hellos_read[sender] = true;
    }
}

void CaptureTracker::observe_hello(Connection &connection, uint8_t sender, const ParsedHello &hello)
{
    // ServerHello: the version it selected; ClientHello: the highest it offered.
    uint16_t version = hello.legacy_version;
    if (hello.is_server) {
        if (!hello.supported_versions.empty())
            version = hello.supported_versions.front();
    } else {
        uint16_t best = 0;
        for (uint16_t offered : hello.supported_versions) {
            if (!is_grease(offered) && version_rank(offered) >= version_rank(best))
                best = offered;
        }
        if (best != 0)
            version = best;
    }
    connection.handshake.observe(sender, hello.is_server ? FrameFlag::ServerHello : FrameFlag::ClientHello, version);

    HelloDetails details;
    details.version = version;
    details.session_id.assign(hello.session_id.begin(), hello.session_id.end());
    details.fingerprint = hello.ja3;
    for (const std::string &protocol : hello.alpn) {
        if (!details.alpn.empty())
            details.alpn += ',';
        details.alpn += protocol;
        if (hello.is_server)
            break;
    }
    if (hello.is_server) {
        details.pre_shared_key = hello.pre_shared_key;
        details.hello_retry_request = hello.hello_retry_request;
        if (!hello.cipher_suites.empty()) {
            const uint16_t suite = hello.cipher_suites.front();
            const char *name = cipher_suite_namer_ ? cipher_suite_namer_(suite) : nullptr;
            char number[8];
            std::snprintf(number, sizeof number, "0x%04x", suite);
            details.cipher_suite = name ? name : number;
        }
    } else {
        details.server_name = hello.server_name;
        details.ja4 = hello.ja4;
    }
    connection.handshake.observe_details(hello.is_server, details);
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
    connection.handshake.observe(sender, datagram.flags, 0);
    if (!datagram.dtls_bytes)
        return sender;
    connection.handshake.observe_tls_began();
    // One framing of the datagram gives the content types and the hellos:
    // those are read from the handshake records of epoch 0, the ones sent
    // before any keys (later epochs, and whatever follows a unified header,
    // are encrypted).
    std::unique_ptr<DtlsHandshakeReader> &reader = connection.dtls_readers[sender];
    if (!reader && !connection.hellos_read[sender])
        reader = std::make_unique<DtlsHandshakeReader>();
    const uint32_t client_hellos_before = reader ? reader->client_hellos() : 0;
    bool unified_header_seen = false, epoch_zero_handshake = false;
    split_dtls_datagram(datagram.dtls_bytes, datagram.dtls_length,
                        [&](ContentKind kind, bool fragment, const uint8_t *data, size_t n) {
                            connection.handshake.observe_content(sender, kind);
                            if (!fragment) {
                                unified_header_seen |=
                                    (data[0] & dtls13_header::kFixedBitsMask) == dtls13_header::kFixedBits;
                                epoch_zero_handshake = !unified_header_seen && kind == kHandshakeContent &&
                                                       n == kDtlsRecordHeaderLength && data[3] == 0 && data[4] == 0;
                            } else if (epoch_zero_handshake && reader) {
                                reader->feed_record(data, n);
                            }
                        });
    if (reader)
        take_read_hellos(connection, sender, reader, client_hellos_before);
    return sender;
}

TrackedSegment CaptureTracker::accept(const TcpSegmentFacts &segment)
{
    const bool first_frame = !find(segment.stream, Transport::Tcp);
    Connection &connection = this->connection(segment.stream, Transport::Tcp, segment.source);
    TrackedSegment tracked;
    tracked.sender = segment.source == connection.first_sender ? 0 : 1;
    if (first_frame)
        connection.handshake.observe_ports(segment.source.port, segment.destination.port);
    connection.handshake.observe(
        tracked.sender, segment.flags & (FrameFlag::SynWithoutAck | FrameFlag::SynWithAck | FrameFlag::TlsDissected), 0);

    current_runs_.clear();
    current_copy_offsets_.clear();
    current_bytes_.clear();
    current_payload_ = segment.payload;
    SequenceSpace &side = connection.sides[tracked.sender];
    SequenceSpace &peer = connection.sides[tracked.sender ^ 1];
    const size_t buffered_before = side.buffered_bytes() + peer.buffered_bytes();
    if (segment.ack) {
        Sink sink(*this, connection, segment.stream, tracked.sender ^ 1, segment.frame);
        peer.acknowledge(segment.raw_ack, sink);
    }
    SequenceSpace::Segment placed;
    placed.frame = segment.frame;
    placed.raw_seq = segment.raw_seq;
    placed.syn = segment.syn;
    placed.reported_length = segment.reported_length;
    placed.captured_length = segment.captured_length;
    placed.payload = segment.payload;
    const size_t side_before = side.buffered_bytes();
    const bool was_settled = side.settled();
    Sink sink(*this, connection, segment.stream, tracked.sender, segment.frame);
    side.accept(placed, sink);
    tracked.waiting = segment.reported_length > 0 &&
                      (side.buffered_bytes() > side_before || (!was_settled && !side.settled()));
    buffered_bytes_ = buffered_bytes_ + side.buffered_bytes() + peer.buffered_bytes() - buffered_before;

    for (size_t i = 0; i < current_runs_.size(); ++i) {
        if (current_copy_offsets_[i] != kOwnBytes)
            current_runs_[i].data = current_bytes_.data() + current_copy_offsets_[i];
    }
    current_payload_ = nullptr;
    tracked.runs = current_runs_.data();
    tracked.run_count = current_runs_.size();
    return tracked;
}

void CaptureTracker::finish()
{
    auto &connections = connections_[static_cast<size_t>(Transport::Tcp)];
    for (size_t stream = 0; stream < connections.size(); ++stream) {
        Connection &connection = connections[stream];
        for (uint8_t sender = 0; sender < 2; ++sender) {
            Sink sink(*this, connection, static_cast<uint32_t>(stream), sender, std::nullopt);
            connection.sides[sender].finish(sink);
        }
    }
    buffered_bytes_ = 0;
}

const HandshakeFacts *CaptureTracker::handshake(uint32_t stream, Transport transport) const
{
    const Connection *found = find(stream, transport);
    return found ? &found->handshake : nullptr;
}

uint64_t CaptureTracker::bytes_before_tls(uint32_t stream, uint8_t sender, Transport transport) const
{
    const Connection *found = find(stream, transport);
    return found && transport == Transport::Tcp ? found->sides[sender & 1].bytes_before_tls() : 0;
}

uint64_t CaptureTracker::missed_bytes(uint32_t stream, uint8_t sender, Transport transport) const
{
    const Connection *found = find(stream, transport);
    return found && transport == Transport::Tcp ? found->sides[sender & 1].missed_bytes() : 0;
}

const SequenceSpace *CaptureTracker::tcp_side(uint32_t stream, uint8_t sender) const
{
    const Connection *found = find(stream, Transport::Tcp);
    return found ? &found->sides[sender & 1] : nullptr;
}

void CaptureTracker::clear()
{
    for (auto &connections : connections_) {
        connections.clear();
        connections.shrink_to_fit();
    }
    current_runs_.clear();
    current_copy_offsets_.clear();
    current_bytes_.clear();
    late_runs_.clear();
    late_runs_.shrink_to_fit();
    late_bytes_.clear();
    late_bytes_.shrink_to_fit();
    buffered_bytes_ = 0;
}

}  // namespace tlsdist
