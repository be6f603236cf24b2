// The one place where differences between Wireshark releases are handled.
#pragma once

#include <wireshark.h>

#include <epan/ftypes/ftypes.h>
#include <epan/proto.h>

#if WIRESHARK_VERSION_MAJOR < 4
#error "tlsdist needs Wireshark 4.0 or newer"
#endif

#define TLSDIST_WIRESHARK_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) ||        \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

namespace tlsdist::compat {

// Wireshark 4.2 turned field_info.value from an fvalue_t into a pointer.
inline uint32_t field_uint(const field_info *field)
{
#if TLSDIST_WIRESHARK_AT_LEAST(4, 2)
    return fvalue_get_uinteger(field->value);
#else
    return fvalue_get_uinteger(const_cast<fvalue_t *>(&field->value));
#endif
}

}  // namespace tlsdist::compat
