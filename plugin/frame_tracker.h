// The postdissector that turns each frame into a tlsdist::FrameEvent for the
// "tlsdist" tap: it reads the TCP and TLS fields Wireshark dissected, decides
// which payload bytes are TLS bytes seen for the first time, caches that per
// frame on the first pass, and replays the cache on every later pass.
#pragma once

#include "capture_tracker.h"
#include "session_table.h"

#include <epan/epan.h>
#include <epan/packet.h>

#include <vector>

namespace tlsdist {

inline constexpr const char *kTapName = "tlsdist";

void register_protocol();
void register_handoff();

// Starts the per-frame work. Off by default in tshark so that runs without a
// tlsdist view pay nothing; must be on before the first frame is read.
void enable_tracking();

// The event a "tlsdist" tap listener was handed (tap_data). A tshark run
// reads a frame at tap time, when its first listener asks: see dissect_frame.
const FrameEvent &frame_event(const void *tap_data, packet_info *pinfo, epan_dissect_t *edt);

// From now on the first pass notes where each stream first appears
// (tlsdist,shard); must be on before the first frame is read.
void list_streams();
// By stream index: the frame it first appeared in, or 0 (FirstPass).
const std::vector<uint32_t> &stream_first_frames(Transport transport);

// What the first pass has seen of every connection so far: statistics take
// each session's client and version from it, whatever their filter lets through.
const CaptureTracker &capture_tracker();

// Ends the first pass over what has been read so far (end of the file, or a
// statistic drawn during a live capture): data still waiting for a hole or an
// origin joins as late runs (capture_tracker().late_runs()), attributed to the
// frames that carried it and cached with them for every later pass.
void finish_first_pass();

// The preference tlsdist.byte_scope: what the GUI dialogs' distributions count.
ByteScope dialog_byte_scope();

// The preference tlsdist.report_title: the HTML report's title (the tlsdist
// command sets the capture's file name; tshark does not tell plugins it).
const char *html_report_title();

}  // namespace tlsdist
