// Which transport a session runs over: TLS on TCP, DTLS on UDP.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tlsdist {

enum class Transport : uint8_t { Tcp, Udp };

// 0 for TCP, 1 for UDP: where a transport's entry sits in a pair of tables.
inline size_t transport_index(Transport transport)
{
    return transport == Transport::Udp ? 1 : 0;
}

// "tcp", "udp".
inline const char *transport_name(Transport transport)
{
    return transport == Transport::Udp ? "udp" : "tcp";
}

}  // namespace tlsdist
