#include "session_csv_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "report.h"

using namespace tlsdist;

namespace {

// Sessions with every column set to something of its own, and the storage
// their pointers point into.
struct SampleSessions {
    std::vector<std::unique_ptr<ByteHistogram>> histograms;
    std::vector<std::unique_ptr<SessionMetadata>> metadata;
    std::vector<SessionSummary> list;

    const ByteHistogram *histogram_of(const std::vector<uint8_t> &bytes)
    {
        histograms.push_back(std::make_unique<ByteHistogram>());
        histograms.back()->add(bytes.data(), bytes.size());
        return histograms.back().get();
    }

    SessionSummary &add(const std::string &text)
    {
        const uint32_t i = static_cast<uint32_t>(list.size());
        SessionSummary s;
        s.stream = 3 * i + 1;
        s.transport = i % 3 == 2 ? Transport::Udp : Transport::Tcp;
        s.start = Timestamp{1675419143 + i, static_cast<int32_t>(123456000 + i * 1000)};
        s.duration = 0.25 * i + 0.000001;
        const uint8_t client[4] = {10, 0, static_cast<uint8_t>(i), 1};
        uint8_t server[16] = {0x20, 0x01, 0x0d, 0xb8};
        server[15] = static_cast<uint8_t>(i);
        s.client = Endpoint::ipv4(client, static_cast<uint16_t>(40000 + i));
        s.server = i % 2 ? Endpoint::ipv6(server, 443) : Endpoint::ipv4(client, 65535);
        s.version = text;
        for (DirectionTotals *d : {&s.tx, &s.rx}) {
            d->tls_bytes = 1000 + i;
            d->frames = 7 + i;
            d->wire_bytes = 2000 + i;
            d->missed_bytes = i;
            for (int kind = 0; kind < kContentKinds; ++kind)
                d->content_bytes[kind] = 10 * kind + i;
            d->bytes_before_tls = i;
            d->decrypted_bytes = 2 * i;
        }
        s.rx.tls_bytes += 5;
        s.scope = static_cast<ByteScope>(i % 4);
        metadata.push_back(std::make_unique<SessionMetadata>());
        SessionMetadata &m = *metadata.back();
        m.server_name = text;
        m.alpn_offered = "h2,http/1.1";
        m.alpn_selected = "h2";
        m.cipher_suite = "TLS_AES_128_GCM_SHA256";
        m.ja3 = "771,4865-4866,0-23,29,0";
        m.ja3s = "abc";
        m.ja4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";
        m.resumption = static_cast<Resumption>(i % 3);
        m.client_hellos = i;
        s.metadata = &m;
        s.handshake_completed = i % 3 == 0 ? "yes" : i % 3 == 1 ? "no" : "";
        s.tx_histogram = histogram_of({static_cast<uint8_t>(i), 0, 255, 255});
        s.rx_histogram = histogram_of({});
        list.push_back(s);
        return list.back();
    }
};

// Cells a crafted capture could put in the CSV: quotes, separators, line
// breaks, formulas, apostrophes before formulas, bytes that are not UTF-8.
const std::vector<std::string> kTexts = {
    "TLS 1.3", "", "a,b", "say \"hi\"", "two\r\nlines\nthree", "=HYPERLINK(\"x\")", "-2", "@x", "\tx", "\rx",
    "'=x", "''+1", "'plain", "'", "\"", ",", std::string("nul\0in", 6), "\xff\xfe", "\xc3\xa9t\xc3\xa9",
};

std::string csv_of(const std::vector<SessionSummary> &sessions, const CaptureFiles *captures)
{
    std::string out;
    append_session_csv_header(out, captures != nullptr);
    for (const SessionSummary &s : sessions)
        append_session_csv_row(out, s, captures);
    return out;
}

// Reads the CSV and writes it again, as the writer would from what was read.
std::string reread(const std::string &csv, std::string *error, std::vector<std::string> *names = nullptr)
{
    std::istringstream in(csv);
    SessionCsvReader reader(in);
    std::string out;
    if (!reader.read_header()) {
        *error = reader.error();
        return out;
    }
    append_session_csv_header(out, reader.has_capture_column());
    SessionRecord record;
    while (reader.next(record)) {
        std::string error_of_name;
        const auto captures = CaptureFiles::parse("0 " + record.capture, &error_of_name);
        append_session_csv_row(out, record.session, reader.has_capture_column() ? &*captures : nullptr);
        if (names)
            names->push_back(record.capture);
    }
    *error = reader.error();
    return out;
}

std::string error_of(const std::string &csv)
{
    std::string error;
    reread(csv, &error);
    return error;
}

}  // namespace

TEST(SessionCsvReader, ReadsBackWhatTheWriterWrote)
{
    SampleSessions samples;
    for (const std::string &text : kTexts)
        samples.add(text);
    // Edges: no IP addresses, 64-bit figures, counts past 32 bits, a start
    // before 1970, missed bytes written as a negative number.
    SessionSummary &edges = samples.add("edges");
    edges.client = Endpoint{};
    edges.server = Endpoint{};
    edges.tx.tls_bytes = std::numeric_limits<uint64_t>::max();
    edges.rx.missed_bytes = std::numeric_limits<uint64_t>::max() - 4;
    edges.start = Timestamp{-86400, 999999000};
    ByteHistogram::Counts counts{};
    counts[7] = (uint64_t{1} << 32) + 5;
    samples.histograms.push_back(std::make_unique<ByteHistogram>(*ByteHistogram::from_counts(counts)));
    edges.tx_histogram = samples.histograms.back().get();
    edges.metadata = nullptr;

    std::string error;
    const std::string plain = csv_of(samples.list, nullptr);
    EXPECT_EQ(reread(plain, &error), plain);
    EXPECT_EQ(error, "");

    for (const std::string &name : kTexts) {
        if (name.empty())
            continue;  // (a capture always has a name)
        std::string list_error;
        const auto captures = CaptureFiles::parse("0 " + name, &list_error);
        if (!captures)
            continue;  // (names with line breaks are not capture names)
        const std::string named = csv_of(samples.list, &*captures);
        std::vector<std::string> names;
        EXPECT_EQ(reread(named, &error, &names), named) << name;
        EXPECT_EQ(error, "") << name;
        EXPECT_EQ(names, std::vector<std::string>(samples.list.size(), name));
    }
}

TEST(SessionCsvReader, ReadsTheFieldsThemselves)
{
    SampleSessions samples;
    samples.add("TLS 1.2");
    samples.add("'=1+1");
    std::istringstream in(csv_of(samples.list, nullptr));
    SessionCsvReader reader(in);
    ASSERT_TRUE(reader.read_header()) << reader.error();
    EXPECT_FALSE(reader.has_capture_column());
    SessionRecord record;
    ASSERT_TRUE(reader.next(record)) << reader.error();
    EXPECT_EQ(record.session.stream, 1u);
    EXPECT_EQ(record.session.start.seconds, 1675419143);
    EXPECT_EQ(record.session.start.nanoseconds, 123456000);
    EXPECT_EQ(address_text(record.session.client), "10.0.0.1");
    EXPECT_EQ(record.session.server.port, 65535);
    EXPECT_EQ(record.session.version, "TLS 1.2");
    EXPECT_EQ(record.session.rx.tls_bytes, 1005u);
    EXPECT_EQ(record.session.metadata, &record.metadata);
    EXPECT_EQ(record.metadata.server_name, "TLS 1.2");
    EXPECT_EQ(record.session.tx_histogram->total(), 4u);
    EXPECT_EQ((*record.session.tx_histogram)[255], 2u);
    ASSERT_TRUE(reader.next(record)) << reader.error();
    EXPECT_EQ(endpoint_text(record.session.server), "[2001:db8::1]:443");
    EXPECT_EQ(record.metadata.server_name, "'=1+1");  // one apostrophe, as written
    EXPECT_FALSE(reader.next(record));
    EXPECT_EQ(reader.error(), "");
}

TEST(SessionCsvReader, TakesLineFeedsAndColumnsInAnyOrder)
{
    SampleSessions samples;
    samples.add("TLS 1.3");
    const std::string csv = csv_of(samples.list, nullptr);
    std::string lf;
    for (char c : csv) {
        if (c != '\r')
            lf += c;
    }
    std::string error;
    EXPECT_EQ(reread(lf, &error), csv);
    EXPECT_EQ(error, "");
    // An extra column it does not know, first: passed over.
    std::string extra = "note," + csv;
    extra.insert(extra.find("\r\n") + 2, "\"a, b\",");
    EXPECT_EQ(reread(extra, &error), csv);
    EXPECT_EQ(error, "");
}

TEST(SessionCsvReader, RefusesMalformedInputWithItsLineAndColumn)
{
    SampleSessions samples;
    samples.add("TLS 1.3");
    samples.add("TLS 1.2");
    const std::string csv = csv_of(samples.list, nullptr);
    const size_t header_end = csv.find("\r\n") + 2;
    const std::string header = csv.substr(0, header_end);
    const std::string first = csv.substr(header_end, csv.find("\r\n", header_end) + 2 - header_end);
    // The header's names (none quoted), and the first row's cells as written.
    std::vector<std::string> names, cells;
    for (size_t at = 0; at < header.size() - 2;) {
        const size_t end = std::min(header.find(',', at), header.size() - 2);
        names.push_back(header.substr(at, end - at));
        at = end + 1;
    }
    for (size_t at = 0, quotes = 0, begin = 0; at < first.size() - 2; ++at) {
        quotes += first[at] == '"';
        if (quotes % 2 == 0 && (first[at + 1] == ',' || at + 3 == first.size())) {
            cells.push_back(first.substr(begin, at + 1 - begin));
            begin = at + 2;
        }
    }
    ASSERT_EQ(cells.size(), names.size());
    const std::string count = std::to_string(names.size());
    auto with_cell = [&](const std::string &column, const std::string &value) {
        std::string row;
        for (size_t i = 0; i < cells.size(); ++i)
            row += (i > 0 ? "," : "") + (names[i] == column ? value : cells[i]);
        return header + row + "\r\n";
    };
    ASSERT_EQ(with_cell("", ""), header + first);

    EXPECT_EQ(error_of(""), "line 1: empty input: no header");
    EXPECT_EQ(error_of("a,b\r\n1,2\r\n"), "line 1: not a tlsdist session CSV: no column \"stream\" in the header");
    EXPECT_EQ(error_of("stream,stream\r\n"), "line 1: the column \"stream\" appears twice in the header");
    EXPECT_EQ(error_of(header + "1,2,3\r\n"), "line 2: 3 cells where the header has " + count);
    EXPECT_EQ(error_of(with_cell("tx_bytes", "12x")), "line 2: column tx_bytes: \"12x\" is not a whole number");
    EXPECT_EQ(error_of(with_cell("tx_bytes", "-1")), "line 2: column tx_bytes: \"-1\" is not a whole number");
    EXPECT_EQ(error_of(with_cell("tx_bytes", "18446744073709551616")),
              "line 2: column tx_bytes: \"18446744073709551616\" is not a whole number");
    EXPECT_EQ(error_of(with_cell("stream", "")), "line 2: column stream: \"\" is not a stream number");
    EXPECT_EQ(error_of(with_cell("transport", "sctp")), "line 2: column transport: \"sctp\" is not a transport (tcp or udp)");
    EXPECT_EQ(error_of(with_cell("client_port", "65536")), "line 2: column client_port: \"65536\" is not a port number");
    EXPECT_EQ(error_of(with_cell("server_ip", "10.0.0.256")),
              "line 2: column server_ip: \"10.0.0.256\" is not an IP address (or \"-\")");
    EXPECT_EQ(error_of(with_cell("start_epoch", "1675419143.12")),
              "line 2: column start_epoch: \"1675419143.12\" is not a time in seconds since the epoch "
              "(SECONDS.MICROSECONDS)");
    EXPECT_EQ(error_of(with_cell("duration", "nan")), "line 2: column duration: \"nan\" is not a duration in seconds");
    EXPECT_EQ(error_of(with_cell("byte_scope", "most")),
              "line 2: column byte_scope: \"most\" is not a byte scope (all, appdata, handshake or plaintext)");
    EXPECT_EQ(error_of(with_cell("handshake_completed", "maybe")),
              "line 2: column handshake_completed: \"maybe\" is not yes, no or nothing");
    EXPECT_EQ(error_of(with_cell("tx_255", "3")), "line 2: the byte counts tx_0..tx_255 do not add up to 4 (tx_scope_bytes)");
    EXPECT_EQ(error_of(with_cell("rx_0", "18446744073709551615")),
              "line 2: the byte counts rx_0..rx_255 do not add up to 0 (rx_scope_bytes)");
    // counts whose sum overflows 64 bits
    std::string overflow = with_cell("rx_0", "18446744073709551615");
    overflow.replace(overflow.rfind("\r\n"), 2, "");
    overflow.replace(overflow.rfind(','), std::string::npos, ",1\r\n");
    EXPECT_EQ(error_of(overflow), "line 2: the byte counts rx_0..rx_255 do not add up to 0 (rx_scope_bytes)");
    std::string unended = header + first;
    unended.resize(unended.size() - 2);
    EXPECT_EQ(error_of(unended), "line 2: the row does not end with a line break (the input was cut short?)");
    EXPECT_EQ(error_of(header + "\"1\"x" + first.substr(first.find(','))), "line 2: text after the closing quote of a cell");
    EXPECT_EQ(error_of(header + "1\"" + first.substr(first.find(','))),
              "line 2: a quote inside a cell that does not start with one");
    EXPECT_EQ(error_of(header + "1\r2" + first.substr(first.find(','))),
              "line 2: a carriage return that does not end the row");
    EXPECT_EQ(error_of(header + first + "\"a\nb"), "line 3: the input ends inside a quoted cell");
    EXPECT_EQ(error_of(header + "\"" + std::string(size_t{17} << 20, 'x') + "\"\r\n"),
              "line 2: a row longer than 16 MiB");
    EXPECT_EQ(error_of(header + std::string(100000, ',') + "\r\n"), "line 2: a row of more than 65536 cells");
    // The rows before a malformed one are read.
    std::string error;
    EXPECT_EQ(reread(header + first + "x\r\n", &error), header + first);
    EXPECT_EQ(error, "line 3: 1 cells where the header has " + count);
}

// Every way of cutting the file short, and random damage, ends in rows read
// and a clear error or a clean end: never a crash or a row made up.
TEST(SessionCsvReader, SurvivesTruncationAndRandomDamage)
{
    SampleSessions samples;
    for (const std::string &text : kTexts)
        samples.add(text);
    const std::string csv = csv_of(samples.list, nullptr);
    std::vector<size_t> row_ends;  // (line breaks outside quotes)
    size_t quotes = 0;
    for (size_t at = 0; at + 1 < csv.size(); ++at) {
        quotes += csv[at] == '"';
        if (quotes % 2 == 0 && csv.compare(at, 2, "\r\n") == 0)
            row_ends.push_back(at + 2);
    }
    for (size_t length = 0; length < csv.size(); length += 7) {
        std::string error;
        const std::string cut = csv.substr(0, length);
        const std::string back = reread(cut, &error);
        // A cut exactly at a row's end reads the rows before it; anywhere else is an error.
        if (std::find(row_ends.begin(), row_ends.end(), length) != row_ends.end())
            EXPECT_EQ(error, "") << length;
        else
            EXPECT_NE(error, "") << length;
        EXPECT_EQ(back, csv.substr(0, back.size())) << length;
    }
    std::mt19937_64 generator(18);
    const char kDamage[] = {',', '"', '\r', '\n', 'x', '-', '9', '\0', '\''};
    for (int trial = 0; trial < 500; ++trial) {
        std::string damaged = csv;
        for (int changes = 1 + static_cast<int>(generator() % 4); changes > 0; --changes) {
            const size_t at = generator() % damaged.size();
            switch (generator() % 3) {
            case 0: damaged[at] = kDamage[generator() % sizeof kDamage]; break;
            case 1: damaged.insert(at, 1, kDamage[generator() % sizeof kDamage]); break;
            default: damaged.erase(at, 1 + generator() % 40); break;
            }
        }
        std::string error;
        reread(damaged, &error);  // (any outcome but a crash or a sanitizer report)
    }
}

TEST(TotalsCsv, ReadsBackWhatTheWriterWrote)
{
    SampleSessions samples;
    samples.add("TLS 1.3");
    samples.add("TLS 1.2");
    CaptureTotals totals;
    totals.frames = 40;
    totals.tls_frames = 12;
    totals.tls_sessions = 2;
    totals.first_frame = Timestamp{1675419143, 5000};
    totals.last_frame = Timestamp{1675419150, 999999000};
    std::string csv;
    append_totals_csv(csv, samples.list, totals);
    EXPECT_EQ(csv, "frames,tls_frames,tls_sessions,tx_bytes,rx_bytes,first_frame_epoch,last_frame_epoch\r\n"
                   "40,12,2,2001,2011,1675419143.000005,1675419150.999999\r\n");
    std::string error;
    const auto row = parse_totals_csv(csv, &error);
    ASSERT_TRUE(row) << error;
    EXPECT_EQ(row->totals.frames, 40u);
    EXPECT_EQ(row->totals.tls_frames, 12u);
    EXPECT_EQ(row->totals.tls_sessions, 2u);
    EXPECT_EQ(row->tx_bytes, 2001u);
    EXPECT_EQ(row->rx_bytes, 2011u);
    EXPECT_EQ(row->totals.first_frame.nanoseconds, 5000);
    EXPECT_EQ(row->totals.last_frame.seconds, 1675419150);

    // No frames: no times.
    csv.clear();
    append_totals_csv(csv, {}, CaptureTotals{});
    EXPECT_EQ(csv.substr(csv.find("\r\n") + 2), "0,0,0,0,0,,\r\n");
    ASSERT_TRUE(parse_totals_csv(csv, &error)) << error;
}

TEST(TotalsCsv, RefusesWhatIsNotOne)
{
    const std::string header = "frames,tls_frames,tls_sessions,tx_bytes,rx_bytes,first_frame_epoch,last_frame_epoch\r\n";
    std::string error;
    for (const std::string &bad : {std::string(""), std::string("frames\r\n1\r\n"), header, header + "1,2,3,4,5,1.000000,2.000000",
                                   header + "1,2,3,4,5,1.000000\r\n", header + "1,2,x,4,5,1.000000,2.000000\r\n",
                                   header + "1,2,3,4,5,,\r\n", header + "0,0,0,0,0,1.000000,\r\n",
                                   header + "1,2,3,4,5,1.000000,2.000000\r\n1,2,3,4,5,1.000000,2.000000\r\n"}) {
        error.clear();
        EXPECT_FALSE(parse_totals_csv(bad, &error)) << bad;
        EXPECT_NE(error, "") << bad;
    }
}
