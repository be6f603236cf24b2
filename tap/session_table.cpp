#include "session_table.h"

namespace tlsdist {

double seconds_between(const Timestamp &a, const Timestamp &b)
{
    return static_cast<double>(b.seconds - a.seconds) +
           static_cast<double>(b.nanoseconds - a.nanoseconds) / 1e9;
}

struct SessionTable::Session {
    Endpoint ends[2];  // by sender index
    bool ends_known = false;
    uint32_t first_frame_number = 0;
    Timestamp first;
    Timestamp last;
    DirectionTotals directions[2];
    bool tls_seen = false;
    // Allocated with the first TLS byte: most TCP connections in a capture are
    // not TLS and never pay for the 4 KiB of counts.
    std::unique_ptr<ByteHistogram[]> histograms;
};

const char *byte_scope_word(ByteScope scope)
{
    switch (scope) {
    case ByteScope::ApplicationData: return "appdata";
    case ByteScope::Handshake: return "handshake";
    case ByteScope::Plaintext: return "plaintext";
    case ByteScope::All: break;
    }
    return "all";
}

const char *byte_scope_title(ByteScope scope)
{
    switch (scope) {
    case ByteScope::ApplicationData: return "application data";
    case ByteScope::Handshake: return "handshake";
    case ByteScope::Plaintext: return "decrypted application data";
    case ByteScope::All: break;
    }
    return "TLS bytes";
}

std::optional<ByteScope> byte_scope_from_word(std::string_view word)
{
    for (ByteScope scope : {ByteScope::All, ByteScope::ApplicationData, ByteScope::Handshake, ByteScope::Plaintext}) {
        if (word == byte_scope_word(scope))
            return scope;
    }
    return std::nullopt;
}

namespace {

size_t slot_of(uint32_t stream, Transport transport)
{
    return size_t{stream} * 2 + (transport == Transport::Udp ? 1 : 0);
}

uint32_t stream_of(size_t slot)
{
    return static_cast<uint32_t>(slot / 2);
}

Transport transport_of(size_t slot)
{
    return slot % 2 ? Transport::Udp : Transport::Tcp;
}

// The content kind whose fragments a scope counts; none for All.
std::optional<ContentKind> scope_content(ByteScope scope)
{
    switch (scope) {
    case ByteScope::ApplicationData: return kApplicationDataContent;
    case ByteScope::Handshake: return kHandshakeContent;
    case ByteScope::All:
    case ByteScope::Plaintext: break;
    }
    return std::nullopt;
}

}  // namespace

SessionTable::SessionTable(const CaptureTracker &connections, ByteScope scope)
    : connections_(connections), scope_(scope)
{
}
SessionTable::~SessionTable() = default;

void SessionTable::add(const FrameEvent &frame, ByteHistogram *frame_histogram)
{
    if (frame.counts_frame) {
        if (frames_ == 0 || frame.time < first_frame_)
            first_frame_ = frame.time;
        if (frames_ == 0 || last_frame_ < frame.time)
            last_frame_ = frame.time;
        ++frames_;
    }
    if (frame_histogram)
        frame_histogram->clear();
    if (!frame.is_tcp)
        return;

    const size_t index = slot_of(frame.stream, frame.transport);
    if (index >= sessions_.size())
        sessions_.resize(index + 1);
    auto &slot = sessions_[index];
    if (!slot)
        slot = std::make_unique<Session>();
    Session &session = *slot;

    const uint8_t sender = frame.sender & 1;
    if (!session.ends_known) {
        session.ends_known = true;
        session.ends[sender] = frame.source;
        session.ends[sender ^ 1] = frame.destination;
        session.first_frame_number = frame.frame_number;
        session.first = frame.time;
        session.last = frame.time;
    }
    DirectionTotals &direction = session.directions[sender];
    if (frame.counts_frame) {
        if (frame.time < session.first)
            session.first = frame.time;
        if (session.last < frame.time)
            session.last = frame.time;
        ++direction.frames;
        direction.wire_bytes += frame.wire_length;
    }

    if (frame.flags.has(FrameFlag::TlsDissected))
        session.tls_seen = true;

    uint64_t frame_bytes = 0;
    for (size_t i = 0; i < frame.run_count; ++i)
        frame_bytes += frame.runs[i].length;
    uint64_t decrypted_bytes = 0;
    for (size_t i = 0; i < frame.decrypted_count; ++i)
        decrypted_bytes += frame.decrypted[i].length;
    direction.decrypted_bytes += decrypted_bytes;
    if (frame_bytes == 0 && decrypted_bytes == 0)
        return;

    if (!session.histograms)
        session.histograms = std::make_unique<ByteHistogram[]>(2);
    ByteHistogram &histogram = frame_histogram ? *frame_histogram : session.histograms[sender];
    const std::optional<ContentKind> counted = scope_content(scope_);
    for (size_t i = 0; i < frame.run_count; ++i) {
        const ByteRun &run = frame.runs[i];
        if (scope_ == ByteScope::All)
            histogram.add(run.data, run.length);
        const auto visit = [&](ContentKind kind, bool fragment, const uint8_t *piece, size_t length) {
            if (kind != kUnframedContent)
                direction.content_bytes[kind] += length;
            if (counted && fragment && kind == *counted)
                histogram.add(piece, length);
        };
        if (frame.transport == Transport::Udp)
            split_dtls_datagram(run.data, run.length, visit);
        else
            RecordFramer(run.framing).split(run.data, run.length, visit);
    }
    if (scope_ == ByteScope::Plaintext) {
        for (size_t i = 0; i < frame.decrypted_count; ++i)
            histogram.add(frame.decrypted[i].data, frame.decrypted[i].length);
    }
    if (frame_histogram)
        session.histograms[sender].merge(*frame_histogram);
    if (frame_bytes > 0) {
        direction.tls_bytes += frame_bytes;
        ++direction.tls_frames;  // (a late run's frame had no TLS bytes when it was counted)
    }
}

void SessionTable::clear()
{
    sessions_.clear();
    sessions_.shrink_to_fit();
    frames_ = 0;
}

const HandshakeFacts *SessionTable::facts(size_t slot) const
{
    return connections_.handshake(stream_of(slot), transport_of(slot));
}

bool SessionTable::is_tls(size_t slot) const
{
    if (slot >= sessions_.size() || !sessions_[slot])
        return false;
    const Session &session = *sessions_[slot];
    const HandshakeFacts *handshake = facts(slot);
    return (session.tls_seen || session.histograms) && handshake && handshake->is_session();
}

bool SessionTable::sender_is_client(uint32_t stream, uint8_t sender, Transport transport) const
{
    const HandshakeFacts *handshake = connections_.handshake(stream, transport);
    return (handshake ? handshake->client() : 0) == (sender & 1);
}

SessionSummary SessionTable::summarize(size_t slot) const
{
    static const ByteHistogram kEmpty;
    const uint32_t stream = stream_of(slot);
    const Session &session = *sessions_[slot];
    const HandshakeFacts &handshake = *facts(slot);  // (is_tls: there are facts)
    const uint8_t client = handshake.client();
    const uint8_t server = client ^ 1;
    SessionSummary summary;
    summary.stream = stream;
    summary.transport = transport_of(slot);
    summary.first_frame_number = session.first_frame_number;
    summary.start = session.first;
    summary.duration = seconds_between(session.first, session.last);
    summary.client = session.ends[client];
    summary.server = session.ends[server];
    summary.version = handshake.version();
    summary.metadata = &handshake.metadata();
    summary.handshake_completed = handshake.handshake_completed();
    summary.tx = session.directions[client];
    summary.rx = session.directions[server];
    summary.scope = scope_;
    summary.tx.bytes_before_tls = connections_.bytes_before_tls(stream, client, summary.transport);
    summary.rx.bytes_before_tls = connections_.bytes_before_tls(stream, server, summary.transport);
    summary.tx.missed_bytes = connections_.missed_bytes(stream, client, summary.transport);
    summary.rx.missed_bytes = connections_.missed_bytes(stream, server, summary.transport);
    for (DirectionTotals *direction : {&summary.tx, &summary.rx}) {
        // Bytes no record claimed: after a hole or a header that was not one.
        uint64_t framed = 0;
        for (int kind = 0; kind < kUnframedContent; ++kind)
            framed += direction->content_bytes[kind];
        direction->content_bytes[kUnframedContent] =
            direction->tls_bytes > framed ? direction->tls_bytes - framed : 0;
    }
    summary.tx_histogram = session.histograms ? &session.histograms[client] : &kEmpty;
    summary.rx_histogram = session.histograms ? &session.histograms[server] : &kEmpty;
    return summary;
}

std::vector<SessionSummary> SessionTable::sessions() const
{
    std::vector<SessionSummary> result;
    for (Transport transport : {Transport::Tcp, Transport::Udp}) {
        for (size_t slot = slot_of(0, transport); slot < sessions_.size(); slot += 2) {
            if (is_tls(slot))
                result.push_back(summarize(slot));
        }
    }
    return result;
}

std::optional<SessionSummary> SessionTable::session(uint32_t stream, Transport transport) const
{
    const size_t slot = slot_of(stream, transport);
    if (!is_tls(slot))
        return std::nullopt;
    return summarize(slot);
}

CaptureTotals SessionTable::totals() const
{
    CaptureTotals totals;
    totals.frames = frames_;
    totals.first_frame = first_frame_;
    totals.last_frame = last_frame_;
    for (size_t slot = 0; slot < sessions_.size(); ++slot) {
        if (!is_tls(slot))
            continue;
        const Session &session = *sessions_[slot];
        ++totals.tls_sessions;
        totals.tls_frames += session.directions[0].tls_frames + session.directions[1].tls_frames;
    }
    return totals;
}

}  // namespace tlsdist
