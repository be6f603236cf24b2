// Accumulates, per TLS session, the figures tlsdist reports, from the frames a
// statistic receives (all frames, or those passing its display filter).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture_tracker.h"
#include "endpoint.h"
#include "handshake_facts.h"
#include "histogram.h"
#include "record_framer.h"
#include "transport.h"

namespace tlsdist {

struct Timestamp {
    int64_t seconds = 0;
    int32_t nanoseconds = 0;

    bool operator<(const Timestamp &o) const
    {
        return seconds != o.seconds ? seconds < o.seconds : nanoseconds < o.nanoseconds;
    }
};

// Seconds from a to b (b - a).
double seconds_between(const Timestamp &a, const Timestamp &b);

struct ByteRun {
    const uint8_t *data = nullptr;
    size_t length = 0;
    RecordFramer::State framing = RecordFramer::kStreamStart;  // at the run's first byte
};

// Which of a session's TLS bytes its distributions (and entropy) count.
enum class ByteScope : uint8_t {
    All,              // every TLS byte: record headers and fragments
    ApplicationData,  // fragments of application_data records (no headers)
    Handshake,        // fragments of handshake records (no headers)
    Plaintext,        // application data Wireshark decrypted (it needs the keys)
};

// "all", "appdata", "handshake", "plaintext": the words of the -z option.
const char *byte_scope_word(ByteScope scope);
// "TLS bytes", "application data", "handshake": for titles.
const char *byte_scope_title(ByteScope scope);
std::optional<ByteScope> byte_scope_from_word(std::string_view word);

// One frame as a statistic sees it: a TCP segment, a UDP datagram of a
// conversation the DTLS dissector was handed, or (is_tcp false) any other
// frame, which counts only towards the total of frames.
struct FrameEvent {
    uint32_t frame_number = 0;
    Timestamp time;
    uint32_t wire_length = 0;
    bool is_tcp = false;   // a TCP segment or a UDP datagram: a frame of a connection
    Transport transport = Transport::Tcp;
    uint32_t stream = 0;   // tcp.stream or udp.stream
    uint8_t sender = 0;  // 0: the side that sent the connection's first frame in the capture
    Endpoint source;
    Endpoint destination;
    FrameFlags flags;  // (the table reads TlsDissected; the rest went to the CaptureTracker)
    // False for TLS bytes attributed to a frame after it was handed on (a
    // late run): the frame itself was counted then.
    bool counts_frame = true;
    // Some of the frame's bytes wait for an earlier hole or for the origin;
    // they come later with another frame, or as a late run of this one.
    bool waiting = false;
    const ByteRun *runs = nullptr;  // this frame's TLS bytes (first transmission only)
    size_t run_count = 0;
    // Application data Wireshark decrypted in this frame (with keys), one run per record.
    const ByteRun *decrypted = nullptr;
    size_t decrypted_count = 0;
};

struct DirectionTotals {
    uint64_t tls_bytes = 0;
    uint64_t tls_frames = 0;   // frames carrying at least one TLS byte
    uint64_t frames = 0;       // all frames of the connection in this direction
    uint64_t wire_bytes = 0;   // their frame lengths on the wire
    uint64_t missed_bytes = 0;  // TLS stream bytes the capture never saw
    // tls_bytes by the content type of the record they belong to (header
    // included); unframed is the rest: they add up to tls_bytes.
    std::array<uint64_t, kContentKinds> content_bytes{};
    uint64_t bytes_before_tls = 0;  // stream bytes before TLS began (STARTTLS), from the first pass
    uint64_t decrypted_bytes = 0;  // application data Wireshark decrypted (0 without keys)
};

struct SessionSummary {
    uint32_t stream = 0;
    Transport transport = Transport::Tcp;
    uint32_t first_frame_number = 0;  // the first frame of the session this table saw
    Timestamp start;
    double duration = 0;
    Endpoint client;
    Endpoint server;
    std::string version;
    const SessionMetadata *metadata = nullptr;  // valid as long as the histograms
    const char *handshake_completed = "";       // "yes", "no", "" (no hello seen)
    DirectionTotals tx;  // client to server
    DirectionTotals rx;  // server to client
    ByteScope scope = ByteScope::All;  // what the histograms count
    const ByteHistogram *tx_histogram = nullptr;
    const ByteHistogram *rx_histogram = nullptr;
};

struct CaptureTotals {
    uint64_t frames = 0;
    uint64_t tls_frames = 0;
    uint64_t tls_sessions = 0;
    Timestamp first_frame;  // times of the earliest and latest frame seen (when frames > 0)
    Timestamp last_frame;
};

// A statistic with a display filter sees only some of a connection's frames
// (say, one direction), yet the session's client, version, handshake facts
// and the bytes before TLS or missed are those of the whole connection: the
// table reads them from the CaptureTracker it is given (the first pass over
// every frame so far), the one place that holds them.
class SessionTable {
public:
    explicit SessionTable(const CaptureTracker &connections, ByteScope scope = ByteScope::All);
    ~SessionTable();
    SessionTable(const SessionTable &) = delete;
    SessionTable &operator=(const SessionTable &) = delete;

    // Adds one frame. When frame_histogram is given, it is cleared and receives
    // the distribution of this frame's TLS bytes in the table's scope.
    void add(const FrameEvent &frame, ByteHistogram *frame_histogram = nullptr);
    void clear();
    ByteScope scope() const { return scope_; }
    const CaptureTracker &connections() const { return connections_; }

    // True when the sender is the session's client.
    bool sender_is_client(uint32_t stream, uint8_t sender, Transport transport = Transport::Tcp) const;

    // Sessions by transport (TCP first), then stream index: connections on which this table saw a TLS
    // record, or TLS bytes of a connection where the capture shows records.
    // The histogram pointers stay valid until the table is changed.
    std::vector<SessionSummary> sessions() const;
    // The session of one stream, if it is one.
    std::optional<SessionSummary> session(uint32_t stream, Transport transport = Transport::Tcp) const;
    CaptureTotals totals() const;

private:
    struct Session;
    // Sessions live at 2 * stream + transport.
    const HandshakeFacts *facts(size_t slot) const;
    bool is_tls(size_t slot) const;
    SessionSummary summarize(size_t slot) const;
    const CaptureTracker &connections_;
    ByteScope scope_;
    std::vector<std::unique_ptr<Session>> sessions_;  // indexed by slot
    uint64_t frames_ = 0;
    Timestamp first_frame_;
    Timestamp last_frame_;
};

}  // namespace tlsdist
