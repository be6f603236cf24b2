// One direction of a TCP connection in sequence space: which stream bytes have
// been seen, so that each byte is counted once (by the first frame that carried
// it) however often it is retransmitted, and where TLS begins in the stream.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace tlsdist {

// A run of bytes inside one segment's payload.
struct PayloadSpan {
    uint32_t offset = 0;
    uint32_t length = 0;
    uint64_t tls_offset = 0;  // where the run lies in the direction's TLS bytes
};

// What one segment adds: its payload spans that carry TLS bytes never seen
// before, and the change in bytes missing from the capture (sequence space the
// TLS part of the stream has covered that no frame carried; negative when the
// segment fills an earlier hole).
struct SegmentNews {
    static constexpr size_t kMaxSpans = 9;
    std::array<PayloadSpan, kMaxSpans> spans{};
    uint32_t span_count = 0;
    int64_t missed_delta = 0;

    uint64_t tls_bytes() const;
};

class SequenceSpace {
public:
    // Holes between seen ranges are remembered up to this many; past it, the
    // lowest hole is given up (its bytes stay missing even if they arrive
    // later), which bounds memory per connection against hostile captures.
    static constexpr size_t kMaxRanges = SegmentNews::kMaxSpans - 1;

    // raw_seq: the segment's sequence number as on the wire; syn: the segment
    // has SYN (which occupies one sequence number before the payload);
    // reported_length: TCP payload length; captured_length: the part of it that
    // is in the capture (shorter when frames were snapped); tls_begins_at:
    // offset in this payload where TLS starts, when the TLS dissector took over
    // the stream at this segment.
    SegmentNews accept(uint32_t raw_seq, bool syn, uint32_t reported_length,
                       uint32_t captured_length, std::optional<uint32_t> tls_begins_at);

    bool tls_started() const { return tls_start_.has_value(); }
    // Stream bytes before TLS began (a STARTTLS prefix); all the bytes the
    // direction reached while TLS has not begun.
    uint64_t bytes_before_tls() const;

private:
    struct Range {
        int64_t begin;
        int64_t end;
    };

    int64_t unwrap(uint32_t raw_seq) const;
    void mark_seen(int64_t begin, int64_t end);
    int64_t tls_extent() const;

    bool started_ = false;
    uint32_t origin_ = 0;     // raw sequence number of stream offset 0
    int64_t highest_end_ = 0; // end of the highest byte the stream reached
    std::optional<int64_t> tls_start_;
    std::vector<Range> seen_; // sorted, disjoint, non-adjacent
};

}  // namespace tlsdist
