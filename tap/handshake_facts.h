// Who the client of a TCP connection is and which TLS version it negotiated,
// from what its frames showed: hellos first, then the SYN, then who spoke first.
#pragma once

#include <cstdint>
#include <string>

namespace tlsdist {

enum FrameFlag : uint8_t {
    kSynWithoutAck = 1 << 0,  // opens the connection: its sender is the client if no hello is seen
    kClientHello = 1 << 1,
    kServerHello = 1 << 2,
    kTlsRecord = 1 << 3,      // Wireshark's TLS dissector shows a record in this frame
};

class HandshakeFacts {
public:
    // sender: 0 for the side that sent the connection's first frame, else 1.
    // hello_version: with kServerHello the version it selected, with
    // kClientHello the highest one offered.
    void observe(uint8_t sender, uint8_t flags, uint16_t hello_version);

    uint8_t client() const;
    // Wireshark's TLS dissector showed a record on the connection.
    bool record_seen() const { return record_seen_; }
    // "TLS 1.2", "TLS 1.3 (offered)" when no ServerHello was seen, or "unknown".
    std::string version() const;

private:
    int8_t client_hello_sender_ = -1;
    int8_t syn_sender_ = -1;
    uint16_t selected_version_ = 0;
    uint16_t offered_version_ = 0;
    bool record_seen_ = false;
};

}  // namespace tlsdist
