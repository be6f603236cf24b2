#include "report.h"

#include "calendar.h"
#include "randomness.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace tlsdist {

namespace {

template <typename Integer>
void append_number(std::string &out, Integer value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr);
}

struct DigitPairs {
    char text[200];
    constexpr DigitPairs() : text()
    {
        for (int i = 0; i < 100; ++i) {
            text[2 * i] = static_cast<char>('0' + i / 10);
            text[2 * i + 1] = static_cast<char>('0' + i % 10);
        }
    }
};
constexpr DigitPairs kDigitPairs;

// The cell ",N" of every count N below 1000, padded to 4 bytes, and its
// length: a per-packet row writes 256 counts, nearly all below 1000 (a
// frame carries at most a few thousand bytes), each as one 4-byte copy, with
// no branch on the number of digits.
struct SmallCountCells {
    static constexpr uint32_t kLimit = 1000;
    char text[kLimit][4];
    uint8_t length[kLimit];
    constexpr SmallCountCells() : text(), length()
    {
        for (uint32_t n = 0; n < kLimit; ++n) {
            const uint32_t digits = n < 10 ? 1 : n < 100 ? 2 : 3;
            text[n][0] = ',';
            for (uint32_t i = 0, rest = n; i < digits; ++i, rest /= 10)
                text[n][digits - i] = static_cast<char>('0' + rest % 10);
            length[n] = static_cast<uint8_t>(1 + digits);
        }
    }
};
constexpr SmallCountCells kSmallCountCells;

// The decimal digits std::to_chars writes, at p; returns their end.
template <typename Unsigned>
inline char *put_decimal(char *p, Unsigned value)
{
    if (value < 10) {
        *p = static_cast<char>('0' + value);
        return p + 1;
    }
    if (value < 100) {
        std::memcpy(p, kDigitPairs.text + 2 * value, 2);
        return p + 2;
    }
    return std::to_chars(p, p + 20, value).ptr;
}

inline char *put_text(char *p, std::string_view text)
{
    std::memcpy(p, text.data(), text.size());
    return p + text.size();
}

size_t decimal_digits(uint64_t value)
{
    size_t digits = 1;
    for (; value >= 10; value /= 10)
        ++digits;
    return digits;
}

// The 256 counts of a session CSV row: one resize to a bound (no count has
// more digits than the total), then written through a pointer.
void append_histogram(std::string &out, const ByteHistogram &histogram)
{
    const size_t start = out.size();
    out.resize(start + 256 * (decimal_digits(histogram.total()) + 1));
    char *const begin = &out[start];
    char *p = begin;
    histogram.for_each_count([&p](auto count) {
        *p++ = ',';
        p = put_decimal(p, count);
    });
    out.resize(start + static_cast<size_t>(p - begin));
}

// A floating-point cell as printf's %.{precision}f or %.{precision}g would
// write it (std::to_chars is specified so), without printf's cost per call.
void append_double(std::string &out, double value, std::chars_format format, int precision)
{
    char text[48];
    const auto result = std::to_chars(text, text + sizeof text, value, format, precision);
    out.append(text, result.ptr);
}

// Entropy, chi-square and its p-value of each direction, empty cells for a
// direction without bytes.
void append_randomness_cells(std::string &out, const ByteHistogram &tx, const ByteHistogram &rx)
{
    const Randomness measured[] = {measure_randomness(tx), measure_randomness(rx)};
    const std::chars_format formats[] = {std::chars_format::fixed, std::chars_format::fixed, std::chars_format::general};
    const int precisions[] = {6, 3, 6};
    for (int figure = 0; figure < 3; ++figure) {
        for (const Randomness &r : measured) {
            out += ',';
            if (r.sample == 0)
                continue;
            const double value = figure == 0 ? r.entropy : figure == 1 ? r.chi_square : r.chi_square_p;
            append_double(out, value, formats[figure], precisions[figure]);
        }
    }
}

// csv_cell(text) at p: at most 2 * text.size() + 3 characters.
char *put_csv_cell(char *p, std::string_view text)
{
    const bool formula = csv_needs_guard(text);
    const bool quote = formula || text.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quote)
        *p++ = '"';
    if (formula)
        *p++ = '\'';
    for (char c : text) {
        if (c == '"')
            *p++ = '"';
        *p++ = c;
    }
    if (quote)
        *p++ = '"';
    return p;
}

// csv_cell's text, added to out in place.
void append_csv_cell(std::string &out, std::string_view text)
{
    const size_t start = out.size();
    out.resize(start + 2 * text.size() + 3);
    char *const end = put_csv_cell(&out[start], text);
    out.resize(static_cast<size_t>(end - out.data()));
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
    return calendar_text(local_calendar(time.seconds), ' ') + fraction;
}

std::string utc_time_text(const Timestamp &time)
{
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06dZ", time.nanoseconds / 1000);
    return calendar_text(utc_calendar(time.seconds), 'T') + fraction;
}

std::string epoch_text(const Timestamp &time)
{
    char text[40];
    std::snprintf(text, sizeof text, "%lld.%06d", static_cast<long long>(time.seconds),
                  time.nanoseconds / 1000);
    return text;
}

bool csv_needs_guard(std::string_view text)
{
    const size_t first = text.find_first_not_of('\'');
    return first != std::string_view::npos && std::string_view("=+-@\t\r").find(text[first]) != std::string_view::npos;
}

std::string csv_cell(std::string_view text)
{
    std::string cell;
    append_csv_cell(cell, text);
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
                          const CaptureTotals &totals, ByteScope scope, const CaptureFiles *captures)
{
    enum Align { Left, Right };
    struct Column {
        const char *title;
        Align align;
    };
    std::vector<Column> columns = {
        {"TIME", Left},        {"DURATION", Right},  {"SRC:Port", Left}, {"DST:Port", Left},
        {"TLS Version", Left}, {"TX Bytes", Right},  {"RX Bytes", Right},
        {"TX Entropy", Right}, {"RX Entropy", Right},
    };
    if (captures)
        columns.insert(columns.begin(), Column{"CAPTURE", Left});
    const size_t kColumns = columns.size();

    std::vector<std::vector<std::string>> rows;
    rows.reserve(sessions.size());
    for (const SessionSummary &s : sessions) {
        char duration[32];
        std::snprintf(duration, sizeof duration, "%.3f s", s.duration);
        rows.push_back({local_time_text(s.start), duration, endpoint_text(s.client),
                        endpoint_text(s.server), printable_text(s.version),
                        std::to_string(s.tx.tls_bytes), std::to_string(s.rx.tls_bytes),
                        direction_entropy_text(s, true), direction_entropy_text(s, false)});
        if (captures)
            rows.back().insert(rows.back().begin(), printable_text(captures->name_of(s.first_frame_number)));
    }
    std::vector<size_t> widths(kColumns);
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

void append_session_csv_header(std::string &out, bool capture_column)
{
    if (capture_column)
        out += "capture,";
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

void append_session_csv_row(std::string &out, const SessionSummary &s, const CaptureFiles *captures)
{
    if (captures) {
        append_csv_cell(out, captures->name_of(s.first_frame_number));
        out += ',';
    }
    append_number(out, s.stream);
    out += ',';
    out += transport_name(s.transport);
    out += ',';
    out += utc_time_text(s.start);
    out += ',';
    out += epoch_text(s.start);
    out += ',';
    append_double(out, s.duration, std::chars_format::fixed, 6);
    for (const Endpoint *end : {&s.client, &s.server}) {
        out += ',';
        append_csv_cell(out, address_text(*end));
        out += ',';
        append_number(out, end->port);
    }
    out += ',';
    append_csv_cell(out, s.version);
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
                                    &m.cipher_suite, &m.ja3, &m.ja3s, &m.ja4}) {
        out += ',';
        append_csv_cell(out, *text);
    }
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

void append_totals_csv(std::string &out, const std::vector<SessionSummary> &sessions,
                       const CaptureTotals &totals)
{
    uint64_t tx = 0, rx = 0;
    for (const SessionSummary &s : sessions) {
        tx += s.tx.tls_bytes;
        rx += s.rx.tls_bytes;
    }
    out += "frames,tls_frames,tls_sessions,tx_bytes,rx_bytes,first_frame_epoch,last_frame_epoch\r\n";
    for (uint64_t value : {totals.frames, totals.tls_frames, totals.tls_sessions, tx, rx}) {
        append_number(out, value);
        out += ',';
    }
    if (totals.frames > 0)
        out += epoch_text(totals.first_frame) + ',' + epoch_text(totals.last_frame);
    else
        out += ',';
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

namespace {

// The per-packet row is written straight into the output string through a
// pointer: one resize to a bound, no temporary strings, no printf. Its 256
// counts dominate, and a frame's counts are mostly 0 to 99.

// csv_cell(address_text(endpoint)) at p: an IP address's digits, dots and
// colons need no quoting; "-" does.
constexpr size_t kAddressCellBound = 2 * kAddressTextMax + 3;
char *put_address_cell(char *p, const Endpoint &endpoint)
{
    if (endpoint.family == Endpoint::Family::None)
        return put_csv_cell(p, "-");
    return write_address_text(p, endpoint);
}

// utc_time_text(time) at p. Packets come in time order, many per second, so
// the calendar part of the last second is kept (computed as utc_time_text
// does, once per second of capture time).
constexpr size_t kTimeBound = 96;
char *put_utc_time(char *p, const Timestamp &time)
{
    thread_local int64_t cached_seconds = 0;
    thread_local std::string cached_calendar;
    if (cached_calendar.empty() || cached_seconds != time.seconds) {
        cached_calendar = calendar_text(utc_calendar(time.seconds), 'T');
        cached_seconds = time.seconds;
    }
    const size_t calendar = std::min(cached_calendar.size(), size_t{63});
    p = put_text(p, std::string_view(cached_calendar.data(), calendar));
    const int32_t micros = time.nanoseconds / 1000;
    if (micros >= 0 && micros < 1000000) {
        *p++ = '.';
        std::memcpy(p, kDigitPairs.text + 2 * (micros / 10000), 2);
        std::memcpy(p + 2, kDigitPairs.text + 2 * (micros / 100 % 100), 2);
        std::memcpy(p + 4, kDigitPairs.text + 2 * (micros % 100), 2);
        p += 6;
        *p++ = 'Z';
        return p;
    }
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06dZ", micros);
    return put_text(p, fraction);
}

}  // namespace

void append_packet_csv_row(std::string &out, const PacketRow &row)
{
    const ByteHistogram &histogram = *row.histogram;
    // No count exceeds the total, so none has more digits.
    // (+ 2: the last count's 4-byte copy may reach 2 bytes past its cell)
    const size_t count_bound = decimal_digits(histogram.total()) + 1;
    const size_t bound = 11 + 1 + kTimeBound + 2 * (1 + kAddressCellBound + 1 + 5) + 1 + 11 + 3 + 4 +
                         20 + 256 * count_bound + 2 + 2;
    const size_t start = out.size();
    out.resize(start + bound);
    char *const begin = &out[start];
    char *p = begin;
    p = put_decimal(p, row.frame_number);
    *p++ = ',';
    p = put_utc_time(p, row.time);
    *p++ = ',';
    p = put_address_cell(p, row.source);
    *p++ = ',';
    p = put_decimal(p, row.source.port);
    *p++ = ',';
    p = put_address_cell(p, row.destination);
    *p++ = ',';
    p = put_decimal(p, row.destination.port);
    *p++ = ',';
    p = put_decimal(p, row.stream);
    *p++ = ',';
    p = put_text(p, transport_name(row.transport));
    p = put_text(p, row.from_client ? ",tx," : ",rx,");
    p = put_decimal(p, histogram.total());
    histogram.for_each_count([&p](auto count) {
        if (count < SmallCountCells::kLimit) {
            std::memcpy(p, kSmallCountCells.text[count], 4);
            p += kSmallCountCells.length[count];
        } else {
            *p++ = ',';
            p = put_decimal(p, count);
        }
    });
    *p++ = '\r';
    *p++ = '\n';
    out.resize(start + static_cast<size_t>(p - begin));
}

}  // namespace tlsdist
