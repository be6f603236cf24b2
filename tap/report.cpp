#include "report.h"

#include "randomness.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace tlsdist {

namespace {

template <typename Integer>
void append_number(std::string &out, Integer value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr);
}

std::string calendar_text(const Timestamp &time, bool utc, const char *format)
{
    const time_t seconds = static_cast<time_t>(time.seconds);
    struct tm parts {};
    if ((utc ? gmtime_r(&seconds, &parts) : localtime_r(&seconds, &parts)) == nullptr)
        return "-";
    char text[64];
    const size_t length = std::strftime(text, sizeof text, format, &parts);
    return std::string(text, length);
}

void append_histogram(std::string &out, const ByteHistogram &histogram)
{
    for (uint64_t count : histogram.counts()) {
        out += ',';
        append_number(out, count);
    }
}

// Entropy, chi-square and its p-value of each direction, empty cells for a
// direction without bytes.
void append_randomness_cells(std::string &out, const ByteHistogram &tx, const ByteHistogram &rx)
{
    const Randomness measured[] = {measure_randomness(tx), measure_randomness(rx)};
    const char *formats[] = {",%.6f", ",%.3f", ",%.6g"};
    for (int figure = 0; figure < 3; ++figure) {
        for (const Randomness &r : measured) {
            if (r.sample == 0) {
                out += ',';
                continue;
            }
            const double value = figure == 0 ? r.entropy : figure == 1 ? r.chi_square : r.chi_square_p;
            char text[40];
            std::snprintf(text, sizeof text, formats[figure], value);
            out += text;
        }
    }
}

}  // namespace

std::string entropy_text(const ByteHistogram &histogram)
{
    const Randomness r = measure_randomness(histogram);
    if (r.sample == 0)
        return "-";
    char text[16];
    std::snprintf(text, sizeof text, "%.3f", r.entropy);
    return text;
}

std::string direction_entropy_text(const SessionSummary &session, bool tx)
{
    const DirectionTotals &direction = tx ? session.tx : session.rx;
    if (session.scope == ByteScope::Plaintext && direction.decrypted_bytes == 0 &&
        direction.content_bytes[kApplicationDataContent] > 0)
        return "no keys";
    return entropy_text(tx ? *session.tx_histogram : *session.rx_histogram);
}

std::string local_time_text(const Timestamp &time)
{
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03d", time.nanoseconds / 1000000);
    return calendar_text(time, false, "%Y-%m-%d %H:%M:%S") + fraction;
}

std::string utc_time_text(const Timestamp &time)
{
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06dZ", time.nanoseconds / 1000);
    return calendar_text(time, true, "%Y-%m-%dT%H:%M:%S") + fraction;
}

std::string epoch_text(const Timestamp &time)
{
    char text[40];
    std::snprintf(text, sizeof text, "%lld.%06d", static_cast<long long>(time.seconds),
                  time.nanoseconds / 1000);
    return text;
}

std::string csv_cell(std::string_view text)
{
    std::string cell;
    const bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' ||
                                           text[0] == '@' || text[0] == '\t' || text[0] == '\r');
    const bool quote = formula || text.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quote)
        cell += '"';
    if (formula)
        cell += '\'';
    for (char c : text) {
        if (c == '"')
            cell += '"';
        cell += c;
    }
    if (quote)
        cell += '"';
    return cell;
}

std::string printable_text(std::string_view text)
{
    std::string result;
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            result += escaped;
        } else {
            result += static_cast<char>(c);
        }
    }
    return result;
}

void append_session_table(std::string &out, const std::vector<SessionSummary> &sessions,
                          const CaptureTotals &totals, ByteScope scope)
{
    enum Align { Left, Right };
    struct Column {
        const char *title;
        Align align;
    };
    static const Column columns[] = {
        {"TIME", Left},        {"DURATION", Right},  {"SRC:Port", Left}, {"DST:Port", Left},
        {"TLS Version", Left}, {"TX Bytes", Right},  {"RX Bytes", Right},
        {"TX Entropy", Right}, {"RX Entropy", Right},
    };
    constexpr size_t kColumns = sizeof columns / sizeof columns[0];

    std::vector<std::vector<std::string>> rows;
    rows.reserve(sessions.size());
    for (const SessionSummary &s : sessions) {
        char duration[32];
        std::snprintf(duration, sizeof duration, "%.3f s", s.duration);
        rows.push_back({local_time_text(s.start), duration, endpoint_text(s.client),
                        endpoint_text(s.server), printable_text(s.version),
                        std::to_string(s.tx.tls_bytes), std::to_string(s.rx.tls_bytes),
                        direction_entropy_text(s, true), direction_entropy_text(s, false)});
    }
    size_t widths[kColumns];
    for (size_t c = 0; c < kColumns; ++c) {
        widths[c] = std::string_view(columns[c].title).size();
        for (const auto &row : rows)
            widths[c] = std::max(widths[c], row[c].size());
    }
    auto append_line = [&](const auto &cell_at) {
        std::string line;
        for (size_t c = 0; c < kColumns; ++c) {
            const std::string_view cell = cell_at(c);
            const std::string padding(widths[c] - cell.size(), ' ');
            if (c > 0)
                line += "  ";
            if (columns[c].align == Right)
                line += padding;
            line += cell;
            if (columns[c].align == Left && c + 1 < kColumns)
                line += padding;
        }
        out += line;
        out += '\n';
    };

    out += "TLS Sessions";
    if (scope != ByteScope::All)
        out += std::string(" (entropy of ") + byte_scope_title(scope) + " bytes)";
    out += '\n';
    append_line([&](size_t c) { return std::string_view(columns[c].title); });
    for (const auto &row : rows)
        append_line([&](size_t c) { return std::string_view(row[c]); });
    out += "Total packets: " + std::to_string(totals.frames) +
           "  Total TLS packets: " + std::to_string(totals.tls_frames) +
           "  Total TLS sessions: " + std::to_string(totals.tls_sessions) + "\n";
}

void append_session_csv_header(std::string &out)
{
    out += "stream,transport,start_time,start_epoch,duration,client_ip,client_port,server_ip,server_port,"
           "version,tx_bytes,rx_bytes,tx_frames,rx_frames,tx_wire_bytes,rx_wire_bytes,"
           "tx_missed_bytes,rx_missed_bytes,";
    for (int kind = 0; kind < kContentKinds; ++kind) {
        for (const char *direction : {"tx_", "rx_"}) {
            out += direction;
            out += content_kind_name(static_cast<ContentKind>(kind));
            out += "_bytes,";
        }
    }
    out += "tx_before_tls_bytes,rx_before_tls_bytes,tx_decrypted_bytes,rx_decrypted_bytes,byte_scope,tx_scope_bytes,rx_scope_bytes,tx_entropy,rx_entropy,tx_chi_square,rx_chi_square,"
           "tx_chi_square_p,rx_chi_square_p,server_name,alpn_offered,alpn_selected,cipher_suite,"
           "ja3,ja3s,ja4,resumption,client_hellos,handshake_completed";
    for (const char *direction : {"tx", "rx"}) {
        for (int value = 0; value < 256; ++value) {
            out += ',';
            out += direction;
            out += '_';
            append_number(out, value);
        }
    }
    out += "\r\n";
}

void append_session_csv_row(std::string &out, const SessionSummary &s)
{
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.6f", s.duration);
    append_number(out, s.stream);
    out += ',';
    out += transport_name(s.transport);
    out += ',' + utc_time_text(s.start) + ',' + epoch_text(s.start) + ',' + duration;
    out += ',' + csv_cell(address_text(s.client)) + ',' + std::to_string(s.client.port);
    out += ',' + csv_cell(address_text(s.server)) + ',' + std::to_string(s.server.port);
    out += ',' + csv_cell(s.version);
    for (uint64_t value : {s.tx.tls_bytes, s.rx.tls_bytes, s.tx.frames, s.rx.frames,
                           s.tx.wire_bytes, s.rx.wire_bytes}) {
        out += ',';
        append_number(out, value);
    }
    for (int64_t value : {s.tx.missed_bytes, s.rx.missed_bytes}) {
        out += ',';
        append_number(out, value);
    }
    for (int kind = 0; kind < kContentKinds; ++kind) {
        for (const DirectionTotals *direction : {&s.tx, &s.rx}) {
            out += ',';
            append_number(out, direction->content_bytes[kind]);
        }
    }
    for (uint64_t value : {s.tx.bytes_before_tls, s.rx.bytes_before_tls, s.tx.decrypted_bytes,
                           s.rx.decrypted_bytes}) {
        out += ',';
        append_number(out, value);
    }
    out += ',';
    out += byte_scope_word(s.scope);
    for (const ByteHistogram *histogram : {s.tx_histogram, s.rx_histogram}) {
        out += ',';
        append_number(out, histogram->total());
    }
    append_randomness_cells(out, *s.tx_histogram, *s.rx_histogram);
    static const SessionMetadata kNone;
    const SessionMetadata &m = s.metadata ? *s.metadata : kNone;
    for (const std::string *text : {&m.server_name, &m.alpn_offered, &m.alpn_selected,
                                    &m.cipher_suite, &m.ja3, &m.ja3s, &m.ja4})
        out += ',' + csv_cell(*text);
    out += ',';
    out += resumption_text(m.resumption);
    out += ',';
    append_number(out, m.client_hellos);
    out += ',';
    out += s.handshake_completed;
    append_histogram(out, *s.tx_histogram);
    append_histogram(out, *s.rx_histogram);
    out += "\r\n";
}

void append_packet_csv_header(std::string &out, ByteScope scope)
{
    out += "frame,time,src_ip,src_port,dst_ip,dst_port,stream,transport,direction,";
    out += scope == ByteScope::All ? "tls" : byte_scope_word(scope);
    out += "_bytes";
    for (int value = 0; value < 256; ++value) {
        out += ',';
        append_number(out, value);
    }
    out += "\r\n";
}

void append_packet_csv_row(std::string &out, const PacketRow &row)
{
    append_number(out, row.frame_number);
    out += ',' + utc_time_text(row.time);
    out += ',' + csv_cell(address_text(row.source)) + ',' + std::to_string(row.source.port);
    out += ',' + csv_cell(address_text(row.destination)) + ',' +
           std::to_string(row.destination.port);
    out += ',';
    append_number(out, row.stream);
    out += ',';
    out += transport_name(row.transport);
    out += row.from_client ? ",tx," : ",rx,";
    append_number(out, row.histogram->total());
    append_histogram(out, *row.histogram);
    out += "\r\n";
}

}  // namespace tlsdist
