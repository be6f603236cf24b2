// The numbers of the TLS and DTLS protocols that tlsdist reads (RFC 8446,
// RFC 6347, RFC 9147, RFC 6101 for SSL 3.0 and draft-hickman for SSL 2.0),
// named, so that code says ContentType::Handshake rather than 22.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tlsdist {

// A TLS (and DTLS) record's content type.
enum class ContentType : uint8_t {
    ChangeCipherSpec = 20,
    Alert = 21,
    Handshake = 22,
    ApplicationData = 23,
    Heartbeat = 24,
};
constexpr uint8_t byte_of(ContentType type) { return static_cast<uint8_t>(type); }
// Whether a byte can start a TLS record header: ChangeCipherSpec..Heartbeat.
constexpr bool is_content_type(uint8_t byte)
{
    return byte >= byte_of(ContentType::ChangeCipherSpec) && byte <= byte_of(ContentType::Heartbeat);
}

// Record headers: TLS (and SSL 3.0) versions all have major version 3,
// DTLS versions 0xfe (one's complement of 1.x).
constexpr uint8_t kTlsMajorVersion = 3;
constexpr uint8_t kDtlsMajorVersion = 0xfe;
constexpr size_t kTlsRecordHeaderLength = 5;
constexpr size_t kDtlsRecordHeaderLength = 13;  // type, version, epoch, sequence number, length
// An SSL 2.0 record header: two bytes, the high bit set, a 15-bit length.
constexpr uint8_t kSslv2HeaderBit = 0x80;
constexpr uint8_t kSslv2LengthHighMask = 0x7f;
constexpr uint16_t kSslv2HeaderFlag = 0x8000;  // the two header bytes as one number
constexpr uint16_t kSslv2LengthMask = 0x7fff;

// DTLS 1.3's unified header (RFC 9147 4): 0 0 1 C S L E E.
namespace dtls13_header {
constexpr uint8_t kFixedBitsMask = 0xe0;
constexpr uint8_t kFixedBits = 0x20;
constexpr uint8_t kConnectionId = 0x10;  // C: a connection id follows
constexpr uint8_t kLongSequence = 0x08;  // S: a 16-bit sequence number, else 8 bits
constexpr uint8_t kLength = 0x04;        // L: a 16-bit length, else the record fills the datagram
}  // namespace dtls13_header

// Hello fields (RFC 8446 4.1.2).
constexpr size_t kRandomLength = 32;
constexpr size_t kMaxSessionIdLength = 32;

// The handshake messages tlsdist reads.
enum class HandshakeType : uint8_t {
    ClientHello = 1,
    ServerHello = 2,
};
constexpr uint8_t byte_of(HandshakeType type) { return static_cast<uint8_t>(type); }

// Hello extensions tlsdist reads.
enum class ExtensionType : uint16_t {
    ServerName = 0,
    SupportedGroups = 10,
    EcPointFormats = 11,
    SignatureAlgorithms = 13,
    Alpn = 16,
    PreSharedKey = 41,
    SupportedVersions = 43,
};
constexpr uint16_t number_of(ExtensionType type) { return static_cast<uint16_t>(type); }

// Protocol versions as they are on the wire (the is_... helpers and names
// are in tls_version.h).
namespace wire_version {
constexpr uint16_t kSsl2 = 0x0002;  // as a ClientHello in SSL 2.0 format says it
constexpr uint16_t kSsl3 = 0x0300;
constexpr uint16_t kTls10 = 0x0301;
constexpr uint16_t kTls11 = 0x0302;
constexpr uint16_t kTls12 = 0x0303;
constexpr uint16_t kTls13 = 0x0304;
constexpr uint16_t kDtls10 = 0xfeff;
constexpr uint16_t kDtls12 = 0xfefd;
constexpr uint16_t kDtls13 = 0xfefc;
// TLS 1.3 drafts 14 to 28 (0x7f00 + draft); Facebook's drafts 23 and 26.
constexpr uint16_t kTls13FirstDraft = 0x7f0e;
constexpr uint16_t kTls13LastDraft = 0x7f1c;
constexpr uint16_t kTls13Draft21 = 0x7f15;  // the last draft whose ServerHello has no session id
constexpr uint16_t kTls13DraftBase = 0x7f00;
constexpr uint16_t kFacebookDraft23 = 0xfb17;
constexpr uint16_t kFacebookDraft26 = 0xfb1a;
}  // namespace wire_version

}  // namespace tlsdist
