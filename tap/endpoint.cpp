#include "endpoint.h"

#include <arpa/inet.h>
#include <cstring>

namespace tlsdist {

Endpoint Endpoint::ipv4(const uint8_t bytes[4], uint16_t port)
{
    Endpoint e;
    e.family = Family::IPv4;
    std::memcpy(e.address.data(), bytes, 4);
    e.port = port;
    return e;
}

Endpoint Endpoint::ipv6(const uint8_t bytes[16], uint16_t port)
{
    Endpoint e;
    e.family = Family::IPv6;
    std::memcpy(e.address.data(), bytes, 16);
    e.port = port;
    return e;
}

std::string address_text(const Endpoint &endpoint)
{
    char text[INET6_ADDRSTRLEN] = "-";
    switch (endpoint.family) {
    case Endpoint::Family::IPv4:
        inet_ntop(AF_INET, endpoint.address.data(), text, sizeof text);
        break;
    case Endpoint::Family::IPv6:
        inet_ntop(AF_INET6, endpoint.address.data(), text, sizeof text);
        break;
    case Endpoint::Family::None:
        break;
    }
    return text;
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
