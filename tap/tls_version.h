// Naming of SSL/TLS protocol versions as analysts read them ("TLS 1.3").
#pragma once

#include <cstdint>
#include <string>

namespace tlsdist {

// GREASE values (RFC 8701) look like versions but are never negotiated.
bool is_grease(uint16_t value);

// The TLS 1.3 drafts 14 to 28 (0x7f0e..0x7f1c).
bool is_tls13_draft(uint16_t version);

// The versions with TLS 1.3's handshake (resumption by pre-shared key,
// encrypted handshake after the ServerHello): TLS 1.3, DTLS 1.3 (0xfefc) and
// the versions that stood for TLS 1.3 before RFC 8446: the drafts
// 0x7f0e..0x7f1c and Facebook's 0xfb17 and 0xfb1a.
bool is_tls13_family(uint16_t version);

// DTLS 1.0, 1.2, 1.3 (0xfeff, 0xfefd, 0xfefc; 0xfefe was never used, but is
// in the range).
bool is_dtls(uint16_t version);

// "SSL 2.0", "SSL 3.0", "TLS 1.0" ... "TLS 1.3", "TLS 1.3 (draft 23)",
// "TLS 1.3 (Facebook draft 26)" (as Wireshark names them), "DTLS 1.0",
// "DTLS 1.2", "DTLS 1.3"; unknown values as "0x7f2c".
std::string version_name(uint16_t version);

// Orders versions by age; SSL 2.0's wire value (0x0002) sorts below SSL 3.0.
// (DTLS versions are ranked among themselves: a session is one or the other.)
// TLS 1.3 drafts rank between TLS 1.2 and TLS 1.3. Values that are not
// SSL/TLS versions (e.g. GREASE) rank lowest.
int version_rank(uint16_t version);

}  // namespace tlsdist
