// Builds the tlsdist::FrameEvent of a frame from its cached facts and queues
// it for the "tlsdist" tap's listeners (the views).
#pragma once

#include <epan/packet.h>

#include "frame_cache.h"
#include "session_table.h"

namespace tlsdist {

// What the tap carries for a frame; it lives in the packet's memory pool
// until the listeners have run.
struct TapRecord {
    FrameEvent event;
    ByteRun own_run;
    // A frame queued before it was read (frame_tracker.cpp): its data, read
    // when the first listener asks for the event; none once read.
    tvbuff_t *unread = nullptr;
};

// frame: the frame's cached facts, or none for a frame that is not of a
// connection (it counts only towards the total of frames).
void queue_frame_event(int tap_id, tvbuff_t *tvb, packet_info *pinfo, const FrameCache &cache,
                       const CachedFrame *frame, bool waiting);

// Queues a frame to be read at tap time (TapRecord::unread).
void queue_unread_frame(int tap_id, tvbuff_t *tvb, packet_info *pinfo);

// Fills an unread frame's event once it has been read.
void fill_frame_event(TapRecord &record, tvbuff_t *tvb, packet_info *pinfo, const FrameCache &cache,
                      const CachedFrame *frame, bool waiting);

}  // namespace tlsdist
