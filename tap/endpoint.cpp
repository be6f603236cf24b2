#include "endpoint.h"

#include <cstring>

namespace tlsdist {

namespace {

Endpoint make_endpoint(Endpoint::Family family, const uint8_t *bytes, size_t length, uint16_t port)
{
    Endpoint e;
    e.family = family;
    std::memcpy(e.address.data(), bytes, length);
    e.port = port;
    return e;
}

char *write_dotted_decimal(char *out, const uint8_t *bytes)
{
    for (int i = 0; i < 4; ++i) {
        if (i > 0)
            *out++ = '.';
        const unsigned value = bytes[i];
        if (value >= 100)
            *out++ = static_cast<char>('0' + value / 100);
        if (value >= 10)
            *out++ = static_cast<char>('0' + value / 10 % 10);
        *out++ = static_cast<char>('0' + value % 10);
    }
    return out;
}

// A group in lower-case hex without leading zeros (RFC 5952 4.1, 4.3).
char *write_group(char *out, unsigned group)
{
    static const char kHex[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned digit = (group >> shift) & 0xf;
        if (digit != 0 || started || shift == 0) {
            *out++ = kHex[digit];
            started = true;
        }
    }
    return out;
}

char *write_ipv6(char *out, const uint8_t *bytes)
{
    unsigned groups[8];
    for (int i = 0; i < 8; ++i)
        groups[i] = unsigned{bytes[2 * i]} << 8 | bytes[2 * i + 1];
    // The longest run of zero groups, the first of equally long ones, and
    // only a run of two or more (RFC 5952 4.2), becomes "::".
    int best_start = -1, best_length = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int end = i;
        while (end < 8 && groups[end] == 0)
            ++end;
        if (end - i > best_length) {
            best_start = i;
            best_length = end - i;
        }
        i = end;
    }
    if (best_length < 2)
        best_start = -1;
    for (int i = 0; i < 8; ++i) {
        if (best_start >= 0 && i >= best_start && i < best_start + best_length) {
            if (i == best_start)
                *out++ = ':';
            continue;
        }
        if (i > 0)
            *out++ = ':';
        // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d), as
        // inet_ntop writes them.
        if (i == 6 && best_start == 0 && (best_length == 6 || (best_length == 5 && groups[5] == 0xffff)))
            return write_dotted_decimal(out, bytes + 12);
        out = write_group(out, groups[i]);
    }
    if (best_start >= 0 && best_start + best_length == 8)
        *out++ = ':';
    return out;
}

}  // namespace

Endpoint Endpoint::ipv4(const uint8_t bytes[4], uint16_t port)
{
    return make_endpoint(Family::IPv4, bytes, 4, port);
}

Endpoint Endpoint::ipv6(const uint8_t bytes[16], uint16_t port)
{
    return make_endpoint(Family::IPv6, bytes, 16, port);
}

char *write_address_text(char *out, const Endpoint &endpoint)
{
    switch (endpoint.family) {
    case Endpoint::Family::IPv4:
        return write_dotted_decimal(out, endpoint.address.data());
    case Endpoint::Family::IPv6:
        return write_ipv6(out, endpoint.address.data());
    case Endpoint::Family::None:
        break;
    }
    *out++ = '-';
    return out;
}

std::string address_text(const Endpoint &endpoint)
{
    char text[kAddressTextMax];
    return std::string(text, write_address_text(text, endpoint));
}

std::string endpoint_text(const Endpoint &endpoint)
{
    const std::string address = address_text(endpoint);
    const std::string port = std::to_string(endpoint.port);
    if (endpoint.family == Endpoint::Family::IPv6)
        return "[" + address + "]:" + port;
    return address + ":" + port;
}

}  // namespace tlsdist
