#include "field_registry.h"

#include "compat.h"

#include <epan/uat-int.h>
#include <wiretap/wtap.h>

namespace tlsdist {

namespace {

std::vector<Field *> &registry()
{
    static std::vector<Field *> all;
    return all;
}

dissector_handle_t wanting_postdissector;

// Hands Wireshark the ids of every field wanted now (it frees the list it had).
void hand_over_wanted()
{
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    for (const Field *field : registry()) {
        if (!field->wanted())
            continue;
        for (int id : field->ids())
            g_array_append_val(wanted, id);
    }
    set_postdissector_wanted_hfids(wanting_postdissector, wanted);
}

// All hf ids registered under one field name.
void append_ids(const char *name, std::vector<int> &ids)
{
    header_field_info *info = proto_registrar_get_byname(name);
    if (!info)
        return;
    while (info->same_name_prev_id != -1)
        info = proto_registrar_get_nth(info->same_name_prev_id);
    for (; info; info = info->same_name_next)
        ids.push_back(info->id);
}

}  // namespace

Field::Field(std::initializer_list<const char *> names, Use use)
    : names_(names), use_(use), wanted_(use == Use::Wanted)
{
    registry().push_back(this);
}

void Field::look_up_all()
{
    for (Field *field : registry()) {
        field->ids_.clear();
        for (const char *name : field->names_)
            append_ids(name, field->ids_);
    }
}

void Field::want_all(dissector_handle_t postdissector)
{
    wanting_postdissector = postdissector;
    hand_over_wanted();
}

void Field::want_from_next_frame()
{
    if (wanted_ || use_ == Use::NamesOnly)
        return;
    wanted_ = true;
    hand_over_wanted();
}

void Field::stop_wanting_from_next_frame()
{
    if (!wanted_)
        return;
    wanted_ = false;
    hand_over_wanted();
}

GPtrArray *Field::first_array(proto_tree *tree) const
{
    for (int id : ids_) {
        GPtrArray *found = proto_get_finfo_ptr_array(tree, id);
        if (found && found->len > 0)
            return found;
    }
    return nullptr;
}

const field_info *Field::last(proto_tree *tree) const
{
    GPtrArray *found = first_array(tree);
    return found ? static_cast<const field_info *>(g_ptr_array_index(found, found->len - 1)) : nullptr;
}

const field_info *Field::last_by_search(proto_tree *tree) const
{
    const field_info *last = nullptr;
    for (int id : ids_) {
        GPtrArray *found = proto_find_finfo(tree, id);
        if (found->len > 0)
            last = static_cast<const field_info *>(g_ptr_array_index(found, found->len - 1));
        g_ptr_array_free(found, TRUE);
        if (last)
            break;
    }
    return last;
}

std::string Field::first_string(proto_tree *tree) const
{
    std::string text;
    for_each(tree, [&](const field_info *fi) {
        if (text.empty())
            text = compat::field_string(fi);
    });
    return text;
}

std::string field_bytes(const field_info *fi)
{
    if (fi->length <= 0 || !fi->ds_tvb)
        return std::string();
    const guint8 *bytes = tvb_get_ptr(fi->ds_tvb, fi->start, fi->length);
    return std::string(reinterpret_cast<const char *>(bytes), static_cast<size_t>(fi->length));
}

const char *cipher_suite_name(uint16_t suite)
{
    if (fields::tls_cipher_suite.ids().empty())
        return nullptr;
    const header_field_info *info = proto_registrar_get_nth(fields::tls_cipher_suite.ids().front());
    if (!info || !info->strings)
        return nullptr;
    if (info->display & BASE_EXT_STRING)
        return try_val_to_str_ext(suite, static_cast<value_string_ext *>(const_cast<void *>(info->strings)));
    return try_val_to_str(suite, static_cast<const value_string *>(info->strings));
}

std::string preference_text(const char *module_name, const char *name)
{
    module_t *module = prefs_find_module(module_name);
    pref_t *preference = module ? prefs_find_preference(module, name) : nullptr;
    if (!preference)
        return {};
    char *text = prefs_pref_to_str(preference, pref_current);
    std::string value = text ? text : "";
    g_free(text);
    return value;
}

bool decryption_keys_can_exist(const packet_info *pinfo)
{
    if (pinfo->rec && (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID))
        return true;  // a pcapng file
    // (tshark -G defaultprefs, 4.0 to 4.6; a preference a version lacks holds no key)
    static const std::pair<const char *, const char *> key_preferences[] = {
        {"tls", "keylog_file"}, {"tls", "keys_list"}, {"tls", "psk"}, {"dtls", "keys_list"}, {"dtls", "psk"}};
    for (const auto &[module_name, name] : key_preferences) {
        module_t *module = prefs_find_module(module_name);
        pref_t *preference = module ? prefs_find_preference(module, name) : nullptr;
        if (preference && compat::text_preference_is_set(preference))
            return true;
    }
    // The RSA key tables (Preferences › RSA Keys, and the deprecated TLS and DTLS lists).
    for (const char *table : {"RSA Private Keys", "TLS Decrypt", "DTLS RSA Keylist"}) {
        const uat_t *keys = uat_get_table_by_name(table);
        if (keys && keys->raw_data && keys->raw_data->len > 0)
            return true;
    }
    return false;
}

}  // namespace tlsdist
