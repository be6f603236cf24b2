#include "report.h"

#include <algorithm>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <sstream>

#include "reference_formats.h"
#include "time_zone.h"

using namespace tlsdist;

namespace {

class UtcZone : public ::testing::Test {
protected:
    void SetUp() override { set_time_zone("UTC0"); }
};

CaptureTotals totals_of(uint64_t frames, uint64_t tls_frames, uint64_t tls_sessions)
{
    CaptureTotals totals;
    totals.frames = frames;
    totals.tls_frames = tls_frames;
    totals.tls_sessions = tls_sessions;
    return totals;
}

SessionSummary sample_session(const ByteHistogram &tx, const ByteHistogram &rx)
{
    const uint8_t client[4] = {10, 0, 0, 1};
    uint8_t server[16] = {0x20, 0x01, 0x0d, 0xb8};
    server[15] = 1;
    SessionSummary s;
    s.stream = 4;
    s.start = Timestamp{1675419143, 123456789};
    s.duration = 10.5;
    s.client = Endpoint::ipv4(client, 2332);
    s.server = Endpoint::ipv6(server, 443);
    s.version = "TLS 1.3";
    s.tx.tls_bytes = 123123;
    s.rx.tls_bytes = 7;
    s.tx.frames = 3;
    s.rx.frames = 4;
    s.tx.wire_bytes = 500;
    s.rx.wire_bytes = 600;
    s.tx_histogram = &tx;
    s.rx_histogram = &rx;
    static const SessionMetadata metadata{"example.com", "", "", "TLS_AES_128_GCM_SHA256", "", "", "", {}, 0,
                                          Resumption::Resumed, 2};
    s.metadata = &metadata;
    return s;
}

std::vector<std::string> split(const std::string &text, char separator)
{
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator))
        parts.push_back(part);
    return parts;
}

}  // namespace

TEST(CsvCell, QuotesPerRfc4180)
{
    EXPECT_EQ(csv_cell("plain"), "plain");
    EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_cell(""), "");
}

TEST(CsvCell, NeutralisesFormulas)
{
    EXPECT_EQ(csv_cell("=1+1"), "\"'=1+1\"");
    EXPECT_EQ(csv_cell("+cmd"), "\"'+cmd\"");
    EXPECT_EQ(csv_cell("-2"), "\"'-2\"");
    EXPECT_EQ(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
    EXPECT_EQ(csv_cell("\tx"), "\"'\tx\"");
    EXPECT_EQ(csv_cell("\rx"), "\"'\rx\"");
    EXPECT_EQ(csv_cell("=\"a\",b"), "\"'=\"\"a\"\",b\"");
}

// Text that already starts with apostrophes before a formula character gets
// one more, so a reader can take one off every guarded cell and get the text
// back (a guarded "=x" and the text "'=x" would otherwise be written alike).
TEST(CsvCell, GuardsApostrophesBeforeFormulas)
{
    EXPECT_EQ(csv_cell("'=x"), "\"''=x\"");
    EXPECT_EQ(csv_cell("''-1"), "\"'''-1\"");
    EXPECT_EQ(csv_cell("'x"), "'x");
    EXPECT_EQ(csv_cell("'"), "'");
    EXPECT_FALSE(csv_needs_guard("a=b"));
    EXPECT_TRUE(csv_needs_guard("''@"));
}

TEST(PrintableText, EscapesControlCharacters)
{
    EXPECT_EQ(printable_text("TLS 1.3"), "TLS 1.3");
    EXPECT_EQ(printable_text("\x1b[31mred\n"), "\\x1b[31mred\\x0a");
    EXPECT_EQ(printable_text(std::string("a\0b", 3)), "a\\x00b");
}

TEST_F(UtcZone, TimesAreFormattedAndTruncated)
{
    const Timestamp t{1675419143, 123999999};
    EXPECT_EQ(local_time_text(t), "2023-02-03 10:12:23.123");
    EXPECT_EQ(utc_time_text(t), "2023-02-03T10:12:23.123999Z");
    EXPECT_EQ(epoch_text(t), "1675419143.123999");
}

TEST_F(UtcZone, SessionTableIsAlignedWithTotals)
{
    ByteHistogram tx, rx;
    std::vector<SessionSummary> sessions = {sample_session(tx, rx)};
    sessions.push_back(sample_session(tx, rx));
    sessions[1].client.port = 1;
    sessions[1].version = "TLS 1.2 \x1b[2J";
    std::string out;
    append_session_table(out, sessions, totals_of(100, 30, 2));
    const auto lines = split(out, '\n');
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "TLS Sessions");
    // Every row is as wide as the header, and columns start at the same place.
    const size_t rx_end = lines[1].size();
    EXPECT_EQ(lines[2].size(), rx_end);
    EXPECT_EQ(lines[3].size(), rx_end);
    const size_t dst = lines[1].find("DST:Port");
    EXPECT_EQ(lines[2].substr(dst, 18), "[2001:db8::1]:443 ");
    EXPECT_EQ(lines[2].find("10.0.0.1:2332"), lines[1].find("SRC:Port"));
    EXPECT_NE(lines[2].find("2023-02-03 10:12:23.123"), std::string::npos);
    EXPECT_NE(lines[2].find("10.500 s"), std::string::npos);
    EXPECT_NE(lines[3].find("TLS 1.2 \\x1b[2J"), std::string::npos);
    EXPECT_EQ(lines[4], "Total packets: 100  Total TLS packets: 30  Total TLS sessions: 2");
}

TEST_F(UtcZone, SessionCsvRowMatchesHeader)
{
    ByteHistogram tx, rx;
    const uint8_t bytes[] = {0, 0, 255};
    tx.add(bytes, 3);
    SessionSummary session = sample_session(tx, rx);
    session.tx.content_bytes[kHandshakeContent] = 100000;
    session.tx.content_bytes[kApplicationDataContent] = 23123;
    session.rx.content_bytes[kUnframedContent] = 7;
    session.scope = ByteScope::ApplicationData;
    std::string out;
    append_session_csv_header(out);
    append_session_csv_row(out, session);
    const auto lines = split(out, '\n');
    ASSERT_EQ(lines.size(), 2u);
    const auto header = split(lines[0].substr(0, lines[0].size() - 1), ',');
    const auto row = split(lines[1].substr(0, lines[1].size() - 1), ',');
    ASSERT_EQ(header.size(), 53u + 512u);
    ASSERT_EQ(row.size(), header.size());
    const auto cell = [&](const std::string &name) {
        const auto found = std::find(header.begin(), header.end(), name);
        EXPECT_NE(found, header.end()) << name;
        return found == header.end() ? std::string("(no column)") : row[found - header.begin()];
    };
    EXPECT_EQ(header[18], "tx_handshake_bytes");
    EXPECT_EQ(header[29], "rx_unframed_bytes");
    EXPECT_EQ(header[30], "tx_before_tls_bytes");
    EXPECT_EQ(header[32], "tx_decrypted_bytes");
    EXPECT_EQ(header[34], "byte_scope");
    EXPECT_EQ(header[37], "tx_entropy");
    EXPECT_EQ(header[49], "ja4");
    EXPECT_EQ(header[50], "resumption");
    EXPECT_EQ(header[51], "client_hellos");
    EXPECT_EQ(header[52], "handshake_completed");
    EXPECT_EQ(header[53], "tx_0");
    EXPECT_EQ(header[53 + 256 + 255], "rx_255");
    EXPECT_EQ(row[0], "4");
    EXPECT_EQ(header[1], "transport");
    EXPECT_EQ(row[1], "tcp");
    EXPECT_EQ(row[2], "2023-02-03T10:12:23.123456Z");
    EXPECT_EQ(row[3], "1675419143.123456");
    EXPECT_EQ(row[4], "10.500000");
    EXPECT_EQ(row[5], "10.0.0.1");
    EXPECT_EQ(row[7], "2001:db8::1");
    EXPECT_EQ(row[9], "TLS 1.3");
    EXPECT_EQ(row[10], "123123");
    EXPECT_EQ(cell("tx_handshake_bytes"), "100000");
    EXPECT_EQ(cell("tx_application_data_bytes"), "23123");
    EXPECT_EQ(cell("rx_application_data_bytes"), "0");
    EXPECT_EQ(cell("rx_unframed_bytes"), "7");
    EXPECT_EQ(cell("tx_alert_bytes"), "0");
    EXPECT_EQ(cell("byte_scope"), "appdata");
    EXPECT_EQ(cell("tx_scope_bytes"), "3");
    EXPECT_EQ(cell("rx_scope_bytes"), "0");
    // TX {0, 0, 255}: -(2/3 log2 2/3 + 1/3 log2 1/3) bits per byte; chi-square
    // with expected 3/256 per value: (2-e)^2/e + (1-e)^2/e + 254 e.
    const double e = 3.0 / 256;
    char chi_square[32];
    std::snprintf(chi_square, sizeof chi_square, "%.3f",
                  (2 - e) * (2 - e) / e + (1 - e) * (1 - e) / e + 254 * e);
    EXPECT_EQ(cell("tx_entropy"), "0.918296");
    EXPECT_EQ(cell("rx_entropy"), "");  // no RX bytes: no figures
    EXPECT_EQ(cell("tx_chi_square"), chi_square);
    EXPECT_EQ(cell("rx_chi_square"), "");
    EXPECT_FALSE(cell("tx_chi_square_p").empty());
    EXPECT_EQ(cell("rx_chi_square_p"), "");
    EXPECT_EQ(cell("server_name"), "example.com");
    EXPECT_EQ(cell("cipher_suite"), "TLS_AES_128_GCM_SHA256");
    EXPECT_EQ(cell("ja3"), "");
    EXPECT_EQ(cell("ja4"), "");
    EXPECT_EQ(cell("resumption"), "resumed");
    EXPECT_EQ(cell("client_hellos"), "2");
    EXPECT_EQ(cell("tx_before_tls_bytes"), "0");
    EXPECT_EQ(cell("tx_0"), "2");
    EXPECT_EQ(cell("tx_255"), "1");
}

TEST_F(UtcZone, PacketCsvRow)
{
    ByteHistogram h;
    const uint8_t bytes[] = {1, 1, 2};
    h.add(bytes, 3);
    const uint8_t a[4] = {1, 1, 1, 1}, b[4] = {8, 8, 8, 8};
    PacketRow row;
    row.frame_number = 12;
    row.time = Timestamp{1672665153, 111000000};
    row.source = Endpoint::ipv4(a, 2311);
    row.destination = Endpoint::ipv4(b, 443);
    row.stream = 2;
    row.from_client = false;
    row.histogram = &h;
    std::string out;
    append_packet_csv_header(out);
    append_packet_csv_row(out, row);
    const auto lines = split(out, '\n');
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].rfind("12,2023-01-02T13:12:33.111000Z,1.1.1.1,2311,8.8.8.8,443,2,tcp,rx,3,0,2,1,0,0,", 0), 0u)
        << lines[1];
    EXPECT_EQ(split(lines[0], ',').size(), split(lines[1], ',').size());
}

namespace {

// Splits CSV text into records of fields per RFC 4180 (CRLF line ends,
// quoted fields with doubled quotes); written here so that the writers are
// checked against the format, not against themselves.
std::vector<std::vector<std::string>> parse_csv(const std::string &text)
{
    std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        std::string &field = records.back().back();
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += text[++i];
            else if (c == '"')
                quoted = false;
            else
                field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            records.back().emplace_back();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            ++i;
            records.emplace_back(1);
        } else {
            field += c;
        }
    }
    if (records.back().size() == 1 && records.back()[0].empty())
        records.pop_back();
    return records;
}

// Strings a crafted capture could try to smuggle into a report.
const std::vector<std::string> kHostileStrings = {
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab first",
    "\rCarriage first",
    "a,b,c",
    "two\r\nlines\nthree",
    "\"quoted\"",
    std::string("nul\0inside", 10),
    "\x1b[2J\x1b[31mred\x07",
    "\x7f\x01\x1f",
    "\xc3\xa9t\xc3\xa9",
};

}  // namespace

TEST_F(UtcZone, HostileStringsKeepTheSessionCsvShapeAndCannotRunAsFormulas)
{
    ByteHistogram tx, rx;
    std::string out;
    append_session_csv_header(out);
    for (const std::string &hostile : kHostileStrings) {
        SessionSummary s = sample_session(tx, rx);
        s.version = hostile;
        // Strings from the hellos on the wire.
        const SessionMetadata from_the_wire{hostile, hostile, hostile, hostile, hostile, hostile, hostile, {}, 0,
                                            Resumption::Full, 1};
        s.metadata = &from_the_wire;
        append_session_csv_row(out, s);
    }
    const auto records = parse_csv(out);
    ASSERT_EQ(records.size(), 1 + kHostileStrings.size());
    for (size_t i = 0; i < kHostileStrings.size(); ++i) {
        const std::string &hostile = kHostileStrings[i];
        const auto &record = records[i + 1];
        ASSERT_EQ(record.size(), records[0].size()) << i;
        const bool formula = std::string_view("=+-@\t\r").find(hostile[0]) != std::string_view::npos;
        // The cell reads back as the string itself, behind an apostrophe when
        // a spreadsheet would take it for a formula.
        EXPECT_EQ(record[9], formula ? "'" + hostile : hostile) << i;
        EXPECT_EQ(record[10], "123123") << i;
        for (size_t column = 43; column <= 49; ++column)
            EXPECT_EQ(record[column], formula ? "'" + hostile : hostile) << i << " column " << column;
    }
}

TEST_F(UtcZone, HostileStringsCannotBreakOrDriveTheTextTable)
{
    ByteHistogram tx, rx;
    std::vector<SessionSummary> sessions;
    for (const std::string &hostile : kHostileStrings) {
        sessions.push_back(sample_session(tx, rx));
        sessions.back().version = hostile;
    }
    std::string out;
    append_session_table(out, sessions, totals_of(1, 1, sessions.size()));
    const auto lines = split(out, '\n');
    ASSERT_EQ(lines.size(), 3 + kHostileStrings.size());
    for (size_t i = 2; i + 1 < lines.size(); ++i)
        EXPECT_EQ(lines[i].size(), lines[1].size()) << "row " << i << " breaks the columns";
    for (const std::string &line : lines) {
        for (unsigned char c : line)
            EXPECT_TRUE(c >= 0x20 && c != 0x7f) << "control byte " << int(c) << " in " << line;
    }
    EXPECT_NE(out.find("\\x1b[2J\\x1b[31mred\\x07"), std::string::npos);
    EXPECT_NE(out.find("\xc3\xa9t\xc3\xa9"), std::string::npos);  // UTF-8 passes through
}

namespace {

// A histogram with the given counts, built without counting each byte: for
// each bit k, the values whose count has that bit, doubled k times by merges.
ByteHistogram histogram_with(const ByteHistogram::Counts &counts)
{
    ByteHistogram result;
    for (int bit = 0; bit < 40; ++bit) {
        std::vector<uint8_t> values;
        for (size_t v = 0; v < 256; ++v)
            if ((counts[v] >> bit) & 1)
                values.push_back(static_cast<uint8_t>(v));
        if (values.empty())
            continue;
        ByteHistogram part;
        part.add(values.data(), values.size());
        for (int doubling = 0; doubling < bit; ++doubling) {
            const ByteHistogram copy = part;
            part.merge(copy);
        }
        result.merge(part);
    }
    return result;
}

// The address cell as the format defines it: inet_ntop's text (RFC 5952,
// formatted by reference_address_text), "-" without an address, which is a
// formula-like cell and so written "'-" in quotes.
std::string expected_address(const Endpoint &endpoint)
{
    const std::string text = reference_address_text(endpoint);
    return text == "-" ? "\"'-\"" : text;
}

// The row formatted independently of report.cpp, with snprintf and
// reference_utc_text.
std::string expected_packet_row(const PacketRow &row, const ByteHistogram::Counts &counts, uint64_t total)
{
    std::string line;
    char text[128];
    std::snprintf(text, sizeof text, "%u,%s.%06dZ,", row.frame_number,
                  // INT64_MAX seconds fall in the year 292,277,026,596, past struct tm.
                  row.time.seconds == INT64_MAX ? "-" : reference_utc_text(row.time.seconds).c_str(),
                  row.time.nanoseconds / 1000);
    line += text;
    std::snprintf(text, sizeof text, "%s,%u,", expected_address(row.source).c_str(), unsigned{row.source.port});
    line += text;
    std::snprintf(text, sizeof text, "%s,%u,", expected_address(row.destination).c_str(),
                  unsigned{row.destination.port});
    line += text;
    std::snprintf(text, sizeof text, "%u,%s,%s,%llu", row.stream, row.transport == Transport::Udp ? "udp" : "tcp",
                  row.from_client ? "tx" : "rx", static_cast<unsigned long long>(total));
    line += text;
    for (uint64_t count : counts) {
        std::snprintf(text, sizeof text, ",%llu", static_cast<unsigned long long>(count));
        line += text;
    }
    return line + "\r\n";
}

}  // namespace

TEST_F(UtcZone, PacketCsvRowsMatchAnIndependentlyFormattedRow)
{
    std::mt19937_64 generator(16);
    auto pick = [&](std::initializer_list<uint64_t> edges, uint64_t modulo) {
        return generator() % 4 == 0 ? *(edges.begin() + generator() % edges.size()) : generator() % modulo;
    };
    std::string out = "earlier text\r\n";
    std::string expected = out;
    for (int trial = 0; trial < 300; ++trial) {
        // Counts: zeros, small ones (a frame's), every width from 1 to 4
        // digits (the writer copies cells below 1000 from a table), and near
        // 2^32 (narrow while the total fits in 32 bits, wide past it).
        ByteHistogram::Counts counts{};
        const int kind = trial % 5;
        for (auto &count : counts) {
            const uint64_t r = generator();
            if (r % 3 == 0)
                count = 0;
            else if (kind == 0)
                count = r % 10;
            else if (kind == 1)
                count = r % 100000;
            else if (kind == 2)
                count = r % 7 == 1 ? (r >> 20) % 17 : 0;
            else if (kind == 4)
                count = (r >> 8) % 1100;
            else
                count = UINT32_MAX - r % 1000;
        }
        if (kind == 2)
            counts[generator() % 256] = UINT32_MAX - 300;  // one count near the narrow limit, total below it
        uint64_t total = 0;
        for (uint64_t count : counts)
            total += count;
        if (kind == 2 && total > UINT32_MAX)
            continue;
        const ByteHistogram histogram = histogram_with(counts);
        ASSERT_EQ(histogram.counts(), counts);

        PacketRow row;
        row.frame_number = static_cast<uint32_t>(pick({0, 1, 9, 10, 99, 100, UINT32_MAX}, uint64_t{1} << 32));
        row.time.seconds = static_cast<int64_t>(pick({0, 1, 59, 86399, 951782400, 4102444800}, uint64_t{1} << 34));
        row.time.nanoseconds = static_cast<int32_t>(pick({0, 999, 1000, 999999, 999999999}, 1000000000));
        for (Endpoint *endpoint : {&row.source, &row.destination}) {
            uint8_t address[16];
            for (auto &byte : address)
                byte = generator() % 3 == 0 ? 0 : static_cast<uint8_t>(generator());
            const auto port = static_cast<uint16_t>(pick({0, 1, 443, 65535}, 65536));
            const uint64_t family = generator() % 5;
            *endpoint = family == 0 ? Endpoint{} : family < 3 ? Endpoint::ipv4(address, port) : Endpoint::ipv6(address, port);
            endpoint->port = port;
        }
        row.stream = static_cast<uint32_t>(pick({0, UINT32_MAX}, 100000));
        row.transport = generator() % 2 ? Transport::Udp : Transport::Tcp;
        row.from_client = generator() % 2;
        row.histogram = &histogram;
        append_packet_csv_row(out, row);
        expected += expected_packet_row(row, counts, total);
        ASSERT_EQ(out, expected) << "trial " << trial;
    }
    // The times outside the usual range: before 1970, nanoseconds past a second.
    ByteHistogram small;
    const uint8_t bytes[] = {0, 255, 255};
    small.add(bytes, sizeof bytes);
    ByteHistogram::Counts small_counts{};
    small_counts[0] = 1;
    small_counts[255] = 2;
    for (const Timestamp time : {Timestamp{-1, 0}, Timestamp{-86400 * 365, 5000}, Timestamp{5, -1000},
                                 Timestamp{5, 2000000000}, Timestamp{INT64_MAX, 0}}) {
        PacketRow row;
        row.time = time;
        row.histogram = &small;
        out.clear();
        append_packet_csv_row(out, row);
        EXPECT_EQ(out, expected_packet_row(row, small_counts, 3)) << time.seconds << " " << time.nanoseconds;
    }
}

TEST(PacketCsv, HeaderNamesEveryColumn)
{
    std::string expected = "frame,time,src_ip,src_port,dst_ip,dst_port,stream,transport,direction,tls_bytes";
    for (int value = 0; value < 256; ++value)
        expected += "," + std::to_string(value);
    expected += "\r\n";
    std::string out;
    append_packet_csv_header(out);
    EXPECT_EQ(out, expected);
}

TEST_F(UtcZone, CaptureColumnNamesTheFileOfTheFirstFrame)
{
    ByteHistogram tx, rx;
    std::vector<SessionSummary> sessions = {sample_session(tx, rx), sample_session(tx, rx)};
    sessions[0].first_frame_number = 4;
    sessions[1].first_frame_number = 5;
    std::string error;
    const auto files = CaptureFiles::parse("4 one.pcap\n10 a, \"b\".pcap", &error);
    ASSERT_TRUE(files.has_value()) << error;

    std::string out;
    append_session_table(out, sessions, totals_of(14, 3, 2), ByteScope::All, &*files);
    const auto lines = split(out, '\n');
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[1].rfind("CAPTURE ", 0), 0u);
    EXPECT_EQ(lines[2].rfind("one.pcap ", 0), 0u);
    EXPECT_EQ(lines[3].rfind("a, \"b\".pcap  2023-02-03", 0), 0u);
    EXPECT_EQ(lines[2].find("2023-02-03"), lines[1].find("TIME"));

    out.clear();
    append_session_csv_header(out, true);
    append_session_csv_row(out, sessions[1], &*files);
    EXPECT_EQ(out.rfind("capture,stream,transport,", 0), 0u);
    EXPECT_NE(out.find("\r\n\"a, \"\"b\"\".pcap\",4,tcp,"), std::string::npos) << out.substr(0, 700);
}
