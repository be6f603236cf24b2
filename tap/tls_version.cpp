#include "tls_version.h"

#include <cstdio>

namespace tlsdist {

bool is_grease(uint16_t value)
{
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

bool is_tls13_family(uint16_t version)
{
    return version == 0x0304 || version == 0xfefc || (version >= 0x7f0e && version <= 0x7f1c) || version == 0xfb17 ||
           version == 0xfb1a;
}

std::string version_name(uint16_t version)
{
    char text[40];
    if (version >= 0x7f0e && version <= 0x7f1c) {
        std::snprintf(text, sizeof text, "TLS 1.3 (draft %d)", version - 0x7f00);
        return text;
    }
    if (version == 0xfb17 || version == 0xfb1a) {
        std::snprintf(text, sizeof text, "TLS 1.3 (Facebook draft %d)", version == 0xfb17 ? 23 : 26);
        return text;
    }
    switch (version) {
    case 0x0002: return "SSL 2.0";
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    case 0xfeff: return "DTLS 1.0";
    case 0xfefd: return "DTLS 1.2";
    case 0xfefc: return "DTLS 1.3";
    default: break;
    }
    std::snprintf(text, sizeof text, "0x%04x", version);
    return text;
}

int version_rank(uint16_t version)
{
    if (version == 0x0002)
        return 1;
    if (version >= 0x0300 && version <= 0x0303)
        return 2 + 2 * (version - 0x0300);  // 2, 4, 6, 8
    if (version == 0x0304)
        return 10;
    // DTLS counts down from 0xfeff (1.0); 0xfefe was never used.
    if (version >= 0xfefc && version <= 0xfeff)
        return 2 + 2 * (0xfeff - version);
    if (is_tls13_family(version))
        return 9;
    return 0;
}

}  // namespace tlsdist
