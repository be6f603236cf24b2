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

// Dotted decimal a.b.c.d (each 0..255, at most three digits) into bytes.
bool parse_dotted_decimal(std::string_view text, uint8_t *bytes)
{
    size_t at = 0;
    for (int i = 0; i < 4; ++i) {
        if (i > 0) {
            if (at >= text.size() || text[at] != '.')
                return false;
            ++at;
        }
        unsigned value = 0;
        size_t digits = 0;
        for (; at < text.size() && text[at] >= '0' && text[at] <= '9' && digits < 3; ++at, ++digits)
            value = value * 10 + static_cast<unsigned>(text[at] - '0');
        if (digits == 0 || value > 255)
            return false;
        bytes[i] = static_cast<uint8_t>(value);
    }
    return at == text.size();
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Groups of hex digits separated by colons, with at most one "::" and a
// dotted-decimal tail (the last 32 bits), into 16 bytes.
bool parse_ipv6(std::string_view text, uint8_t *bytes)
{
    uint16_t head[8], tail[8];
    int head_count = 0, tail_count = 0;
    bool compressed = false;
    size_t at = 0;
    if (text.substr(0, 2) == "::") {
        compressed = true;
        at = 2;
    }
    while (at < text.size()) {
        uint16_t *groups = compressed ? tail : head;
        int &count = compressed ? tail_count : head_count;
        if (head_count + tail_count >= 8)
            return false;
        const size_t end = text.find(':', at);
        const std::string_view group = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        if (end == std::string_view::npos && group.find('.') != std::string_view::npos) {
            // The last 32 bits in dotted decimal.
            uint8_t quad[4];
            if (head_count + tail_count > 6 || !parse_dotted_decimal(group, quad))
                return false;
            groups[count++] = static_cast<uint16_t>(quad[0] << 8 | quad[1]);
            groups[count++] = static_cast<uint16_t>(quad[2] << 8 | quad[3]);
            at = text.size();
            break;
        }
        if (group.empty() || group.size() > 4)
            return false;
        unsigned value = 0;
        for (char c : group) {
            const int digit = hex_digit(c);
            if (digit < 0)
                return false;
            value = value << 4 | static_cast<unsigned>(digit);
        }
        groups[count++] = static_cast<uint16_t>(value);
        if (end == std::string_view::npos) {
            at = text.size();
            break;
        }
        at = end + 1;
        if (at < text.size() && text[at] == ':') {
            if (compressed)
                return false;  // a second "::"
            compressed = true;
            ++at;
        } else if (at == text.size()) {
            return false;  // a single colon at the end
        }
    }
    const int total = head_count + tail_count;
    if (compressed ? total > 7 : total != 8)
        return false;
    uint16_t groups[8] = {};
    for (int i = 0; i < head_count; ++i)
        groups[i] = head[i];
    for (int i = 0; i < tail_count; ++i)
        groups[8 - tail_count + i] = tail[i];
    for (int i = 0; i < 8; ++i) {
        bytes[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
        bytes[2 * i + 1] = static_cast<uint8_t>(groups[i] & 0xff);
    }
    return true;
}

}  // namespace

std::optional<Endpoint> parse_address(std::string_view text, uint16_t port)
{
    uint8_t bytes[16];
    if (text == "-") {
        Endpoint none;
        none.port = port;
        return none;
    }
    if (text.find(':') == std::string_view::npos) {
        if (!parse_dotted_decimal(text, bytes))
            return std::nullopt;
        return Endpoint::ipv4(bytes, port);
    }
    if (!parse_ipv6(text, bytes))
        return std::nullopt;
    return Endpoint::ipv6(bytes, port);
}

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
