#include "first_pass.h"

#include "compat.h"
#include "field_registry.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/ipproto.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

namespace tlsdist {

namespace {

// Offset in the TCP (UDP) payload at which the TLS (DTLS) dissector was
// handed the data (it marks every tvb it is given with its protocol item,
// even one it then asks TCP to reassemble), or none if it was not handed
// this payload.
std::optional<uint32_t> protocol_begins_at(proto_tree *tree, const Field &protocol, const field_info *payload)
{
    std::optional<uint32_t> earliest;
    protocol.for_each(tree, [&](const field_info *fi) {
        if (fi->ds_tvb != payload->ds_tvb || fi->start < payload->start ||
            fi->start >= payload->start + payload->length)
            return;
        const auto offset = static_cast<uint32_t>(fi->start - payload->start);
        if (!earliest || offset < *earliest)
            earliest = offset;
    });
    return earliest;
}

// A segment as its bytes give it. Wireshark's TCP protocol item starts at the
// header in the data source (the frame, or a reassembled IP packet) and the
// payload follows it there, so tlsdist reads the sequence and acknowledgement
// numbers, the flags and the payload from those bytes instead of asking
// Wireshark for more fields: each wanted field costs every TCP frame, and a
// bytes field (tcp.payload) is copied for every segment (bench/PROFILE.md).
struct TcpSegment {
    uint32_t seq = 0;
    uint32_t ack_number = 0;
    bool syn = false;
    bool ack = false;
    tvbuff_t *source = nullptr;  // holds the header and the payload
    gint payload_start = 0;      // in source
    const guint8 *payload = nullptr;  // captured_length bytes of it
    uint32_t reported_length = 0;  // of the payload, as tcp.len
    uint32_t captured_length = 0;
};

// A data source's captured bytes, asked of Wireshark once a frame: the IP and
// TCP headers and the payload are then read from them without a call into
// libwireshark for each check (about 145 instructions a frame:
// bench/PROFILE.md, session 41).
struct SourceBytes {
    tvbuff_t *tvb = nullptr;
    const guint8 *data = nullptr;
    guint captured = 0;

    SourceBytes() = default;
    explicit SourceBytes(tvbuff_t *source) : tvb(source)
    {
        captured = source ? tvb_captured_length(source) : 0;
        data = captured ? tvb_get_ptr(source, 0, static_cast<gint>(captured)) : nullptr;
    }
    // As tvb_bytes_exist, for an offset from the start.
    bool holds(gint offset, gint length) const
    {
        return offset >= 0 && length >= 0 && uint64_t{static_cast<guint>(offset)} + static_cast<guint>(length) <= captured;
    }
};

// Big-endian header fields (Wireshark's helpers for them are named pntoh16
// up to 4.4 and pntohu16 from 4.6 on).
uint32_t be16(const guint8 *at)
{
    return static_cast<uint32_t>(at[0] << 8 | at[1]);
}

uint32_t be32(const guint8 *at)
{
    return be16(at) << 16 | be16(at + 2);
}

// The payload's length as the IP header right before the TCP header at
// tcp_start gives it (total or payload length, less the headers), found by
// its version, header length and addresses (the frame's own, pinfo's).
std::optional<uint32_t> length_from_ip_header(const SourceBytes &source, gint tcp_start, gint tcp_header_length,
                                              const packet_info *pinfo)
{
    const auto payload_after = [tcp_header_length](uint32_t ip_payload, uint32_t before_tcp) -> std::optional<uint32_t> {
        const uint64_t headers = uint64_t{before_tcp} + static_cast<uint64_t>(tcp_header_length);
        return ip_payload >= headers ? std::optional<uint32_t>(ip_payload - static_cast<uint32_t>(headers))
                                     : std::nullopt;
    };
    if (pinfo->src.type == AT_IPv4 && pinfo->dst.type == AT_IPv4) {
        for (gint ihl = 5; ihl <= 15; ++ihl) {
            const gint at = tcp_start - ihl * 4;
            if (!source.holds(at, 20))
                break;
            const guint8 *ip = source.data + at;
            if (ip[0] == (0x40 | ihl) && ip[9] == IP_PROTO_TCP && std::memcmp(ip + 12, pinfo->src.data, 4) == 0 &&
                std::memcmp(ip + 16, pinfo->dst.data, 4) == 0)
                return payload_after(be16(ip + 2), static_cast<uint32_t>(ihl * 4));
        }
    } else if (pinfo->src.type == AT_IPv6 && pinfo->dst.type == AT_IPv6) {
        // (extension headers between it and TCP: up to 64 units of 8 bytes in all)
        for (gint extensions = 0; extensions <= 512; extensions += 8) {
            const gint at = tcp_start - 40 - extensions;
            if (!source.holds(at, 40))
                break;
            const guint8 *ip = source.data + at;
            if ((ip[0] >> 4) == 6 && (extensions > 0 || ip[6] == IP_PROTO_TCP) &&
                std::memcmp(ip + 8, pinfo->src.data, 16) == 0 && std::memcmp(ip + 24, pinfo->dst.data, 16) == 0)
                return payload_after(be16(ip + 4), static_cast<uint32_t>(extensions));
        }
    }
    return std::nullopt;
}

// Where the frame's TCP header is: in which data source (the frame, or a
// reassembled IP packet) and at what offset, and the TCP protocol item, where
// the tree holds it.
struct TcpHeaderPlace {
    SourceBytes source;
    gint start = 0;
    const field_info *item = nullptr;
    // For a header found by its bytes (find_header): the payload length TCP's
    // tap gave, which is what tcp.len holds.
    std::optional<uint32_t> tap_length;
};

// The last TCP item among the tree's top items (Wireshark never fakes those).
const field_info *last_top_tcp_item(proto_tree *tree)
{
    const field_info *last = nullptr;
    for (proto_node *node = tree->first_child; node; node = node->next) {
        if (node->finfo && fields::tcp.is(node->finfo->hfinfo))
            last = node->finfo;
    }
    return last;
}

// The header of the segment the frame's last tcp.stream item belongs to. TCP
// puts that item at the start of its tvb, as it does its protocol item, which
// is looked for among the tree's top items: Wireshark never fakes those, so
// tcp need not be wanted (that costs about 960 instructions a frame:
// bench/PROFILE.md). A dissector that hands IP its own subtree (AMT, PIM
// register, PDCP, Mobile IP) leaves the TCP item under its own, faked in a
// hidden tree unless wanted: where the last top TCP item is not at the last
// tcp.stream's place, tcp is wanted from the next frame on, and this frame's
// segment is read without its item.
TcpHeaderPlace tcp_header_place(proto_tree *tree, const field_info *stream)
{
    if (fields::tcp.wanted()) {
        const field_info *tcp = fields::tcp.last(tree);
        return tcp ? TcpHeaderPlace{SourceBytes(tcp->ds_tvb), tcp->start, tcp, std::nullopt} : TcpHeaderPlace{};
    }
    const field_info *last = last_top_tcp_item(tree);
    if (last && last->ds_tvb == stream->ds_tvb && last->start == stream->start)
        return {SourceBytes(last->ds_tvb), last->start, last, std::nullopt};
    fields::tcp.want_from_next_frame();
    return {SourceBytes(stream->ds_tvb), stream->start, nullptr, std::nullopt};
}

// Whether the data source holds the TCP header TCP's tap gave at offset.
bool holds_header(const SourceBytes &source, gint offset, const TcpTapHeader &header)
{
    if (!source.holds(offset, 12))
        return false;
    const guint8 *bytes = source.data + offset;
    return be16(bytes) == header.source_port && be16(bytes + 2) == header.destination_port &&
           be32(bytes + 4) == header.raw_seq && be32(bytes + 8) == header.raw_ack;
}

// The frame's data sources, last first (a reassembled IP packet comes after
// the frame's own data), each with its captured bytes.
std::vector<SourceBytes> sources_last_first(const packet_info *pinfo)
{
    std::vector<SourceBytes> sources;
    for (GSList *item = pinfo->data_src; item; item = item->next)
        sources.emplace_back(get_data_source_tvb(static_cast<const struct data_source *>(item->data)));
    std::reverse(sources.begin(), sources.end());
    return sources;
}

// Where a TCP header that has no item at the tree's root is (a tunnel): the
// last place its first twelve bytes are found, in the last data source that
// holds them.
std::optional<TcpHeaderPlace> find_header(const packet_info *pinfo, const TcpTapHeader &header)
{
    char wanted[12];
    for (int i = 0; i < 2; ++i) {
        wanted[i] = static_cast<char>(header.source_port >> (8 - 8 * i));
        wanted[2 + i] = static_cast<char>(header.destination_port >> (8 - 8 * i));
    }
    for (int i = 0; i < 4; ++i) {
        wanted[4 + i] = static_cast<char>(header.raw_seq >> (24 - 8 * i));
        wanted[8 + i] = static_cast<char>(header.raw_ack >> (24 - 8 * i));
    }
    for (const SourceBytes &source : sources_last_first(pinfo)) {
        const std::string_view bytes(reinterpret_cast<const char *>(source.data), source.captured);
        const size_t at = bytes.rfind(std::string_view(wanted, sizeof wanted));
        if (at != std::string_view::npos)
            return TcpHeaderPlace{source, static_cast<gint>(at), nullptr, header.payload_length};
    }
    return std::nullopt;
}

// Whether TCP dissected a header of the frame, at any depth.
bool tcp_dissected(const packet_info *pinfo)
{
    static const int proto_tcp = proto_get_id_by_filter_name("tcp");
    for (wmem_list_frame_t *layer = wmem_list_head(pinfo->layers); layer; layer = wmem_list_frame_next(layer)) {
        if (GPOINTER_TO_INT(wmem_list_frame_data(layer)) == proto_tcp)
            return true;
    }
    return false;
}

// Where the TCP header TCP stopped in, in a tunnel, is: right after the last
// IPv4 or IPv6 header (without extension headers) from the frame's addresses
// to TCP, in the last data source that holds one, whose ports are the frame's.
std::optional<TcpHeaderPlace> find_header_after_ip(const packet_info *pinfo)
{
    const bool ipv4 = pinfo->src.type == AT_IPv4 && pinfo->dst.type == AT_IPv4;
    const bool ipv6 = pinfo->src.type == AT_IPv6 && pinfo->dst.type == AT_IPv6;
    if (!ipv4 && !ipv6)
        return std::nullopt;
    const size_t address_length = ipv4 ? 4 : 16;
    const size_t addresses_at = ipv4 ? 12 : 8;
    const size_t minimum = ipv4 ? 24 : 44;  // the IP header and the ports
    for (const SourceBytes &source : sources_last_first(pinfo)) {
        const size_t size = source.captured;
        for (size_t at = size >= minimum ? size - minimum + 1 : 0; at-- > 0;) {
            const guint8 *ip = source.data + at;
            const size_t header_length = ipv4 ? (ip[0] & 0x0fu) * 4u : 40u;
            const bool to_tcp = ipv4 ? (ip[0] >> 4) == 4 && header_length >= 20 && ip[9] == IP_PROTO_TCP
                                     : (ip[0] >> 4) == 6 && ip[6] == IP_PROTO_TCP;
            if (!to_tcp || at + header_length + 4 > size ||
                std::memcmp(ip + addresses_at, pinfo->src.data, address_length) != 0 ||
                std::memcmp(ip + addresses_at + address_length, pinfo->dst.data, address_length) != 0)
                continue;
            const guint8 *ports = ip + header_length;
            if (be16(ports) == pinfo->srcport && be16(ports + 2) == pinfo->destport)
                return TcpHeaderPlace{source, static_cast<gint>(at + header_length), nullptr, std::nullopt};
        }
    }
    return std::nullopt;
}

// The stream TCP chose for a frame whose TCP header gave its tap nothing
// (TCP stops before its tap where the capture cut the options): TCP's
// conversation for the frame's addresses and ports, which it made or found
// before that point. Wireshark's own look-up, paid only on such frames.
std::optional<uint32_t> stream_of_conversation(packet_info *pinfo)
{
    static const int proto_tcp = proto_get_id_by_filter_name("tcp");
    conversation_t *conversation = find_conversation_pinfo(pinfo, 0);
    const auto *analysis =
        conversation ? static_cast<const tcp_analysis *>(conversation_get_proto_data(conversation, proto_tcp))
                     : nullptr;
    return analysis ? std::optional<uint32_t>(analysis->stream) : std::nullopt;
}

struct StreamSegment {
    uint32_t stream = 0;
    TcpHeaderPlace place;
};

// For a frame read at tap time, the segment's stream and header: those of the
// last header TCP's tap gave, which is the last TCP item at the tree's root
// or, in a tunnel, found by its bytes. A TCP item at the root that gave the
// tap nothing is a header TCP stopped in: its stream is looked up.
std::optional<StreamSegment> tap_segment(proto_tree *tree, packet_info *pinfo,
                                         const std::vector<TcpTapHeader> &headers)
{
    const field_info *top = last_top_tcp_item(tree);
    if (headers.empty()) {
        std::optional<TcpHeaderPlace> place;
        if (top)
            place = TcpHeaderPlace{SourceBytes(top->ds_tvb), top->start, top, std::nullopt};
        else if (tcp_dissected(pinfo))
            place = find_header_after_ip(pinfo);  // (in a tunnel)
        const std::optional<uint32_t> stream = place ? stream_of_conversation(pinfo) : std::nullopt;
        if (!stream)
            return std::nullopt;
        return StreamSegment{*stream, *place};
    }
    const TcpTapHeader &last = headers.back();
    if (top) {
        SourceBytes source(top->ds_tvb);
        if (holds_header(source, top->start, last))
            return StreamSegment{last.stream, {source, top->start, top, std::nullopt}};
    }
    const std::optional<TcpHeaderPlace> found = find_header(pinfo, last);
    if (!found)
        return std::nullopt;
    return StreamSegment{last.stream, *found};
}

// The payload's length, as tcp.len. In a hidden tree on Wireshark 4.0 and 4.4
// (compat::kTcpItemHoldsSegment) tcp.len is not wanted: the IP header right
// before the TCP header gives the length, as IP cut TCP's tvb to it, where the
// data source holds all that header claims. Otherwise, such as after IP
// reassembly, a length of 0 (segmentation offload) or a length past the frame,
// the tvb the TCP item holds gives it: its reported length less the header.
// That is the second choice because 4.0 makes a new subset tvb for every such
// read (about 350 instructions a frame: bench/PROFILE.md). Where the capture
// cut the data (a snap length), that tvb holds only what was captured, and
// where there is no TCP item there is none: the IP header then gives the
// length as it stands.
// A visible tree (tshark -V, -T fields) cuts that tvb to the header, but fakes
// no item, so there tcp.len is searched for.
std::optional<uint32_t> payload_length(proto_tree *tree, const TcpHeaderPlace &place, gint header_length,
                                       const packet_info *pinfo)
{
    const auto value = [](const field_info *length) {
        return length ? std::optional<uint32_t>(compat::field_uint(length)) : std::nullopt;
    };
    if (place.tap_length)
        return place.tap_length;
    if (!compat::kTcpItemHoldsSegment)
        return value(fields::tcp_len.last(tree));
    if (PTREE_DATA(tree)->visible)
        return value(fields::tcp_len.last_by_search(tree));
    const std::optional<uint32_t> from_ip = length_from_ip_header(place.source, place.start, header_length, pinfo);
    const guint source_length = tvb_reported_length(place.source.tvb);
    const bool cut = place.source.captured < source_length;
    if (from_ip && (!place.item || cut ||
                    uint64_t{static_cast<guint>(place.start)} + static_cast<guint>(header_length) + *from_ip <=
                        source_length))
        return from_ip;
    if (!place.item)
        return std::nullopt;
    tvbuff_t *segment = compat::protocol_tvb(place.item);
    const guint reported = segment ? tvb_reported_length(segment) : 0;
    if (reported < static_cast<guint>(header_length))
        return std::nullopt;
    return reported - static_cast<guint>(header_length);
}

std::optional<TcpSegment> read_tcp_segment(proto_tree *tree, const TcpHeaderPlace &place, const packet_info *pinfo)
{
    constexpr gint kMinimumHeader = 20;
    const SourceBytes &source = place.source;
    if (!source.holds(place.start, kMinimumHeader))
        return std::nullopt;
    const guint8 *bytes = source.data + place.start;
    const gint header_length = (bytes[12] >> 4) * 4;
    // (a check that the item is where this code expects it, in any Wireshark)
    if (be16(bytes) != pinfo->srcport || be16(bytes + 2) != pinfo->destport || header_length < kMinimumHeader)
        return std::nullopt;
    const std::optional<uint32_t> segment_length = payload_length(tree, place, header_length, pinfo);
    if (!segment_length)
        return std::nullopt;
    constexpr uint8_t kSyn = 0x02, kAck = 0x10;
    TcpSegment segment;
    segment.seq = be32(bytes + 4);
    segment.ack_number = be32(bytes + 8);
    segment.syn = (bytes[13] & kSyn) != 0;
    segment.ack = (bytes[13] & kAck) != 0;
    segment.source = source.tvb;
    segment.payload_start = place.start + header_length;
    // What follows the payload in the frame (an Ethernet trailer) is not payload.
    const auto payload_start = static_cast<guint>(segment.payload_start);
    const guint available = source.captured > payload_start ? source.captured - payload_start : 0;
    segment.reported_length = *segment_length;
    segment.captured_length = std::min(*segment_length, static_cast<uint32_t>(available));
    segment.payload = segment.captured_length ? source.data + payload_start : nullptr;
    return segment;
}

// What the frame's list of protocol layers shows, read there because that
// costs less than wanted fields (bench/PROFILE.md).
struct Layers {
    bool icmp = false;  // ICMP or ICMPv6 was dissected
    // Wireshark's TLS dissector read the frame: on a connection caught
    // without its handshake, what tells that Wireshark takes it for TLS (by
    // port, heuristics or -d). Unlike tls.record, it also marks the first
    // segments of a record that TCP reassembles; no session's figures depend
    // on those (tests/tools/compare_csv_builds over every capture).
    bool tls = false;
};

Layers read_layers(const packet_info *pinfo)
{
    static const int icmp = proto_get_id_by_filter_name("icmp");
    static const int icmpv6 = proto_get_id_by_filter_name("icmpv6");
    static const int tls = proto_get_id_by_filter_name("tls");
    Layers layers;
    for (wmem_list_frame_t *layer = wmem_list_head(pinfo->layers); layer; layer = wmem_list_frame_next(layer)) {
        const int protocol = GPOINTER_TO_INT(wmem_list_frame_data(layer));
        layers.icmp = layers.icmp || protocol == icmp || protocol == icmpv6;
        layers.tls = layers.tls || protocol == tls;
    }
    return layers;
}

}  // namespace

Endpoint endpoint_of(const address &addr, uint32_t port)
{
    if (addr.type == AT_IPv4 && addr.len == 4)
        return Endpoint::ipv4(static_cast<const uint8_t *>(addr.data), static_cast<uint16_t>(port));
    if (addr.type == AT_IPv6 && addr.len == 16)
        return Endpoint::ipv6(static_cast<const uint8_t *>(addr.data), static_cast<uint16_t>(port));
    Endpoint other;
    other.port = static_cast<uint16_t>(port);
    return other;
}

std::vector<tvbuff_t *> decrypted_records(packet_info *pinfo)
{
    std::vector<tvbuff_t *> records;
    if (!pinfo->data_src || !pinfo->data_src->next)
        return records;  // only the frame itself
    // Wireshark's look-up by name compares names as they are; the loop below
    // has them formatted (about 1,700 instructions a source), so it runs only
    // where there is a decrypted record (most frames of a reassembled record
    // have a second source, "Reassembled TCP").
    if (!compat::has_data_source_named(pinfo, "Decrypted TLS") && !compat::has_data_source_named(pinfo, "Decrypted DTLS"))
        return records;
    // (the first is the frame's own data, added before any dissector runs:
    // its name is not formatted to be compared)
    for (GSList *item = pinfo->data_src->next; item; item = item->next) {
        const auto *source = static_cast<const struct data_source *>(item->data);
        if (compat::data_source_is(source, "Decrypted TLS") || compat::data_source_is(source, "Decrypted DTLS"))
            records.push_back(get_data_source_tvb(source));
    }
    return records;
}

// Which decrypted records of the frame are application data: those in which
// Wireshark found no handshake, alert or heartbeat message (TLS or DTLS).
void FirstPass::find_decrypted_application_data(packet_info *pinfo, proto_tree *tree)
{
    const std::vector<tvbuff_t *> records = decrypted_records(pinfo);
    if (records.empty())
        return;
    std::vector<bool> message(records.size(), false);
    for (Field *messages : fields::decrypted_messages) {
        // Keys were thought impossible (frame_tracker.cpp), yet TLS decrypted:
        // another plugin handed it a secret. Read from the next frame on.
        messages->want_from_next_frame();
        messages->for_each(tree, [&](const field_info *fi) {
            const auto record = std::find(records.begin(), records.end(), fi->ds_tvb);
            if (record != records.end())
                message[static_cast<size_t>(record - records.begin())] = true;
        });
    }
    std::vector<uint32_t> application_data;
    for (size_t i = 0; i < records.size(); ++i) {
        if (!message[i] && tvb_captured_length(records[i]) > 0)
            application_data.push_back(static_cast<uint32_t>(i));
    }
    if (!application_data.empty())
        cache_.store_decrypted_application_data(pinfo->num, std::move(application_data));
}

// A datagram of a UDP conversation that DTLS was seen on: every byte from
// where the DTLS dissector took it counts (DTLS records never span datagrams;
// a retransmitted flight is new records on the wire and counts again).
const CachedFrame *FirstPass::read_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const field_info *stream = fields::udp_stream.last(tree);
    if (!stream)
        return nullptr;
    const field_info *payload = fields::udp_payload.last(tree);
    std::optional<uint32_t> begins = payload ? protocol_begins_at(tree, fields::dtls, payload) : std::nullopt;
    CachedFrame frame;
    frame.stream = compat::field_uint(stream);
    const bool dtls_conversation = tracker_.handshake(frame.stream, Transport::Udp) != nullptr;
    if (!begins && !dtls_conversation)
        return nullptr;  // not (yet) a DTLS conversation: only a frame of the capture
    // Once a conversation is DTLS, every datagram is: Wireshark 4.0's DTLS
    // dissector does not take DTLS 1.3's unified-header records, which follow the hellos.
    if (!begins && payload)
        begins = 0u;
    frame.connection = true;
    frame.transport = Transport::Udp;
    if (fields::dtls_record.present(tree)) {
        frame.flags |= FrameFlag::TlsDissected;
        find_decrypted_application_data(pinfo, tree);
    }

    UdpDatagramFacts facts;
    facts.stream = frame.stream;
    facts.source = endpoint_of(pinfo->src, pinfo->srcport);
    facts.dtls_begins_at = begins;
    facts.flags = frame.flags;
    const uint32_t captured = payload ? static_cast<uint32_t>(payload->length) : 0;
    const uint32_t length = begins && *begins < captured ? captured - *begins : 0;
    const guint8 *bytes = length ? tvb_get_ptr(payload->ds_tvb, payload->start + static_cast<gint>(*begins),
                                               static_cast<gint>(length))
                                 : nullptr;
    facts.dtls_bytes = bytes;
    facts.dtls_length = length;
    frame.sender = tracker_.accept(facts);

    if (length > 0) {
        if (payload->ds_tvb == tvb) {
            frame.tls_offset = static_cast<uint32_t>(payload->start) + *begins;
            frame.tls_length = length;
        } else {
            cache_.store_extra(pinfo->num, frame).add(bytes, length, RecordFramer::kStreamStart);
        }
    }
    return &cache_.store(pinfo->num, frame);
}

const CachedFrame *FirstPass::read_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, bool tls_read,
                                       bool &waiting, const std::vector<TcpTapHeader> *tcp_headers)
{
    StreamSegment segment;
    if (tcp_headers) {
        const std::optional<StreamSegment> from_tap = tap_segment(tree, pinfo, *tcp_headers);
        if (!from_tap)
            return read_udp(tvb, pinfo, tree);
        segment = *from_tap;
    } else {
        const field_info *stream = fields::tcp_stream.last(tree);
        if (!stream)
            return read_udp(tvb, pinfo, tree);
        segment = StreamSegment{compat::field_uint(stream), tcp_header_place(tree, stream)};
    }
    const std::optional<TcpSegment> header = read_tcp_segment(tree, segment.place, pinfo);
    if (!header)
        return nullptr;

    CachedFrame frame;
    frame.connection = true;
    frame.stream = segment.stream;
    if (header->syn)
        frame.flags |= header->ack ? FrameFlag::SynWithAck : FrameFlag::SynWithoutAck;
    if (tls_read)
        frame.flags |= FrameFlag::TlsDissected;
    TcpSegmentFacts facts;
    facts.flags = frame.flags;
    facts.frame = pinfo->num;
    facts.stream = frame.stream;
    facts.source = endpoint_of(pinfo->src, pinfo->srcport);
    facts.destination = endpoint_of(pinfo->dst, pinfo->destport);
    facts.raw_seq = header->seq;
    facts.syn = header->syn;
    facts.ack = header->ack;
    facts.raw_ack = header->ack ? header->ack_number : 0;
    facts.reported_length = header->reported_length;
    facts.captured_length = header->captured_length;
    if (frame.flags.has(FrameFlag::TlsDissected))  // (Wireshark decrypts only what its TLS dissector read)
        find_decrypted_application_data(pinfo, tree);
    facts.payload = header->payload;
    const TrackedSegment tracked = tracker_.accept(facts);
    frame.sender = tracked.sender;
    waiting = tracked.waiting;

    const bool own_bytes = header->source == tvb;
    if (tracked.run_count == 1 && own_bytes && tracked.runs[0].payload_offset) {
        frame.tls_offset = static_cast<uint32_t>(header->payload_start) + *tracked.runs[0].payload_offset;
        frame.tls_length = tracked.runs[0].length;
        frame.framing = tracked.runs[0].framing;
    } else if (tracked.run_count > 0) {
        CachedExtra &extra = cache_.store_extra(pinfo->num, frame);
        for (size_t i = 0; i < tracked.run_count; ++i)
            extra.add(tracked.runs[i].data, tracked.runs[i].length, tracked.runs[i].framing);
    }
    const CachedFrame &kept = cache_.store(pinfo->num, frame);
    cache_.take_late_runs(tracker_);
    return &kept;
}

void FirstPass::note_streams(packet_info *pinfo, proto_tree *tree)
{
    for (Transport transport : {Transport::Tcp, Transport::Udp}) {
        std::vector<uint32_t> &first_frames = stream_first_frames_[transport_index(transport)];
        const Field &stream_field = transport == Transport::Udp ? fields::udp_stream : fields::tcp_stream;
        stream_field.for_each(tree, [&](const field_info *fi) {
            const uint32_t stream = compat::field_uint(fi);
            if (stream >= first_frames.size())
                first_frames.resize(static_cast<size_t>(stream) + 1, 0);
            if (first_frames[stream] == 0)
                first_frames[stream] = pinfo->num;
        });
    }
}

const CachedFrame *FirstPass::read(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, bool &waiting,
                                   const std::vector<TcpTapHeader> *tcp_headers)
{
    unfinished_ = true;
    if (listing_streams_)
        note_streams(pinfo, tree);
    const Layers layers = read_layers(pinfo);
    if (layers.icmp)
        return nullptr;  // a TCP or UDP header quoted in an ICMP error is not a segment
    return read_tcp(tvb, pinfo, tree, layers.tls, waiting, tcp_headers);
}

void FirstPass::finish()
{
    if (!unfinished_)
        return;
    unfinished_ = false;
    tracker_.finish();
    cache_.take_late_runs(tracker_);
}

void FirstPass::clear()
{
    cache_.clear();
    tracker_.clear();
    unfinished_ = false;
    for (std::vector<uint32_t> &first_frames : stream_first_frames_)
        first_frames.clear();
}

}  // namespace tlsdist
