// Who the client of a TCP connection is and which TLS version it negotiated,
// from what its frames showed: hellos first, then the SYN, then who spoke first.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "flag_set.h"
#include "record_framer.h"
#include "tls_protocol.h"

namespace tlsdist {

// What a frame tells about who the client is and which version was chosen.
enum class FrameFlag : uint8_t {
    SynWithoutAck,  // opens the connection: its sender is the client if no hello is seen
    ClientHello,
    ServerHello,
    TlsDissected,   // Wireshark read TLS here: its TLS dissector ran on the frame (TCP), its DTLS
                    // dissector showed a record (UDP)
    SynWithAck,     // answers the opening: its receiver is the client if no SYN is seen
};
using FrameFlags = FlagSet<FrameFlag>;
constexpr FrameFlags operator|(FrameFlag a, FrameFlag b) { return FrameFlags(a) | b; }

// What one hello says beyond the version, as Wireshark dissected it.
struct HelloDetails {
    std::string server_name;   // ClientHello: server_name (SNI)
    std::string alpn;          // ClientHello: protocols offered, joined by ","; ServerHello: the one selected
    std::string cipher_suite;  // ServerHello: the suite selected, by name
    std::string fingerprint;   // JA3 of a ClientHello, JA3S of a ServerHello
    std::string ja4;           // ClientHello: JA4, where Wireshark computes it (4.2 and later)
    std::string session_id;    // legacy_session_id, its bytes (at most 32)
    bool pre_shared_key = false;  // ServerHello: the pre_shared_key extension (a PSK was accepted)
    uint16_t version = 0;      // ServerHello: the version selected
    bool hello_retry_request = false;  // ServerHello: RFC 8446's HelloRetryRequest random
};

enum class Resumption : uint8_t { Unknown, Full, Resumed };

// A session's metadata: from its first ClientHello and its first ServerHello.
struct SessionMetadata {
    std::string server_name;
    std::string alpn_offered;
    std::string alpn_selected;  // not visible in TLS 1.3 without keys (EncryptedExtensions)
    std::string cipher_suite;
    std::string ja3;
    std::string ja3s;
    std::string ja4;
    // The ClientHello's session id, kept in place (no allocation per session).
    std::array<uint8_t, kMaxSessionIdLength> client_session_id{};
    uint8_t client_session_id_length = 0;
    // TLS 1.3: the ServerHello accepted a pre-shared key. Earlier versions: it
    // echoed the ClientHello's non-empty session id (abbreviated handshake).
    Resumption resumption = Resumption::Unknown;
    uint32_t client_hellos = 0;  // ClientHello messages seen: >1 is a retry (HRR) or renegotiation
    // What the ServerHello says about resumption, kept until both hellos are
    // known (the two sides' streams join at their own pace).
    std::array<uint8_t, kMaxSessionIdLength> server_session_id{};
    uint8_t server_session_id_length = 0;
    bool server_pre_shared_key = false;
    uint16_t server_version = 0;
};

// "resumed", "full", "" (no ServerHello seen).
const char *resumption_text(Resumption resumption);

class HandshakeFacts {
public:
    HandshakeFacts() = default;
    HandshakeFacts(const HandshakeFacts &other);
    HandshakeFacts &operator=(const HandshakeFacts &other);
    HandshakeFacts(HandshakeFacts &&) = default;
    HandshakeFacts &operator=(HandshakeFacts &&) = default;

    // sender: 0 for the side that sent the connection's first frame, else 1.
    // hello_version: with ServerHello the version it selected, with
    // ClientHello the highest one offered.
    void observe(uint8_t sender, FrameFlags flags, uint16_t hello_version);
    // Details of a hello in a frame with ClientHello or ServerHello.
    void observe_details(bool server_hello, const HelloDetails &details);
    void count_client_hellos(uint32_t count);
    // A piece of a record the sender sent, in stream order (first pass).
    void observe_content(uint8_t sender, ContentKind kind);
    // TLS began on one side (doc/tcp-accounting.md, section 5).
    void observe_tls_began() { tls_began_ = true; }
    // The ports of the connection's first frame: sender 0's, then the other side's.
    void observe_ports(uint16_t sender_port, uint16_t receiver_port);

    // The SYN's sender; else the SYN+ACK's receiver; else the ClientHello's
    // sender; else the ServerHello's receiver; else the side on the higher
    // port (servers listen on the lower, well-known one); else sender 0.
    uint8_t client() const;
    // A session: TLS began on one of its sides, and tlsdist read a hello
    // there or (a connection caught without its handshake) Wireshark read
    // TLS on it (FrameFlag::TlsDissected).
    bool is_session() const
    {
        return tls_began_ && (client_hello_sender_ >= 0 || server_hello_sender_ >= 0 || tls_dissected_);
    }
    // "TLS 1.2", "TLS 1.3 (offered)" when no ServerHello was seen, or "unknown".
    std::string version() const;
    // Empty strings where nothing was seen.
    const SessionMetadata &metadata() const;
    // "yes" when both sides finished the handshake as far as the records show
    // (TLS 1.3: both sent application_data records, which carry the encrypted
    // Finished; earlier: both sent a record after their ChangeCipherSpec),
    // "no" when they did not, "" when no hello was seen or when it is not
    // seen but some of a side's records could not be framed.
    const char *handshake_completed() const;

private:
    int8_t client_hello_sender_ = -1;
    int8_t server_hello_sender_ = -1;
    int8_t syn_sender_ = -1;
    int8_t syn_ack_sender_ = -1;
    int8_t higher_port_sender_ = -1;
    uint16_t selected_version_ = 0;
    uint16_t offered_version_ = 0;
    bool tls_dissected_ = false;
    bool tls_began_ = false;
    bool client_details_seen_ = false;
    bool server_details_seen_ = false;
    bool server_details_are_retry_ = false;  // from a HelloRetryRequest: a ServerHello may follow
    struct RecordProgress {
        bool change_cipher_spec = false;
        bool record_after_change_cipher_spec = false;
        bool application_data = false;
        bool unframed = false;
    };
    RecordProgress progress_[2];  // by sender
    // Allocated at the first hello: most connections of a capture are not TLS.
    std::unique_ptr<SessionMetadata> metadata_;
};

}  // namespace tlsdist
