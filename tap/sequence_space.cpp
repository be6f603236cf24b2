#include "sequence_space.h"

#include <algorithm>

namespace tlsdist {

bool looks_like_tls_start(const uint8_t *payload, uint32_t length)
{
    if (!payload || length < 5)
        return false;
    if (payload[0] >= 20 && payload[0] <= 24 && payload[1] == 3 && payload[2] <= 4) {
        const uint32_t record_length = uint32_t{payload[3]} << 8 | payload[4];
        return record_length > 0 && record_length <= 18432;
    }
    // SSLv2-format ClientHello: 2-byte length with the high bit, CLIENT-HELLO, version 0.x/2.x/3.x
    return (payload[0] & 0x80) && payload[2] == 1 && (payload[3] == 0 || payload[3] == 2 || payload[3] == 3);
}

SequenceSpace::Buffers &SequenceSpace::buffers()
{
    if (!buffers_)
        buffers_ = std::make_unique<Buffers>();
    return *buffers_;
}

void SequenceSpace::release_buffers_if_empty()
{
    if (buffers_ && buffers_->waiting.empty() && buffers_->ahead.empty())
        buffers_.reset();
}

// The 64-bit offset from the origin nearest to the highest end reached, so
// that wrap-around and old retransmissions land where they belong.
int64_t SequenceSpace::unwrap(uint32_t raw_seq) const
{
    const uint32_t relative = raw_seq - origin_;
    const auto distance = static_cast<int32_t>(relative - static_cast<uint32_t>(highest_end_));
    return highest_end_ + distance;
}

uint64_t SequenceSpace::bytes_before_tls() const
{
    const int64_t end = tls_started() ? tls_start_ : highest_end_;
    return end > 0 ? static_cast<uint64_t>(end) : 0;
}

uint64_t SequenceSpace::missed_bytes() const
{
    if (!tls_started() || highest_end_ <= tls_start_)
        return 0;
    const auto extent = static_cast<uint64_t>(highest_end_ - tls_start_);
    return extent > tls_bytes_ ? extent - tls_bytes_ : 0;
}

void SequenceSpace::accept(const Segment &segment, PieceSink &sink)
{
    if (segment.syn && !settled_)
        remember_syn(segment.raw_seq, segment.reported_length, sink);
    if (segment.reported_length == 0)
        return;
    const uint32_t payload_seq = segment.raw_seq + (segment.syn ? 1u : 0u);
    const uint32_t captured = std::min(segment.captured_length, segment.reported_length);
    const bool tls_like = looks_like_tls_start(segment.payload, captured);
    if (settled_) {
        place(segment.frame, payload_seq, segment.reported_length, segment.payload, captured, tls_like,
              true, sink);
        return;
    }
    Buffers &held = buffers();
    Waiting waiting;
    waiting.frame = segment.frame;
    waiting.raw_seq = payload_seq;
    waiting.reported_length = segment.reported_length;
    waiting.tls_like = tls_like;
    if (captured > 0)
        waiting.bytes.assign(segment.payload, segment.payload + captured);
    held.bytes += captured;
    held.waiting.push_back(std::move(waiting));

    // Waited long enough for a SYN or a lower segment: the data decides. (By
    // what waits, not by its extent: a stray far away must not cut the wait.)
    if (held.bytes > kReorderWindow || held.waiting.size() > kWaitingSegments)
        settle_from_data(sink);
}

void SequenceSpace::remember_syn(uint32_t isn, uint32_t length, PieceSink &sink)
{
    for (uint8_t i = 0; i < syn_count_; ++i) {
        if (syns_[i].isn == isn)
            return;
    }
    if (syn_count_ == kSyns) {  // keep the latest ones: a new ISN replaces an older one
        std::move(syns_ + 1, syns_ + kSyns, syns_);
        --syn_count_;
    }
    syns_[syn_count_++] = Syn{isn, length};
    for (uint8_t i = 0; i < early_ack_count_; ++i) {
        const uint32_t ack = early_acks_[i];
        if (ack == isn + 1 || ack == isn + 1 + length) {
            settle(isn + 1, sink);
            return;
        }
    }
}

void SequenceSpace::acknowledge(uint32_t ack, PieceSink &sink)
{
    if (settled_)
        return;
    for (uint8_t i = 0; i < syn_count_; ++i) {
        if (ack == syns_[i].isn + 1 || ack == syns_[i].isn + 1 + syns_[i].length) {
            settle(syns_[i].isn + 1, sink);
            return;
        }
    }
    // Kept in case the SYN they acknowledge was captured after them.
    if (early_ack_count_ < kEarlyAcks &&
        std::find(early_acks_, early_acks_ + early_ack_count_, ack) == early_acks_ + early_ack_count_)
        early_acks_[early_ack_count_++] = ack;
}

void SequenceSpace::settle(uint32_t origin, PieceSink &sink)
{
    settled_ = true;
    origin_ = origin;
    if (!buffers_)
        return;
    // The data that waited joins in capture order, each segment for its own frame.
    std::vector<Waiting> waiting = std::move(buffers_->waiting);
    buffers_->waiting.clear();
    for (const Waiting &w : waiting)
        buffers_->bytes -= w.bytes.size();
    for (const Waiting &w : waiting) {
        place(w.frame, w.raw_seq, w.reported_length, w.bytes.data(), static_cast<uint32_t>(w.bytes.size()),
              w.tls_like, true, sink);
    }
    release_buffers_if_empty();
}

// Without an acknowledged SYN: the origin is the lowest sequence number of the
// cluster of data that holds the most bytes (other clusters are strays).
void SequenceSpace::settle_from_data(PieceSink &sink)
{
    if (!buffers_ || buffers_->waiting.empty()) {
        settled_ = true;
        return;
    }
    const std::vector<Waiting> &waiting = buffers_->waiting;
    const uint32_t base = waiting.front().raw_seq;
    struct Span {
        int64_t begin, end;
        uint64_t bytes;
    };
    std::vector<Span> spans;
    spans.reserve(waiting.size());
    for (const Waiting &w : waiting) {
        const int64_t begin = static_cast<int32_t>(w.raw_seq - base);
        spans.push_back(Span{begin, begin + int64_t{w.reported_length}, w.bytes.size()});
    }
    std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) { return a.begin < b.begin; });
    int64_t best_begin = spans.front().begin, cluster_begin = best_begin;
    uint64_t best_bytes = 0, cluster_bytes = 0;
    int64_t reach = spans.front().begin;
    for (const Span &span : spans) {
        if (span.begin > reach + kStrayDistance) {
            cluster_begin = span.begin;
            cluster_bytes = 0;
        }
        reach = std::max(reach, span.end);
        cluster_bytes += span.bytes;
        if (cluster_bytes > best_bytes) {
            best_bytes = cluster_bytes;
            best_begin = cluster_begin;
        }
    }
    settle(base + static_cast<uint32_t>(best_begin), sink);
}

void SequenceSpace::finish(PieceSink &sink)
{
    if (!settled_)
        settle_from_data(sink);
    while (buffers_ && !buffers_->ahead.empty())
        give_up_hole(sink);
    release_buffers_if_empty();
}

void SequenceSpace::place(uint32_t frame, uint32_t raw_seq, uint32_t reported_length, const uint8_t *bytes,
                          uint32_t captured_length, bool tls_like, bool own, PieceSink &sink)
{
    const int64_t begin = unwrap(raw_seq);
    const int64_t reported_end = begin + reported_length;
    if (reported_end <= 0 || begin > highest_end_ + kStrayDistance)
        return;  // a stray: before the origin, or far beyond the stream
    highest_end_ = std::max(highest_end_, reported_end);
    if (begin <= edge_) {
        deliver(frame, begin, reported_end, bytes, captured_length, tls_like, own, sink);
        drain(frame, sink);
        return;
    }
    Buffers &held = buffers();
    Ahead ahead;
    ahead.frame = frame;
    ahead.reported_end = reported_end;
    ahead.tls_like = tls_like;
    if (captured_length > 0)
        ahead.bytes.assign(bytes, bytes + captured_length);
    held.bytes += captured_length;
    held.ahead.emplace(begin, std::move(ahead));
    while (buffers_ && !buffers_->ahead.empty() && highest_end_ - edge_ > kReorderWindow)
        give_up_hole(sink);
}

void SequenceSpace::deliver(uint32_t frame, int64_t begin, int64_t reported_end, const uint8_t *bytes,
                            uint32_t captured_length, bool tls_like, bool own, PieceSink &sink)
{
    const int64_t captured_end = begin + captured_length;
    if (captured_end > edge_) {
        const int64_t from = std::max(edge_, int64_t{0});
        if (!tls_started() && from == begin && tls_like)
            tls_start_ = begin;
        if (tls_started() && captured_end > tls_start_) {
            const int64_t tls_from = std::max(from, tls_start_);
            StreamPiece piece;
            piece.frame = frame;
            piece.data = bytes + (tls_from - begin);
            piece.length = static_cast<uint32_t>(captured_end - tls_from);
            piece.tls_offset = static_cast<uint64_t>(tls_from - tls_start_);
            if (own)
                piece.payload_offset = static_cast<uint32_t>(tls_from - begin);
            tls_bytes_ += piece.length;
            sink.take(piece);
        }
    }
    // Bytes a frame reported but did not capture (snap length) are missed at once.
    edge_ = std::max(edge_, reported_end);
}

void SequenceSpace::drain(std::optional<uint32_t> frame, PieceSink &sink)
{
    while (buffers_ && !buffers_->ahead.empty()) {
        auto first = buffers_->ahead.begin();
        if (first->first > edge_)
            break;
        const int64_t begin = first->first;
        Ahead ahead = std::move(first->second);
        buffers_->ahead.erase(first);
        buffers_->bytes -= ahead.bytes.size();
        const uint32_t to = frame ? *frame : ahead.frame;
        deliver(to, begin, ahead.reported_end, ahead.bytes.data(), static_cast<uint32_t>(ahead.bytes.size()),
                ahead.tls_like, to == ahead.frame, sink);
    }
    release_buffers_if_empty();
}

void SequenceSpace::give_up_hole(PieceSink &sink)
{
    edge_ = std::max(edge_, buffers_->ahead.begin()->first);
    drain(std::nullopt, sink);
}

}  // namespace tlsdist
