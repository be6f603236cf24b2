#include "capture_tracker.h"

namespace tlsdist {

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
    tracked.news = connection.directions[tracked.sender].accept(
        segment.raw_seq, segment.syn, segment.reported_length, segment.captured_length,
        segment.tls_begins_at);
    return tracked;
}

void CaptureTracker::clear()
{
    connections_.clear();
    connections_.shrink_to_fit();
}

}  // namespace tlsdist
