#include "frame_tracker.h"

#include "compat.h"

#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/epan_dissect.h>
#include <epan/tap.h>

#include "field_registry.h"
#include "first_pass.h"
#include "tap_events.h"

namespace tlsdist {

namespace {

int proto_tlsdist = -1;
int hf_session = -1;
int hf_direction = -1;
int hf_bytes = -1;
int hf_version = -1;
int ett_tlsdist = -1;
int tap_id = -1;
dissector_handle_t postdissector_handle;
bool tracking = false;
// tshark only: a tap push has reached tlsdist's own listener, so taps run
// after every frame from now on and frames can be read at tap time.
bool taps_run = false;
// Whether decryption_keys_can_exist was asked (once: tshark reads one file
// with the preferences it started with).
bool keys_checked = false;
compat::BoolPreference track_in_every_run = false;  // preference tlsdist.track_always
const char *report_title = "";        // preference tlsdist.report_title
int dialog_scope = static_cast<int>(ByteScope::All);  // preference tlsdist.byte_scope

FirstPass first_pass;

// The headers TCP's tap gave for the frame being read at tap time.
std::vector<TcpTapHeader> tcp_tap_headers;
uint32_t tcp_tap_headers_frame = 0;

void clear_first_pass()
{
    first_pass.clear();
    tcp_tap_headers.clear();
    tcp_tap_headers_frame = 0;
}

void start_capture_file()
{
    first_pass.clear();
    if (track_in_every_run)
        enable_tracking();
}

// The tlsdist.* fields, on frames that carry TLS bytes: for display filters,
// columns and I/O Graphs.
void add_fields(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const CachedFrame &frame)
{
    const uint32_t bytes = first_pass.cache().tls_byte_count(pinfo->num, frame);
    const HandshakeFacts *handshake = first_pass.tracker().handshake(frame.stream, frame.transport);
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

// Whether the frame is read at tap time, after every dissector, instead of
// now. In tshark, once taps are seen to run, a hidden tree that nothing reads
// tlsdist.* from is read there (TCP's tap, which the first pass can use,
// comes before tlsdist's in the frame's push). The first frame, tshark -2's
// first pass (no taps), visible trees and Wireshark are read here.
bool read_at_tap_time(const packet_info *pinfo, proto_tree *tree)
{
    return taps_run && !PINFO_FD_VISITED(pinfo) && tree && !PTREE_DATA(tree)->visible &&
           !proto_field_is_referenced(tree, proto_tlsdist);
}

int dissect_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *)
{
    if (read_at_tap_time(pinfo, tree)) {
        // From the next frame on TCP's tap tells the stream; tlsdist,shard
        // still lists every stream index from the tree.
        if (!first_pass.listing_streams())
            fields::tcp_stream.stop_wanting_from_next_frame();
        // The messages found in decrypted records: none where nothing can decrypt.
        if (!keys_checked) {
            keys_checked = true;
            if (!decryption_keys_can_exist(pinfo)) {
                for (Field *messages : fields::decrypted_messages)
                    messages->stop_wanting_from_next_frame();
            }
        }
        queue_unread_frame(tap_id, tvb, pinfo);
        return 0;
    }
    bool waiting = false;
    const CachedFrame *frame = nullptr;
    if (PINFO_FD_VISITED(pinfo)) {
        // A later pass (tshark -2, Wireshark's re-runs) starts: what still
        // waits is given up now, so that every frame's bytes are final.
        first_pass.finish();
        frame = first_pass.cache().find(pinfo->num);
    } else {
        frame = first_pass.read(tvb, pinfo, tree, waiting);
    }
    // (a hidden tree that no filter, column or -e reads tlsdist.* from needs none)
    if (tree && frame && proto_field_is_referenced(tree, proto_tlsdist))
        add_fields(tvb, pinfo, tree, *frame);
    if (have_tap_listener(tap_id))
        queue_frame_event(tap_id, tvb, pinfo, first_pass.cache(), frame, waiting);
    return 0;
}

// Reads the frames queued unread when no view asked first (a view with a
// filter is not called for frames the filter drops).
tap_packet_status read_unread_frame(void *, packet_info *pinfo, epan_dissect_t *edt, const void *tap_data,
                                    tap_flags_t)
{
    taps_run = true;
    frame_event(tap_data, pinfo, edt);
    return TAP_PACKET_DONT_REDRAW;
}

tap_packet_status note_tcp_header(void *, packet_info *pinfo, epan_dissect_t *, const void *tap_data, tap_flags_t)
{
    const auto *header = static_cast<const tcpheader *>(tap_data);
    if (tcp_tap_headers_frame != pinfo->num) {
        tcp_tap_headers.clear();
        tcp_tap_headers_frame = pinfo->num;
    }
    tcp_tap_headers.push_back(TcpTapHeader{
        header->th_stream, header->th_rawseq, header->th_rawack, header->th_sport, header->th_dport,
        header->th_have_seglen ? std::optional<uint32_t>(header->th_seglen) : std::nullopt});
    return TAP_PACKET_DONT_REDRAW;
}

bool in_tshark()
{
    const char *program = g_get_prgname();
    return program && g_strcmp0(program, "tshark") == 0;
}

}  // namespace

const FrameEvent &frame_event(const void *tap_data, packet_info *pinfo, epan_dissect_t *edt)
{
    // (records are made in the packet's pool by tap_events.cpp, writable)
    auto *record = static_cast<TapRecord *>(const_cast<void *>(tap_data));
    if (record->unread) {
        tvbuff_t *tvb = record->unread;
        bool waiting = false;
        static const std::vector<TcpTapHeader> none;
        const CachedFrame *frame = first_pass.read(tvb, pinfo, edt->tree, waiting,
                                                   tcp_tap_headers_frame == pinfo->num ? &tcp_tap_headers : &none);
        fill_frame_event(*record, tvb, pinfo, first_pass.cache(), frame, waiting);
    }
    return record->event;
}

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
    tap_id = register_tap(kTapName);
    register_init_routine(start_capture_file);
    register_cleanup_routine(clear_first_pass);
}

void register_handoff()
{
    Field::look_up_all();
    first_pass.tracker().set_cipher_suite_namer(cipher_suite_name);

    // The GUI can open a tlsdist view at any time, and its re-runs do not
    // prime postdissector fields: the first pass must always fill the cache.
    if (!in_tshark())
        enable_tracking();
}

void enable_tracking()
{
    if (tracking)
        return;
    tracking = true;
    // Registered only now: Wireshark's bookkeeping for calling a postdissector
    // costs every frame even when it returns at once (about 600 to 900
    // instructions, bench/PROFILE.md), which a tshark run that asks nothing
    // of tlsdist should not pay.
    register_postdissector(postdissector_handle);
    Field::want_all(postdissector_handle);
    // (no filter, so registering cannot fail; if it did, every frame would be
    // read by the postdissector, as in Wireshark)
    static int own_listener;
    const auto listen = [](const char *tap, guint flags, tap_packet_cb packet) {
        GString *error = register_tap_listener(tap, &own_listener, nullptr, flags, nullptr, packet, nullptr, nullptr);
        if (error)
            g_string_free(error, TRUE);
        return !error;
    };
    if (in_tshark() && listen("tcp", TL_REQUIRES_NOTHING, note_tcp_header))
        listen(kTapName, TL_REQUIRES_PROTO_TREE, read_unread_frame);
}

void list_streams()
{
    first_pass.list_streams();
}

const std::vector<uint32_t> &stream_first_frames(Transport transport)
{
    return first_pass.stream_first_frames(transport);
}

const CaptureTracker &capture_tracker()
{
    return first_pass.tracker();
}

void finish_first_pass()
{
    first_pass.finish();
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
