#include "html_report.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <tuple>

#include "randomness.h"
#include "report.h"

namespace tlsdist {

// The page's style and drawing code (html_report_assets.cpp).
extern const char *const kHtmlReportStyle;
extern const char *const kHtmlReportScript;

namespace {

// Bars per chart of TLS bytes by server, client and port; the rest is summed.
constexpr size_t kChartBars = 15;

template <typename Integer>
void append_number(std::string &out, Integer value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr);
}

void append_fixed(std::string &out, double value, const char *format)
{
    char text[40];
    std::snprintf(text, sizeof text, format, value);
    out += text;
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is not one
// (overlong forms, surrogates and values past U+10FFFF included).
size_t utf8_sequence_length(std::string_view text, size_t i)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    size_t length;
    uint32_t value;
    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        value = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        value = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        value = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size())
        return 0;
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
        value = (value << 6) | (byte(i + k) & 0x3f);
    }
    static const uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < kSmallest[length] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    return length;
}

struct ChartBar {
    std::string label;
    uint64_t bytes = 0;
    uint64_t sessions = 0;
};

// Bars sorted by bytes (then label), the first kChartBars kept and the rest
// summed into `others`.
struct Chart {
    std::vector<ChartBar> bars;
    ChartBar others;
};

Chart make_chart(const std::map<std::string, ChartBar> &groups)
{
    Chart chart;
    for (const auto &entry : groups)
        chart.bars.push_back(entry.second);
    std::sort(chart.bars.begin(), chart.bars.end(), [](const ChartBar &a, const ChartBar &b) {
        return std::tie(b.bytes, a.label) < std::tie(a.bytes, b.label);
    });
    for (size_t i = kChartBars; i < chart.bars.size(); ++i) {
        chart.others.bytes += chart.bars[i].bytes;
        chart.others.sessions += chart.bars[i].sessions;
    }
    if (chart.bars.size() > kChartBars)
        chart.bars.resize(kChartBars);
    return chart;
}

void append_chart(std::string &out, const char *name, const Chart &chart)
{
    out += '"';
    out += name;
    out += "\":{\"bars\":[";
    for (size_t i = 0; i < chart.bars.size(); ++i) {
        if (i > 0)
            out += ',';
        out += '[' + json_string(chart.bars[i].label) + ',';
        append_number(out, chart.bars[i].bytes);
        out += ',';
        append_number(out, chart.bars[i].sessions);
        out += ']';
    }
    out += "],\"others\":[";
    append_number(out, chart.others.bytes);
    out += ',';
    append_number(out, chart.others.sessions);
    out += "]}";
}

uint64_t tls_bytes(const SessionSummary &s)
{
    return s.tx.tls_bytes + s.rx.tls_bytes;
}

void append_entropy(std::string &out, const ByteHistogram &histogram)
{
    const Randomness r = measure_randomness(histogram);
    if (r.sample == 0)
        out += "null";
    else
        append_fixed(out, r.entropy, "%.6f");
}

void append_counts(std::string &out, const ByteHistogram &histogram)
{
    out += '[';
    bool first = true;
    for (uint64_t count : histogram.counts()) {
        if (!first)
            out += ',';
        first = false;
        append_number(out, count);
    }
    out += ']';
}

void append_session(std::string &out, const SessionSummary &s)
{
    out += '[';
    append_number(out, s.stream);
    out += ',' + epoch_text(s.start) + ',' + json_string(utc_time_text(s.start)) + ',';
    append_fixed(out, s.duration, "%.6f");
    out += ',' + json_string(endpoint_text(s.client)) + ',' + json_string(endpoint_text(s.server)) +
           ',' + json_string(s.version) + ',' +
           json_string(s.metadata ? s.metadata->server_name : std::string());
    for (uint64_t value : {s.tx.tls_bytes, s.rx.tls_bytes, s.tx.frames, s.rx.frames}) {
        out += ',';
        append_number(out, value);
    }
    out += ',';
    append_entropy(out, *s.tx_histogram);
    out += ',';
    append_entropy(out, *s.rx_histogram);
    out += ',';
    append_counts(out, *s.tx_histogram);
    out += ',';
    append_counts(out, *s.rx_histogram);
    out += ",\"";
    out += transport_name(s.transport);
    out += "\"]";
}

void append_data(std::string &out, const std::vector<SessionSummary> &sessions,
                 const CaptureTotals &totals, const HtmlReportInput &input)
{
    std::map<std::string, ChartBar> by_server, by_client, by_port, by_version;
    uint64_t tx_total = 0, rx_total = 0;
    for (const SessionSummary &s : sessions) {
        tx_total += s.tx.tls_bytes;
        rx_total += s.rx.tls_bytes;
        const std::pair<std::map<std::string, ChartBar> *, std::string> groups[] = {
            {&by_server, endpoint_text(s.server)},
            {&by_client, address_text(s.client)},
            {&by_port, std::to_string(s.server.port)},
            {&by_version, s.version},
        };
        for (const auto &[group, label] : groups) {
            ChartBar &bar = (*group)[label];
            bar.label = label;
            bar.bytes += tls_bytes(s);
            ++bar.sessions;
        }
    }

    // The table and histograms keep the sessions with the most TLS bytes,
    // shown in stream order.
    std::vector<const SessionSummary *> shown;
    shown.reserve(sessions.size());
    for (const SessionSummary &s : sessions)
        shown.push_back(&s);
    if (shown.size() > input.session_limit) {
        std::nth_element(shown.begin(), shown.begin() + static_cast<std::ptrdiff_t>(input.session_limit),
                         shown.end(), [](const SessionSummary *a, const SessionSummary *b) {
                             return std::make_tuple(tls_bytes(*b), a->stream) <
                                    std::make_tuple(tls_bytes(*a), b->stream);
                         });
        shown.resize(input.session_limit);
        std::sort(shown.begin(), shown.end(),
                  [](const SessionSummary *a, const SessionSummary *b) { return a->stream < b->stream; });
    }

    out += "{\"title\":" + json_string(input.title) + ",\"filter\":" + json_string(input.filter);
    out += ",\"first\":" + (totals.frames ? epoch_text(totals.first_frame) : std::string("null"));
    out += ",\"last\":" + (totals.frames ? epoch_text(totals.last_frame) : std::string("null"));
    out += ",\"first_text\":" +
           json_string(totals.frames ? utc_time_text(totals.first_frame) : std::string());
    out += ",\"last_text\":" +
           json_string(totals.frames ? utc_time_text(totals.last_frame) : std::string());
    out += ",\"totals\":{\"frames\":";
    append_number(out, totals.frames);
    out += ",\"tls_frames\":";
    append_number(out, totals.tls_frames);
    out += ",\"sessions\":";
    append_number(out, totals.tls_sessions);
    out += ",\"tx_bytes\":";
    append_number(out, tx_total);
    out += ",\"rx_bytes\":";
    append_number(out, rx_total);
    out += "},\"limit\":";
    append_number(out, input.session_limit);
    out += ",\n";
    append_chart(out, "versions", make_chart(by_version));
    out += ",\n";
    append_chart(out, "by_server", make_chart(by_server));
    out += ",\n";
    append_chart(out, "by_client", make_chart(by_client));
    out += ",\n";
    append_chart(out, "by_port", make_chart(by_port));
    out += ",\n\"sessions\":[";
    for (size_t i = 0; i < shown.size(); ++i) {
        out += i > 0 ? ",\n" : "\n";
        append_session(out, *shown[i]);
    }
    out += "]}";
}

}  // namespace

std::string html_escape(std::string_view text)
{
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': escaped += "&amp;"; break;
        case '<': escaped += "&lt;"; break;
        case '>': escaped += "&gt;"; break;
        case '"': escaped += "&quot;"; break;
        case '\'': escaped += "&#39;"; break;
        default: escaped += c;
        }
    }
    return escaped;
}

std::string json_string(std::string_view text)
{
    std::string json = "\"";
    json.reserve(text.size() + 2);
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const size_t length = utf8_sequence_length(text, i);
        if (length == 0) {
            json += "\\ufffd";
            ++i;
            continue;
        }
        if (length > 1) {
            json.append(text.substr(i, length));
            i += length;
            continue;
        }
        ++i;
        if (c == '"' || c == '\\') {
            json += '\\';
            json += static_cast<char>(c);
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            json += escaped;
        } else {
            json += static_cast<char>(c);
        }
    }
    json += '"';
    return json;
}

void append_html_report(std::string &out, const std::vector<SessionSummary> &sessions,
                        const CaptureTotals &totals, const HtmlReportInput &input)
{
    const std::string title = html_escape(input.title.empty() ? "capture" : input.title);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    // Nothing may be fetched: the page is meant to be opened offline.
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n";
    out += "<title>tlsdist: " + title + "</title>\n";
    // First, so that errors of the drawing script below are recorded (for
    // tests) and shown (for people).
    out += "<script>window.tlsdistErrors=[];window.addEventListener('error',function(e){"
           "window.tlsdistErrors.push(String(e.message));var p=document.createElement('p');"
           "p.className='errors';p.textContent='This report could not be drawn completely: '+"
           "e.message;(document.body||document.documentElement).appendChild(p);});</script>\n";
    out += "<style>";
    out += kHtmlReportStyle;
    out += "</style>\n</head>\n<body>\n";
    out += "<header><h1>TLS sessions in <span id=\"capture-name\">" + title + "</span></h1>";
    if (!input.filter.empty())
        out += "<p id=\"view-filter\">Display filter: <code>" + html_escape(input.filter) + "</code></p>";
    if (input.scope != ByteScope::All)
        out += std::string("<p id=\"byte-scope\">Histograms and entropy count ") +
               byte_scope_title(input.scope) + " bytes only (scope=" + byte_scope_word(input.scope) + ").</p>";
    out += "</header>\n<noscript>This report draws its tables and charts with JavaScript; "
           "enable it to see them.</noscript>\n<main id=\"report\"></main>\n";
    out += "<script type=\"application/json\" id=\"tlsdist-data\">";
    append_data(out, sessions, totals, input);
    out += "</script>\n<script>";
    out += kHtmlReportScript;
    out += "</script>\n</body>\n</html>\n";
}

}  // namespace tlsdist
