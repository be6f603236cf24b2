// The one place where differences between Wireshark releases are handled.
#pragma once

#include <wireshark.h>

#include <epan/ftypes/ftypes.h>
#include <epan/proto.h>
#include <epan/value_string.h>

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

// The text of a string field (FT_STRING and kin).
inline const char *field_string(const field_info *field)
{
#if TLSDIST_WIRESHARK_AT_LEAST(4, 2)
    return fvalue_get_string(field->value);
#else
    return fvalue_get_string(const_cast<fvalue_t *>(&field->value));
#endif
}

// The name an integer field's value has in its value_string (plain or
// extended), as Wireshark shows it; nullptr when the field has none.
inline const char *field_value_name(const field_info *field)
{
    const header_field_info *info = field->hfinfo;
    if (!info->strings || FIELD_DISPLAY(info->display) == BASE_CUSTOM ||
        (info->display & (BASE_RANGE_STRING | BASE_VAL64_STRING | BASE_UNIT_STRING)))
        return nullptr;
    const uint32_t value = field_uint(field);
    if (info->display & BASE_EXT_STRING)
        return try_val_to_str_ext(value, static_cast<value_string_ext *>(const_cast<void *>(info->strings)));
    return try_val_to_str(value, static_cast<const value_string *>(info->strings));
}

}  // namespace tlsdist::compat
