#include "tls_version.h"

#include <cstdio>

#include "tls_protocol.h"

namespace tlsdist {

using namespace wire_version;

bool is_grease(uint16_t value)
{
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

bool is_tls13_draft(uint16_t version)
{
    return version >= kTls13FirstDraft && version <= kTls13LastDraft;
}

bool is_tls13_family(uint16_t version)
{
    return version == kTls13 || version == kDtls13 || is_tls13_draft(version) || version == kFacebookDraft23 ||
           version == kFacebookDraft26;
}

bool is_dtls(uint16_t version)
{
    return version >= kDtls13 && version <= kDtls10;
}

std::string version_name(uint16_t version)
{
    char text[40];
    if (is_tls13_draft(version)) {
        std::snprintf(text, sizeof text, "TLS 1.3 (draft %d)", version - kTls13DraftBase);
        return text;
    }
    if (version == kFacebookDraft23 || version == kFacebookDraft26) {
        std::snprintf(text, sizeof text, "TLS 1.3 (Facebook draft %d)", version == kFacebookDraft23 ? 23 : 26);
        return text;
    }
    switch (version) {
    case kSsl2: return "SSL 2.0";
    case kSsl3: return "SSL 3.0";
    case kTls10: return "TLS 1.0";
    case kTls11: return "TLS 1.1";
    case kTls12: return "TLS 1.2";
    case kTls13: return "TLS 1.3";
    case kDtls10: return "DTLS 1.0";
    case kDtls12: return "DTLS 1.2";
    case kDtls13: return "DTLS 1.3";
    default: break;
    }
    std::snprintf(text, sizeof text, "0x%04x", version);
    return text;
}

int version_rank(uint16_t version)
{
    if (version == kSsl2)
        return 1;
    if (version >= kSsl3 && version <= kTls12)
        return 2 + 2 * (version - kSsl3);  // 2, 4, 6, 8
    if (version == kTls13)
        return 10;
    // DTLS counts down from 0xfeff (1.0); 0xfefe was never used.
    if (is_dtls(version))
        return 2 + 2 * (kDtls10 - version);
    if (is_tls13_family(version))
        return 9;
    return 0;
}

}  // namespace tlsdist
