// Which transport a session runs over: TLS on TCP, DTLS on UDP.
#pragma once

#include <cstdint>

namespace tlsdist {

enum class Transport : uint8_t { Tcp, Udp };

// "tcp", "udp".
inline const char *transport_name(Transport transport)
{
    return transport == Transport::Udp ? "udp" : "tcp";
}

}  // namespace tlsdist
