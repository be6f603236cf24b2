#include "dtls_hellos.h"

#include "compat.h"
#include "field_registry.h"
#include "hello_parser.h"
#include "tls_protocol.h"
#include "tls_version.h"

#include <cstdio>

namespace tlsdist {

DtlsHellos read_dtls_hellos(proto_tree *tree)
{
    DtlsHellos hellos;
    bool server_hello = false;
    fields::dtls_handshake_type.for_each(tree, [&](const field_info *fi) {
        const uint32_t type = compat::field_uint(fi);
        if (type == byte_of(HandshakeType::ClientHello) && hellos.client_hellos < UINT8_MAX)
            ++hellos.client_hellos;
        server_hello |= type == byte_of(HandshakeType::ServerHello);
    });
    if (hellos.client_hellos == 0 && !server_hello)
        return hellos;

    uint16_t best_supported = 0, best_legacy = 0;
    fields::dtls_supported_version.for_each(tree, [&](const field_info *fi) {
        const auto version = static_cast<uint16_t>(compat::field_uint(fi));
        if (!is_grease(version) && version_rank(version) >= version_rank(best_supported))
            best_supported = version;
    });
    fields::dtls_handshake_version.for_each(tree, [&](const field_info *fi) {
        const auto version = static_cast<uint16_t>(compat::field_uint(fi));
        if (version_rank(version) >= version_rank(best_legacy))
            best_legacy = version;
    });
    hellos.flags = server_hello ? FrameFlag::ServerHello : FrameFlag::ClientHello;
    hellos.version = best_supported != 0 ? best_supported : best_legacy;
    return hellos;
}

HelloDetails read_dtls_hello_details(proto_tree *tree, bool server_hello, uint16_t version)
{
    HelloDetails details;
    if (const field_info *session_id = fields::dtls_session_id.last(tree))
        details.session_id = field_bytes(session_id);
    fields::dtls_alpn.for_each(tree, [&](const field_info *fi) {
        if (server_hello && !details.alpn.empty())
            return;
        if (!details.alpn.empty())
            details.alpn += ',';
        details.alpn += compat::field_string(fi);
    });
    if (server_hello) {
        // (a ClientHello lists every suite it offers under the same field)
        if (const field_info *suite = fields::dtls_cipher_suite.last(tree)) {
            const char *name = compat::field_value_name(suite);
            char number[16];
            std::snprintf(number, sizeof number, "0x%04x", compat::field_uint(suite));
            details.cipher_suite = name ? name : number;
        }
        details.fingerprint = fields::dtls_ja3s.first_string(tree);
        details.version = version;
        fields::dtls_extension_type.for_each(tree, [&](const field_info *fi) {
            details.pre_shared_key |= compat::field_uint(fi) == number_of(ExtensionType::PreSharedKey);
        });
        if (const field_info *random = fields::dtls_random.last(tree)) {
            const std::string bytes = field_bytes(random);
            details.hello_retry_request =
                is_hello_retry_request_random(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
        }
    } else {
        details.server_name = fields::dtls_server_name.first_string(tree);
        details.fingerprint = fields::dtls_ja3.first_string(tree);
        details.ja4 = fields::dtls_ja4.first_string(tree);
    }
    return details;
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

}  // namespace tlsdist
