#include "frame_tracker.h"

#include "compat.h"

#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>

#include <algorithm>
#include <cstdio>
#include <new>
#include <unordered_map>
#include <vector>

#include "capture_tracker.h"
#include "hello_parser.h"
#include "session_table.h"
#include "tls_version.h"

namespace tlsdist {

namespace {

// All hf ids registered under one field name (tls.record is registered by the
// TLS and the SSLv2 code; priming only one of them misses the other's records).
std::vector<int> field_ids(const char *name)
{
    std::vector<int> ids;
    header_field_info *info = proto_registrar_get_byname(name);
    if (!info)
        return ids;
    while (info->same_name_prev_id != -1)
        info = proto_registrar_get_nth(info->same_name_prev_id);
    for (; info; info = info->same_name_next)
        ids.push_back(info->id);
    return ids;
}

// The hello fields of the DTLS dissector (TLS hellos tlsdist reads itself,
// from each side's stream in sequence order).
struct HelloFields {
    std::vector<int> handshake_type, handshake_version, supported_version;
    std::vector<int> server_name, alpn, cipher_suite, ja3, ja3s, ja4, session_id, extension_type, random;

    explicit HelloFields(const char *protocol) : protocol_(protocol) {}
    void look_up()
    {
        const auto ids = [this](const char *rest) { return field_ids((std::string(protocol_) + rest).c_str()); };
        handshake_type = ids(".handshake.type");
        // An SSLv2-format ClientHello: its own field from Wireshark 4.4 on
        // (4.0 and 4.2 register it as tls.handshake.type).
        for (int id : ids(".ssl2.handshake.type"))
            handshake_type.push_back(id);
        handshake_version = ids(".handshake.version");
        supported_version = ids(".handshake.extensions.supported_version");
        server_name = ids(".handshake.extensions_server_name");
        alpn = ids(".handshake.extensions_alpn_str");
        cipher_suite = ids(".handshake.ciphersuite");
        ja3 = ids(".handshake.ja3");
        ja3s = ids(".handshake.ja3s");
        ja4 = ids(".handshake.ja4");  // Wireshark 4.2 and later (DTLS: 4.4); none in 4.0
        session_id = ids(".handshake.session_id");
        extension_type = ids(".handshake.extension.type");
        random = ids(".handshake.random");
    }
    std::vector<const std::vector<int> *> all() const
    {
        return {&handshake_type, &handshake_version, &supported_version, &server_name, &alpn,
                &cipher_suite, &ja3, &ja3s, &ja4, &session_id, &extension_type, &random};
    }

private:
    const char *protocol_;
};

struct WantedFields {
    std::vector<int> tcp, tcp_stream, tcp_len;
    std::vector<int> udp_stream, udp_payload;
    std::vector<int> icmp, icmpv6;
    std::vector<int> tls_record, dtls, dtls_record;
    std::vector<int> tls_handshake, tls_alert, tls_heartbeat;  // the messages, decrypted ones too
    HelloFields dtls_hello{"dtls"};
    std::vector<int> tls_cipher_suite;  // for its names
};

WantedFields fields;
int proto_tlsdist = -1;
int hf_session = -1;
int hf_direction = -1;
int hf_bytes = -1;
int hf_version = -1;
int ett_tlsdist = -1;
int tap_id = -1;
dissector_handle_t postdissector_handle;
bool tracking = false;
compat::BoolPreference track_in_every_run = false;  // preference tlsdist.track_always
const char *report_title = "";        // preference tlsdist.report_title
int dialog_scope = static_cast<int>(ByteScope::All);  // preference tlsdist.byte_scope

constexpr uint8_t kCachedTcp = 0x80;  // a frame of a connection (TCP, or UDP with kCachedUdp)
constexpr uint8_t kCachedExtra = 0x40;
constexpr uint8_t kCachedUdp = 0x20;

// What the first pass learned about a frame; 20 bytes per frame.
struct CachedFrame {
    uint32_t stream = 0;
    uint32_t tls_offset = 0;  // the frame's TLS bytes, as an offset into the frame
    uint32_t tls_length = 0;
    RecordFramer::State framing = RecordFramer::kStreamStart;  // at tls_offset
    uint16_t hello_version = 0;
    uint8_t flags = 0;  // FrameFlag bits, kCachedTcp, kCachedExtra
    uint8_t sender = 0;
};

// The rare frames whose TLS bytes are not one run of the frame's own data:
// bytes of earlier frames that waited for this one (out-of-order segments),
// late runs, several runs, or bytes held in a reassembled IP packet.
struct CachedExtra {
    std::vector<uint8_t> bytes;  // the frame's new TLS bytes, concatenated
    std::vector<uint32_t> run_lengths;
    std::vector<RecordFramer::State> run_framing;

    void add(const uint8_t *data, uint32_t length, RecordFramer::State framing)
    {
        bytes.insert(bytes.end(), data, data + length);
        run_lengths.push_back(length);
        run_framing.push_back(framing);
    }
};

struct FrameCache {
    std::vector<CachedFrame> frames;  // indexed by frame number
    std::unordered_map<uint32_t, CachedExtra> extras;
    // Frames where Wireshark decrypted application data: bit i set when the
    // frame's i-th "Decrypted TLS" data source is application data.
    std::unordered_map<uint32_t, uint32_t> decrypted_application_data;
    CaptureTracker tracker;
    size_t late_runs_cached = 0;  // tracker.late_runs() already in extras
    bool first_pass_unfinished = false;  // frames were tracked since the last finish

    void clear()
    {
        frames.clear();
        frames.shrink_to_fit();
        extras.clear();
        decrypted_application_data.clear();
        tracker.clear();
        late_runs_cached = 0;
        first_pass_unfinished = false;
    }
};

FrameCache cache;

void clear_cache()
{
    cache.clear();
}

void start_capture_file()
{
    cache.clear();
    if (track_in_every_run)
        enable_tracking();
}

GPtrArray *first_array(proto_tree *tree, const std::vector<int> &ids)
{
    for (int id : ids) {
        GPtrArray *found = proto_get_finfo_ptr_array(tree, id);
        if (found && found->len > 0)
            return found;
    }
    return nullptr;
}

const field_info *last_field(proto_tree *tree, const std::vector<int> &ids)
{
    GPtrArray *found = first_array(tree, ids);
    return found ? static_cast<const field_info *>(g_ptr_array_index(found, found->len - 1))
                 : nullptr;
}

bool has_field(proto_tree *tree, const std::vector<int> &ids)
{
    return first_array(tree, ids) != nullptr;
}

template <typename Visit>
void for_each_field(proto_tree *tree, const std::vector<int> &ids, Visit visit)
{
    for (int id : ids) {
        GPtrArray *found = proto_get_finfo_ptr_array(tree, id);
        if (!found)
            continue;
        for (guint i = 0; i < found->len; ++i)
            visit(static_cast<const field_info *>(g_ptr_array_index(found, i)));
    }
}

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

std::string first_string(proto_tree *tree, const std::vector<int> &ids)
{
    std::string text;
    for_each_field(tree, ids, [&](const field_info *fi) {
        if (text.empty())
            text = compat::field_string(fi);
    });
    return text;
}

// A bytes field's bytes, read from the data it was dissected from (the same
// in every Wireshark version, unlike the fvalue API).
std::string field_bytes(const field_info *fi)
{
    if (fi->length <= 0 || !fi->ds_tvb)
        return std::string();
    const guint8 *bytes = tvb_get_ptr(fi->ds_tvb, fi->start, fi->length);
    return std::string(reinterpret_cast<const char *>(bytes), static_cast<size_t>(fi->length));
}

// SNI, ALPN, cipher suite, JA3/JA3S, session id and PSK acceptance of the
// hello in this frame.
HelloDetails read_hello_details(proto_tree *tree, const HelloFields &hello, bool server_hello,
                                uint16_t version)
{
    HelloDetails details;
    if (const field_info *session_id = last_field(tree, hello.session_id))
        details.session_id = field_bytes(session_id);
    for_each_field(tree, hello.alpn, [&](const field_info *fi) {
        if (server_hello && !details.alpn.empty())
            return;
        if (!details.alpn.empty())
            details.alpn += ',';
        details.alpn += compat::field_string(fi);
    });
    if (server_hello) {
        // (a ClientHello lists every suite it offers under the same field)
        if (const field_info *suite = last_field(tree, hello.cipher_suite)) {
            const char *name = compat::field_value_name(suite);
            char number[16];
            std::snprintf(number, sizeof number, "0x%04x", compat::field_uint(suite));
            details.cipher_suite = name ? name : number;
        }
        details.fingerprint = first_string(tree, hello.ja3s);
        details.version = version;
        constexpr uint32_t kPreSharedKey = 41;
        for_each_field(tree, hello.extension_type, [&](const field_info *fi) {
            details.pre_shared_key |= compat::field_uint(fi) == kPreSharedKey;
        });
        if (const field_info *random = last_field(tree, hello.random)) {
            const std::string bytes = field_bytes(random);
            details.hello_retry_request =
                is_hello_retry_request_random(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
        }
    } else {
        details.server_name = first_string(tree, hello.server_name);
        details.fingerprint = first_string(tree, hello.ja3);
        details.ja4 = first_string(tree, hello.ja4);
    }
    return details;
}

// Handshake facts of the frame: which hellos it holds and the version that
// matters (selected by a ServerHello, highest offered by a ClientHello).
// Returns how many ClientHello messages it holds.
uint8_t read_hellos(proto_tree *tree, const HelloFields &hello, CachedFrame &frame)
{
    uint8_t client_hellos = 0;
    bool server_hello = false;
    for_each_field(tree, hello.handshake_type, [&](const field_info *fi) {
        const uint32_t type = compat::field_uint(fi);
        if (type == 1 && client_hellos < UINT8_MAX)
            ++client_hellos;
        server_hello |= type == 2;
    });
    if (client_hellos == 0 && !server_hello)
        return 0;

    uint16_t best_supported = 0, best_legacy = 0;
    for_each_field(tree, hello.supported_version, [&](const field_info *fi) {
        const auto version = static_cast<uint16_t>(compat::field_uint(fi));
        if (!is_grease(version) && version_rank(version) >= version_rank(best_supported))
            best_supported = version;
    });
    for_each_field(tree, hello.handshake_version, [&](const field_info *fi) {
        const auto version = static_cast<uint16_t>(compat::field_uint(fi));
        if (version_rank(version) >= version_rank(best_legacy))
            best_legacy = version;
    });
    frame.flags |= server_hello ? kServerHello : kClientHello;
    frame.hello_version = best_supported != 0 ? best_supported : best_legacy;
    return client_hellos;
}

// Offset in the TCP (UDP) payload at which the TLS (DTLS) dissector was
// handed the data (it marks every tvb it is given with its protocol item,
// even one it then asks TCP to reassemble), or none if it was not handed
// this payload.
std::optional<uint32_t> protocol_begins_at(proto_tree *tree, const std::vector<int> &protocol,
                                           const field_info *payload)
{
    std::optional<uint32_t> earliest;
    for_each_field(tree, protocol, [&](const field_info *fi) {
        if (fi->ds_tvb != payload->ds_tvb || fi->start < payload->start ||
            fi->start >= payload->start + payload->length)
            return;
        const auto offset = static_cast<uint32_t>(fi->start - payload->start);
        if (!earliest || offset < *earliest)
            earliest = offset;
    });
    return earliest;
}

// The frame's "Decrypted TLS" data sources (one per record Wireshark
// decrypted), in the order it added them, which is the same on every pass.
std::vector<tvbuff_t *> decrypted_records(packet_info *pinfo)
{
    std::vector<tvbuff_t *> records;
    if (!pinfo->data_src || !pinfo->data_src->next)
        return records;  // only the frame itself
    for (GSList *item = pinfo->data_src; item; item = item->next) {
        const auto *source = static_cast<const struct data_source *>(item->data);
        if (compat::data_source_is(source, "Decrypted TLS"))
            records.push_back(get_data_source_tvb(source));
    }
    return records;
}

// Which decrypted records of the frame are application data: those in which
// Wireshark found no handshake, alert or heartbeat message.
void find_decrypted_application_data(packet_info *pinfo, proto_tree *tree)
{
    const std::vector<tvbuff_t *> records = decrypted_records(pinfo);
    uint32_t mask = 0;
    for (size_t i = 0; i < records.size() && i < 32; ++i) {
        bool message = false;
        for (const std::vector<int> *ids : {&fields.tls_handshake, &fields.tls_alert, &fields.tls_heartbeat})
            for_each_field(tree, *ids, [&](const field_info *fi) { message |= fi->ds_tvb == records[i]; });
        if (!message && tvb_captured_length(records[i]) > 0)
            mask |= 1u << i;
    }
    if (mask)
        cache.decrypted_application_data[pinfo->num] = mask;
}

// Wireshark's name for a TLS cipher suite, as its TLS dissector shows it.
const char *cipher_suite_name(uint16_t suite)
{
    if (fields.tls_cipher_suite.empty())
        return nullptr;
    const header_field_info *info = proto_registrar_get_nth(fields.tls_cipher_suite.front());
    if (!info || !info->strings)
        return nullptr;
    if (info->display & BASE_EXT_STRING)
        return try_val_to_str_ext(suite, static_cast<value_string_ext *>(const_cast<void *>(info->strings)));
    return try_val_to_str(suite, static_cast<const value_string *>(info->strings));
}

CachedFrame &cache_frame(uint32_t number, const CachedFrame &frame)
{
    if (number >= cache.frames.size())
        cache.frames.resize(size_t{number} + 1);  // grows geometrically
    cache.frames[number] = frame;
    return cache.frames[number];
}

// Keeps bytes that are not one run of the frame's own data.
void cache_extra(uint32_t number, CachedExtra extra, CachedFrame &frame)
{
    frame.flags |= kCachedExtra;
    cache.extras[number] = std::move(extra);
}

// Late runs go with the frames they are attributed to, for every later pass.
void cache_late_runs()
{
    const std::vector<LateRun> &late = cache.tracker.late_runs();
    for (; cache.late_runs_cached < late.size(); ++cache.late_runs_cached) {
        const LateRun &run = late[cache.late_runs_cached];
        if (run.frame >= cache.frames.size())
            continue;
        CachedFrame &frame = cache.frames[run.frame];
        CachedExtra &extra = cache.extras[run.frame];
        if (!(frame.flags & kCachedExtra) && frame.tls_length > 0)
            continue;  // (cannot happen: a frame whose bytes waited had none of its own)
        frame.flags |= kCachedExtra;
        extra.add(cache.tracker.late_bytes(run), run.length, run.framing);
    }
}

// A datagram of a UDP conversation that DTLS was seen on: every byte from
// where the DTLS dissector took it counts (DTLS records never span datagrams;
// a retransmitted flight is new records on the wire and counts again).
const CachedFrame *first_pass_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const field_info *stream = last_field(tree, fields.udp_stream);
    if (!stream)
        return nullptr;
    const field_info *payload = last_field(tree, fields.udp_payload);
    std::optional<uint32_t> begins =
        payload ? protocol_begins_at(tree, fields.dtls, payload) : std::nullopt;
    CachedFrame frame;
    frame.stream = compat::field_uint(stream);
    const bool dtls_conversation = cache.tracker.handshake(frame.stream, Transport::Udp) != nullptr;
    if (!begins && !dtls_conversation)
        return nullptr;  // not (yet) a DTLS conversation: only a frame of the capture
    // Once a conversation is DTLS, every datagram is: Wireshark 4.0's DTLS
    // dissector does not take DTLS 1.3's unified-header records, which follow the hellos.
    if (!begins && payload)
        begins = 0u;
    frame.flags = kCachedTcp | kCachedUdp;
    if (has_field(tree, fields.dtls_record))
        frame.flags |= kTlsRecord;

    UdpDatagramFacts facts;
    facts.stream = frame.stream;
    facts.source = endpoint_of(pinfo->src, pinfo->srcport);
    facts.dtls_begins_at = begins;
    read_hellos(tree, fields.dtls_hello, frame);
    // A fragment of a ClientHello repeats its type; the message counts once,
    // in the frame where Wireshark parsed it whole (and so found its version).
    const bool whole_hello = (frame.flags & (kClientHello | kServerHello)) && frame.hello_version != 0;
    facts.client_hellos = whole_hello && (frame.flags & kClientHello) ? 1 : 0;
    facts.flags = frame.flags & kFrameFlagBits;
    facts.hello_version = frame.hello_version;
    HelloDetails details;
    if (whole_hello) {
        details = read_hello_details(tree, fields.dtls_hello, (frame.flags & kServerHello) != 0,
                                     frame.hello_version);
        facts.hello_details = &details;
    }
    const uint32_t captured = payload ? static_cast<uint32_t>(payload->length) : 0;
    const uint32_t length = begins && *begins < captured ? captured - *begins : 0;
    const guint8 *bytes = length ? tvb_get_ptr(payload->ds_tvb, payload->start + static_cast<gint>(*begins),
                                               static_cast<gint>(length))
                                 : nullptr;
    facts.dtls_bytes = bytes;
    facts.dtls_length = length;
    frame.sender = cache.tracker.accept(facts);

    if (length > 0) {
        if (payload->ds_tvb == tvb) {
            frame.tls_offset = static_cast<uint32_t>(payload->start) + *begins;
            frame.tls_length = length;
        } else {
            CachedExtra extra;
            extra.bytes.assign(bytes, bytes + length);
            extra.run_lengths.push_back(length);
            extra.run_framing.push_back(RecordFramer::kStreamStart);
            cache_extra(pinfo->num, std::move(extra), frame);
        }
    }
    return &cache_frame(pinfo->num, frame);
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
    uint32_t captured_length = 0;
};

std::optional<TcpSegment> read_tcp_segment(const field_info *tcp, uint32_t segment_length,
                                           const packet_info *pinfo)
{
    constexpr gint kMinimumHeader = 20;
    if (!tcp->ds_tvb || !tvb_bytes_exist(tcp->ds_tvb, tcp->start, kMinimumHeader))
        return std::nullopt;
    const guint8 *bytes = tvb_get_ptr(tcp->ds_tvb, tcp->start, kMinimumHeader);
    const auto be16 = [bytes](int at) { return static_cast<uint32_t>(bytes[at] << 8 | bytes[at + 1]); };
    const auto be32 = [&be16](int at) { return be16(at) << 16 | be16(at + 2); };
    const gint header_length = (bytes[12] >> 4) * 4;
    // (a check that the item is where this code expects it, in any Wireshark)
    if (be16(0) != pinfo->srcport || be16(2) != pinfo->destport || header_length < kMinimumHeader)
        return std::nullopt;
    constexpr uint8_t kSyn = 0x02, kAck = 0x10;
    TcpSegment segment;
    segment.seq = be32(4);
    segment.ack_number = be32(8);
    segment.syn = (bytes[13] & kSyn) != 0;
    segment.ack = (bytes[13] & kAck) != 0;
    segment.source = tcp->ds_tvb;
    segment.payload_start = tcp->start + header_length;
    // What follows the payload in the frame (an Ethernet trailer) is not payload.
    const gint available = tvb_captured_length_remaining(tcp->ds_tvb, segment.payload_start);
    segment.captured_length = available > 0 ? std::min(segment_length, static_cast<uint32_t>(available)) : 0;
    return segment;
}

const CachedFrame *first_pass(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, bool &waiting)
{
    if (has_field(tree, fields.icmp) || has_field(tree, fields.icmpv6))
        return nullptr;  // a TCP or UDP header quoted in an ICMP error is not a segment
    const field_info *stream = last_field(tree, fields.tcp_stream);
    if (!stream)
        return first_pass_udp(tvb, pinfo, tree);
    // (tcp.len rather than the reported length of the TCP item's own tvb,
    // which with -T fields was seen to end at the header)
    const field_info *length = last_field(tree, fields.tcp_len);
    const field_info *tcp = last_field(tree, fields.tcp);
    if (!length || !tcp)
        return nullptr;
    const std::optional<TcpSegment> header = read_tcp_segment(tcp, compat::field_uint(length), pinfo);
    if (!header)
        return nullptr;

    CachedFrame frame;
    frame.flags = kCachedTcp;
    frame.stream = compat::field_uint(stream);
    if (header->syn && !header->ack)
        frame.flags |= kSynWithoutAck;
    if (header->syn && header->ack)
        frame.flags |= kSynWithAck;
    if (has_field(tree, fields.tls_record))
        frame.flags |= kTlsRecord;
    TcpSegmentFacts facts;
    facts.flags = frame.flags & kFrameFlagBits;
    facts.frame = pinfo->num;
    facts.stream = frame.stream;
    facts.source = endpoint_of(pinfo->src, pinfo->srcport);
    facts.destination = endpoint_of(pinfo->dst, pinfo->destport);
    facts.raw_seq = header->seq;
    facts.syn = header->syn;
    facts.ack = header->ack;
    facts.raw_ack = header->ack ? header->ack_number : 0;
    facts.reported_length = compat::field_uint(length);
    facts.captured_length = header->captured_length;
    if (frame.flags & kTlsRecord)  // (Wireshark decrypts records, so no record, nothing decrypted)
        find_decrypted_application_data(pinfo, tree);
    if (facts.captured_length > 0)
        facts.payload = tvb_get_ptr(header->source, header->payload_start, static_cast<gint>(facts.captured_length));
    const TrackedSegment tracked = cache.tracker.accept(facts);
    frame.sender = tracked.sender;
    waiting = tracked.waiting;

    const bool own_bytes = header->source == tvb;
    if (tracked.run_count == 1 && own_bytes && tracked.runs[0].payload_offset) {
        frame.tls_offset = static_cast<uint32_t>(header->payload_start) + *tracked.runs[0].payload_offset;
        frame.tls_length = tracked.runs[0].length;
        frame.framing = tracked.runs[0].framing;
    } else if (tracked.run_count > 0) {
        CachedExtra extra;
        for (size_t i = 0; i < tracked.run_count; ++i)
            extra.add(tracked.runs[i].data, tracked.runs[i].length, tracked.runs[i].framing);
        cache_extra(pinfo->num, std::move(extra), frame);
    }
    CachedFrame &kept = cache_frame(pinfo->num, frame);
    cache_late_runs();
    return &kept;
}

const CachedFrame *cached(uint32_t frame_number)
{
    if (frame_number >= cache.frames.size())
        return nullptr;
    const CachedFrame &frame = cache.frames[frame_number];
    return (frame.flags & kCachedTcp) ? &frame : nullptr;
}

// Tap data lives in the packet's memory pool until the listeners have run.
struct TapRecord {
    FrameEvent event;
    ByteRun own_run;
};

void queue_for_listeners(tvbuff_t *tvb, packet_info *pinfo, const CachedFrame *frame, bool waiting)
{
    auto *record = new (wmem_alloc(pinfo->pool, sizeof(TapRecord))) TapRecord{};
    FrameEvent &event = record->event;
    event.waiting = waiting;
    event.frame_number = pinfo->num;
    event.time = Timestamp{static_cast<int64_t>(pinfo->abs_ts.secs), pinfo->abs_ts.nsecs};
    event.wire_length = pinfo->fd->pkt_len;
    if (frame) {
        event.is_tcp = true;
        event.transport = frame->flags & kCachedUdp ? Transport::Udp : Transport::Tcp;
        event.stream = frame->stream;
        event.sender = frame->sender;
        event.source = endpoint_of(pinfo->src, pinfo->srcport);
        event.destination = endpoint_of(pinfo->dst, pinfo->destport);
        event.flags = frame->flags & kFrameFlagBits;
        event.hello_version = frame->hello_version;
        if (frame->flags & kCachedExtra) {
            const CachedExtra &extra = cache.extras.at(pinfo->num);
            auto *runs = wmem_alloc_array(pinfo->pool, ByteRun, extra.run_lengths.size());
            const uint8_t *data = extra.bytes.data();
            for (size_t i = 0; i < extra.run_lengths.size(); ++i) {
                new (&runs[i]) ByteRun{data, extra.run_lengths[i], extra.run_framing[i]};
                data += extra.run_lengths[i];
            }
            event.runs = runs;
            event.run_count = extra.run_lengths.size();
        } else if (frame->tls_length > 0) {
            record->own_run = ByteRun{tvb_get_ptr(tvb, static_cast<gint>(frame->tls_offset),
                                                  static_cast<gint>(frame->tls_length)),
                                      frame->tls_length, frame->framing};
            event.runs = &record->own_run;
            event.run_count = 1;
        }
    }
    const auto decrypted = cache.decrypted_application_data.find(pinfo->num);
    if (frame && decrypted != cache.decrypted_application_data.end()) {
        const std::vector<tvbuff_t *> records = decrypted_records(pinfo);
        auto *runs = wmem_alloc_array(pinfo->pool, ByteRun, records.size());
        for (size_t i = 0; i < records.size() && i < 32; ++i) {
            if (!(decrypted->second & (1u << i)))
                continue;
            const auto length = static_cast<size_t>(tvb_captured_length(records[i]));
            new (&runs[event.decrypted_count++])
                ByteRun{tvb_get_ptr(records[i], 0, static_cast<gint>(length)), length};
        }
        event.decrypted = runs;
    }
    tap_queue_packet(tap_id, pinfo, record);
}

uint32_t tls_byte_count(uint32_t frame_number, const CachedFrame &frame)
{
    if (!(frame.flags & kCachedExtra))
        return frame.tls_length;
    uint32_t sum = 0;
    for (uint32_t length : cache.extras.at(frame_number).run_lengths)
        sum += length;
    return sum;
}

// The tlsdist.* fields, on frames that carry TLS bytes: for display filters,
// columns and I/O Graphs.
void add_fields(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const CachedFrame &frame)
{
    const uint32_t bytes = tls_byte_count(pinfo->num, frame);
    const HandshakeFacts *handshake =
        cache.tracker.handshake(frame.stream, frame.flags & kCachedUdp ? Transport::Udp : Transport::Tcp);
    if (bytes == 0 || !handshake)
        return;
    proto_item *top = proto_tree_add_item(tree, proto_tlsdist, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(top);
    proto_tree *subtree = proto_item_add_subtree(top, ett_tlsdist);
    proto_item_set_generated(proto_tree_add_uint(subtree, hf_session, tvb, 0, 0, frame.stream));
    const uint32_t direction = frame.sender == handshake->client() ? 0 : 1;
    proto_item_set_generated(proto_tree_add_uint(subtree, hf_direction, tvb, 0, 0, direction));
    proto_item_set_generated(proto_tree_add_uint(subtree, hf_bytes, tvb, 0, 0, bytes));
    proto_item_set_generated(
        proto_tree_add_string(subtree, hf_version, tvb, 0, 0, handshake->version().c_str()));
}

int dissect_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *)
{
    if (!tracking)
        return 0;
    bool waiting = false;
    const CachedFrame *frame = nullptr;
    if (PINFO_FD_VISITED(pinfo)) {
        // A later pass (tshark -2, Wireshark's re-runs) starts: what still
        // waits is given up now, so that every frame's bytes are final.
        finish_first_pass();
        frame = cached(pinfo->num);
    } else {
        cache.first_pass_unfinished = true;
        frame = first_pass(tvb, pinfo, tree, waiting);
    }
    // (a hidden tree that no filter, column or -e reads tlsdist.* from needs none)
    if (tree && frame && proto_field_is_referenced(tree, proto_tlsdist))
        add_fields(tvb, pinfo, tree, *frame);
    if (have_tap_listener(tap_id))
        queue_for_listeners(tvb, pinfo, frame, waiting);
    return 0;
}

void want_fields()
{
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    std::vector<const std::vector<int> *> lists = {
        &fields.tcp, &fields.tcp_stream, &fields.tcp_len, &fields.udp_stream, &fields.udp_payload, &fields.icmp, &fields.icmpv6,
        &fields.tls_record, &fields.dtls, &fields.dtls_record, &fields.tls_handshake,
        &fields.tls_alert, &fields.tls_heartbeat};
    const auto hello = fields.dtls_hello.all();
    lists.insert(lists.end(), hello.begin(), hello.end());
    for (const std::vector<int> *ids : lists) {
        for (int id : *ids)
            g_array_append_val(wanted, id);
    }
    set_postdissector_wanted_hfids(postdissector_handle, wanted);
}

}  // namespace

void register_protocol()
{
    static const value_string direction_names[] = {
        {0, "client to server"},
        {1, "server to client"},
        {0, nullptr},
    };
    static hf_register_info fields_info[] = {
        {&hf_session, {"Session", "tlsdist.session", FT_UINT32, BASE_DEC, nullptr, 0x0,
                       "TLS session of this frame: its TCP stream index (tcp.stream), or for DTLS its udp.stream", HFILL}},
        {&hf_direction, {"Direction", "tlsdist.direction", FT_UINT8, BASE_DEC, VALS(direction_names), 0x0,
                         "0: client to server (TX), 1: server to client (RX)", HFILL}},
        {&hf_bytes, {"TLS bytes", "tlsdist.bytes", FT_UINT32, BASE_DEC, nullptr, 0x0,
                     "TLS bytes this frame carries for the first time (retransmissions excluded)", HFILL}},
        {&hf_version, {"Session TLS version", "tlsdist.version", FT_STRING, BASE_NONE, nullptr, 0x0,
                       "Version the session negotiated (ServerHello), or the highest offered", HFILL}},
    };
    static int *subtrees[] = {&ett_tlsdist};

    proto_tlsdist = proto_register_protocol("TLS session traffic profile", "tlsdist", "tlsdist");
    proto_register_field_array(proto_tlsdist, fields_info, G_N_ELEMENTS(fields_info));
    proto_register_subtree_array(subtrees, G_N_ELEMENTS(subtrees));
    module_t *preferences = prefs_register_protocol(proto_tlsdist, nullptr);
    prefs_register_bool_preference(
        preferences, "track_always", "Track TLS sessions in every tshark run",
        "tshark runs tlsdist only when a -z tlsdist view asks for it; set this to use tlsdist.* "
        "fields in display filters or -T fields without one (Wireshark always tracks)",
        &track_in_every_run);
    prefs_register_string_preference(
        preferences, "report_title", "Title of the HTML report",
        "Names the capture in the report of -z tlsdist,html (the tlsdist command sets it to the "
        "capture file's name)",
        &report_title);

    static const enum_val_t scopes[] = {
        {"all", "All TLS bytes (record headers and fragments)", static_cast<int>(ByteScope::All)},
        {"appdata", "Application data fragments", static_cast<int>(ByteScope::ApplicationData)},
        {"handshake", "Handshake fragments", static_cast<int>(ByteScope::Handshake)},
        {"plaintext", "Decrypted application data (needs keys)", static_cast<int>(ByteScope::Plaintext)},
        {nullptr, nullptr, 0},
    };
    prefs_register_enum_preference(
        preferences, "byte_scope", "Bytes counted by the Statistics dialogs",
        "Which TLS bytes the distributions and entropy of the TLS Sessions and TLS Byte "
        "Distribution dialogs count (tshark views choose with scope= in their -z argument)",
        &dialog_scope, scopes, false);

    postdissector_handle = create_dissector_handle(dissect_frame, proto_tlsdist);
    register_postdissector(postdissector_handle);
    tap_id = register_tap(kTapName);
    register_init_routine(start_capture_file);
    register_cleanup_routine(clear_cache);
}

void register_handoff()
{
    fields.tcp = field_ids("tcp");
    fields.tcp_stream = field_ids("tcp.stream");
    fields.tcp_len = field_ids("tcp.len");
    fields.icmp = field_ids("icmp");
    fields.icmpv6 = field_ids("icmpv6");
    fields.tls_record = field_ids("tls.record");
    fields.udp_stream = field_ids("udp.stream");
    fields.udp_payload = field_ids("udp.payload");
    fields.dtls = field_ids("dtls");
    fields.dtls_record = field_ids("dtls.record");
    fields.tls_handshake = field_ids("tls.handshake");
    fields.tls_alert = field_ids("tls.alert_message");
    fields.tls_heartbeat = field_ids("tls.heartbeat_message");
    fields.dtls_hello.look_up();
    fields.tls_cipher_suite = field_ids("tls.handshake.ciphersuite");
    cache.tracker.set_cipher_suite_namer(cipher_suite_name);

    // The GUI can open a tlsdist view at any time, and its re-runs do not
    // prime postdissector fields: the first pass must always fill the cache.
    const char *program = g_get_prgname();
    if (!program || g_strcmp0(program, "tshark") != 0)
        enable_tracking();
}

void enable_tracking()
{
    if (tracking)
        return;
    tracking = true;
    want_fields();
}

const CaptureTracker &capture_tracker()
{
    return cache.tracker;
}

void finish_first_pass()
{
    if (!cache.first_pass_unfinished)
        return;
    cache.first_pass_unfinished = false;
    cache.tracker.finish();
    cache_late_runs();
}

ByteScope dialog_byte_scope()
{
    return static_cast<ByteScope>(dialog_scope);
}

const char *html_report_title()
{
    return report_title ? report_title : "";
}

}  // namespace tlsdist
