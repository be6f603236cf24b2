#include "session_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace tlsdist;

namespace {

const uint8_t kAddrA[4] = {192, 0, 2, 1};
const uint8_t kAddrB[4] = {198, 51, 100, 7};

// A datagram of one DTLS handshake record (epoch 0) holding a whole hello
// with a supported_versions extension: a ClientHello offering `version`, or
// a ServerHello selecting it.
std::string dtls_hello(bool server, uint16_t version, uint16_t message_seq = 0)
{
    auto u16 = [](uint32_t v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; };
    auto u24 = [&](uint32_t v) { return std::string(1, static_cast<char>(v >> 16)) + u16(v & 0xffff); };
    std::string body = u16(0xfefd) + std::string(32, '\x5a') + '\0';  // legacy version, random, no session id
    std::string supported;
    if (server) {
        body += u16(0xc02f) + '\0';  // cipher suite, compression method
        supported = u16(version);
    } else {
        body += std::string(1, '\0') + u16(2) + u16(0xc02f) + '\1' + '\0';  // cookie, suites, compression
        supported = std::string(1, '\2') + u16(version);
    }
    const std::string extension = u16(43) + u16(static_cast<uint32_t>(supported.size())) + supported;
    body += u16(static_cast<uint32_t>(extension.size())) + extension;
    const auto length = static_cast<uint32_t>(body.size());
    const std::string message = std::string(1, server ? '\2' : '\1') + u24(length) + u16(message_seq) + u24(0) +
                                u24(length) + body;
    return std::string{'\x16', '\xfe', '\xfd'} + u16(0) + std::string(6, '\0') +
           u16(static_cast<uint32_t>(message.size())) + message;
}

// Frames of DTLS conversations, each handed to the first pass (the
// CaptureTracker, which reads the hellos from the datagrams' records) and
// then to the table, as the plugin does. (TLS hellos the tracker reads from
// the TCP stream: see the CaptureTracker tests below.)
struct Frames {
    CaptureTracker connections;
    SessionTable table{connections};
    uint32_t number = 0;

    void add(uint32_t stream, uint8_t sender, FrameFlags flags, const std::string &tls_bytes,
             int64_t seconds = 100, uint32_t wire = 60)
    {
        const Endpoint a = Endpoint::ipv4(kAddrA, static_cast<uint16_t>(40000 + stream));
        const Endpoint b = Endpoint::ipv4(kAddrB, 443);
        const auto *bytes = reinterpret_cast<const uint8_t *>(tls_bytes.data());
        UdpDatagramFacts facts;
        facts.stream = stream;
        facts.source = sender == 0 ? a : b;
        facts.dtls_begins_at = 0;
        facts.dtls_bytes = tls_bytes.empty() ? nullptr : bytes;
        facts.dtls_length = static_cast<uint32_t>(tls_bytes.size());
        facts.flags = flags;
        ByteRun run{bytes, tls_bytes.size()};
        FrameEvent e;
        e.frame_number = ++number;
        e.time = Timestamp{seconds, 0};
        e.wire_length = wire;
        e.is_tcp = true;
        e.transport = Transport::Udp;
        e.stream = stream;
        e.sender = connections.accept(facts);
        e.source = sender == 0 ? a : b;
        e.destination = sender == 0 ? b : a;
        e.flags = flags;
        e.runs = &run;
        e.run_count = tls_bytes.empty() ? 0 : 1;
        table.add(e);
    }
    void add_other()
    {
        FrameEvent e;
        e.frame_number = ++number;
        table.add(e);
    }
};

}  // namespace

TEST(SessionTable, ClientIsTheClientHelloSender)
{
    Frames f;
    // The capture starts with the server speaking (sender 0), then the
    // ClientHello comes from sender 1.
    const std::string client_hello = dtls_hello(false, 0xfefd), server_hello = dtls_hello(true, 0xfefd);
    f.add(0, 0, {}, "");
    f.add(0, 1, FrameFlag::TlsDissected, client_hello, 101);
    f.add(0, 0, FrameFlag::TlsDissected, server_hello, 103);
    const auto sessions = f.table.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].client.port, 443);
    EXPECT_EQ(sessions[0].tx.tls_bytes, client_hello.size());
    EXPECT_EQ(sessions[0].rx.tls_bytes, server_hello.size());
    EXPECT_EQ(sessions[0].tx.frames, 1u);
    EXPECT_EQ(sessions[0].rx.frames, 2u);
    EXPECT_DOUBLE_EQ(sessions[0].duration, 3.0);
    EXPECT_EQ(sessions[0].version, "DTLS 1.2");
}

TEST(SessionTable, SynSenderIsClientWithoutHello)
{
    Frames f;
    f.add(0, 0, {}, "");  // first frame from sender 0
    f.add(0, 1, FrameFlag::SynWithoutAck, "");
    f.add(0, 0, FrameFlag::TlsDissected, "abc");
    const auto sessions = f.table.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].client.port, 443);  // sender 1 is the 198.51.100.7:443 side
    EXPECT_EQ(sessions[0].rx.tls_bytes, 3u);
    EXPECT_EQ(sessions[0].version, "unknown");
    EXPECT_TRUE(f.table.sender_is_client(0, 1, Transport::Udp));
    EXPECT_FALSE(f.table.sender_is_client(0, 0, Transport::Udp));
}

TEST(SessionTable, ServerHelloReceiverThenHigherPortIsClient)
{
    HandshakeFacts server_hello;
    server_hello.observe_ports(443, 40000);  // sender 0 on the lower port
    server_hello.observe(1, FrameFlag::ServerHello, 0x0303);
    EXPECT_EQ(server_hello.client(), 0);  // the ServerHello came from sender 1
    HandshakeFacts by_port;
    by_port.observe_ports(443, 40000);
    EXPECT_EQ(by_port.client(), 1);
    by_port.observe(1, FrameFlag::SynWithAck, 0);  // a SYN+ACK from sender 1 says sender 0 is the client
    EXPECT_EQ(by_port.client(), 0);
    by_port.observe(1, FrameFlag::SynWithoutAck, 0);  // a SYN says more
    EXPECT_EQ(by_port.client(), 1);
    by_port.observe(0, FrameFlag::ClientHello, 0x0303);  // and beats any hello
    EXPECT_EQ(by_port.client(), 1);
}

TEST(SessionTable, FirstSenderIsClientAsLastResort)
{
    Frames f;
    f.add(3, 0, FrameFlag::TlsDissected, "x");
    const auto sessions = f.table.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].stream, 3u);
    EXPECT_EQ(sessions[0].client.port, 40003);
}

TEST(SessionTable, OfferedVersionWhenNoServerHello)
{
    Frames f;
    f.add(0, 0, FrameFlag::TlsDissected, dtls_hello(false, 0xfefc));
    // (a second ClientHello: a lower offer does not lower it)
    f.add(0, 0, FrameFlag::TlsDissected, dtls_hello(false, 0xfefd, 1));
    EXPECT_EQ(f.table.sessions().at(0).version, "DTLS 1.3 (offered)");
    EXPECT_EQ(f.connections.handshake(0, Transport::Udp)->metadata().client_hellos, 2u);
}

TEST(SessionTable, DtlsHellosAreReadFromEpochZeroHandshakeRecordsOnly)
{
    Frames f;
    std::string later_epoch = dtls_hello(false, 0xfefc);
    later_epoch[4] = 1;  // epoch 1: encrypted, whatever its bytes look like
    f.add(0, 0, FrameFlag::TlsDissected, later_epoch);
    // A DTLS 1.3 unified header (001CSLEE, here a 16-bit length), then the hello's record.
    const std::string unified = std::string{'\x2c', '\x00', '\x01', '\x00', '\x02'} + "xy";
    f.add(0, 0, FrameFlag::TlsDissected, unified + dtls_hello(false, 0xfefc, 1));
    EXPECT_EQ(f.table.sessions().at(0).version, "unknown");
    // Two records in one datagram: the second one's hello is read.
    f.add(0, 1, FrameFlag::TlsDissected, std::string("\x15\xfe\xfd\0\0\0\0\0\0\0\0\0\x02\x01\x00", 15) +
                                              dtls_hello(true, 0xfefd));
    EXPECT_EQ(f.table.sessions().at(0).version, "DTLS 1.2");
}

TEST(SessionTable, ServerHelloWinsOverOffer)
{
    Frames f;
    f.add(0, 0, FrameFlag::TlsDissected, dtls_hello(false, 0xfefc));
    f.add(0, 1, FrameFlag::TlsDissected, dtls_hello(true, 0xfefd));
    EXPECT_EQ(f.table.sessions().at(0).version, "DTLS 1.2");
}

TEST(SessionTable, ConnectionsWithoutRecordsAreNotSessions)
{
    Frames f;
    f.add(0, 0, FrameFlag::SynWithoutAck, "");
    f.add(1, 0, FrameFlag::TlsDissected, "abcd");
    f.add_other();
    const auto sessions = f.table.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].stream, 1u);
    const auto totals = f.table.totals();
    EXPECT_EQ(totals.frames, 3u);
    EXPECT_EQ(totals.tls_frames, 1u);
    EXPECT_EQ(totals.tls_sessions, 1u);
}

TEST(SessionTable, HistogramsAndPerFrameHistogramsAgree)
{
    Frames f;
    f.add(0, 0, FrameFlag::TlsDissected, std::string("\x16\x03\x01\x00", 4));
    f.add(0, 1, FrameFlag::TlsDissected, std::string("\x17\x17", 2), 100, 80);
    const auto s = f.table.sessions().at(0);
    EXPECT_EQ((*s.tx_histogram)[0x16], 1u);
    EXPECT_EQ((*s.tx_histogram)[0x00], 1u);
    EXPECT_EQ((*s.rx_histogram)[0x17], 2u);
    EXPECT_EQ(s.tx_histogram->total(), s.tx.tls_bytes);
    EXPECT_EQ(s.rx.wire_bytes, 80u);

    ByteHistogram frame;
    FrameEvent e;
    const std::string bytes = "\x17\xaa";
    ByteRun run{reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()};
    e.is_tcp = true;
    e.transport = Transport::Udp;
    e.stream = 0;
    e.sender = 1;
    e.runs = &run;
    e.run_count = 1;
    f.table.add(e, &frame);
    EXPECT_EQ(frame.total(), 2u);
    EXPECT_EQ(frame[0xaa], 1u);
    EXPECT_EQ((*f.table.sessions().at(0).rx_histogram)[0x17], 3u);
}

TEST(SessionTable, ClearForgetsEverything)
{
    Frames f;
    f.add(0, 0, FrameFlag::TlsDissected, "abc");
    f.table.clear();
    EXPECT_TRUE(f.table.sessions().empty());
    EXPECT_EQ(f.table.totals().frames, 0u);
}

TEST(SessionTable, OneSessionByStream)
{
    Frames f;
    f.add(2, 0, FrameFlag::SynWithoutAck, "");
    EXPECT_FALSE(f.table.session(2, Transport::Udp).has_value());  // no record yet
    EXPECT_FALSE(f.table.session(7, Transport::Udp).has_value());
    EXPECT_FALSE(f.table.session(2, Transport::Tcp).has_value());
    const std::string client_hello = dtls_hello(false, 0xfefc);
    f.add(2, 0, FrameFlag::TlsDissected, client_hello);
    const auto s = f.table.session(2, Transport::Udp);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->tx.tls_bytes, client_hello.size());
    EXPECT_EQ(s->version, "DTLS 1.3 (offered)");
    EXPECT_EQ(f.table.sessions().at(0).tx.tls_bytes, s->tx.tls_bytes);
}

TEST(SessionTable, AFilteredTableTakesClientAndVersionFromTheWholeConnection)
{
    // The whole connection, as the first pass saw it: the server (a, sender 0)
    // speaks first, then SYN and ClientHello from b (sender 1), ServerHello
    // selecting TLS 1.3 from a.
    CaptureTracker capture;
    const Endpoint a = Endpoint::ipv4(kAddrA, 40000);
    const Endpoint b = Endpoint::ipv4(kAddrB, 443);
    // Minimal hellos: the ClientHello offers TLS 1.3 in supported_versions,
    // the ServerHello selects it there.
    const auto record = [](uint8_t type, const std::string &body) {
        std::string message{static_cast<char>(type), 0, 0, static_cast<char>(body.size())};
        message += body;
        return std::string{22, 3, 1, 0, static_cast<char>(message.size())} + message;
    };
    const std::string random(32, 'r');
    const std::string client_hello = record(
        1, std::string("\x03\x03", 2) + random + std::string("\x00\x00\x02\x13\x01\x01\x00", 7) +
               std::string("\x00\x07\x00\x2b\x00\x03\x02\x03\x04", 9));
    const std::string server_hello = record(
        2, std::string("\x03\x03", 2) + random + std::string("\x00\x13\x01\x00", 4) +
               std::string("\x00\x06\x00\x2b\x00\x02\x03\x04", 8));
    const struct {
        Endpoint source;
        FrameFlags flags;
        uint32_t seq;
        const std::string *payload;
    } whole[] = {{a, {}, 500, nullptr},
                 {b, FrameFlag::SynWithoutAck, 100, nullptr},
                 {b, FrameFlag::TlsDissected, 101, &client_hello},
                 {a, FrameFlag::TlsDissected, 501, &server_hello}};
    uint32_t number = 0;
    for (const auto &frame : whole) {
        TcpSegmentFacts facts;
        facts.frame = ++number;
        facts.source = frame.source;
        facts.destination = frame.source == a ? b : a;
        facts.flags = frame.flags;
        facts.raw_seq = frame.seq;
        facts.syn = frame.flags.has(FrameFlag::SynWithoutAck);
        if (frame.payload) {
            facts.payload = reinterpret_cast<const uint8_t *>(frame.payload->data());
            facts.reported_length = facts.captured_length = static_cast<uint32_t>(frame.payload->size());
        }
        capture.accept(facts);
    }
    capture.finish();

    // A statistic whose filter passes only the server's application data
    // (sender 0, no record shown in its frames: records span segments).
    SessionTable filtered(capture);
    const std::string ciphertext = "ciphertext";
    ByteRun run{reinterpret_cast<const uint8_t *>(ciphertext.data()), ciphertext.size()};
    FrameEvent e;
    e.frame_number = 5;
    e.is_tcp = true;
    e.sender = 0;
    e.source = a;
    e.destination = b;
    e.runs = &run;
    e.run_count = 1;
    filtered.add(e);
    const auto sessions = filtered.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].client.port, 443);
    EXPECT_EQ(sessions[0].version, "TLS 1.3");
    EXPECT_EQ(sessions[0].tx.tls_bytes, 0u);
    EXPECT_EQ(sessions[0].rx.tls_bytes, 10u);
    EXPECT_EQ(sessions[0].tx.frames, 0u);  // the table's own frames: the filter passed one
    EXPECT_EQ(sessions[0].rx.frames, 1u);
    EXPECT_FALSE(filtered.sender_is_client(0, 0));
    EXPECT_TRUE(filtered.sender_is_client(0, 1));
    EXPECT_EQ(filtered.totals().tls_sessions, 1u);
    EXPECT_EQ(filtered.totals().frames, 1u);
    // A table given a connection the first pass has not seen cannot tell it is TLS.
    CaptureTracker empty;
    SessionTable unknown(empty);
    unknown.add(e);
    EXPECT_TRUE(unknown.sessions().empty());

}

TEST(HandshakeFacts, MetadataComesFromTheFirstHelloOfEachSide)
{
    HandshakeFacts facts;
    EXPECT_EQ(facts.metadata().server_name, "");
    facts.observe_details(false, HelloDetails{"first.example", "h2,http/1.1", "", "ja3-one", "ja4-one", "", false, 0});
    facts.observe_details(true, HelloDetails{"", "h2", "TLS_AES_128_GCM_SHA256", "ja3s-one", "", "", false, 0x0303});
    // A second handshake (renegotiation, a retried ClientHello) changes nothing.
    facts.observe_details(false, HelloDetails{"second.example", "http/1.1", "", "ja3-two", "ja4-two", "", false, 0});
    facts.observe_details(true, HelloDetails{"", "http/1.1", "TLS_AES_256_GCM_SHA384", "ja3s-two", "", "", false, 0x0303});
    HandshakeFacts copy;
    copy = facts;
    for (const HandshakeFacts *f : {&facts, &copy}) {
        const SessionMetadata &m = f->metadata();
        EXPECT_EQ(m.server_name, "first.example");
        EXPECT_EQ(m.alpn_offered, "h2,http/1.1");
        EXPECT_EQ(m.alpn_selected, "h2");
        EXPECT_EQ(m.cipher_suite, "TLS_AES_128_GCM_SHA256");
        EXPECT_EQ(m.ja3, "ja3-one");
        EXPECT_EQ(m.ja3s, "ja3s-one");
        EXPECT_EQ(m.ja4, "ja4-one");
        EXPECT_EQ(m.resumption, Resumption::Full);
    }
}

TEST(HandshakeFacts, ResumptionFromTheSessionIdBeforeTls13AndFromThePskIn13)
{
    const auto resumption = [](const char *client_id, const char *server_id, bool psk, uint16_t version) {
        HandshakeFacts facts;
        HelloDetails client, server;
        client.session_id = client_id;
        server.session_id = server_id;
        server.pre_shared_key = psk;
        server.version = version;
        facts.observe_details(false, client);
        facts.observe_details(true, server);
        // The server's side may join the stream first: the same answer.
        HandshakeFacts server_first;
        server_first.observe_details(true, server);
        server_first.observe_details(false, client);
        EXPECT_EQ(server_first.metadata().resumption, facts.metadata().resumption);
        return facts.metadata().resumption;
    };
    EXPECT_EQ(resumption("ab01", "ab01", false, 0x0303), Resumption::Resumed);
    EXPECT_EQ(resumption("ab01", "cd02", false, 0x0303), Resumption::Full);
    EXPECT_EQ(resumption("", "", false, 0x0303), Resumption::Full);  // no id offered
    // TLS 1.3 servers echo the id for middlebox compatibility: only the PSK says.
    EXPECT_EQ(resumption("ab01", "ab01", false, 0x0304), Resumption::Full);
    EXPECT_EQ(resumption("ab01", "ab01", true, 0x0304), Resumption::Resumed);
    // DTLS 1.3 and the TLS 1.3 drafts resume as TLS 1.3 does.
    for (uint16_t version : {uint16_t{0xfefc}, uint16_t{0x7f17}, uint16_t{0xfb1a}}) {
        EXPECT_EQ(resumption("ab01", "ab01", false, version), Resumption::Full) << version;
        EXPECT_EQ(resumption("", "", true, version), Resumption::Resumed) << version;
    }
    HandshakeFacts no_server_hello;
    no_server_hello.observe_details(false, HelloDetails{});
    no_server_hello.count_client_hellos(2);
    EXPECT_EQ(no_server_hello.metadata().resumption, Resumption::Unknown);
    EXPECT_EQ(no_server_hello.metadata().client_hellos, 2u);
    EXPECT_STREQ(resumption_text(Resumption::Unknown), "");
}

// After a HelloRetryRequest (RFC 8446 4.1.4) the ServerHello that follows
// it selects the parameters: it decides resumption, JA3S and the suite.
TEST(HandshakeFacts, TheServerHelloAfterAHelloRetryRequestDecides)
{
    HelloDetails client, retry, server;
    client.session_id = "ab01";
    retry.session_id = server.session_id = "ab01";
    retry.version = server.version = 0x0304;
    retry.hello_retry_request = true;
    retry.fingerprint = "retry ja3s";
    retry.cipher_suite = "retry suite";
    server.pre_shared_key = true;  // (a HelloRetryRequest never carries one)
    server.fingerprint = "server ja3s";
    server.cipher_suite = "server suite";
    HandshakeFacts facts;
    facts.observe_details(false, client);
    facts.observe_details(true, retry);
    EXPECT_EQ(facts.metadata().resumption, Resumption::Unknown);  // not decided by a retry request
    EXPECT_EQ(facts.metadata().ja3s, "retry ja3s");  // what there is until the ServerHello
    facts.observe_details(true, server);
    EXPECT_EQ(facts.metadata().resumption, Resumption::Resumed);
    EXPECT_EQ(facts.metadata().ja3s, "server ja3s");
    EXPECT_EQ(facts.metadata().cipher_suite, "server suite");
    // A later ServerHello (a renegotiation) changes nothing.
    HelloDetails later = server;
    later.pre_shared_key = false;
    later.fingerprint = "later ja3s";
    facts.observe_details(true, later);
    EXPECT_EQ(facts.metadata().resumption, Resumption::Resumed);
    EXPECT_EQ(facts.metadata().ja3s, "server ja3s");

    // The ClientHello joining last decides nothing else.
    HandshakeFacts server_first;
    server_first.observe_details(true, retry);
    server_first.observe_details(true, server);
    server_first.observe_details(false, client);
    EXPECT_EQ(server_first.metadata().resumption, Resumption::Resumed);
    EXPECT_EQ(server_first.metadata().ja3s, "server ja3s");
}

TEST(HandshakeFacts, CompletedFromTheRecordsEachSideSent)
{
    const auto facts_for = [](uint16_t version) {
        HandshakeFacts facts;
        facts.observe(0, FrameFlag::ClientHello, 0x0303);
        facts.observe(1, FrameFlag::ServerHello, version);
        return facts;
    };
    HandshakeFacts tls12 = facts_for(0x0303);
    for (uint8_t side : {uint8_t{0}, uint8_t{1}}) {
        tls12.observe_content(side, kHandshakeContent);
        tls12.observe_content(side, kChangeCipherSpecContent);
    }
    EXPECT_STREQ(tls12.handshake_completed(), "no");  // no Finished after the ChangeCipherSpecs yet
    tls12.observe_content(0, kHandshakeContent);
    EXPECT_STREQ(tls12.handshake_completed(), "no");
    tls12.observe_content(1, kHandshakeContent);
    EXPECT_STREQ(tls12.handshake_completed(), "yes");

    HandshakeFacts tls13 = facts_for(0x0304);
    tls13.observe_content(1, kApplicationDataContent);  // the server's encrypted flight
    EXPECT_STREQ(tls13.handshake_completed(), "no");
    tls13.observe_content(0, kApplicationDataContent);  // the client's Finished
    EXPECT_STREQ(tls13.handshake_completed(), "yes");

    HandshakeFacts lost = facts_for(0x0304);
    lost.observe_content(1, kUnframedContent);
    EXPECT_STREQ(lost.handshake_completed(), "");  // cannot tell

    HandshakeFacts offered_only;
    offered_only.observe(0, FrameFlag::ClientHello, 0x0304);
    EXPECT_STREQ(offered_only.handshake_completed(), "no");
    EXPECT_STREQ(HandshakeFacts().handshake_completed(), "");
}

TEST(CaptureTracker, BytesThatWaitedJoinInSequenceOrderAsLateRuns)
{
    // No SYN: the server's second segment (a record's tail) is captured before
    // its first (the record's header and head). Framed in sequence order, the
    // whole record is handshake; the bytes go to the frames that carried them.
    const Endpoint a = Endpoint::ipv4(kAddrA, 40000);
    const Endpoint b = Endpoint::ipv4(kAddrB, 443);
    std::string record("\x16\x03\x03\x00\x0b", 5);
    record += "hello world";
    CaptureTracker capture;
    const auto send = [&](uint32_t frame, uint32_t seq, size_t from, size_t length) {
        TcpSegmentFacts facts;
        facts.frame = frame;
        facts.source = b;
        facts.destination = a;
        facts.flags = FrameFlag::TlsDissected;
        facts.raw_seq = seq;
        facts.payload = reinterpret_cast<const uint8_t *>(record.data()) + from;
        facts.reported_length = facts.captured_length = static_cast<uint32_t>(length);
        return capture.accept(facts);
    };
    const TrackedSegment second = send(1, 7008, 8, 8);
    EXPECT_TRUE(second.waiting);
    EXPECT_EQ(second.run_count, 0u);
    EXPECT_TRUE(send(2, 7000, 0, 8).waiting);
    EXPECT_TRUE(capture.late_runs().empty());
    capture.finish();
    ASSERT_EQ(capture.late_runs().size(), 2u);
    SessionTable table(capture);
    // The frames themselves, as a statistic counted them while their bytes waited.
    for (uint32_t frame : {1u, 2u}) {
        FrameEvent e;
        e.frame_number = frame;
        e.is_tcp = true;
        e.sender = 0;  // b sent the connection's first frame
        e.source = b;
        e.destination = a;
        e.flags = FrameFlag::TlsDissected;
        e.waiting = true;
        table.add(e);
    }
    for (const LateRun &late : capture.late_runs()) {
        ByteRun run{capture.late_bytes(late), late.length, late.framing};
        FrameEvent e;
        e.frame_number = late.frame;
        e.is_tcp = true;
        e.stream = late.stream;
        e.sender = late.sender;
        e.flags = FrameFlag::TlsDissected;
        e.counts_frame = false;
        e.runs = &run;
        e.run_count = 1;
        table.add(e);
    }
    const auto sessions = table.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].client.port, 40000);  // the higher port
    EXPECT_EQ(sessions[0].rx.tls_bytes, 16u);
    EXPECT_EQ(sessions[0].rx.content_bytes[kHandshakeContent], 16u);
    EXPECT_EQ(sessions[0].rx.content_bytes[kUnframedContent], 0u);
    EXPECT_EQ(sessions[0].rx.missed_bytes, 0u);
    EXPECT_EQ(sessions[0].rx.frames, 2u);  // late runs add bytes, not frames
    EXPECT_EQ(sessions[0].rx.tls_frames, 2u);
}
