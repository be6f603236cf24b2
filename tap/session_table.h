// Accumulates, per TLS session, the figures tlsdist reports, from the frames a
// statistic receives (all frames, or those passing its display filter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture_tracker.h"
#include "endpoint.h"
#include "handshake_facts.h"
#include "histogram.h"

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
};

// One frame as a statistic sees it. Frames that are not TCP have is_tcp false
// and count only towards the total of frames.
struct FrameEvent {
    uint32_t frame_number = 0;
    Timestamp time;
    uint32_t wire_length = 0;
    bool is_tcp = false;
    uint32_t stream = 0;
    uint8_t sender = 0;  // 0: the side that sent the connection's first frame in the capture
    Endpoint source;
    Endpoint destination;
    uint8_t flags = 0;
    // kServerHello: the version it selected; kClientHello: the highest it offered.
    uint16_t hello_version = 0;
    int64_t missed_delta = 0;
    const ByteRun *runs = nullptr;  // this frame's TLS bytes (first transmission only)
    size_t run_count = 0;
};

struct DirectionTotals {
    uint64_t tls_bytes = 0;
    uint64_t tls_frames = 0;   // frames carrying at least one TLS byte
    uint64_t frames = 0;       // all frames of the connection in this direction
    uint64_t wire_bytes = 0;   // their frame lengths on the wire
    int64_t missed_bytes = 0;  // TLS stream bytes the capture never saw
};

struct SessionSummary {
    uint32_t stream = 0;
    Timestamp start;
    double duration = 0;
    Endpoint client;
    Endpoint server;
    std::string version;
    const SessionMetadata *metadata = nullptr;  // valid as long as the histograms
    DirectionTotals tx;  // client to server
    DirectionTotals rx;  // server to client
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

class SessionTable {
public:
    SessionTable();
    ~SessionTable();
    SessionTable(const SessionTable &) = delete;
    SessionTable &operator=(const SessionTable &) = delete;

    // Adds one frame. When frame_histogram is given, it is cleared and receives
    // the distribution of this frame's TLS bytes.
    void add(const FrameEvent &frame, ByteHistogram *frame_histogram = nullptr);
    void clear();

    // A statistic with a display filter sees only some of a connection's
    // frames (say, one direction), yet the session's client and version are
    // those of the whole connection. With `capture` (the first pass over every
    // frame so far) they come from there; without it, from the frames this
    // table was given.

    // True when the sender is the session's client.
    bool sender_is_client(uint32_t stream, uint8_t sender, const CaptureTracker *capture = nullptr) const;

    // Sessions by stream index: connections on which this table saw a TLS
    // record, or TLS bytes of a connection where the capture shows records.
    // The histogram pointers stay valid until the table is changed.
    std::vector<SessionSummary> sessions(const CaptureTracker *capture = nullptr) const;
    // The session of one stream, if it is one.
    std::optional<SessionSummary> session(uint32_t stream, const CaptureTracker *capture = nullptr) const;
    CaptureTotals totals(const CaptureTracker *capture = nullptr) const;

private:
    struct Session;
    const HandshakeFacts &facts(uint32_t stream, const CaptureTracker *capture) const;
    bool is_tls(uint32_t stream, const CaptureTracker *capture) const;
    SessionSummary summarize(uint32_t stream, const CaptureTracker *capture) const;
    std::vector<std::unique_ptr<Session>> sessions_;  // indexed by tcp.stream
    uint64_t frames_ = 0;
    Timestamp first_frame_;
    Timestamp last_frame_;
};

}  // namespace tlsdist
