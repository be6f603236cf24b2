#include "html_report.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

using namespace tlsdist;

namespace {

size_t count_of(const std::string &text, const std::string &needle)
{
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

// The JSON between the data element's tags.
std::string data_of(const std::string &html)
{
    const std::string open = "<script type=\"application/json\" id=\"tlsdist-data\">";
    const size_t begin = html.find(open);
    EXPECT_NE(begin, std::string::npos);
    const size_t end = html.find("</script>", begin);
    return html.substr(begin + open.size(), end - begin - open.size());
}

struct Sessions {
    ByteHistogram tx, rx;
    SessionMetadata metadata;
    std::vector<SessionSummary> list;

    // Stream i has 100 * tx_bytes[i] TLS bytes to server 10.0.0.(i % 2 + 1):443.
    explicit Sessions(const std::vector<uint64_t> &tx_bytes)
    {
        const uint8_t data[] = {0, 1, 1, 255};
        tx.add(data, sizeof data);
        for (size_t i = 0; i < tx_bytes.size(); ++i) {
            SessionSummary s;
            s.stream = static_cast<uint32_t>(i);
            const uint8_t client[4] = {192, 0, 2, 7};
            const uint8_t server[4] = {10, 0, 0, static_cast<uint8_t>(i % 2 + 1)};
            s.client = Endpoint::ipv4(client, static_cast<uint16_t>(40000 + i));
            s.server = Endpoint::ipv4(server, 443);
            s.version = "TLS 1.3";
            s.metadata = &metadata;
            s.tx.tls_bytes = 100 * tx_bytes[i];
            s.tx_histogram = &tx;
            s.rx_histogram = &rx;
            list.push_back(s);
        }
    }
};

// A capture's totals: its frames, TLS frames and sessions, and the times
// of its first and last frame (whole seconds).
CaptureTotals capture_totals(uint64_t frames, uint64_t tls_frames, uint64_t tls_sessions, int64_t first,
                             int64_t last)
{
    CaptureTotals totals;
    totals.frames = frames;
    totals.tls_frames = tls_frames;
    totals.tls_sessions = tls_sessions;
    totals.first_frame = Timestamp{first, 0};
    totals.last_frame = Timestamp{last, 0};
    return totals;
}

}  // namespace

TEST(HtmlReport, JsonStringsEscapeQuotesControlsAndMarkup)
{
    EXPECT_EQ(json_string("plain"), "\"plain\"");
    EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_string("\n\t\x01\x7f"), "\"\\u000a\\u0009\\u0001\\u007f\"");
    EXPECT_EQ(json_string("</script><!--&"), "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
    EXPECT_EQ(json_string(std::string("nul\0!", 5)), "\"nul\\u0000!\"");
}

TEST(HtmlReport, JsonStringsKeepUtf8AndReplaceWhatIsNot)
{
    EXPECT_EQ(json_string("\xc3\xa9t\xc3\xa9 \xf0\x9f\x94\x92"), "\"\xc3\xa9t\xc3\xa9 \xf0\x9f\x94\x92\"");
    EXPECT_EQ(json_string("\xff"), "\"\\ufffd\"");                  // never a UTF-8 byte
    EXPECT_EQ(json_string("\xc0\x80"), "\"\\ufffd\\ufffd\"");       // overlong NUL
    EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate
    EXPECT_EQ(json_string("\xe2\x82"), "\"\\ufffd\\ufffd\"");       // cut short
    EXPECT_EQ(json_string("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // past U+10FFFF
}

TEST(HtmlReport, HtmlEscapeCoversTextAndAttributes)
{
    EXPECT_EQ(html_escape("<a href=\"x\">'&amp;"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;amp;");
}

TEST(HtmlReport, HostileStringsStayInsideTheirStrings)
{
    Sessions sessions({1, 2});
    const std::string hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
    sessions.metadata.server_name = hostile;
    sessions.list[0].version = hostile;
    HtmlReportInput input;
    input.title = hostile;
    input.filter = hostile;
    std::string html;
    append_html_report(html, sessions.list, CaptureTotals{}, input);
    // Only tlsdist's own three scripts: the error recorder, the data, the drawing.
    EXPECT_EQ(count_of(html, "<script"), 3u);
    EXPECT_EQ(count_of(html, "</script>"), 3u);
    EXPECT_EQ(count_of(html, "<img"), 0u);
    const std::string data = data_of(html);
    EXPECT_EQ(data.find_first_of("<>&"), std::string::npos) << data;
    EXPECT_NE(html.find("<span id=\"capture-name\">&lt;/script&gt;&lt;script&gt;alert(1)"), std::string::npos);
}

TEST(HtmlReport, KeepsTheSessionsWithTheMostBytesAndChartsThemAll)
{
    // Streams 0..5 with 100x these TLS bytes; a limit of 3 keeps streams 1, 3, 4.
    Sessions sessions({5, 9, 1, 7, 8, 2});
    HtmlReportInput input;
    input.session_limit = 3;
    CaptureTotals totals;
    totals.frames = 40;
    totals.tls_sessions = 6;
    std::string html;
    append_html_report(html, sessions.list, totals, input);
    const std::string data = data_of(html);
    std::vector<std::string> kept;
    for (size_t at = data.find("\n["); at != std::string::npos; at = data.find("\n[", at + 1))
        kept.push_back(data.substr(at + 2, data.find(',', at) - at - 2));
    EXPECT_EQ(kept, (std::vector<std::string>{"1", "3", "4"}));
    // The totals and bar charts count all six: 3,200 bytes in all, 10.0.0.2
    // (odd streams) 1,800 in 3 sessions, 10.0.0.1 1,400 in 3.
    EXPECT_NE(data.find("\"sessions\":6,\"tx_bytes\":3200,\"rx_bytes\":0}"), std::string::npos) << data;
    EXPECT_NE(data.find("\"by_server\":{\"bars\":[[\"10.0.0.2:443\",1800,3],[\"10.0.0.1:443\",1400,3]]"),
              std::string::npos) << data;
    EXPECT_NE(data.find("\"by_port\":{\"bars\":[[\"443\",3200,6]],\"others\":[0,0]}"), std::string::npos);
    // Each kept session carries its 256 counts per direction.
    EXPECT_NE(data.find(",[1,2,0,"), std::string::npos);
}

TEST(HtmlReport, ChartsSumWhatIsBeyondTheirBars)
{
    // 20 servers on 20 different ports would need 20 bars: 15 are drawn.
    std::vector<uint64_t> bytes(20, 1);
    Sessions sessions(bytes);
    for (size_t i = 0; i < bytes.size(); ++i)
        sessions.list[i].server.port = static_cast<uint16_t>(1000 + i);
    std::string html;
    append_html_report(html, sessions.list, CaptureTotals{}, HtmlReportInput{});
    const std::string data = data_of(html);
    const size_t ports = data.find("\"by_port\"");
    const std::string by_port = data.substr(ports, data.find('}', ports) - ports);
    EXPECT_EQ(count_of(by_port, ",100,1]"), 15u) << by_port;
    EXPECT_NE(by_port.find("\"others\":[500,5]"), std::string::npos) << by_port;
}

TEST(HtmlReport, SaysWhatTheHistogramsCountAndNamesDtlsSessions)
{
    Sessions sessions({1, 2});
    sessions.list[1].transport = Transport::Udp;
    HtmlReportInput input;
    std::string html;
    append_html_report(html, sessions.list, CaptureTotals{}, input);
    EXPECT_EQ(html.find("id=\"byte-scope\""), std::string::npos);
    const std::string data = data_of(html);
    EXPECT_EQ(count_of(data, "\"tcp\"]"), 1u);
    EXPECT_EQ(count_of(data, "\"udp\"]"), 1u);
    input.scope = ByteScope::ApplicationData;
    html.clear();
    append_html_report(html, sessions.list, CaptureTotals{}, input);
    EXPECT_NE(html.find("count application data bytes only (scope=appdata)"), std::string::npos);
}

TEST(HtmlReport, ADatasetSumsItsCapturesAndNamesEachSessionsCapture)
{
    // Capture a: streams 0..2 (100, 900, 500 TLS bytes); b failed unread;
    // c: streams 0..1 (900, 100), read in part.
    Sessions a({1, 9, 5}), c({9, 1});
    HtmlReport report(3);
    report.add_capture(ReportCapture{"a.pcap", capture_totals(30, 20, 3, 1700000000, 1700000010), ""});
    for (const SessionSummary &s : a.list)
        report.add_session(s);
    report.add_capture(ReportCapture{"b</script>.pcap", std::nullopt, "tshark: not a capture"});
    report.add_capture(ReportCapture{"c.pcap", capture_totals(5, 4, 2, 1600000000, 1600000001), "cut short"});
    for (const SessionSummary &s : c.list)
        report.add_session(s);
    HtmlReportInput input;
    input.title = "3 captures in d";
    std::string html;
    report.append_html(html, input);
    const std::string data = data_of(html);
    EXPECT_EQ(data.find_first_of("<>&"), std::string::npos) << data;
    EXPECT_NE(data.find("\"totals\":{\"frames\":35,\"tls_frames\":24,\"sessions\":5,\"tx_bytes\":2500,"
                        "\"rx_bytes\":0,\"captures\":3,\"failed\":2}"),
              std::string::npos) << data;
    EXPECT_NE(data.find("\"first\":1600000000.000000,\"last\":1700000010.000000"), std::string::npos) << data;
    // Each capture's own charts: a's three sessions (streams 0 and 2 to
    // 10.0.0.1, stream 1 to 10.0.0.2), all starting in its first interval.
    EXPECT_NE(data.find("[\"a.pcap\",null,[30,20,3,1700000000.000000,\"2023-11-14T22:13:20.000000Z\","
                        "1700000010.000000,\"2023-11-14T22:13:30.000000Z\"],1500,0,"
                        "{\"versions\":{\"bars\":[[\"TLS 1.3\",1500,3]],\"others\":[0,0]},"
                        "\"by_server\":{\"bars\":[[\"10.0.0.2:443\",900,1],[\"10.0.0.1:443\",600,2]],\"others\":[0,0]},"
                        "\"by_client\":{\"bars\":[[\"192.0.2.7\",1500,3]],\"others\":[0,0]},"
                        "\"by_port\":{\"bars\":[[\"443\",1500,3]],\"others\":[0,0]},\"starts\":[3,"),
              std::string::npos) << data;
    EXPECT_NE(data.find("[\"b\\u003c/script\\u003e.pcap\",\"tshark: not a capture\",null,0,0,"
                        "{\"versions\":{\"bars\":[],\"others\":[0,0]},\"by_server\":{\"bars\":[],"
                        "\"others\":[0,0]},\"by_client\":{\"bars\":[],\"others\":[0,0]},"
                        "\"by_port\":{\"bars\":[],\"others\":[0,0]},\"starts\":[]}]"),
              std::string::npos)
        << data;
    EXPECT_NE(data.find("\"by_server\":{\"bars\":[[\"10.0.0.1:443\",900,1],[\"10.0.0.2:443\",100,1]],"
                        "\"others\":[0,0]}"),
              std::string::npos)
        << data;
    EXPECT_NE(data.find("[\"c.pcap\",\"cut short\",[5,4,2,"), std::string::npos) << data;
    // The charts count all five sessions.
    EXPECT_NE(data.find("\"by_port\":{\"bars\":[[\"443\",2500,5]]"), std::string::npos) << data;
    // The table keeps the three with the most bytes (a's stream 1, c's
    // stream 0, a's stream 2), each row ending with its capture's index.
    std::vector<std::string> kept;
    for (size_t at = data.find("\n[", data.find("\"sessions\":[")); at != std::string::npos;
         at = data.find("\n[", at + 1)) {
        const size_t end = data.find("]", data.rfind("\"tcp\"", data.find("\n", at + 1)));
        kept.push_back(data.substr(at + 2, data.find(',', at) - at - 2) + "@" +
                       data.substr(data.rfind(',', end) + 1, end - data.rfind(',', end) - 1));
    }
    EXPECT_EQ(kept, (std::vector<std::string>{"1@0", "2@0", "0@2"}));
}

TEST(HtmlReport, ADatasetsCaptureHasItsOwnChartsAndSessionsStartedOverTime)
{
    // Capture a: 20 sessions to 20 servers (10.0.0.1 and .2 alternate, so
    // port 40000 + i tells them apart), b: 2 sessions; a lasts 60 s.
    Sessions a(std::vector<uint64_t>(20, 1)), b({7, 3});
    for (size_t i = 0; i < a.list.size(); ++i)
        a.list[i].server = Endpoint::ipv4(std::array<uint8_t, 4>{10, 0, 1, static_cast<uint8_t>(i)}.data(),
                                          static_cast<uint16_t>(8000 + i));
    a.list[19].tx.tls_bytes = 5000;
    a.list[3].version = "TLS 1.2";
    // Starts: the first frame (interval 0), 0.5 s later (0), 30 s (30),
    // just before the last frame (59), the last frame (59, the last
    // interval ends with it); the others at 10 s (10).
    const double offsets[] = {0, 0.5, 30, 59.999, 60};
    for (size_t i = 0; i < a.list.size(); ++i) {
        const double offset = i < 5 ? offsets[i] : 10;
        a.list[i].start = Timestamp{1000 + static_cast<int64_t>(offset),
                                    static_cast<int32_t>((offset - static_cast<int64_t>(offset)) * 1e9 + 0.5)};
    }
    HtmlReport report;
    report.add_capture(ReportCapture{"a.pcap", capture_totals(100, 80, 20, 1000, 1060), ""});
    for (const SessionSummary &s : a.list)
        report.add_session(s);
    report.add_capture(ReportCapture{"b.pcap", capture_totals(10, 8, 2, 5000, 5000), ""});
    for (SessionSummary s : b.list) {
        s.start = Timestamp{5000, 0};
        report.add_session(s);
    }
    std::string html;
    report.append_html(html, HtmlReportInput{});
    const std::string data = data_of(html);
    const size_t a_at = data.find("[\"a.pcap\""), b_at = data.find("[\"b.pcap\"");
    ASSERT_NE(a_at, std::string::npos);
    ASSERT_NE(b_at, std::string::npos);
    const std::string a_figures = data.substr(a_at, b_at - a_at), b_figures = data.substr(b_at);
    // a's by-server chart: its largest server first, 14 more of 100 bytes,
    // the 5 others summed.
    EXPECT_NE(a_figures.find("\"by_server\":{\"bars\":[[\"10.0.1.19:8019\",5000,1],[\"10.0.1.0:8000\",100,1]"),
              std::string::npos)
        << a_figures;
    EXPECT_NE(a_figures.find("\"others\":[500,5]},\"by_client\""), std::string::npos) << a_figures;
    EXPECT_NE(a_figures.find("\"versions\":{\"bars\":[[\"TLS 1.3\",6800,19],[\"TLS 1.2\",100,1]]"),
              std::string::npos)
        << a_figures;
    std::string starts = "\"starts\":[2";
    for (size_t i = 1; i < 60; ++i)
        starts += i == 10 ? ",15" : i == 30 ? ",1" : i == 59 ? ",2" : ",0";
    EXPECT_NE(a_figures.find(starts + "]}]"), std::string::npos) << a_figures;
    // b's charts count b's sessions only; a capture of one instant puts
    // them all in its first interval.
    EXPECT_NE(b_figures.find("\"by_server\":{\"bars\":[[\"10.0.0.1:443\",700,1],[\"10.0.0.2:443\",300,1]],"),
              std::string::npos)
        << b_figures;
    EXPECT_NE(b_figures.find("\"starts\":[2,0,"), std::string::npos) << b_figures;
    // The dataset's charts count both.
    EXPECT_NE(data.find("\"by_port\":{\"bars\":[[\"8019\",5000,1],[\"443\",1000,2],"), std::string::npos) << data;
}

TEST(HtmlReport, OneCapturesReportHasNoCaptureFigures)
{
    Sessions sessions({1, 2});
    std::string html;
    append_html_report(html, sessions.list, capture_totals(10, 5, 2, 1000, 1001), HtmlReportInput{});
    const std::string data = data_of(html);
    EXPECT_EQ(data.find("\"captures\""), std::string::npos) << data;
    EXPECT_EQ(data.find("\"starts\""), std::string::npos) << data;
}
