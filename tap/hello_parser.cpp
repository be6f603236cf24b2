#include "hello_parser.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "digest.h"
#include "tls_protocol.h"

namespace tlsdist {

namespace {

constexpr uint8_t kClientHelloType = byte_of(HandshakeType::ClientHello);
constexpr uint8_t kServerHelloType = byte_of(HandshakeType::ServerHello);

// RFC 8446 4.1.3: a ServerHello with this random (SHA-256 of
// "HelloRetryRequest") is a HelloRetryRequest.
constexpr uint8_t kHelloRetryRequestRandom[kRandomLength] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

// Reads big-endian fields from a byte range. Reading past its end fails the
// cursor for good: every later read yields zero or an empty range, so a
// parse checks ok() once at the end instead of after every field.
class Cursor {
public:
    Cursor(const uint8_t *data, size_t length) : data_(data), left_(length) {}

    bool ok() const { return ok_; }
    bool at_end() const { return left_ == 0; }
    size_t left() const { return left_; }
    const uint8_t *data() const { return data_; }

    uint32_t number(size_t bytes)
    {
        if (!have(bytes))
            return 0;
        uint32_t value = 0;
        for (size_t i = 0; i < bytes; ++i)
            value = value << 8 | data_[i];
        skip(bytes);
        return value;
    }
    uint8_t u8() { return static_cast<uint8_t>(number(1)); }
    uint16_t u16() { return static_cast<uint16_t>(number(2)); }

    // The next `length` bytes, as a cursor of their own.
    Cursor take(size_t length)
    {
        if (!have(length))
            return Cursor(nullptr, 0);
        Cursor part(data_, length);
        skip(length);
        return part;
    }
    // A vector preceded by its length in `prefix_bytes` bytes.
    Cursor prefixed(size_t prefix_bytes) { return take(number(prefix_bytes)); }

private:
    bool have(size_t length)
    {
        if (ok_ && length > left_) {
            ok_ = false;
            left_ = 0;
        }
        return ok_;
    }
    void skip(size_t length)
    {
        data_ += length;
        left_ -= length;
    }

    const uint8_t *data_ = nullptr;
    size_t left_ = 0;
    bool ok_ = true;
};

// The rest of `data` as a vector with a length prefix of `prefix_bytes` and
// entries of `entry_bytes` (big-endian); empty unless that fills it exactly.
template <typename Entry>
std::vector<Entry> whole_list(Cursor data, size_t prefix_bytes, size_t entry_bytes)
{
    Cursor list = data.prefixed(prefix_bytes);
    std::vector<Entry> entries;
    if (!data.ok() || !data.at_end() || list.left() % entry_bytes != 0)
        return entries;
    while (!list.at_end())
        entries.push_back(static_cast<Entry>(list.number(entry_bytes)));
    return entries;
}

// server_name (RFC 6066 3): the first entry of type host_name.
std::string first_host_name(Cursor data)
{
    Cursor list = data.prefixed(2);
    std::string host_name;
    bool found = false;
    while (list.ok() && !list.at_end()) {
        const uint8_t type = list.u8();
        const Cursor name = list.prefixed(2);
        if (list.ok() && type == 0 && !found) {
            host_name.assign(reinterpret_cast<const char *>(name.data()), name.left());
            found = true;
        }
    }
    return data.ok() && data.at_end() && list.ok() ? host_name : std::string();
}

// application_layer_protocol_negotiation (RFC 7301 3.1).
std::vector<std::string> protocol_names(Cursor data)
{
    Cursor list = data.prefixed(2);
    std::vector<std::string> names;
    while (list.ok() && !list.at_end()) {
        const Cursor name = list.prefixed(1);
        if (list.ok())
            names.emplace_back(reinterpret_cast<const char *>(name.data()), name.left());
    }
    if (!data.ok() || !data.at_end() || !list.ok())
        names.clear();
    return names;
}

void read_extension(uint16_t type, Cursor data, ParsedHello &hello)
{
    // A repeated extension (RFC 8446 4.2 forbids them) overrides the earlier one.
    switch (type) {
    case number_of(ExtensionType::ServerName):  // a ServerHello's is empty
        hello.server_name = first_host_name(data);
        break;
    case number_of(ExtensionType::SupportedGroups):
        hello.supported_groups = whole_list<uint16_t>(data, 2, 2);
        break;
    case number_of(ExtensionType::EcPointFormats):
        hello.ec_point_formats = whole_list<uint8_t>(data, 1, 1);
        break;
    case number_of(ExtensionType::SignatureAlgorithms):
        hello.signature_algorithms = whole_list<uint16_t>(data, 2, 2);
        break;
    case number_of(ExtensionType::Alpn):
        hello.alpn = protocol_names(data);
        break;
    case number_of(ExtensionType::PreSharedKey):
        hello.pre_shared_key = true;
        break;
    case number_of(ExtensionType::SupportedVersions):  // a list in a ClientHello, one version in a ServerHello
        if (!hello.is_server)
            hello.supported_versions = whole_list<uint16_t>(data, 1, 2);
        else if (data.left() == 2)
            hello.supported_versions = {data.u16()};
        break;
    default:
        break;
    }
}

template <typename Values>
std::string decimal_list(const Values &values, bool skip_grease)
{
    std::string text;
    for (const auto value : values) {
        if (skip_grease && is_grease(value))
            continue;
        if (!text.empty())
            text += '-';
        text += std::to_string(value);
    }
    return text;
}

// JA3 (ClientHello) and JA3S (ServerHello) as Salesforce defines them:
// decimal values, "-" between values, "," between fields, GREASE left out of
// a ClientHello's suites, extensions and groups. The version is the hello's
// own version field, also in TLS 1.3.
void add_ja3(ParsedHello &hello)
{
    std::string &text = hello.ja3_text;
    text = std::to_string(hello.legacy_version) + ',' + decimal_list(hello.cipher_suites, !hello.is_server) + ',' +
           decimal_list(hello.extension_types, !hello.is_server);
    if (!hello.is_server)
        text += ',' + decimal_list(hello.supported_groups, true) + ',' + decimal_list(hello.ec_point_formats, false);
    hello.ja3 = md5_hex(text);
}

// Orders the TLS versions JA4 names; 0 for the others.
int version_rank(uint16_t version)
{
    if (version == wire_version::kSsl2)
        return 1;
    return version >= wire_version::kSsl3 && version <= wire_version::kTls13 ? version - wire_version::kSsl3 + 2 : 0;
}

const char *ja4_version_name(uint16_t version)
{
    switch (version) {
    case wire_version::kTls13: return "13";
    case wire_version::kTls12: return "12";
    case wire_version::kTls11: return "11";
    case wire_version::kTls10: return "10";
    case wire_version::kSsl3: return "s3";
    case wire_version::kSsl2: return "s2";
    case wire_version::kDtls10: return "d1";
    case wire_version::kDtls12: return "d2";
    case wire_version::kDtls13: return "d3";
    default: return "00";
    }
}

// The first 12 hex digits of the SHA-256 of a JA4 list; twelve zeros for an
// empty list, so that "nothing" stands out.
std::string ja4_hash(const std::string &text)
{
    return text.empty() ? std::string(12, '0') : sha256_hex(text).substr(0, 12);
}

std::string hex_list(const std::vector<uint16_t> &values)
{
    std::string text;
    char hex[5];
    for (const uint16_t value : values) {
        std::snprintf(hex, sizeof hex, "%04x", value);
        if (!text.empty())
            text += ',';
        text += hex;
    }
    return text;
}

bool is_ascii_alphanumeric(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// JA4's ALPN characters: the first and last characters of the first
// protocol name, or, when either is not alphanumeric, the first and last hex
// digits of the name's bytes; "00" without one.
std::string ja4_alpn(const std::vector<std::string> &alpn)
{
    if (alpn.empty() || alpn.front().empty())
        return "00";
    const char first = alpn.front().front();
    const char last = alpn.front().back();
    if (is_ascii_alphanumeric(first) && is_ascii_alphanumeric(last))
        return {first, last};
    static const char kDigits[] = "0123456789abcdef";
    return {kDigits[static_cast<uint8_t>(first) >> 4], kDigits[static_cast<uint8_t>(last) & 0x0f]};
}

std::vector<uint16_t> sorted_without_grease(const std::vector<uint16_t> &values)
{
    std::vector<uint16_t> kept;
    for (const uint16_t value : values)
        if (!is_grease(value))
            kept.push_back(value);
    std::sort(kept.begin(), kept.end());
    return kept;
}

// JA4 of a ClientHello (FoxIO, github.com/FoxIO-LLC/ja4,
// technical_details/JA4.md), with tls_reference.py's readings of it: "t"
// over TCP, "d" over DTLS; the version is the highest of supported_versions
// (GREASE left out) when the hello has that extension, else its own version
// field; the signature algorithms keep their order and any GREASE value.
void add_ja4(ParsedHello &hello, HelloFormat format)
{
    const std::vector<uint16_t> versions = hello.supported_versions.empty()
                                               ? std::vector<uint16_t>{hello.legacy_version}
                                               : hello.supported_versions;
    uint16_t highest = 0;
    bool any = false;
    for (const uint16_t version : versions) {
        if (is_grease(version))
            continue;
        if (!any || version_rank(version) > version_rank(highest))
            highest = version;
        any = true;
    }

    const std::vector<uint16_t> suites = sorted_without_grease(hello.cipher_suites);
    std::vector<uint16_t> extensions = sorted_without_grease(hello.extension_types);
    const bool server_name =
        std::binary_search(extensions.begin(), extensions.end(), number_of(ExtensionType::ServerName));
    char counts[5];
    std::snprintf(counts, sizeof counts, "%02zu%02zu", std::min<size_t>(suites.size(), 99),
                  std::min<size_t>(extensions.size(), 99));
    // SNI and ALPN are in the first part already.
    extensions.erase(std::remove_if(extensions.begin(), extensions.end(),
                                    [](uint16_t type) {
                                        return type == number_of(ExtensionType::ServerName) ||
                                               type == number_of(ExtensionType::Alpn);
                                    }),
                     extensions.end());
    std::string extension_text = hex_list(extensions);
    if (!extension_text.empty() && !hello.signature_algorithms.empty())
        extension_text += '_' + hex_list(hello.signature_algorithms);

    hello.ja4 = std::string(1, format == HelloFormat::Dtls ? 'd' : 't') + (any ? ja4_version_name(highest) : "00") +
                (server_name ? 'd' : 'i') + counts + ja4_alpn(hello.alpn) + '_' + ja4_hash(hex_list(suites)) + '_' +
                ja4_hash(extension_text);
}

// Parses a ClientHello or ServerHello body (RFC 8446 4.1.2, 4.1.3; the same
// layout back to SSL 3.0, where the extensions may be absent; DTLS's
// ClientHello has a cookie after the session id: RFC 6347 4.2.1, RFC 9147 5.3).
bool parse_hello_body(bool server, const uint8_t *body, size_t length, HelloFormat format, ParsedHello &hello)
{
    Cursor in(body, length);
    hello.is_server = server;
    hello.legacy_version = in.u16();
    const Cursor random = in.take(kRandomLength);
    hello.hello_retry_request = server && in.ok() && is_hello_retry_request_random(random.data(), random.left());
    // The ServerHello of TLS 1.3 drafts 14..21: version, random, cipher
    // suite, extensions (no session id, no compression method).
    const bool early_draft = server && hello.legacy_version >= wire_version::kTls13FirstDraft &&
                             hello.legacy_version <= wire_version::kTls13Draft21;
    if (early_draft) {
        hello.cipher_suites = {in.u16()};
    } else {
        const Cursor session_id = in.prefixed(1);
        if (!in.ok() || session_id.left() > kMaxSessionIdLength)
            return false;
        hello.session_id.assign(session_id.data(), session_id.data() + session_id.left());
        if (server) {
            hello.cipher_suites = {in.u16()};
            in.u8();  // compression method
        } else {
            if (format == HelloFormat::Dtls)
                in.prefixed(1);  // cookie
            Cursor suites = in.prefixed(2);
            if (suites.left() % 2 != 0)
                return false;
            while (!suites.at_end())
                hello.cipher_suites.push_back(suites.u16());
            in.prefixed(1);  // compression methods
        }
    }
    if (!in.ok())
        return false;
    if (!in.at_end()) {
        Cursor extensions = in.prefixed(2);
        if (!in.ok() || !in.at_end())
            return false;
        while (!extensions.at_end()) {
            const uint16_t type = extensions.u16();
            const Cursor data = extensions.prefixed(2);
            if (!extensions.ok())
                return false;
            hello.extension_types.push_back(type);
            read_extension(type, data, hello);
        }
    }
    add_ja3(hello);
    if (!server)
        add_ja4(hello, format);
    return true;
}

}  // namespace

std::optional<ParsedHello> parse_hello(uint8_t type, const uint8_t *body, size_t length, HelloFormat format)
{
    if (type != kClientHelloType && type != kServerHelloType)
        return std::nullopt;
    ParsedHello hello;
    if (!parse_hello_body(type == kServerHelloType, body, length, format, hello))
        return std::nullopt;
    return hello;
}

bool is_hello_retry_request_random(const uint8_t *random, size_t length)
{
    return length == sizeof kHelloRetryRequestRandom &&
           std::memcmp(random, kHelloRetryRequestRandom, sizeof kHelloRetryRequestRandom) == 0;
}

void HandshakeReader::feed_stream(const uint8_t *data, size_t length)
{
    while (length > 0 && !finished_) {
        const size_t header_length = whole_record_ == WholeRecord::Sslv2 ? 2 : kTlsRecordHeaderLength;
        if (record_header_seen_ < header_length) {
            if (!take_record_header_byte(*data)) {
                finish();  // not TLS records (any more)
                return;
            }
            ++data;
            --length;
            continue;
        }
        const size_t take = std::min<size_t>(length, record_left_);
        if (whole_record_ != WholeRecord::None)
            buffer_.insert(buffer_.end(), data, data + take);
        else if (record_header_[0] == byte_of(ContentType::Handshake))
            feed_handshake_fragment(data, take);
        data += take;
        length -= take;
        record_left_ = static_cast<uint16_t>(record_left_ - take);
        if (record_left_ == 0)
            end_record();
    }
}

// RecordFramer's rules: content type 20..24 and major version 3, or an
// SSLv2 header (2 bytes, high bit set) as the first record.
bool HandshakeReader::take_record_header_byte(uint8_t byte)
{
    const uint8_t at = record_header_seen_++;
    record_header_[at] = byte;
    if (at == 0 && first_record_ && (byte & kSslv2HeaderBit) != 0) {
        whole_record_ = WholeRecord::Sslv2;
        return true;
    }
    if (whole_record_ == WholeRecord::Sslv2) {
        record_left_ = static_cast<uint16_t>((record_header_[0] & kSslv2LengthHighMask) << 8 | byte);
        buffer_.assign(record_header_, record_header_ + 2);
        begin_record();
        return true;
    }
    if ((at == 0 && !is_content_type(byte)) || (at == 1 && byte != kTlsMajorVersion))
        return false;
    if (at == 4) {
        record_left_ = static_cast<uint16_t>(record_header_[3] << 8 | byte);
        begin_record();
    }
    return true;
}

void HandshakeReader::begin_record()
{
    first_record_ = false;
    if (whole_record_ != WholeRecord::Sslv2) {
        const uint8_t type = record_header_[0];
        if (type == byte_of(ContentType::ChangeCipherSpec)) {
            change_cipher_spec();
        } else if (after_change_cipher_spec_ && type == byte_of(ContentType::Handshake)) {
            whole_record_ = WholeRecord::AfterChangeCipherSpec;
            buffer_.reserve(record_left_);
        } else if (after_change_cipher_spec_) {
            finish();
            return;
        }
    }
    if (record_left_ == 0)
        end_record();
}

void HandshakeReader::end_record()
{
    record_header_seen_ = 0;
    const WholeRecord whole = whole_record_;
    if (whole == WholeRecord::None)
        return;
    whole_record_ = WholeRecord::None;
    std::vector<uint8_t> record;
    record.swap(buffer_);
    if (whole == WholeRecord::Sslv2)
        feed_sslv2_client_hello(record.data(), record.size());
    else
        feed_after_change_cipher_spec(record.data(), record.size());
}

void HandshakeReader::feed_handshake_fragment(const uint8_t *data, size_t length)
{
    if (finished_ || after_change_cipher_spec_)
        return;
    while (length > 0 && read_ < kReadLimit) {
        if (message_header_seen_ < sizeof message_header_) {
            message_header_[message_header_seen_++] = *data++;
            --length;
            ++read_;
            if (message_header_seen_ == sizeof message_header_)
                begin_message();
            continue;
        }
        const size_t take = std::min<size_t>({length, message_left_, kReadLimit - read_});
        if (collecting_)
            buffer_.insert(buffer_.end(), data, data + take);
        data += take;
        length -= take;
        read_ += static_cast<uint32_t>(take);
        message_left_ -= static_cast<uint32_t>(take);
        if (message_left_ == 0)
            end_message();
    }
    if (read_ == kReadLimit)
        finish();
}

void HandshakeReader::begin_message()
{
    const uint8_t type = message_header_[0];
    message_left_ = uint32_t{message_header_[1]} << 16 | uint32_t{message_header_[2]} << 8 | message_header_[3];
    // Only hellos are kept, and only those that can end within the limit:
    // the buffer never outgrows kReadLimit.
    collecting_ = (type == kClientHelloType || type == kServerHelloType) && message_left_ <= kReadLimit - read_;
    if (collecting_)
        buffer_.reserve(message_left_);
    if (message_left_ == 0)
        end_message();
}

void HandshakeReader::end_message()
{
    message_header_seen_ = 0;
    if (!collecting_)
        return;
    collecting_ = false;
    std::vector<uint8_t> body;
    body.swap(buffer_);
    parse(message_header_[0], body.data(), body.size());
}

void HandshakeReader::parse(uint8_t type, const uint8_t *body, size_t length)
{
    if (type == kClientHelloType)
        ++client_hellos_;
    if (std::optional<ParsedHello> hello = parse_hello(type, body, length, HelloFormat::Tls)) {
        retry_requested_ |= hello->hello_retry_request;
        hellos_.push_back(std::move(*hello));
    }
}

void HandshakeReader::change_cipher_spec()
{
    after_change_cipher_spec_ = true;
    // A message cut by the ChangeCipherSpec can never be completed.
    message_header_seen_ = 0;
    message_left_ = 0;
    collecting_ = false;
    std::vector<uint8_t>().swap(buffer_);
}

void HandshakeReader::feed_after_change_cipher_spec(const uint8_t *fragment, size_t length)
{
    if (finished_)
        return;
    if (!after_change_cipher_spec_)
        change_cipher_spec();
    Cursor in(fragment, length);
    const uint8_t type = in.u8();
    const Cursor body = in.prefixed(3);
    const bool hello = type == kClientHelloType || (type == kServerHelloType && retry_requested_);
    if (!in.ok() || !in.at_end() || !hello) {
        finish();  // encrypted from here on
        return;
    }
    parse(type, body.data(), body.left());
}

void HandshakeReader::feed_sslv2_client_hello(const uint8_t *record, size_t length)
{
    if (finished_)
        return;
    // SSL 2.0 (draft-hickman-netscape-ssl-00) CLIENT-HELLO, as RFC 5246
    // appendix E.2 lets TLS clients send it: a 2-byte header with the high
    // bit set and the length in the other 15 bits.
    Cursor in(record, length);
    const uint16_t header = in.u16();
    Cursor body = in.take(header & kSslv2LengthMask);
    if (!in.ok() || (header & kSslv2HeaderFlag) == 0 || body.u8() != kClientHelloType)
        return;
    ++client_hellos_;
    ParsedHello hello;
    hello.sslv2 = true;
    hello.legacy_version = body.u16();
    const size_t specs_length = body.u16();
    const size_t session_id_length = body.u16();
    const size_t challenge_length = body.u16();
    Cursor specs = body.take(specs_length);
    const Cursor session_id = body.take(session_id_length);
    body.take(challenge_length);
    if (!body.ok() || !body.at_end() || specs_length % 3 != 0 || session_id_length > kMaxSessionIdLength)
        return;
    while (!specs.at_end()) {
        const uint32_t spec = specs.number(3);
        if (spec <= 0xffff)  // a TLS cipher suite; the others are SSL 2.0 kinds
            hello.cipher_suites.push_back(static_cast<uint16_t>(spec));
    }
    hello.session_id.assign(session_id.data(), session_id.data() + session_id.left());
    hellos_.push_back(std::move(hello));
}

std::vector<ParsedHello> HandshakeReader::take_hellos()
{
    std::vector<ParsedHello> hellos;
    hellos.swap(hellos_);
    return hellos;
}

void HandshakeReader::finish()
{
    finished_ = true;
    std::vector<uint8_t>().swap(buffer_);
}

}  // namespace tlsdist
