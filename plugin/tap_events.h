// Builds the tlsdist::FrameEvent of a frame from its cached facts and queues
// it for the "tlsdist" tap's listeners (the views).
#pragma once

#include <epan/packet.h>

#include "frame_cache.h"

namespace tlsdist {

// frame: the frame's cached facts, or none for a frame that is not of a
// connection (it counts only towards the total of frames).
void queue_frame_event(int tap_id, tvbuff_t *tvb, packet_info *pinfo, const FrameCache &cache,
                       const CachedFrame *frame, bool waiting);

}  // namespace tlsdist
