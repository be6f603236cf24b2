// tlsdist --shards (issue 18): one capture cut by flow into shards
// (capture_shard.h), tshark run on each shard at once, and their outputs
// merged back into what one run over the whole capture writes.
//
// A shard holds every frame of its connections, in capture order, so each
// connection gets the same figures in it as in the whole capture. What
// differs is numbering: frames are numbered within the shard (the splitter
// lists each one's number in the whole capture), and so are streams, which
// Wireshark numbers in the order they first appear. A shard keeps its streams'
// order, so a stream's index in the whole capture is its rank among every
// shard's streams by the whole-capture frame it first appeared in. The
// shard's run (the view tlsdist,shard) says where each stream first appeared,
// and which of its per-packet rows came last because their bytes joined after
// their frames were counted (late runs), which one run writes after all the
// others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport.h"

namespace tlsdist {

// What a shard's run tells the merge beyond its CSVs (-z tlsdist,shard):
//   tlsdist shard facts 1
//   packet-rows N        rows its per-packet views wrote
//   late-packet-rows L   of which the last L came at the end (late runs)
//   stream tcp|udp INDEX FRAME   a stream and the frame it first appeared in
struct ShardFacts {
    uint64_t packet_rows = 0;
    uint64_t late_packet_rows = 0;
    // By transport (Tcp, Udp), by stream index: the frame the stream first
    // appeared in (frames count from 1; 0: an index never seen).
    std::vector<uint32_t> first_frames[2];
};

void append_shard_facts(std::string &out, const ShardFacts &facts);
// Nothing, and why in *error, when text is not what append_shard_facts writes.
std::optional<ShardFacts> parse_shard_facts(std::string_view text, std::string *error);

// A shard's frame list from the splitter: the whole capture's number of each
// of its frames, one decimal a line, rising. Nothing (and why) otherwise.
std::optional<std::vector<uint32_t>> parse_frame_list(std::string_view text, std::string *error);

// Per shard: the whole capture's index of each of its streams, by transport.
struct StreamNumbers {
    std::vector<uint32_t> whole[2];
};

// frame_lists[k][i]: the whole capture's number of shard k's frame i + 1.
// Nothing, and why, when the facts cannot give every stream its place: an
// index that never appeared, or a frame past the shard's list.
std::optional<std::vector<StreamNumbers>> number_streams(const std::vector<ShardFacts> &facts,
                                                         const std::vector<std::vector<uint32_t>> &frame_lists,
                                                         std::string *error);

// A per-packet CSV row of a shard (without its line end) with the whole
// capture's frame number and stream index: the row's first cell (frame) and
// seventh (stream, of the transport in the eighth) rewritten. Nothing when
// the row does not have them, or names a frame or stream the shard has not.
struct WholeCaptureRow {
    uint32_t frame = 0;
    std::string text;
};
std::optional<WholeCaptureRow> packet_row_in_whole_capture(std::string_view row,
                                                           const std::vector<uint32_t> &frame_list,
                                                           const StreamNumbers &streams);

}  // namespace tlsdist
