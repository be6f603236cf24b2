// TLS record framing of one direction's TLS bytes: which bytes are record
// headers and which are the fragments of handshake, change_cipher_spec,
// alert, application_data or heartbeat records (by the content type on the
// wire: TLS 1.3 carries its encrypted handshake in application_data records).
//
// Framing runs over the bytes in stream order. A byte run that does not
// follow the previous one (a hole the capture never filled, or a segment
// that arrived ahead of an earlier one) or a header that is not a TLS record
// header (content type outside 20..24, major version not 3) ends the framing
// of that direction: every later byte is "unframed". An SSLv2-format record
// (two-byte header with the high bit set) is recognised as the first record
// of a direction only, and counted as handshake.
//
// DTLS records never span datagrams: split_dtls_datagram frames one datagram
// with no state (13-byte headers: type, version 0xfe.., epoch, sequence
// number, length; DTLS 1.3's unified header counts as application_data).
//
// The whole state fits in 32 bits, so it can be cached per frame and the
// frame's bytes framed again on every later pass.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tls_protocol.h"

namespace tlsdist {

enum ContentKind : uint8_t {
    kHandshakeContent,
    kChangeCipherSpecContent,
    kAlertContent,
    kApplicationDataContent,
    kHeartbeatContent,
    kUnframedContent,
    kContentKinds
};

// "handshake", "change_cipher_spec", "alert", "application_data",
// "heartbeat", "unframed": the CSV column stems.
const char *content_kind_name(ContentKind kind);

// The kind a record's content type byte counts under (unframed: not a type).
constexpr ContentKind content_kind_of(uint8_t type)
{
    switch (static_cast<ContentType>(type)) {
    case ContentType::ChangeCipherSpec: return kChangeCipherSpecContent;
    case ContentType::Alert: return kAlertContent;
    case ContentType::Handshake: return kHandshakeContent;
    case ContentType::ApplicationData: return kApplicationDataContent;
    case ContentType::Heartbeat: return kHeartbeatContent;
    }
    return kUnframedContent;
}

class RecordFramer {
public:
    using State = uint32_t;
    static constexpr State kStreamStart = 0;

    RecordFramer() = default;
    explicit RecordFramer(State state);
    State state() const;

    // The bytes before the next run were not seen: frame nothing from here on.
    void lose() { phase_ = kLost; }
    bool lost() const { return phase_ == kLost; }

    // Splits the next bytes of the stream into pieces that each lie in one
    // record header or one record fragment, and calls
    // visit(ContentKind kind, bool fragment, const uint8_t *piece, size_t length)
    // for each, in order.
    template <typename Visit>
    void split(const uint8_t *data, size_t length, Visit &&visit);

private:
    // phase_ 0..4: inside a TLS record header, that many of its 5 bytes seen.
    static constexpr uint8_t kBody = kTlsRecordHeaderLength;
    static constexpr uint8_t kSslv2Header = 6;  // first of its 2 header bytes seen
    static constexpr uint8_t kLost = 7;

    // Consumes one header byte; when it cannot be part of a header, loses
    // the framing and returns false.
    bool take_header_byte(uint8_t byte);
    ContentKind kind() const;

    uint8_t phase_ = 0;
    bool past_first_record_ = false;
    uint8_t type_ = 0;      // content type of the current record
    uint16_t value_ = 0;    // in a header: the length read so far; in a body: bytes left
};

template <typename Visit>
void RecordFramer::split(const uint8_t *data, size_t length, Visit &&visit)
{
    size_t at = 0;
    while (at < length) {
        if (phase_ == kLost) {
            visit(kUnframedContent, false, data + at, length - at);
            return;
        }
        if (phase_ == kBody) {
            const size_t take = value_ < length - at ? value_ : length - at;
            visit(kind(), true, data + at, take);
            at += take;
            value_ = static_cast<uint16_t>(value_ - take);
            if (value_ == 0) {
                phase_ = 0;
                past_first_record_ = true;
            }
            continue;
        }
        // Header bytes up to the end of the header or of the data. A content
        // type byte counts under its type only once the next byte confirms
        // the header (major version 3): until then it is held, and a header
        // that fails counts it as unframed. A held byte may come from the
        // previous run: then the piece is one byte longer than its data here
        // (header pieces are counted, never read).
        const size_t held = phase_ == 1 ? 1 : 0;
        const size_t begin = at;
        while (at < length && phase_ != kBody && take_header_byte(data[at]))
            ++at;
        if (phase_ == kLost) {
            visit(kUnframedContent, false, data + begin, held + (length - begin));
            return;
        }
        if (phase_ != 1 && held + (at - begin) > 0)  // (phase 1: the type byte waits for the next run)
            visit(kind(), false, data + begin, held + (at - begin));
        if (phase_ == kBody && value_ == 0) {  // an empty record
            phase_ = 0;
            past_first_record_ = true;
        }
    }
}

template <typename Visit>
void split_dtls_datagram(const uint8_t *data, size_t length, Visit &&visit)
{
    size_t at = 0;
    while (at < length) {
        const uint8_t first = data[at];
        size_t header = kDtlsRecordHeaderLength;
        size_t fragment = 0;
        ContentKind kind = kUnframedContent;
        if ((first & dtls13_header::kFixedBitsMask) == dtls13_header::kFixedBits) {
            // A connection id has a length only the handshake tells: stop framing there.
            if (first & dtls13_header::kConnectionId)
                break;
            header = 1 + ((first & dtls13_header::kLongSequence) ? 2 : 1) + ((first & dtls13_header::kLength) ? 2 : 0);
            if (at + header > length)
                break;
            fragment = (first & dtls13_header::kLength) ? size_t{data[at + header - 2]} << 8 | data[at + header - 1]
                                                        : length - at - header;
            kind = kApplicationDataContent;
        } else {
            if (!is_content_type(first) || at + header > length || data[at + 1] != kDtlsMajorVersion)
                break;
            fragment = size_t{data[at + 11]} << 8 | data[at + 12];
            kind = content_kind_of(first);
        }
        if (at + header + fragment > length)
            break;
        visit(kind, false, data + at, header);
        if (fragment > 0)
            visit(kind, true, data + at + header, fragment);
        at += header + fragment;
    }
    if (at < length)
        visit(kUnframedContent, false, data + at, length - at);
}

}  // namespace tlsdist
