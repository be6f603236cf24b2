#include "sequence_space.h"

#include <algorithm>

namespace tlsdist {

uint64_t SegmentNews::tls_bytes() const
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < span_count; ++i)
        sum += spans[i].length;
    return sum;
}

// Maps a 32-bit sequence number to the 64-bit stream offset nearest to the
// highest offset reached so far, so that wrap-around and old retransmissions
// both land where they belong.
int64_t SequenceSpace::unwrap(uint32_t raw_seq) const
{
    const uint32_t relative = raw_seq - origin_;
    const auto distance = static_cast<int32_t>(relative - static_cast<uint32_t>(highest_end_));
    return highest_end_ + distance;
}

int64_t SequenceSpace::tls_extent() const
{
    if (!tls_start_ || highest_end_ <= *tls_start_)
        return 0;
    return highest_end_ - *tls_start_;
}

uint64_t SequenceSpace::bytes_before_tls() const
{
    const int64_t end = tls_start_ ? *tls_start_ : highest_end_;
    return end > 0 ? static_cast<uint64_t>(end) : 0;
}

void SequenceSpace::mark_seen(int64_t begin, int64_t end)
{
    auto first = std::lower_bound(seen_.begin(), seen_.end(), begin,
                                  [](const Range &r, int64_t value) { return r.end < value; });
    auto last = first;
    while (last != seen_.end() && last->begin <= end) {
        begin = std::min(begin, last->begin);
        end = std::max(end, last->end);
        ++last;
    }
    first = seen_.erase(first, last);
    seen_.insert(first, Range{begin, end});
    if (seen_.size() > kMaxRanges) {
        seen_[1].begin = seen_[0].begin;
        seen_.erase(seen_.begin());
    }
}

SegmentNews SequenceSpace::accept(uint32_t raw_seq, bool syn, uint32_t reported_length,
                                  uint32_t captured_length, std::optional<uint32_t> tls_begins_at)
{
    SegmentNews news;
    const uint32_t payload_seq = raw_seq + (syn ? 1u : 0u);
    if (!started_) {
        started_ = true;
        origin_ = payload_seq;
    }
    const int64_t begin = unwrap(payload_seq);
    captured_length = std::min(captured_length, reported_length);

    if (tls_begins_at && !tls_start_ && *tls_begins_at <= reported_length)
        tls_start_ = begin + *tls_begins_at;

    const int64_t extent_before = tls_extent();
    // A segment without payload (an ACK, or one after a FIN, which uses up a
    // sequence number) says nothing about where the data ends.
    if (reported_length > 0)
        highest_end_ = std::max(highest_end_, begin + int64_t{reported_length});

    if (captured_length > 0) {
        const int64_t end = begin + captured_length;
        // Spans of [begin, end) that no earlier frame carried, clipped to TLS.
        const int64_t tls_from = tls_start_ ? std::max(begin, *tls_start_) : end;
        int64_t cursor = tls_from;
        auto range = std::lower_bound(seen_.begin(), seen_.end(), cursor,
                                      [](const Range &r, int64_t value) { return r.end <= value; });
        while (cursor < end && news.span_count < SegmentNews::kMaxSpans) {
            int64_t gap_end = end;
            if (range != seen_.end()) {
                if (range->begin <= cursor) {
                    cursor = range->end;
                    ++range;
                    continue;
                }
                gap_end = std::min(end, range->begin);
            }
            news.spans[news.span_count++] = PayloadSpan{static_cast<uint32_t>(cursor - begin),
                                                         static_cast<uint32_t>(gap_end - cursor),
                                                         static_cast<uint64_t>(cursor - *tls_start_)};
            cursor = gap_end;
        }
        mark_seen(begin, end);
    }

    news.missed_delta = tls_extent() - extent_before - static_cast<int64_t>(news.tls_bytes());
    return news;
}

}  // namespace tlsdist
