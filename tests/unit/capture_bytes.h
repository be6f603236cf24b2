// Capture files written field by field, in either byte order, for the tests
// of tap/capture_scan.h and tap/capture_shard.h.
#pragma once

#include "capture_scan.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace tlsdist::capture_bytes {

class Bytes {
public:
    explicit Bytes(bool big_endian = false) : big_endian_(big_endian) {}
    Bytes &u8(uint8_t v)
    {
        data.push_back(v);
        return *this;
    }
    Bytes &u16(uint16_t v)
    {
        return big_endian_ ? u8(static_cast<uint8_t>(v >> 8)).u8(static_cast<uint8_t>(v))
                           : u8(static_cast<uint8_t>(v)).u8(static_cast<uint8_t>(v >> 8));
    }
    Bytes &u32(uint32_t v)
    {
        return big_endian_ ? u16(static_cast<uint16_t>(v >> 16)).u16(static_cast<uint16_t>(v))
                           : u16(static_cast<uint16_t>(v)).u16(static_cast<uint16_t>(v >> 16));
    }
    Bytes &zeros(size_t n)
    {
        data.insert(data.end(), n, 0);
        return *this;
    }
    Bytes &append(const Bytes &other)
    {
        data.insert(data.end(), other.data.begin(), other.data.end());
        return *this;
    }
    std::optional<CaptureFacts> scan() const { return scan_capture(data.data(), data.size()); }

    std::vector<uint8_t> data;

private:
    bool big_endian_;
};

// A pcapng block: type, length, body (padded by the caller), length.
inline Bytes block(bool big_endian, uint32_t type, const Bytes &body)
{
    Bytes b(big_endian);
    const auto length = static_cast<uint32_t>(body.data.size() + 12);
    return b.u32(type).u32(length).append(body).u32(length);
}

inline Bytes section(bool big_endian)
{
    Bytes body(big_endian);
    body.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff);
    return block(big_endian, 0x0a0d0d0a, body);
}

}  // namespace tlsdist::capture_bytes
