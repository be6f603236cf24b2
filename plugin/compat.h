// The one place where differences between Wireshark releases are handled.
#pragma once

#include <wireshark.h>

#if WIRESHARK_VERSION_MAJOR < 4
#error "tlsdist needs Wireshark 4.0 or newer"
#endif

#define TLSDIST_WIRESHARK_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) ||        \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#include <epan/ftypes/ftypes.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/prefs-int.h>
#include <epan/proto.h>
#include <epan/stat_tap_ui.h>
// 4.6 moved value strings from epan/ to wsutil/.
#if TLSDIST_WIRESHARK_AT_LEAST(4, 6)
#include <wsutil/value_string.h>
#else
#include <epan/value_string.h>
#endif

#include <cstring>
#include <tuple>
#include <type_traits>

namespace tlsdist::compat {

// The variable behind a boolean preference: gboolean in 4.0, bool from 4.4
// on. Taken from prefs_register_bool_preference's own signature.
template <typename Function>
struct LastParameter;
template <typename Result, typename... Parameters>
struct LastParameter<Result (*)(Parameters...)> {
    using type = std::tuple_element_t<sizeof...(Parameters) - 1, std::tuple<Parameters...>>;
};
using BoolPreference =
    std::remove_pointer_t<LastParameter<decltype(&prefs_register_bool_preference)>::type>;

// Whether a text preference (a key log file, a key list, a PSK) is set.
// prefs_pref_to_str says "[Obsolete]" for a deprecated one (tls.keys_list up
// to 4.4), whose value the dissector still reads: its type there keeps the
// text kind beside the obsolete flag, and its variable. 4.6's types are no
// longer flags; a deprecated preference there counts as set.
inline bool text_preference_is_set(pref_t *preference)
{
    char *text = prefs_pref_to_str(preference, pref_current);
    const bool obsolete = text && std::strcmp(text, "[Obsolete]") == 0;
    const bool set = text && *text;
    g_free(text);
    if (!obsolete)
        return set;
#ifdef PREF_OBSOLETE
    const unsigned kind = static_cast<unsigned>(prefs_get_type(preference)) & ~PREF_OBSOLETE;
    if (kind != PREF_STRING && kind != PREF_OPEN_FILENAME && kind != PREF_SAVE_FILENAME && kind != PREF_PASSWORD)
        return false;  // registered as obsolete: no variable, no value
    const char *value = prefs_get_string_value(preference, pref_current);
    return value && *value;
#else
    return true;
#endif
}

// A -z statistic's start routine returns nothing up to 4.4 and, from 4.6 on,
// whether the statistic started. Start is written the 4.6 way.
using StatTapInitResult = std::invoke_result_t<stat_tap_init_cb, const char *, void *>;
template <bool (*Start)(const char *, void *), typename Result = StatTapInitResult>
Result start_statistic(const char *argument, void *data)
{
    if constexpr (std::is_void_v<Result>)
        Start(argument, data);
    else
        return Start(argument, data);
}

// Wireshark 4.2 turned field_info.value from an fvalue_t into a pointer.
inline fvalue_t *field_value(const field_info *field)
{
#if TLSDIST_WIRESHARK_AT_LEAST(4, 2)
    return field->value;
#else
    return const_cast<fvalue_t *>(&field->value);
#endif
}

inline uint32_t field_uint(const field_info *field)
{
    return fvalue_get_uinteger(field_value(field));
}

// Whether the tvb a TCP protocol item holds keeps the whole segment in a
// hidden tree, so that tlsdist can read the payload's length there instead of
// wanting tcp.len (a field costs every TCP frame, bench/PROFILE.md). Seen in
// 4.0 and 4.4 (the host and the matrix's trixie); 4.6 cuts that tvb to the
// header in every tree, and 4.2 is not tested, so both want tcp.len.
constexpr bool kTcpItemHoldsSegment = WIRESHARK_VERSION_MAJOR == 4 &&
                                      (WIRESHARK_VERSION_MINOR == 0 || WIRESHARK_VERSION_MINOR == 4);

// The tvb a protocol item (FT_PROTOCOL) was added on.
inline tvbuff_t *protocol_tvb(const field_info *field)
{
    return fvalue_get_protocol(field_value(field));
}

// The text of a string field (FT_STRING and kin).
inline const char *field_string(const field_info *field)
{
    return fvalue_get_string(field_value(field));
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

// Whether any of the frame's data sources has this name, by Wireshark's own
// look-up, which compares the plain names (no formatting): it returns the
// source's tvb up to 4.4 and the source itself from 4.6 on.
inline bool has_data_source_named(packet_info *pinfo, const char *name)
{
#if TLSDIST_WIRESHARK_AT_LEAST(4, 6)
    return get_data_source_by_name(pinfo, name) != nullptr;
#else
    return get_data_source_tvb_by_name(pinfo, name) != nullptr;
#endif
}

// Whether a frame's data source has this name. Wireshark describes it as an
// allocated "name (N bytes)": get_data_source_name up to 4.4,
// get_data_source_description from 4.6 on.
inline bool data_source_is(const struct data_source *source, const char *name)
{
#if TLSDIST_WIRESHARK_AT_LEAST(4, 6)
    char *text = get_data_source_description(source);
#else
    char *text = get_data_source_name(source);
#endif
    const size_t length = std::strlen(name);
    const bool match = text && std::strncmp(text, name, length) == 0 && (text[length] == '\0' || text[length] == ' ');
    wmem_free(nullptr, text);
    return match;
}

}  // namespace tlsdist::compat
