// The ClientHello and ServerHello messages of one direction of a TLS
// connection, read from that direction's own records (no dissector fields),
// with their JA3/JA3S and JA4 fingerprints.
//
// Fed with the direction's TLS bytes in stream order, from its first record
// on (it frames the records itself, by RecordFramer's rules):
//
//     reader.feed_stream(data, length);  // reader.lose() at a hole
//     for (const ParsedHello &hello : reader.take_hellos()) ...
//
// or, by a caller that frames the records, through the other feed_* calls.
//
// What it reads (as tests/reference/tls_reference.py does):
// - the handshake messages of the handshake records before the first
//   ChangeCipherSpec, within the first 64 KiB of handshake bytes: a hello
//   that does not end within them is skipped, and reading stops there;
// - after a ChangeCipherSpec, a handshake record that is exactly one whole
//   ClientHello (TLS 1.3's second ClientHello after a HelloRetryRequest,
//   sent after the middlebox-compatibility ChangeCipherSpec) or, once the
//   direction sent a HelloRetryRequest, one whole ServerHello (the one that
//   answers the second ClientHello). Any other record after it but a
//   ChangeCipherSpec ends the reading: the rest is encrypted;
// - an SSLv2-format ClientHello as the direction's first record.
// A header that is not a record header (content type outside 20..24, major
// version not 3; SSLv2 as the first record only) ends the reading as well.
//
// Malformed hellos: a hello whose fixed fields (version, random, session id
// of at most 32 bytes, cipher suites, compression methods) and extension
// framing (each extension's type and length, the block's length) do not fill
// the message exactly yields no ParsedHello (a ClientHello still counts in
// client_hellos()). Within a well-framed hello, an extension whose contents
// do not parse leaves its field below empty; it still counts among
// extension_types and in the fingerprints, which are defined on those.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls_protocol.h"
#include "tls_version.h"

namespace tlsdist {

struct ParsedHello {
    bool is_server = false;            // a ServerHello (or HelloRetryRequest)
    bool hello_retry_request = false;  // a ServerHello with RFC 8446's HelloRetryRequest random
    bool sslv2 = false;                // an SSLv2-format ClientHello: no extensions, no fingerprints
    uint16_t legacy_version = 0;       // the version field of the hello itself
    // supported_versions: a ClientHello's whole list, GREASE included; a
    // ServerHello's selected version.
    std::vector<uint16_t> supported_versions;
    std::vector<uint8_t> session_id;   // at most 32 bytes
    // A ClientHello's list, GREASE included (SSLv2: the specs that are TLS
    // cipher suites, first byte 0); a ServerHello's selected suite.
    std::vector<uint16_t> cipher_suites;
    std::vector<uint16_t> extension_types;  // in order, GREASE included
    std::string server_name;                // the first host_name of server_name, as sent
    std::vector<std::string> alpn;          // protocol names (ServerHello: the selected one)
    std::vector<uint16_t> supported_groups;
    std::vector<uint8_t> ec_point_formats;
    std::vector<uint16_t> signature_algorithms;
    bool pre_shared_key = false;  // the extension is present (ServerHello: a PSK was accepted)
    // JA3 of a ClientHello, JA3S of a ServerHello: the text (Wireshark's
    // ja3_full / ja3s_full) and its MD5.
    std::string ja3_text;
    std::string ja3;
    std::string ja4;  // ClientHello only ("t" over TCP, "d" over DTLS)
};

enum class HelloFormat : uint8_t { Tls, Dtls };

// One ClientHello or ServerHello message body (after the handshake header),
// or none for another message type or a malformed hello.
std::optional<ParsedHello> parse_hello(uint8_t type, const uint8_t *body, size_t length, HelloFormat format);

// RFC 8446 4.1.3: a ServerHello whose random is this one's 32 bytes (the
// SHA-256 of "HelloRetryRequest") is a HelloRetryRequest.
bool is_hello_retry_request_random(const uint8_t *random, size_t length);

class HandshakeReader {
public:
    // Handshake bytes read per direction (message headers included).
    static constexpr uint32_t kReadLimit = 64 * 1024;

    // The next bytes of the direction's TLS stream (record headers
    // included). Either this or the calls below, not both.
    void feed_stream(const uint8_t *data, size_t length);
    // The bytes after the last ones fed will not follow them: read no more.
    void lose() { finish(); }

    // Handshake record fragment bytes before any ChangeCipherSpec, in any
    // pieces; ignored after one.
    void feed_handshake_fragment(const uint8_t *data, size_t length);
    // A ChangeCipherSpec record: a message still incomplete is dropped.
    void change_cipher_spec();
    // The whole fragment of one handshake record after a ChangeCipherSpec.
    void feed_after_change_cipher_spec(const uint8_t *fragment, size_t length);
    // A whole SSLv2-format record, its 2-byte header included.
    void feed_sslv2_client_hello(const uint8_t *record, size_t length);

    // The hellos parsed since the last call, in stream order.
    std::vector<ParsedHello> take_hellos();
    // ClientHello messages seen whole (parsed or not).
    uint32_t client_hellos() const { return client_hellos_; }
    // Nothing more will be read: past the limit, past the handshake, or the
    // stream lost or not TLS records.
    bool finished() const { return finished_; }

private:
    enum class WholeRecord : uint8_t { None, Sslv2, AfterChangeCipherSpec };

    void begin_message();
    void end_message();
    void parse(uint8_t type, const uint8_t *body, size_t length);
    bool take_record_header_byte(uint8_t byte);
    void begin_record();
    void end_record();
    void finish();

    // The hello being collected, or the record being collected whole (an
    // SSLv2 first record or a record after ChangeCipherSpec: no message is
    // in progress then). Emptied and released after each.
    std::vector<uint8_t> buffer_;
    std::vector<ParsedHello> hellos_;
    uint32_t read_ = 0;          // handshake bytes read, up to kReadLimit
    uint32_t message_left_ = 0;  // body bytes of the current message still to come
    uint32_t client_hellos_ = 0;
    uint8_t message_header_[4] = {};  // type, 24-bit length
    uint8_t message_header_seen_ = 0;
    bool collecting_ = false;    // the current message is a hello that fits the limit
    bool after_change_cipher_spec_ = false;
    bool retry_requested_ = false;  // a HelloRetryRequest was read: a ServerHello follows
    bool finished_ = false;

    // Record framing for feed_stream.
    uint8_t record_header_[kTlsRecordHeaderLength] = {};
    uint8_t record_header_seen_ = 0;  // 5 (2 for SSLv2) once the body is reached
    bool first_record_ = true;
    WholeRecord whole_record_ = WholeRecord::None;
    uint16_t record_left_ = 0;  // body bytes of the current record still to come
};

}  // namespace tlsdist
