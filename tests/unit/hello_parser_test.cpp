#include "hello_parser.h"
#include "dtls_handshake.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using namespace tlsdist;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes joined;
    for (const Bytes &part : parts)
        joined.insert(joined.end(), part.begin(), part.end());
    return joined;
}

Bytes number(uint32_t value, size_t bytes)
{
    Bytes out;
    for (size_t i = bytes; i-- > 0;)
        out.push_back(static_cast<uint8_t>(value >> (8 * i)));
    return out;
}

// A vector with its length in `prefix_bytes` bytes in front.
Bytes vec(size_t prefix_bytes, const Bytes &body)
{
    return cat({number(static_cast<uint32_t>(body.size()), prefix_bytes), body});
}

Bytes u16s(std::initializer_list<uint16_t> values)
{
    Bytes out;
    for (const uint16_t value : values)
        out = cat({out, number(value, 2)});
    return out;
}

Bytes text(const std::string &s)
{
    return Bytes(s.begin(), s.end());
}

Bytes extension(uint16_t type, const Bytes &data)
{
    return cat({number(type, 2), vec(2, data)});
}

Bytes handshake(uint8_t type, const Bytes &body)
{
    return cat({{type}, vec(3, body)});
}

Bytes record(uint8_t type, const Bytes &fragment)
{
    return cat({{type, 3, 3}, vec(2, fragment)});
}

Bytes hex(const std::string &digits)
{
    Bytes out;
    for (size_t i = 0; i + 1 < digits.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    return out;
}

const Bytes kSessionId = hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");

// A ClientHello body: version, random, session id, suites, compression
// methods (null only), then the extensions block unless there is none.
Bytes client_hello_body(const Bytes &suites, const std::vector<Bytes> *extensions, uint16_t version = 0x0303)
{
    Bytes body = cat({number(version, 2), Bytes(32, 0x11), vec(1, kSessionId), vec(2, suites), vec(1, {0})});
    if (extensions) {
        Bytes block;
        for (const Bytes &e : *extensions)
            block = cat({block, e});
        body = cat({body, vec(2, block)});
    }
    return body;
}

// GREASE in the suites, extensions, groups and versions; SNI, ALPN.
const std::vector<Bytes> kGreasedExtensions = {
    extension(0x2a2a, {}),
    extension(0, vec(2, cat({{0}, vec(2, text("example.com"))}))),
    extension(16, vec(2, cat({vec(1, text("h2")), vec(1, text("http/1.1"))}))),
    extension(10, vec(2, u16s({0x3a3a, 0x001d, 0x0017}))),
    extension(11, vec(1, {0})),
    extension(13, vec(2, u16s({0x0403, 0x0804, 0x0401}))),
    extension(43, vec(1, u16s({0x4a4a, 0x0304, 0x0303}))),
    extension(45, vec(1, {1})),
    extension(0x5a5a, {0}),
};
const Bytes kGreasedClientHello = client_hello_body(u16s({0x1a1a, 0x1301, 0x1302, 0xc02b}), &kGreasedExtensions);

// The fingerprints of kGreasedClientHello by tests/reference/tls_reference.py
// (hello_facts), an independent implementation.
constexpr const char *kGreasedJa3Text = "771,4865-4866-49195,0-16-10-11-13-43-45,29-23,0";
constexpr const char *kGreasedJa3 = "28ab0423b2e26ef48efaf315b0636a8f";
constexpr const char *kGreasedJa4 = "t13d0307h2_5559582ccdc4_7f3993f82c36";

Bytes server_hello_body(const Bytes &random, const std::vector<Bytes> &extensions)
{
    Bytes block;
    for (const Bytes &e : extensions)
        block = cat({block, e});
    return cat({number(0x0303, 2), random, vec(1, kSessionId), number(0x1301, 2), {0}, vec(2, block)});
}

const Bytes kServerHello = server_hello_body(
    Bytes(32, 0x22), {extension(43, u16s({0x0304})), extension(51, cat({u16s({0x001d}), vec(2, Bytes(32, 7))})),
                      extension(41, u16s({0}))});

std::string join(const std::vector<uint16_t> &values)
{
    std::string out;
    for (const uint16_t value : values)
        out += std::to_string(value) + ' ';
    return out;
}

// Every field, to compare readings.
std::string summary(const ParsedHello &h)
{
    std::string alpn;
    for (const std::string &name : h.alpn)
        alpn += name + ' ';
    return std::string(h.is_server ? "server" : "client") + (h.hello_retry_request ? " hrr" : "") +
           (h.sslv2 ? " sslv2" : "") + " v" + std::to_string(h.legacy_version) + " sv " +
           join(h.supported_versions) + "sid " + std::to_string(h.session_id.size()) + " suites " +
           join(h.cipher_suites) + "ext " + join(h.extension_types) + "sni " + h.server_name + " alpn " + alpn +
           "groups " + join(h.supported_groups) + "formats " + std::to_string(h.ec_point_formats.size()) +
           " sigs " + join(h.signature_algorithms) + (h.pre_shared_key ? "psk " : "") + h.ja3_text + ' ' +
           h.ja3 + ' ' + h.ja4;
}

std::string summaries(const std::vector<ParsedHello> &hellos)
{
    std::string out;
    for (const ParsedHello &hello : hellos)
        out += summary(hello) + '\n';
    return out;
}

std::vector<ParsedHello> read_stream(const Bytes &stream)
{
    HandshakeReader reader;
    reader.feed_stream(stream.data(), stream.size());
    return reader.take_hellos();
}

std::vector<ParsedHello> read_message(const Bytes &message)
{
    HandshakeReader reader;
    reader.feed_handshake_fragment(message.data(), message.size());
    return reader.take_hellos();
}

// Splits the handshake bytes into records of at most 16 KiB.
Bytes in_records(const Bytes &handshake_bytes)
{
    Bytes stream;
    for (size_t at = 0; at < handshake_bytes.size(); at += 16384) {
        const size_t end = std::min(handshake_bytes.size(), at + 16384);
        stream = cat({stream, record(22, Bytes(handshake_bytes.begin() + at, handshake_bytes.begin() + end))});
    }
    return stream;
}

}  // namespace

TEST(HelloParser, ClientHelloWithGrease)
{
    HandshakeReader reader;
    const Bytes stream = record(22, handshake(1, kGreasedClientHello));
    reader.feed_stream(stream.data(), stream.size());
    const std::vector<ParsedHello> hellos = reader.take_hellos();
    ASSERT_EQ(hellos.size(), 1u);
    const ParsedHello &h = hellos[0];
    EXPECT_FALSE(h.is_server);
    EXPECT_FALSE(h.sslv2);
    EXPECT_EQ(h.legacy_version, 0x0303);
    EXPECT_EQ(h.supported_versions, (std::vector<uint16_t>{0x4a4a, 0x0304, 0x0303}));
    EXPECT_EQ(h.session_id, kSessionId);
    EXPECT_EQ(h.cipher_suites, (std::vector<uint16_t>{0x1a1a, 0x1301, 0x1302, 0xc02b}));
    EXPECT_EQ(h.extension_types, (std::vector<uint16_t>{0x2a2a, 0, 16, 10, 11, 13, 43, 45, 0x5a5a}));
    EXPECT_EQ(h.server_name, "example.com");
    EXPECT_EQ(h.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
    EXPECT_EQ(h.supported_groups, (std::vector<uint16_t>{0x3a3a, 0x001d, 0x0017}));
    EXPECT_EQ(h.ec_point_formats, Bytes{0});
    EXPECT_EQ(h.signature_algorithms, (std::vector<uint16_t>{0x0403, 0x0804, 0x0401}));
    EXPECT_FALSE(h.pre_shared_key);
    EXPECT_EQ(h.ja3_text, kGreasedJa3Text);
    EXPECT_EQ(h.ja3, kGreasedJa3);
    EXPECT_EQ(h.ja4, kGreasedJa4);
    EXPECT_EQ(reader.client_hellos(), 1u);
    EXPECT_FALSE(reader.finished());
    EXPECT_TRUE(reader.take_hellos().empty());  // taken already
}

TEST(HelloParser, ServerHello)
{
    const std::vector<ParsedHello> hellos = read_stream(record(22, handshake(2, kServerHello)));
    ASSERT_EQ(hellos.size(), 1u);
    const ParsedHello &h = hellos[0];
    EXPECT_TRUE(h.is_server);
    EXPECT_FALSE(h.hello_retry_request);
    EXPECT_EQ(h.supported_versions, std::vector<uint16_t>{0x0304});
    EXPECT_EQ(h.session_id, kSessionId);
    EXPECT_EQ(h.cipher_suites, std::vector<uint16_t>{0x1301});
    EXPECT_EQ(h.extension_types, (std::vector<uint16_t>{43, 51, 41}));
    EXPECT_TRUE(h.pre_shared_key);
    EXPECT_EQ(h.ja3_text, "771,4865,43-51-41");
    EXPECT_EQ(h.ja3, "fcb2d4d0991292272fcb1e464eedfd43");  // tls_reference.py's JA3S
    EXPECT_EQ(h.ja4, "");
}

TEST(HelloParser, HelloRetryRequest)
{
    const Bytes random = hex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
    const Bytes body = server_hello_body(random, {extension(43, u16s({0x0304})), extension(51, u16s({0x0017}))});
    const std::vector<ParsedHello> hellos = read_message(handshake(2, body));
    ASSERT_EQ(hellos.size(), 1u);
    EXPECT_TRUE(hellos[0].hello_retry_request);
    EXPECT_EQ(hellos[0].ja3_text, "771,4865,43-51");
}

// Both hellos of a direction in one record, and the ClientHello message
// spread over three records: however the stream is cut, the same result.
TEST(HelloParser, SameResultAtEverySplitPoint)
{
    const Bytes messages = cat({handshake(1, kGreasedClientHello), handshake(2, kServerHello)});
    const Bytes stream = cat({record(22, Bytes(messages.begin(), messages.begin() + 3)),
                              record(22, Bytes(messages.begin() + 3, messages.begin() + 100)),
                              record(22, Bytes(messages.begin() + 100, messages.end()))});
    const std::string expected = summaries(read_stream(stream));
    ASSERT_EQ(expected, summaries(read_message(messages)));
    ASSERT_NE(expected.find(kGreasedJa4), std::string::npos);
    ASSERT_NE(expected.find("771,4865,43-51-41"), std::string::npos);

    for (size_t cut = 0; cut <= stream.size(); ++cut) {
        HandshakeReader reader;
        reader.feed_stream(stream.data(), cut);
        reader.feed_stream(stream.data() + cut, stream.size() - cut);
        EXPECT_EQ(summaries(reader.take_hellos()), expected) << cut;
    }
    HandshakeReader bytewise;
    for (const uint8_t byte : stream)
        bytewise.feed_stream(&byte, 1);
    EXPECT_EQ(summaries(bytewise.take_hellos()), expected);

    // Fragments cut at every pair of points.
    for (size_t first = 0; first <= messages.size(); ++first) {
        for (size_t second = first; second <= messages.size(); second += 7) {
            HandshakeReader reader;
            reader.feed_handshake_fragment(messages.data(), first);
            reader.feed_handshake_fragment(messages.data() + first, second - first);
            reader.feed_handshake_fragment(messages.data() + second, messages.size() - second);
            ASSERT_EQ(summaries(reader.take_hellos()), expected) << first << ' ' << second;
        }
    }
}

// A stream cut short never yields a hello: the message is not whole.
TEST(HelloParser, TruncatedStreamYieldsNothing)
{
    const Bytes stream = record(22, handshake(1, kGreasedClientHello));
    for (size_t length = 0; length < stream.size(); ++length) {
        const Bytes cut(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(length));
        HandshakeReader reader;
        reader.feed_stream(cut.data(), cut.size());
        EXPECT_TRUE(reader.take_hellos().empty()) << length;
        EXPECT_EQ(reader.client_hellos(), 0u) << length;
    }
}

// A whole message whose body is cut at every length: its inner lengths no
// longer add up, so no hello, except where the cut leaves a valid hello
// without extensions.
TEST(HelloParser, TruncatedBodiesYieldNoGarbage)
{
    const size_t client_fixed = 2 + 32 + 1 + kSessionId.size() + 2 + 8 + 2;  // up to the extensions
    for (size_t length = 0; length <= kGreasedClientHello.size(); ++length) {
        const Bytes body(kGreasedClientHello.begin(), kGreasedClientHello.begin() + static_cast<std::ptrdiff_t>(length));
        HandshakeReader reader;
        const Bytes message = handshake(1, body);
        reader.feed_handshake_fragment(message.data(), message.size());
        const std::vector<ParsedHello> hellos = reader.take_hellos();
        EXPECT_EQ(reader.client_hellos(), 1u);
        if (length == kGreasedClientHello.size()) {
            ASSERT_EQ(hellos.size(), 1u);
            EXPECT_EQ(hellos[0].ja4, kGreasedJa4);
        } else if (length == client_fixed) {
            ASSERT_EQ(hellos.size(), 1u);
            EXPECT_TRUE(hellos[0].extension_types.empty());
            EXPECT_EQ(hellos[0].ja3_text, "771,4865-4866-49195,,,");
        } else {
            EXPECT_TRUE(hellos.empty()) << length;
        }
    }
    const size_t server_fixed = 2 + 32 + 1 + kSessionId.size() + 2 + 1;
    for (size_t length = 0; length <= kServerHello.size(); ++length) {
        const Bytes body(kServerHello.begin(), kServerHello.begin() + static_cast<std::ptrdiff_t>(length));
        const std::vector<ParsedHello> hellos = read_message(handshake(2, body));
        const bool valid = length == kServerHello.size() || length == server_fixed;
        EXPECT_EQ(hellos.size(), valid ? 1u : 0u) << length;
    }
}

// Any byte of the message changed: no crash, no read out of bounds (the
// sanitized build checks), and what comes out stays within the rules.
TEST(HelloParser, CorruptedBytes)
{
    const Bytes messages = cat({handshake(1, kGreasedClientHello), handshake(2, kServerHello)});
    for (size_t at = 0; at < messages.size(); ++at) {
        for (const int value : {0x00, 0x01, 0x02, 0x20, 0x7f, 0x80, 0xff}) {
            Bytes corrupted = messages;
            corrupted[at] = static_cast<uint8_t>(value);
            for (const ParsedHello &hello : read_message(corrupted)) {
                EXPECT_LE(hello.session_id.size(), 32u);
                EXPECT_EQ(hello.ja3.size(), 32u);
                EXPECT_EQ(hello.ja4.size(), hello.is_server ? 0u : 36u);
            }
        }
    }
}

TEST(HelloParser, MalformedExtensionContentsLeaveTheirFieldEmpty)
{
    const std::vector<Bytes> extensions = {
        extension(0, cat({u16s({40}), {0}, vec(2, text("example.com"))})),  // list longer than the extension
        extension(16, vec(2, cat({vec(1, text("h2")), {9, 'h'}}))),         // name longer than the list
        extension(10, vec(2, {0, 0x1d, 0})),                                // odd length
        extension(11, {}),
        extension(13, cat({vec(2, u16s({0x0403})), {0}})),                  // a byte after the list
        extension(43, vec(1, {3})),
    };
    const std::vector<ParsedHello> hellos = read_message(handshake(1, client_hello_body(u16s({0x1301}), &extensions)));
    ASSERT_EQ(hellos.size(), 1u);
    const ParsedHello &h = hellos[0];
    EXPECT_EQ(h.extension_types, (std::vector<uint16_t>{0, 16, 10, 11, 13, 43}));
    EXPECT_EQ(h.server_name, "");
    EXPECT_TRUE(h.alpn.empty());
    EXPECT_TRUE(h.supported_groups.empty());
    EXPECT_TRUE(h.ec_point_formats.empty());
    EXPECT_TRUE(h.signature_algorithms.empty());
    EXPECT_TRUE(h.supported_versions.empty());
    EXPECT_EQ(h.ja3_text, "771,4865,0-16-10-11-13-43,,");
    EXPECT_EQ(h.ja4.substr(0, 10), "t12d010600");  // SNI present, version from the hello
}

// FoxIO's examples (technical_details/JA4.md, "ALPN Extension Value").
TEST(HelloParser, Ja4AlpnCharacters)
{
    struct Case {
        Bytes first_name;
        const char *expected;
    };
    const Case cases[] = {
        {text("h2"), "h2"},   {text("http/1.1"), "h1"}, {text("h"), "hh"},      {{}, "00"},
        {{0xab}, "ab"},       {{0xab, 0xcd}, "ad"},     {{0x30, 0xab}, "3b"},   {{0x30, 0x31, 0xab, 0xcd}, "3d"},
        {{0x30, 0xab, 0xcd, 0x31}, "01"},
    };
    for (const Case &c : cases) {
        const std::vector<Bytes> extensions = {extension(16, vec(2, cat({vec(1, c.first_name), vec(1, text("x"))})))};
        const std::vector<ParsedHello> hellos = read_message(handshake(1, client_hello_body(u16s({0x1301}), &extensions)));
        ASSERT_EQ(hellos.size(), 1u);
        EXPECT_EQ(hellos[0].ja4.substr(8, 2), c.expected);
    }
    const std::vector<ParsedHello> without = read_message(handshake(1, client_hello_body(u16s({0x1301}), nullptr)));
    ASSERT_EQ(without.size(), 1u);
    EXPECT_EQ(without[0].ja4.substr(8, 2), "00");
}

// Expected values: tls_reference.py's ja4 on the same hellos.
TEST(HelloParser, Ja4VersionsAndEmptyLists)
{
    const auto ja4_of = [](const Bytes &body) {
        const std::vector<ParsedHello> hellos = read_message(handshake(1, body));
        return hellos.size() == 1 ? hellos[0].ja4 : "(none)";
    };
    // Nothing offered: empty lists hash to twelve zeros.
    EXPECT_EQ(ja4_of(client_hello_body({}, nullptr)), "t12i000000_000000000000_000000000000");
    const std::vector<Bytes> none;
    EXPECT_EQ(ja4_of(client_hello_body(u16s({0x1301}), &none, 0x0301)), "t10i010000_0f2cb44170f4_000000000000");
    // supported_versions with only GREASE: no version.
    const std::vector<Bytes> grease_only = {extension(43, vec(1, u16s({0x4a4a})))};
    EXPECT_EQ(ja4_of(client_hello_body(u16s({0x1301}), &grease_only)), "t00i010100_0f2cb44170f4_b9a491fefe05");
    // SNI and ALPN counted, then left out of the extension hash.
    const std::vector<Bytes> sni_alpn = {extension(0, vec(2, cat({{0}, vec(2, text("a"))}))),
                                         extension(16, vec(2, vec(1, text("h2")))),
                                         extension(13, vec(2, u16s({0x0403})))};
    EXPECT_EQ(ja4_of(client_hello_body(u16s({0x1301}), &sni_alpn)), "t12d0103h2_0f2cb44170f4_79c50902419d");
}

TEST(HelloParser, ReadsTheFirst64KiBOnly)
{
    const Bytes client_hello = handshake(1, kGreasedClientHello);
    // A message first that leaves the hello just room to end at the limit.
    const size_t room = HandshakeReader::kReadLimit - 4 - client_hello.size();
    {
        const Bytes stream = in_records(cat({handshake(11, Bytes(room, 0x30)), client_hello}));
        HandshakeReader reader;
        reader.feed_stream(stream.data(), stream.size());
        EXPECT_EQ(summaries(reader.take_hellos()), summaries(read_message(client_hello)));
        EXPECT_TRUE(reader.finished());
    }
    // One byte more: the hello would end past the limit.
    {
        const Bytes stream = in_records(cat({handshake(11, Bytes(room + 1, 0x30)), client_hello}));
        HandshakeReader reader;
        reader.feed_stream(stream.data(), stream.size());
        EXPECT_TRUE(reader.take_hellos().empty());
        EXPECT_EQ(reader.client_hellos(), 0u);
        EXPECT_TRUE(reader.finished());
    }
    // A hello larger than the limit (a huge padding extension) is skipped.
    {
        const std::vector<Bytes> padding = {extension(21, Bytes(65530, 0))};
        const Bytes stream =
            in_records(handshake(1, client_hello_body(u16s({0x1301}), &padding)));
        HandshakeReader reader;
        reader.feed_stream(stream.data(), stream.size());
        EXPECT_TRUE(reader.take_hellos().empty());
        EXPECT_TRUE(reader.finished());
    }
}

TEST(HelloParser, ClientHelloAfterChangeCipherSpec)
{
    const Bytes client_hello = handshake(1, kGreasedClientHello);
    const Bytes change_cipher_spec = record(20, {1});
    // TLS 1.3 with a HelloRetryRequest: ClientHello, ChangeCipherSpec, ClientHello.
    {
        const Bytes stream = cat({record(22, client_hello), change_cipher_spec, change_cipher_spec,
                                  record(22, client_hello), record(23, Bytes(40, 0x55))});
        HandshakeReader reader;
        reader.feed_stream(stream.data(), stream.size());
        EXPECT_EQ(reader.take_hellos().size(), 2u);
        EXPECT_EQ(reader.client_hellos(), 2u);
        EXPECT_TRUE(reader.finished());  // application_data after the ChangeCipherSpec
    }
    // Not exactly one ClientHello in the record: encrypted, stop.
    const Bytes not_alone[] = {
        cat({client_hello, handshake(20, Bytes(12, 1))}),
        Bytes(client_hello.begin(), client_hello.end() - 1),
        handshake(2, kServerHello),
        {},
    };
    for (const Bytes &fragment : not_alone) {
        const Bytes stream = cat({change_cipher_spec, record(22, fragment), record(22, client_hello)});
        HandshakeReader reader;
        reader.feed_stream(stream.data(), stream.size());
        EXPECT_TRUE(reader.take_hellos().empty());
        EXPECT_EQ(reader.client_hellos(), 0u);
        EXPECT_TRUE(reader.finished());
    }
    // A hello cut by the ChangeCipherSpec is dropped.
    {
        const Bytes stream = cat({record(22, Bytes(client_hello.begin(), client_hello.begin() + 50)),
                                  change_cipher_spec, record(22, Bytes(client_hello.begin() + 50, client_hello.end()))});
        EXPECT_TRUE(read_stream(stream).empty());
    }
}

TEST(HelloParser, Sslv2ClientHello)
{
    // Version TLS 1.0, three cipher specs (one SSL 2.0 only), no session id,
    // a 16-byte challenge; then a TLS record.
    const Bytes body = cat({{1}, u16s({0x0301, 9, 0, 16}), {0x01, 0x00, 0x80, 0x00, 0x00, 0x39, 0x00, 0x00, 0x2f},
                            Bytes(16, 0xcc)});
    const Bytes sslv2_record = cat({{static_cast<uint8_t>(0x80 | body.size() >> 8), static_cast<uint8_t>(body.size())}, body});
    const Bytes stream = cat({sslv2_record, record(22, handshake(16, Bytes(70, 4)))});
    HandshakeReader reader;
    reader.feed_stream(stream.data(), stream.size());
    const std::vector<ParsedHello> hellos = reader.take_hellos();
    ASSERT_EQ(hellos.size(), 1u);
    EXPECT_TRUE(hellos[0].sslv2);
    EXPECT_EQ(hellos[0].legacy_version, 0x0301);
    EXPECT_EQ(hellos[0].cipher_suites, (std::vector<uint16_t>{0x39, 0x2f}));
    EXPECT_TRUE(hellos[0].session_id.empty());
    EXPECT_EQ(hellos[0].ja3, "");  // Wireshark gives none either
    EXPECT_EQ(reader.client_hellos(), 1u);
    EXPECT_FALSE(reader.finished());

    for (size_t length = 0; length < sslv2_record.size(); ++length) {
        HandshakeReader cut;
        cut.feed_sslv2_client_hello(sslv2_record.data(), length);
        EXPECT_TRUE(cut.take_hellos().empty()) << length;
    }
    // Only as the first record.
    const Bytes late = cat({record(22, handshake(1, kGreasedClientHello)), sslv2_record});
    HandshakeReader second;
    second.feed_stream(late.data(), late.size());
    EXPECT_EQ(second.take_hellos().size(), 1u);
    EXPECT_TRUE(second.finished());
}

TEST(HelloParser, StopsAtWhatIsNotTls)
{
    const Bytes request = text("GET / HTTP/1.1\r\n\r\n");
    HandshakeReader reader;
    reader.feed_stream(request.data(), request.size());
    EXPECT_TRUE(reader.finished());
    const Bytes stream = record(22, handshake(1, kGreasedClientHello));
    reader.feed_stream(stream.data(), stream.size());
    EXPECT_TRUE(reader.take_hellos().empty());

    HandshakeReader lost;
    lost.feed_stream(stream.data(), 20);
    lost.lose();
    lost.feed_stream(stream.data() + 20, stream.size() - 20);
    EXPECT_TRUE(lost.take_hellos().empty());
}

// Hellos from shipped captures, each the TCP payload of one frame (cut after
// the records that matter), extracted with
//     tshark -r captures/NAME -Y frame.number==N -T fields -e tcp.payload
//         -e tls.handshake.ja3_full -e tls.handshake.ja3 -e tls.handshake.ja3s_full -e tls.handshake.ja3s
// The JA3/JA3S values are Wireshark's (4.0), an independent implementation;
// Wireshark 4.0 has no JA4, so the JA4 values are tls_reference.py's for the
// same captures.
namespace {

struct CaptureHello {
    const char *name;
    const char *payload;
    const char *ja3_text;
    const char *ja3;
    const char *ja4;
};

const CaptureHello kCaptureHellos[] = {
    {"tls13-openssl.pcap frame 4",
     "16030100dc010000d80303e8923d309b10bfa673799dd0328dc698be5aa74a8b0bf8d91eb551673167c6782050f2e9d0"
     "3f1935be1aa6a0f76f632304f34d8c824f50bdefeb07cb81c34786dc000813021303130100ff01000087000b00040300"
     "0102000a00160014001d0017001e0019001801000101010201030104002300000016000000170000000d001e001c0403"
     "05030603080708080809080a080b080408050806040105010601002b0003020304002d00020101003300260024001d00"
     "201a6dd99b33ace3004441c0c8a28381f2d5d209cb290a87cf1364a4efec6ac14b",
     "771,4866-4867-4865-255,11-10-35-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2",
     "c1e58b5fa361cf5bfc0635a61bd8573c", "t13i040900_16476d049b0b_78f1d400d464"},
    {"tls13-openssl.pcap frame 6 (ServerHello, ChangeCipherSpec)",
     "160303007a020000760303fb2c29e18a1c3363d7c0dea128397caf44934b0551f3c90ba949bb15aff907612050f2e9d0"
     "3f1935be1aa6a0f76f632304f34d8c824f50bdefeb07cb81c34786dc130200002e002b0002030400330024001d0020ef"
     "07166cb5a3e1f55c70e51eb0a928e1031fcd5c1d783cd75eb0fdb9f6830a6b140303000101",
     "771,4866,43-51", "15af977ce25de452b96affa2addb1036", ""},
    {"mercury-sll-tls.pcap frame 1",
     "1603010200010001fc0303f1bbd61de7181150c3c509c9c46ceedbbda0aa9b755e4dd7ba203f4c6bdfe3cd202cefa3fd"
     "9d1f0d907ffbd700a28744e61cd02e94217da2e5d75de1b7ee2a4f260024130213031301c02cc030c02bc02fcca9cca8"
     "c024c028c023c027009f009e006b006700ff0100018f00000011000f00000c6170692e73636172662e7368000b000403"
     "000102000a00160014001d0017001e0019001801000101010201030104002300000010000b000908687474702f312e31"
     "001600000017000000310000000d002a0028040305030603080708080809080a080b0804080508060401050106010303"
     "03010302040205020602002b00050403040303002d00020101003300260024001d0020994759a3384476935e838d9038"
     "4140a9886d22d0b3fc2c987e3a92d4f862a170001500ce00000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000",
     "771,4866-4867-4865-49196-49200-49195-49199-52393-52392-49188-49192-49187-49191-159-158-107-103-255,"
     "0-11-10-35-16-22-23-49-13-43-45-51-21,29-23-30-25-24-256-257-258-259-260,0-1-2",
     "331a436afb23d4e31134c11b301bdcb5", "t13d1813h1_85036bcba153_d339722ba4af"},
    {"zeek-tls12-decryption.pcap frame 4",
     "1603010200010001fc03034d98940fb40a244b48e42eac287144b1b7393057caa131f961a78e38b0e77c1e20a73fd3e2"
     "96a0c40f573b69153daef2a35a93c31ae485b6af10b7457d2d1490ae0002c030010001b10000000d000b000008686569"
     "73652e646500170000ff01000100000a000e000c001d00170018001901000101000b00020100002300000010000e000c"
     "02683208687474702f312e310005000501000000000033006b0069001d002070e407d3ebfed3d642e65f0e919bcdb6a6"
     "f754fd8a3b3b944d1bdda975a19a78001700410494ba74b43e8faadac80374b1002083f9b992a9cc666e788270f0eab2"
     "19870415b6b1a9d14e32e1d84003c86c9dcaf4bd3ae194cda00aabc14d9aa3bcae1df8e1002b00050403040303000d00"
     "18001604030503060308040805080604010501060102030201002d00020101001c00024001001500bc00000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000",
     "771,49200,0-23-65281-10-11-35-16-5-51-43-13-45-28-21,29-23-24-25-256-257,0",
     "7850fef8eca29f3f885216d7b8929cb5", "t13d0114h2_a17193ba21fd_d267a5f792d4"},
    {"zeek-tls12-decryption.pcap frame 6 (its first record)",
     "16030300540200005003031a53a25de65a4d2d7b2c4148ea48a74d103ad79d730ea6ce51960adc8d80d94300c0300000"
     "28ff0100010000000000000b000403000102002300000010000b000908687474702f312e3100170000",
     "771,49200,65281-0-11-35-16-23", "d154fcfa5bb4f0748e1dd1992c681104", ""},
    {"zeek-sslv2hello-tls10.pcap frame 6 (its first record)",
     "160301004a02000046030145c7bb492b658d5183bbaedbf35e8f126ff926b14979cd703d242aea996a5fda20a8c1c568"
     "1924e80a32a15d5e7f20bc5e3f513e56b215039d0d55defda5a320c0000400",
     "769,4,", "53611273a714cb4789c8222932efd5a7", ""},
    {"real-world/zeek-tls13draft16-ff52.pcap frame 6 (a draft-16 ServerHello: no session id, no compression)",
     "1603010097020000937f108e013ef70bc663d9dc306362b2f7914bf28dfe4bdc7be5bf9820f6965e34cfd11303006d000d"
     "00000028006500180061047b6fc2dee05cacee615b2803abc86f0204128502c388627fc1e9f940373356c55fabeb3151"
     "3a6c96ceb6dead60e55375503f64e429f07b48ee0ed5680417c9515537c23246e925cdb1d62db3671a9bef64d8335a2d"
     "06c9e57d1cb448ef9c4e02",
     "32528,4867,13-40", "ddc938d7dbdf21719feb5ed34c1d267d", ""},
};

}  // namespace

TEST(HelloParser, CaptureHellosMatchWireshark)
{
    for (const CaptureHello &c : kCaptureHellos) {
        const std::vector<ParsedHello> hellos = read_stream(hex(c.payload));
        ASSERT_EQ(hellos.size(), 1u) << c.name;
        EXPECT_EQ(hellos[0].ja3_text, c.ja3_text) << c.name;
        EXPECT_EQ(hellos[0].ja3, c.ja3) << c.name;
        EXPECT_EQ(hellos[0].ja4, c.ja4) << c.name;
    }
}

TEST(HelloParser, CaptureDetails)
{
    const std::vector<ParsedHello> mercury = read_stream(hex(kCaptureHellos[2].payload));
    ASSERT_EQ(mercury.size(), 1u);
    EXPECT_EQ(mercury[0].server_name, "api.scarf.sh");
    EXPECT_EQ(mercury[0].alpn, std::vector<std::string>{"http/1.1"});
    EXPECT_EQ(mercury[0].supported_versions, (std::vector<uint16_t>{0x0304, 0x0303}));

    const std::vector<ParsedHello> heise = read_stream(hex(kCaptureHellos[3].payload));
    ASSERT_EQ(heise.size(), 1u);
    EXPECT_EQ(heise[0].server_name, "heise.de");
    EXPECT_EQ(heise[0].alpn, (std::vector<std::string>{"h2", "http/1.1"}));
    const std::vector<ParsedHello> heise_server = read_stream(hex(kCaptureHellos[4].payload));
    ASSERT_EQ(heise_server.size(), 1u);
    EXPECT_EQ(heise_server[0].alpn, std::vector<std::string>{"http/1.1"});
    EXPECT_TRUE(heise_server[0].session_id.empty());
}

// zeek-hrr.pcap: the client's frames 4 and 8 (ClientHello; ChangeCipherSpec
// and the second ClientHello) and the server's frame 6 (HelloRetryRequest,
// ChangeCipherSpec). Wireshark gives both ClientHellos JA3
// 0f14b679807628ec7f9c02cada3ee941 and the HelloRetryRequest JA3S
// 15af977ce25de452b96affa2addb1036; tls_reference.py counts 2 ClientHellos.
TEST(HelloParser, CaptureHelloRetryRequest)
{
    const Bytes client = hex(
        "16030100e7010000e3030330f1903e37d4f598a70d696a9172b296c96852c9dae4a3c9ca6b49d2021668a1201a6bb836"
        "8add0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd000813021303130100ff01000092000b00040300"
        "0102000a00080006001500170018002300000016000000170000000d001e001c040305030603080708080809080a080b"
        "080408050806040105010601002b0003020304002d000201010033003f003d0015003904742beee2f40d71fd7de442c4"
        "829450b081225514e22c5d87b47fc5958bccc7ff69835d7731166b62e92de516b8af90fe45cbb056ce364f40"
        "14030300010116030300ef010000eb030330f1903e37d4f598a70d696a9172b296c96852c9dae4a3c9ca6b49d2021668"
        "a1201a6bb8368add0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd000813021303130100ff0100009a"
        "000b000403000102000a00080006001500170018002300000016000000170000000d001e001c04030503060308070808"
        "0809080a080b080408050806040105010601002b0003020304002d000201010033004700450017004104770706eba5d9"
        "0622e4115a2843afeba4b1f4ed9b39eb099398580d4ee221f81d794dc569ecc7d73a27bebd24490423234aa153cb870d"
        "bd2ce5a7583e6cbc3d01");
    HandshakeReader reader;
    reader.feed_stream(client.data(), client.size());
    const std::vector<ParsedHello> hellos = reader.take_hellos();
    ASSERT_EQ(hellos.size(), 2u);
    EXPECT_EQ(reader.client_hellos(), 2u);
    for (const ParsedHello &hello : hellos) {
        EXPECT_EQ(hello.ja3_text, "771,4866-4867-4865-255,11-10-35-22-23-13-43-45-51,21-23-24,0-1-2");
        EXPECT_EQ(hello.ja3, "0f14b679807628ec7f9c02cada3ee941");
        EXPECT_EQ(hello.ja4, "t13i040900_16476d049b0b_78f1d400d464");
    }

    const std::vector<ParsedHello> server = read_stream(hex(
        "1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c201a6bb836"
        "8add0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd130200000c002b00020304003300020017140303"
        "000101"));
    ASSERT_EQ(server.size(), 1u);
    EXPECT_TRUE(server[0].hello_retry_request);
    EXPECT_EQ(server[0].ja3, "15af977ce25de452b96affa2addb1036");
}

// zeek-hrr.pcap, the server's side: frame 6 (HelloRetryRequest, then the
// middlebox-compatibility ChangeCipherSpec), then the start of frame 11 (the
// ServerHello in a record of its own, then encrypted records). The ServerHello
// comes after the ChangeCipherSpec and is read too: its extensions are
// key_share (51) then supported_versions (43), so JA3S "771,4866,51-43",
// MD5 907bf3ecef1c987c889946b737b43de8.
TEST(HelloParser, CaptureServerHelloAfterHelloRetryRequest)
{
    const Bytes server = hex(
        "1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c201a6bb836"
        "8add0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd130200000c002b00020304003300020017140303"
        "000101"
        "160303009b020000970303c962a48cac6114d391e8632c6cdced9c2075d7ebb83b45a89373e8713a553fe6201a6bb836"
        "8add0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd130200004f00330045001700410465fe52a19686"
        "b5dd1de10c56f38094ae842ef60f5111ec0e0ee17d392e54ec4216489b6ecb622c5c884d9026e24a42990c4459f229cc"
        "ee0d30dfc2a367f963d8002b0002030417030304e007829f086e");
    HandshakeReader reader;
    reader.feed_stream(server.data(), server.size());
    const std::vector<ParsedHello> hellos = reader.take_hellos();
    ASSERT_EQ(hellos.size(), 2u);
    EXPECT_TRUE(hellos[0].hello_retry_request);
    EXPECT_FALSE(hellos[1].hello_retry_request);
    EXPECT_EQ(hellos[1].ja3_text, "771,4866,51-43");
    EXPECT_EQ(hellos[1].ja3, "907bf3ecef1c987c889946b737b43de8");
    EXPECT_EQ(hellos[1].supported_versions, std::vector<uint16_t>{0x0304});
    EXPECT_TRUE(reader.finished());  // the encrypted record after it ends the reading
}

// Without a HelloRetryRequest before it, a record after the ChangeCipherSpec
// that happens to look like a whole ServerHello is encrypted (TLS 1.2's
// Finished): not read.
TEST(HelloParser, NoServerHelloAfterChangeCipherSpecWithoutARetry)
{
    const Bytes hello = handshake(2, server_hello_body(Bytes(32, 0x11), {extension(43, u16s({0x0304}))}));
    const Bytes stream = cat({record(22, hello), record(20, Bytes{1}), record(22, hello)});
    EXPECT_EQ(read_stream(stream).size(), 1u);
}

// zeek-sslv2hello-tls10.pcap frame 4: an SSLv2-format ClientHello offering
// TLS 1.0 and 20 cipher specs, all TLS suites (Wireshark: no JA3).
TEST(HelloParser, CaptureSslv2ClientHello)
{
    const std::vector<ParsedHello> hellos = read_stream(hex(
        "8055010301003c0000001000003900003800003500003300003200000400000500002f00001600001300feff00000a00"
        "001500001200fefe000009000064000062000003000006e6b8efdf91cf44f7eae43c83398fdcb2"));
    ASSERT_EQ(hellos.size(), 1u);
    EXPECT_TRUE(hellos[0].sslv2);
    EXPECT_EQ(hellos[0].legacy_version, 0x0301);
    EXPECT_EQ(join(hellos[0].cipher_suites), "57 56 53 51 50 4 5 47 22 19 65279 10 21 18 65278 9 100 98 3 6 ");
}

namespace {

// A DTLS ClientHello body (a cookie after the session id) offering DTLS 1.3
// and 1.2, and its fingerprints by tests/reference/tls_reference.py
// (hello_facts with dtls=True), an independent implementation.
const Bytes kDtlsClientHello = cat(
    {number(0xfefd, 2), Bytes(32, 0x11), vec(1, kSessionId), vec(1, Bytes(16, 0xcc)), vec(2, u16s({0xc02b, 0xc02f, 0x1301})),
     vec(1, {0}),
     vec(2, cat({extension(0, vec(2, cat({{0}, vec(2, text("example.com"))}))), extension(16, vec(2, vec(1, text("webrtc")))),
                 extension(10, vec(2, u16s({0x001d, 0x0017}))), extension(11, vec(1, {0})),
                 extension(13, vec(2, u16s({0x0403, 0x0804}))), extension(43, vec(1, u16s({0xfefc, 0xfefd}))),
                 extension(14, cat({u16s({2, 1, 2}), {0}}))}))});
constexpr const char *kDtlsJa3 = "c8e2d6d5fd453e6f055908ef9d05163a";
constexpr const char *kDtlsJa4 = "dd3d0307wc_28fa9b2900ea_c7de91466cc0";

// One DTLS handshake message fragment: its 12-byte header and bytes
// [offset, offset + length) of the body.
Bytes dtls_fragment(uint8_t type, const Bytes &body, uint16_t seq, size_t offset, size_t length)
{
    return cat({{type}, number(static_cast<uint32_t>(body.size()), 3), number(seq, 2),
                number(static_cast<uint32_t>(offset), 3), number(static_cast<uint32_t>(length), 3),
                Bytes(body.begin() + static_cast<long>(offset), body.begin() + static_cast<long>(offset + length))});
}

Bytes dtls_message(uint8_t type, const Bytes &body, uint16_t seq = 0)
{
    return dtls_fragment(type, body, seq, 0, body.size());
}

std::vector<ParsedHello> read_dtls(DtlsHandshakeReader &reader, const Bytes &record_fragment)
{
    reader.feed_record(record_fragment.data(), record_fragment.size());
    return reader.take_hellos();
}

}  // namespace

TEST(DtlsHandshakeReader, ClientHelloWithACookie)
{
    DtlsHandshakeReader reader;
    const std::vector<ParsedHello> hellos = read_dtls(reader, dtls_message(1, kDtlsClientHello));
    ASSERT_EQ(hellos.size(), 1u);
    const ParsedHello &h = hellos[0];
    EXPECT_FALSE(h.is_server);
    EXPECT_EQ(h.legacy_version, 0xfefd);
    EXPECT_EQ(h.session_id, kSessionId);
    EXPECT_EQ(h.cipher_suites, (std::vector<uint16_t>{0xc02b, 0xc02f, 0x1301}));
    EXPECT_EQ(h.supported_versions, (std::vector<uint16_t>{0xfefc, 0xfefd}));
    EXPECT_EQ(h.server_name, "example.com");
    EXPECT_EQ(h.alpn, std::vector<std::string>{"webrtc"});
    EXPECT_EQ(h.ja3, kDtlsJa3);
    EXPECT_EQ(h.ja4, kDtlsJa4);
    EXPECT_EQ(reader.client_hellos(), 1u);
    // Read as TLS, the cookie is taken for the suites: not the same hello.
    const std::optional<ParsedHello> as_tls = parse_hello(1, kDtlsClientHello.data(), kDtlsClientHello.size(), HelloFormat::Tls);
    EXPECT_FALSE(as_tls && as_tls->ja4 == kDtlsJa4);
}

TEST(DtlsHandshakeReader, FragmentsInAnyOrderGiveTheHelloOnce)
{
    const size_t n = kDtlsClientHello.size();
    const std::vector<Bytes> pieces = {dtls_fragment(1, kDtlsClientHello, 0, 0, 40),
                                       dtls_fragment(1, kDtlsClientHello, 0, 40, 50),
                                       dtls_fragment(1, kDtlsClientHello, 0, 90, n - 90)};
    std::vector<size_t> order = {0, 1, 2};
    do {
        DtlsHandshakeReader reader;
        size_t hellos = 0;
        for (size_t i = 0; i < order.size(); ++i) {
            const std::vector<ParsedHello> got = read_dtls(reader, pieces[order[i]]);
            if (i + 1 < order.size()) {
                EXPECT_TRUE(got.empty());  // not whole yet
                continue;
            }
            ASSERT_EQ(got.size(), 1u);
            EXPECT_EQ(got[0].ja4, kDtlsJa4);
            hellos += got.size();
        }
        EXPECT_EQ(hellos, 1u);
        EXPECT_EQ(reader.client_hellos(), 1u);
    } while (std::next_permutation(order.begin(), order.end()));

    // Overlapping and repeated fragments, several in one record.
    DtlsHandshakeReader reader;
    EXPECT_TRUE(read_dtls(reader, cat({dtls_fragment(1, kDtlsClientHello, 0, 10, 60),
                                       dtls_fragment(1, kDtlsClientHello, 0, 10, 60)}))
                    .empty());
    EXPECT_TRUE(read_dtls(reader, dtls_fragment(1, kDtlsClientHello, 0, 50, n - 50)).empty());
    const std::vector<ParsedHello> got = read_dtls(reader, dtls_fragment(1, kDtlsClientHello, 0, 0, 20));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(summary(got[0]), summary(read_dtls(*std::make_unique<DtlsHandshakeReader>(),
                                                 dtls_message(1, kDtlsClientHello))[0]));
}

TEST(DtlsHandshakeReader, ARetransmittedHelloCountsOnceANewOneAgain)
{
    DtlsHandshakeReader reader;
    EXPECT_EQ(read_dtls(reader, dtls_message(1, kDtlsClientHello)).size(), 1u);
    EXPECT_TRUE(read_dtls(reader, dtls_message(1, kDtlsClientHello)).empty());  // sent again: message_seq 0
    EXPECT_EQ(reader.client_hellos(), 1u);
    // After a HelloVerifyRequest, the second ClientHello is message_seq 1.
    EXPECT_EQ(read_dtls(reader, dtls_message(1, kDtlsClientHello, 1)).size(), 1u);
    EXPECT_EQ(reader.client_hellos(), 2u);
}

TEST(DtlsHandshakeReader, TheFirstFragmentOfAMessageSaysWhatItIs)
{
    DtlsHandshakeReader reader;
    // message_seq 0 began as a Certificate: ClientHello bytes under that
    // number later are part of it, not a hello.
    EXPECT_TRUE(read_dtls(reader, dtls_fragment(11, Bytes(kDtlsClientHello.size(), 0), 0, 0, 10)).empty());
    EXPECT_TRUE(read_dtls(reader, dtls_message(1, kDtlsClientHello)).empty());
    EXPECT_EQ(reader.client_hellos(), 0u);
    // A whole ClientHello too short to be one is neither read nor counted.
    EXPECT_TRUE(read_dtls(reader, dtls_message(1, Bytes(37, 0), 1)).empty());
    EXPECT_EQ(reader.client_hellos(), 0u);
    // A malformed one is counted but yields nothing.
    EXPECT_TRUE(read_dtls(reader, dtls_message(1, Bytes(60, 0xff), 2)).empty());
    EXPECT_EQ(reader.client_hellos(), 1u);
    EXPECT_FALSE(reader.finished());
}

TEST(DtlsHandshakeReader, CutAndOddFragments)
{
    // A fragment cut by the record's end; a fragment past the message's end;
    // headers whose lengths run past the record: no crash, no hello.
    const Bytes whole = dtls_message(1, kDtlsClientHello);
    for (size_t cut = 0; cut < whole.size(); ++cut) {
        DtlsHandshakeReader reader;
        EXPECT_TRUE(read_dtls(reader, Bytes(whole.begin(), whole.begin() + static_cast<long>(cut))).empty()) << cut;
        // The rest, as the fragment that follows the bytes the cut one had.
        const size_t had = cut > 12 ? cut - 12 : 0;
        const std::vector<ParsedHello> got =
            read_dtls(reader, dtls_fragment(1, kDtlsClientHello, 0, had, kDtlsClientHello.size() - had));
        EXPECT_EQ(got.size(), 1u) << cut;
    }
    DtlsHandshakeReader reader;
    Bytes past = dtls_fragment(1, kDtlsClientHello, 0, 0, 10);
    past[9] = 0xff;  // fragment_length far past the record and the message
    EXPECT_TRUE(read_dtls(reader, past).empty());
    EXPECT_TRUE(read_dtls(reader, cat({{2}, number(0xffffff, 3), number(0, 2), number(0xfffff0, 3), number(0x20, 3)})).empty());
}

TEST(DtlsHandshakeReader, Limits)
{
    // A hello longer than the limit is not read; the side goes on.
    DtlsHandshakeReader reader;
    const Bytes huge(DtlsHandshakeReader::kReadLimit + 1, 0);
    EXPECT_TRUE(read_dtls(reader, dtls_message(1, huge)).empty());
    EXPECT_EQ(reader.client_hellos(), 0u);
    EXPECT_EQ(read_dtls(reader, dtls_message(1, kDtlsClientHello, 1)).size(), 1u);
    // More messages than a handshake has: the side is read no further.
    for (uint16_t seq = 2; seq < DtlsHandshakeReader::kMessageLimit; ++seq)
        read_dtls(reader, dtls_fragment(11, Bytes(100, 0), seq, 0, 10));
    EXPECT_FALSE(reader.finished());
    EXPECT_TRUE(read_dtls(reader, dtls_message(1, kDtlsClientHello, 500)).empty());
    EXPECT_TRUE(reader.finished());
}
