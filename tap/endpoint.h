// A transport endpoint (IP address and port) held in binary form, so that the
// per-frame path never formats strings.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tlsdist {

struct Endpoint {
    enum class Family : uint8_t { None, IPv4, IPv6 };

    Family family = Family::None;
    std::array<uint8_t, 16> address{};
    uint16_t port = 0;

    static Endpoint ipv4(const uint8_t bytes[4], uint16_t port);
    static Endpoint ipv6(const uint8_t bytes[16], uint16_t port);

    bool operator==(const Endpoint &other) const
    {
        return family == other.family && address == other.address && port == other.port;
    }
    bool operator!=(const Endpoint &other) const { return !(*this == other); }
};

// "192.0.2.1", "2001:db8::1" (RFC 5952), "-" when the address is not IP:
// the text glibc's inet_ntop writes, which is what Wireshark shows on Linux
// (IPv4-mapped and IPv4-compatible IPv6 addresses end in dotted decimal:
// "::ffff:192.0.2.1", "::192.0.2.1"). Written here, without the sockets API,
// so that the core builds for Windows too.
std::string address_text(const Endpoint &endpoint);

// The endpoint whose address_text is text ("-": no IP address), with this
// port; nothing when text is not such an address. Reads back what
// address_text writes, and any other IPv4 or IPv6 text form.
std::optional<Endpoint> parse_address(std::string_view text, uint16_t port);

// The longest address_text: eight groups of four hex digits and seven colons.
constexpr size_t kAddressTextMax = 39;

// Writes address_text(endpoint) at out, which has room for kAddressTextMax
// characters; returns the end of what it wrote.
char *write_address_text(char *out, const Endpoint &endpoint);

// "192.0.2.1:443", "[2001:db8::1]:443".
std::string endpoint_text(const Endpoint &endpoint);

}  // namespace tlsdist
