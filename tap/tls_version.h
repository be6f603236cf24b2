// Naming of SSL/TLS protocol versions as analysts read them ("TLS 1.3").
#pragma once

#include <cstdint>
#include <string>

namespace tlsdist {

// GREASE values (RFC 8701) look like versions but are never negotiated.
bool is_grease(uint16_t value);

// "SSL 2.0", "SSL 3.0", "TLS 1.0" ... "TLS 1.3", "DTLS 1.0", "DTLS 1.2",
// "DTLS 1.3"; unknown values as "0x7f1c".
std::string version_name(uint16_t version);

// Orders versions by age; SSL 2.0's wire value (0x0002) sorts below SSL 3.0.
// (DTLS versions are ranked among themselves: a session is one or the other.)
// Values that are not SSL/TLS versions (e.g. draft or GREASE) rank lowest.
int version_rank(uint16_t version);

}  // namespace tlsdist
