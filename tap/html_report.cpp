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
// Intervals of a dataset's capture's chart of sessions started over time.
constexpr size_t kStartIntervals = 60;

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
    if (chart.bars.size() > kChartBars) {
        chart.bars.resize(kChartBars);
        chart.bars.shrink_to_fit();  // (a dataset keeps a chart per capture)
    }
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

// Which of kStartIntervals equal parts of a capture's time (its first frame
// to its last) a session starting at start falls in; the last part ends
// with the last frame.
size_t start_interval(const std::optional<CaptureTotals> &totals, const Timestamp &start)
{
    if (!totals || totals->frames == 0)
        return 0;
    const double span = seconds_between(totals->first_frame, totals->last_frame);
    if (!(span > 0))
        return 0;
    const double part = seconds_between(totals->first_frame, start) / span * kStartIntervals;
    if (!(part > 0))
        return 0;
    return std::min(kStartIntervals - 1, static_cast<size_t>(part));
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

// A session the table shows: what its row needs, its histograms copied
// (the summary's may not outlive the call that added it).
struct ShownSession {
    uint64_t bytes = 0;  // TLS bytes both ways: the table keeps the largest
    size_t capture = 0;  // index in captures (0 for one capture)
    size_t sequence = 0;  // order of addition
    uint32_t stream = 0;
    Transport transport = Transport::Tcp;
    Timestamp start;
    double duration = 0;
    std::string client, server, version, server_name;
    uint64_t tx_bytes = 0, rx_bytes = 0, tx_frames = 0, rx_frames = 0;
    ByteHistogram tx_histogram, rx_histogram;
};

// TLS bytes and sessions by server, client, server port and version.
struct Groups {
    std::map<std::string, ChartBar> by_server, by_client, by_port, by_version;

    void add(const SessionSummary &s)
    {
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
};

struct Charts {
    Chart versions, by_server, by_client, by_port;

    explicit Charts(const Groups &groups)
        : versions(make_chart(groups.by_version)), by_server(make_chart(groups.by_server)),
          by_client(make_chart(groups.by_client)), by_port(make_chart(groups.by_port))
    {
    }
};

// A dataset's capture as the page shows it: its charts are made when the
// next capture is added (until then its sessions are in Data::current).
struct CaptureFigures {
    ReportCapture capture;
    uint64_t tx_bytes = 0, rx_bytes = 0;
    std::optional<Charts> charts;
    // Sessions started in each of kStartIntervals equal parts of the time
    // from the capture's first frame to its last; empty without sessions.
    std::vector<uint64_t> starts;
};

}  // namespace

struct HtmlReport::Data {
    size_t limit = kHtmlSessionLimit;
    CaptureTotals totals;  // of the one capture
    std::vector<CaptureFigures> captures;  // of a dataset
    Groups all;  // every session's
    Groups current;  // the sessions of a dataset's last capture
    uint64_t tx_total = 0, rx_total = 0;
    size_t added = 0;
    std::vector<ShownSession> shown;  // up to limit
    // Indices into shown, as a heap whose top is the session the table
    // would give up first: the fewest TLS bytes, then the last in
    // (capture, stream, transport) order.
    std::vector<size_t> heap;

    // The heap's order: a before b when a would be kept rather than b (so
    // the top, the "largest", is the one given up first).
    auto heap_order() const
    {
        return [this](size_t a, size_t b) {
            const ShownSession &x = shown[a], &y = shown[b];
            return std::make_tuple(y.bytes, x.capture, x.stream, x.transport) <
                   std::make_tuple(x.bytes, y.capture, y.stream, y.transport);
        };
    }
};

HtmlReport::HtmlReport(size_t session_limit) : data_(std::make_unique<Data>())
{
    data_->limit = session_limit;
}

HtmlReport::~HtmlReport() = default;

void HtmlReport::set_totals(const CaptureTotals &totals)
{
    data_->totals = totals;
}

void HtmlReport::add_capture(const ReportCapture &capture)
{
    Data &d = *data_;
    if (!d.captures.empty()) {
        d.captures.back().charts.emplace(d.current);
        d.current = Groups{};
    }
    d.captures.push_back(CaptureFigures{capture, 0, 0, std::nullopt, {}});
}

void HtmlReport::add_session(const SessionSummary &s)
{
    Data &d = *data_;
    d.tx_total += s.tx.tls_bytes;
    d.rx_total += s.rx.tls_bytes;
    d.all.add(s);
    const size_t capture = d.captures.empty() ? 0 : d.captures.size() - 1;
    if (!d.captures.empty()) {
        CaptureFigures &figures = d.captures.back();
        figures.tx_bytes += s.tx.tls_bytes;
        figures.rx_bytes += s.rx.tls_bytes;
        d.current.add(s);
        if (figures.starts.empty())
            figures.starts.resize(kStartIntervals);
        figures.starts[start_interval(figures.capture.totals, s.start)]++;
    }

    const size_t sequence = d.added++;
    if (d.limit == 0)
        return;
    const uint64_t bytes = tls_bytes(s);
    size_t slot;
    if (d.shown.size() < d.limit) {
        slot = d.shown.size();
        d.shown.emplace_back();
    } else {
        // Full: the session takes the place of the one the table would give
        // up first, if it comes before it.
        const ShownSession &last = d.shown[d.heap.front()];
        if (std::make_tuple(last.bytes, capture, s.stream, s.transport) >=
            std::make_tuple(bytes, last.capture, last.stream, last.transport))
            return;
        std::pop_heap(d.heap.begin(), d.heap.end(), d.heap_order());
        slot = d.heap.back();
        d.heap.pop_back();
    }
    ShownSession &shown = d.shown[slot];
    shown.bytes = bytes;
    shown.capture = capture;
    shown.sequence = sequence;
    shown.stream = s.stream;
    shown.transport = s.transport;
    shown.start = s.start;
    shown.duration = s.duration;
    shown.client = endpoint_text(s.client);
    shown.server = endpoint_text(s.server);
    shown.version = s.version;
    shown.server_name = s.metadata ? s.metadata->server_name : std::string();
    shown.tx_bytes = s.tx.tls_bytes;
    shown.rx_bytes = s.rx.tls_bytes;
    shown.tx_frames = s.tx.frames;
    shown.rx_frames = s.rx.frames;
    shown.tx_histogram = *s.tx_histogram;
    shown.rx_histogram = *s.rx_histogram;
    d.heap.push_back(slot);
    std::push_heap(d.heap.begin(), d.heap.end(), d.heap_order());
}

namespace {

void append_session(std::string &out, const ShownSession &s, bool dataset)
{
    out += '[';
    append_number(out, s.stream);
    out += ',' + epoch_text(s.start) + ',' + json_string(utc_time_text(s.start)) + ',';
    append_fixed(out, s.duration, "%.6f");
    out += ',' + json_string(s.client) + ',' + json_string(s.server) + ',' + json_string(s.version) + ',' +
           json_string(s.server_name);
    for (uint64_t value : {s.tx_bytes, s.rx_bytes, s.tx_frames, s.rx_frames}) {
        out += ',';
        append_number(out, value);
    }
    out += ',';
    append_entropy(out, s.tx_histogram);
    out += ',';
    append_entropy(out, s.rx_histogram);
    out += ',';
    append_counts(out, s.tx_histogram);
    out += ',';
    append_counts(out, s.rx_histogram);
    out += ",\"";
    out += transport_name(s.transport);
    out += '"';
    if (dataset) {
        out += ',';
        append_number(out, s.capture);
    }
    out += ']';
}

// The four charts, as members of a JSON object, separated by separator.
void append_charts(std::string &out, const Charts &charts, const char *separator)
{
    append_chart(out, "versions", charts.versions);
    out += separator;
    append_chart(out, "by_server", charts.by_server);
    out += separator;
    append_chart(out, "by_client", charts.by_client);
    out += separator;
    append_chart(out, "by_port", charts.by_port);
}

// A dataset's capture: [name, failure or null, totals or null, TX, RX,
// {versions, by_server, by_client, by_port, starts}], totals being [frames,
// TLS frames, sessions, first, first text, last, last text], the charts as
// the dataset's and starts the sessions started in each of kStartIntervals
// (nothing without sessions).
void append_capture(std::string &out, const CaptureFigures &figures, const Charts &charts)
{
    const ReportCapture &c = figures.capture;
    out += '[' + json_string(c.name) + ',' + (c.failure.empty() ? std::string("null") : json_string(c.failure)) + ',';
    if (c.totals) {
        const CaptureTotals &t = *c.totals;
        out += '[';
        for (uint64_t value : {t.frames, t.tls_frames, t.tls_sessions}) {
            append_number(out, value);
            out += ',';
        }
        const bool known = t.frames > 0;
        out += (known ? epoch_text(t.first_frame) : std::string("null")) + ',' +
               json_string(known ? utc_time_text(t.first_frame) : std::string()) + ',' +
               (known ? epoch_text(t.last_frame) : std::string("null")) + ',' +
               json_string(known ? utc_time_text(t.last_frame) : std::string()) + ']';
    } else {
        out += "null";
    }
    out += ',';
    append_number(out, figures.tx_bytes);
    out += ',';
    append_number(out, figures.rx_bytes);
    out += ",{";
    append_charts(out, charts, ",");
    out += ",\"starts\":[";
    for (size_t i = 0; i < figures.starts.size(); ++i) {
        if (i > 0)
            out += ',';
        append_number(out, figures.starts[i]);
    }
    out += "]}]";
}

}  // namespace

void HtmlReport::append_html(std::string &out, const HtmlReportInput &input) const
{
    const Data &d = *data_;
    const bool dataset = !d.captures.empty();
    // A dataset's totals: the sum of its captures', from the first of their
    // first frames to the last of their last.
    CaptureTotals totals = d.totals;
    uint64_t failed = 0;
    if (dataset) {
        totals = CaptureTotals{};
        for (const CaptureFigures &figures : d.captures) {
            failed += figures.capture.failure.empty() ? 0 : 1;
            if (!figures.capture.totals)
                continue;
            const CaptureTotals &t = *figures.capture.totals;
            if (t.frames > 0) {
                if (totals.frames == 0 || t.first_frame < totals.first_frame)
                    totals.first_frame = t.first_frame;
                if (totals.frames == 0 || totals.last_frame < t.last_frame)
                    totals.last_frame = t.last_frame;
            }
            totals.frames += t.frames;
            totals.tls_frames += t.tls_frames;
            totals.tls_sessions += t.tls_sessions;
        }
    }
    // The table's sessions in the order they were added.
    std::vector<const ShownSession *> shown;
    shown.reserve(d.shown.size());
    for (const ShownSession &s : d.shown)
        shown.push_back(&s);
    std::sort(shown.begin(), shown.end(),
              [](const ShownSession *a, const ShownSession *b) { return a->sequence < b->sequence; });

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

    out += "{\"title\":" + json_string(input.title) + ",\"filter\":" + json_string(input.filter);
    const bool timed = totals.frames > 0;
    out += ",\"first\":" + (timed ? epoch_text(totals.first_frame) : std::string("null"));
    out += ",\"last\":" + (timed ? epoch_text(totals.last_frame) : std::string("null"));
    out += ",\"first_text\":" + json_string(timed ? utc_time_text(totals.first_frame) : std::string());
    out += ",\"last_text\":" + json_string(timed ? utc_time_text(totals.last_frame) : std::string());
    out += ",\"totals\":{\"frames\":";
    append_number(out, totals.frames);
    out += ",\"tls_frames\":";
    append_number(out, totals.tls_frames);
    out += ",\"sessions\":";
    append_number(out, totals.tls_sessions);
    out += ",\"tx_bytes\":";
    append_number(out, d.tx_total);
    out += ",\"rx_bytes\":";
    append_number(out, d.rx_total);
    if (dataset) {
        out += ",\"captures\":";
        append_number(out, d.captures.size());
        out += ",\"failed\":";
        append_number(out, failed);
    }
    out += "},\"limit\":";
    append_number(out, d.limit);
    out += ",\n";
    append_charts(out, Charts(d.all), ",\n");
    if (dataset) {
        out += ",\n\"captures\":[";
        for (size_t i = 0; i < d.captures.size(); ++i) {
            out += i > 0 ? ",\n" : "\n";
            const CaptureFigures &figures = d.captures[i];
            append_capture(out, figures, figures.charts ? *figures.charts : Charts(d.current));
        }
        out += ']';
    }
    out += ",\n\"sessions\":[";
    for (size_t i = 0; i < shown.size(); ++i) {
        out += i > 0 ? ",\n" : "\n";
        append_session(out, *shown[i], dataset);
    }
    out += "]}";
    out += "</script>\n<script>";
    out += kHtmlReportScript;
    out += "</script>\n</body>\n</html>\n";
}

void append_html_report(std::string &out, const std::vector<SessionSummary> &sessions,
                        const CaptureTotals &totals, const HtmlReportInput &input)
{
    HtmlReport report(input.session_limit);
    report.set_totals(totals);
    for (const SessionSummary &s : sessions)
        report.add_session(s);
    report.append_html(out, input);
}

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

}  // namespace tlsdist
