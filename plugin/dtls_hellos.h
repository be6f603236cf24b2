// The hellos of a DTLS datagram, as Wireshark's DTLS dissector shows them
// (TLS hellos the core reads itself from each side's stream: hello_parser.h).
#pragma once

#include <epan/proto.h>

#include <cstdint>

#include "handshake_facts.h"

namespace tlsdist {

struct DtlsHellos {
    FrameFlags flags;            // ClientHello, ServerHello
    uint16_t version = 0;        // selected by a ServerHello, highest offered by a ClientHello
    uint8_t client_hellos = 0;   // ClientHello type fields in the frame (fragments too)
};

DtlsHellos read_dtls_hellos(proto_tree *tree);

// SNI, ALPN, cipher suite, JA3/JA3S/JA4, session id and PSK acceptance of
// the hello in this frame.
HelloDetails read_dtls_hello_details(proto_tree *tree, bool server_hello, uint16_t version);

// Wireshark's name for a TLS cipher suite, as its TLS dissector shows it.
const char *cipher_suite_name(uint16_t suite);

}  // namespace tlsdist
