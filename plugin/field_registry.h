// The Wireshark fields tlsdist reads, each declared once below: its names
// become hf ids at hand-off, wanted ones are primed for the postdissector,
// and the readers here read them from a frame's tree. Adding a field is one
// line in the list.
#pragma once

#include "compat.h"

#include <epan/packet.h>
#include <epan/proto.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace tlsdist {

class Field {
public:
    // NamesOnly: its ids are looked up (for value names, or a search in a
    // visible tree) but never primed. WhenAsked: primed once want_from_next_frame
    // has been called, for the rest of the run.
    enum class Use { Wanted, NamesOnly, WhenAsked };
    // Every hf id registered under any of the names counts (tls.record is
    // registered by the TLS and the SSLv2 code; priming one misses the other's).
    Field(std::initializer_list<const char *> names, Use use = Use::Wanted);
    Field(const Field &) = delete;
    Field &operator=(const Field &) = delete;

    const std::vector<int> &ids() const { return ids_; }
    bool is(const header_field_info *info) const
    {
        for (int id : ids_) {
            if (id == info->id)
                return true;
        }
        return false;
    }
    bool present(proto_tree *tree) const { return first_array(tree) != nullptr; }
    const field_info *last(proto_tree *tree) const;
    // The last occurrence found by walking the tree: for a field that is not
    // primed, in a tree where Wireshark fakes nothing (a visible one).
    const field_info *last_by_search(proto_tree *tree) const;
    // The first occurrence's text (string fields), or "".
    std::string first_string(proto_tree *tree) const;
    template <typename Visit>
    void for_each(proto_tree *tree, Visit visit) const
    {
        for (int id : ids_) {
            GPtrArray *found = proto_get_finfo_ptr_array(tree, id);
            if (!found)
                continue;
            for (guint i = 0; i < found->len; ++i)
                visit(static_cast<const field_info *>(g_ptr_array_index(found, i)));
        }
    }

    // At hand-off, once every protocol has registered its fields.
    static void look_up_all();
    // The postdissector asks Wireshark to fill these in every tree.
    static void want_all(dissector_handle_t postdissector);
    bool wanted() const { return wanted_; }
    // A WhenAsked field, or a Wanted one that stopped being wanted: Wireshark
    // primes every tree with it too, from the frame after this one on (it
    // primes before dissecting a frame).
    void want_from_next_frame();
    // Not primed from the frame after this one on.
    void stop_wanting_from_next_frame();

private:
    GPtrArray *first_array(proto_tree *tree) const;
    std::vector<const char *> names_;
    Use use_;
    bool wanted_;
    std::vector<int> ids_;
};

// A bytes field's bytes, read from the data it was dissected from (the same
// in every Wireshark version, unlike the fvalue API).
std::string field_bytes(const field_info *fi);

// Wireshark's name for a TLS cipher suite, as its TLS dissector shows it.
const char *cipher_suite_name(uint16_t suite);

// The current value of a preference of any protocol as text, empty if none.
std::string preference_text(const char *module_name, const char *name);

// Whether TLS or DTLS may decrypt anything in this run: a key log, key list or
// PSK preference is set, a key table has a row, or the frame comes from a
// pcapng file (its Decryption Secrets Blocks may come at any point, and no API
// tells a plugin TLS has read one).
bool decryption_keys_can_exist(const packet_info *pinfo);

namespace fields {
// (inline: one definition each, listed by its constructor)
// (wanted only once a TCP item was seen away from the tree's root: first_pass.cpp)
inline Field tcp{{"tcp"}, Field::Use::WhenAsked};
inline Field tcp_stream{"tcp.stream"};
// (wanted only where the TCP item's tvb does not give it: first_pass.cpp)
inline Field tcp_len{{"tcp.len"}, compat::kTcpItemHoldsSegment ? Field::Use::NamesOnly : Field::Use::Wanted};
inline Field udp_stream{"udp.stream"};
inline Field udp_payload{"udp.payload"};
// TLS messages, decrypted ones too: what tells application data from the rest.
inline Field tls_handshake{"tls.handshake"};
inline Field tls_alert{"tls.alert_message"};
inline Field tls_heartbeat{"tls.heartbeat_message"};
inline Field dtls_handshake{"dtls.handshake"};
inline Field dtls_alert{"dtls.alert_message"};
inline Field dtls_heartbeat{"dtls.heartbeat_message"};
// (wanted only where keys can exist: frame_tracker.cpp)
inline Field *const decrypted_messages[] = {&tls_handshake, &tls_alert,      &tls_heartbeat,
                                            &dtls_handshake, &dtls_alert, &dtls_heartbeat};
inline Field tls_cipher_suite{{"tls.handshake.ciphersuite"}, Field::Use::NamesOnly};  // for its names
inline Field dtls{"dtls"};
inline Field dtls_record{"dtls.record"};
}  // namespace fields

}  // namespace tlsdist
