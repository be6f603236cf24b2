#include "shard_merge.h"

#include <algorithm>
#include <charconv>
#include <tuple>

namespace tlsdist {

namespace {

constexpr std::string_view kFactsHeading = "tlsdist shard facts 1";

template <typename Number>
bool parse_number(std::string_view text, Number &value)
{
    if (text.empty())
        return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

// The next line of text (without "\n"), and text moved past it.
std::string_view take_line(std::string_view &text)
{
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    return line;
}

// The next space-separated word of line, and line moved past it.
std::string_view take_word(std::string_view &line, char separator = ' ')
{
    const size_t end = line.find(separator);
    const std::string_view word = line.substr(0, end);
    line = end == std::string_view::npos ? std::string_view() : line.substr(end + 1);
    return word;
}

}  // namespace

void append_shard_facts(std::string &out, const ShardFacts &facts)
{
    out += kFactsHeading;
    out += "\npacket-rows " + std::to_string(facts.packet_rows);
    out += "\nlate-packet-rows " + std::to_string(facts.late_packet_rows) + '\n';
    for (Transport transport : {Transport::Tcp, Transport::Udp}) {
        const std::vector<uint32_t> &frames = facts.first_frames[transport_index(transport)];
        for (size_t stream = 0; stream < frames.size(); ++stream) {
            if (frames[stream] == 0)
                continue;
            out += "stream ";
            out += transport_name(transport);
            out += ' ' + std::to_string(stream) + ' ' + std::to_string(frames[stream]) + '\n';
        }
    }
}

std::optional<ShardFacts> parse_shard_facts(std::string_view text, std::string *error)
{
    if (text.empty() || text.back() != '\n') {
        *error = "cut short (no line end at the end)";
        return std::nullopt;
    }
    if (take_line(text) != kFactsHeading) {
        *error = "not a tlsdist shard facts file";
        return std::nullopt;
    }
    ShardFacts facts;
    bool have_rows = false, have_late = false;
    for (size_t line_number = 2; !text.empty(); ++line_number) {
        std::string_view line = take_line(text);
        const std::string_view word = take_word(line);
        bool ok = false;
        if (word == "packet-rows" && !have_rows) {
            ok = have_rows = parse_number(line, facts.packet_rows);
        } else if (word == "late-packet-rows" && !have_late) {
            ok = have_late = parse_number(line, facts.late_packet_rows);
        } else if (word == "stream") {
            const std::string_view transport = take_word(line);
            uint32_t stream = 0, frame = 0;
            ok = (transport == "tcp" || transport == "udp") && parse_number(take_word(line), stream) &&
                 parse_number(line, frame) && frame > 0;
            if (ok) {
                std::vector<uint32_t> &frames = facts.first_frames[transport_index(transport == "udp" ? Transport::Udp : Transport::Tcp)];
                if (frames.size() <= stream)
                    frames.resize(static_cast<size_t>(stream) + 1, 0);
                ok = frames[stream] == 0;  // (each stream once)
                frames[stream] = frame;
            }
        }
        if (!ok) {
            *error = "line " + std::to_string(line_number) + " is not one of a shard facts file";
            return std::nullopt;
        }
    }
    if (!have_rows || !have_late || facts.late_packet_rows > facts.packet_rows) {
        *error = "no packet row counts, or more late rows than rows";
        return std::nullopt;
    }
    return facts;
}

std::optional<std::vector<uint32_t>> parse_frame_list(std::string_view text, std::string *error)
{
    std::vector<uint32_t> frames;
    if (!text.empty() && text.back() != '\n') {
        *error = "cut short (no line end at the end)";
        return std::nullopt;
    }
    while (!text.empty()) {
        uint32_t frame = 0;
        if (!parse_number(take_line(text), frame) || frame == 0 || (!frames.empty() && frame <= frames.back())) {
            *error = "line " + std::to_string(frames.size() + 1) + " is not a frame number after the one before";
            return std::nullopt;
        }
        frames.push_back(frame);
    }
    return frames;
}

std::optional<std::vector<StreamNumbers>> number_streams(const std::vector<ShardFacts> &facts,
                                                         const std::vector<std::vector<uint32_t>> &frame_lists,
                                                         std::string *error)
{
    std::vector<StreamNumbers> numbers(facts.size());
    for (size_t slot = 0; slot < 2; ++slot) {
        // (whole-capture frame, shard, stream): a frame is in one shard only,
        // and streams that first appeared in one frame keep their own order.
        std::vector<std::tuple<uint32_t, size_t, uint32_t>> starts;
        for (size_t shard = 0; shard < facts.size(); ++shard) {
            const std::vector<uint32_t> &frames = facts[shard].first_frames[slot];
            for (size_t stream = 0; stream < frames.size(); ++stream) {
                const uint32_t frame = frames[stream];
                if (frame == 0 || frame > frame_lists[shard].size()) {
                    *error = "shard " + std::to_string(shard) + ": " + (slot ? "udp" : "tcp") + " stream " +
                             std::to_string(stream) +
                             (frame == 0 ? " never appeared" : " appeared in a frame the shard does not have");
                    return std::nullopt;
                }
                starts.emplace_back(frame_lists[shard][frame - 1], shard, static_cast<uint32_t>(stream));
            }
            numbers[shard].whole[slot].resize(frames.size());
        }
        std::sort(starts.begin(), starts.end());
        for (size_t rank = 0; rank < starts.size(); ++rank) {
            const auto &[frame, shard, stream] = starts[rank];
            numbers[shard].whole[slot][stream] = static_cast<uint32_t>(rank);
        }
    }
    return numbers;
}

std::optional<WholeCaptureRow> packet_row_in_whole_capture(std::string_view row,
                                                           const std::vector<uint32_t> &frame_list,
                                                           const StreamNumbers &streams)
{
    // frame,time,src_ip,src_port,dst_ip,dst_port,stream,transport,...
    std::string_view rest = row;
    std::string_view cells[8];
    for (std::string_view &cell : cells) {
        if (rest.empty())
            return std::nullopt;
        cell = take_word(rest, ',');
    }
    uint32_t frame = 0, stream = 0;
    if (!parse_number(cells[0], frame) || frame == 0 || frame > frame_list.size() ||
        !parse_number(cells[6], stream) || (cells[7] != "tcp" && cells[7] != "udp"))
        return std::nullopt;
    const std::vector<uint32_t> &whole_streams = streams.whole[transport_index(cells[7] == "udp" ? Transport::Udp : Transport::Tcp)];
    if (stream >= whole_streams.size())
        return std::nullopt;
    WholeCaptureRow whole;
    whole.frame = frame_list[frame - 1];
    whole.text = std::to_string(whole.frame);
    // (cells 1 to 5 as they are, from the comma after the frame to the one before the stream)
    const size_t after_frame = cells[0].size();
    const size_t stream_at = static_cast<size_t>(cells[6].data() - row.data());
    whole.text.append(row.substr(after_frame, stream_at - after_frame));
    whole.text += std::to_string(whole_streams[stream]);
    whole.text.append(row.substr(stream_at + cells[6].size()));
    return whole;
}

}  // namespace tlsdist
