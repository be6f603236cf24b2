#include "session_csv_reader.h"

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <tuple>

#include "endpoint.h"
#include "record_framer.h"
#include "report.h"

namespace tlsdist {

namespace {

// A row of a real session CSV is a few kilobytes; past this, the input is
// not one (an unclosed quote swallowing the file, say).
constexpr size_t kMaxRowBytes = size_t{16} << 20;  // (16 MiB, as the message says)
// Ten times the columns of a session CSV and more.
constexpr size_t kMaxCells = 1 << 16;
constexpr size_t kAbsent = static_cast<size_t>(-1);

template <typename Number>
std::optional<Number> whole_number(std::string_view text)
{
    Number value{};
    if (text.empty() || text[0] == '+')
        return std::nullopt;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size())
        return std::nullopt;
    return value;
}

// "1675419143.123456" (epoch_text): seconds, a dot, six digits.
std::optional<Timestamp> epoch_from_text(std::string_view text)
{
    const size_t dot = text.find('.');
    if (dot == std::string_view::npos || text.size() - dot - 1 != 6)
        return std::nullopt;
    const auto seconds = whole_number<int64_t>(text.substr(0, dot));
    const auto micros = whole_number<int32_t>(text.substr(dot + 1));
    if (!seconds || !micros || text[dot + 1] == '-')
        return std::nullopt;
    return Timestamp{*seconds, *micros * 1000};
}

std::optional<double> decimal_number(std::string_view text)
{
    double value = 0;
    if (text.empty() || text[0] == '+')
        return std::nullopt;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

}  // namespace

SessionRecord::SessionRecord()
{
    session.metadata = &metadata;
    session.tx_histogram = &tx_histogram;
    session.rx_histogram = &rx_histogram;
}

// Where each column read is, by its name in the header.
struct SessionCsvReader::Columns {
    std::vector<std::string> names;  // the header: a row's cells, in order
    size_t capture = kAbsent;
    size_t stream, transport, start_epoch, duration, client_ip, client_port, server_ip, server_port, version;
    // tx then rx of each figure
    size_t tls_bytes[2], frames[2], wire_bytes[2], missed_bytes[2], before_tls_bytes[2], decrypted_bytes[2];
    size_t content_bytes[kContentKinds][2];
    size_t byte_scope, scope_bytes[2];
    size_t server_name, alpn_offered, alpn_selected, cipher_suite, ja3, ja3s, ja4;
    size_t resumption, client_hellos, handshake_completed;
    size_t counts[2][256];
};

SessionCsvReader::SessionCsvReader(std::istream &in) : in_(in) {}

SessionCsvReader::~SessionCsvReader() = default;

bool SessionCsvReader::fail(std::string message)
{
    error_ = "line " + std::to_string(row_line_) + ": " + std::move(message);
    return false;
}

// One row's cells into cells_ (and whether each was quoted); false at the
// end of the input (error_ empty) or on malformed input.
bool SessionCsvReader::read_cells()
{
    cells_.clear();
    quoted_.clear();
    row_line_ = line_;
    std::streambuf &input = *in_.rdbuf();
    using Traits = std::streambuf::traits_type;
    int c = input.sgetc();
    if (c == Traits::eof())
        return false;
    size_t row_bytes = 0;
    const char *const too_long = "a row longer than 16 MiB";
    for (;;) {
        std::string cell;
        bool quoted = false;
        c = input.sbumpc();
        if (c == '"') {
            quoted = true;
            for (;;) {
                c = input.sbumpc();
                if (c == Traits::eof())
                    return fail("the input ends inside a quoted cell");
                if (c == '"') {
                    if (input.sgetc() != '"')
                        break;
                    input.sbumpc();
                } else if (c == '\n') {
                    ++line_;
                }
                cell += static_cast<char>(c);
                if (++row_bytes > kMaxRowBytes)
                    return fail(too_long);
            }
            c = input.sbumpc();
        } else {
            for (; c != ',' && c != '\r' && c != '\n' && c != Traits::eof(); c = input.sbumpc()) {
                if (c == '"')
                    return fail("a quote inside a cell that does not start with one");
                cell += static_cast<char>(c);
                if (++row_bytes > kMaxRowBytes)
                    return fail(too_long);
            }
        }
        cells_.push_back(std::move(cell));
        quoted_.push_back(quoted);
        if (cells_.size() > kMaxCells)
            return fail("a row of more than " + std::to_string(kMaxCells) + " cells");
        if (c == ',')
            continue;
        if (c == '\r') {
            if (input.sbumpc() != '\n')
                return fail("a carriage return that does not end the row");
            c = '\n';
        }
        if (c == '\n') {
            ++line_;
            return true;
        }
        // (tlsdist ends every row with one: a file without is cut short)
        if (c == Traits::eof())
            return fail("the row does not end with a line break (the input was cut short?)");
        return fail("text after the closing quote of a cell");
    }
}

bool SessionCsvReader::read_header()
{
    if (!read_cells())
        return error_.empty() ? fail("empty input: no header") : false;
    std::map<std::string, size_t> where;
    for (size_t i = 0; i < cells_.size(); ++i) {
        if (!where.emplace(cells_[i], i).second)
            return fail("the column \"" + cells_[i] + "\" appears twice in the header");
    }
    auto columns = std::make_unique<Columns>();
    columns->names = cells_;
    std::string missing;
    auto column = [&](const std::string &name) {
        const auto found = where.find(name);
        if (found != where.end())
            return found->second;
        if (missing.empty())
            missing = name;
        return kAbsent;
    };
    if (where.count("capture"))
        columns->capture = where["capture"];
    const std::pair<size_t *, const char *> named[] = {
        {&columns->stream, "stream"}, {&columns->transport, "transport"}, {&columns->start_epoch, "start_epoch"},
        {&columns->duration, "duration"}, {&columns->client_ip, "client_ip"}, {&columns->client_port, "client_port"},
        {&columns->server_ip, "server_ip"}, {&columns->server_port, "server_port"}, {&columns->version, "version"},
        {&columns->byte_scope, "byte_scope"}, {&columns->server_name, "server_name"},
        {&columns->alpn_offered, "alpn_offered"}, {&columns->alpn_selected, "alpn_selected"},
        {&columns->cipher_suite, "cipher_suite"}, {&columns->ja3, "ja3"}, {&columns->ja3s, "ja3s"},
        {&columns->ja4, "ja4"}, {&columns->resumption, "resumption"}, {&columns->client_hellos, "client_hellos"},
        {&columns->handshake_completed, "handshake_completed"}};
    for (const auto &[field, name] : named)
        *field = column(name);
    const char *directions[2] = {"tx_", "rx_"};
    for (int d = 0; d < 2; ++d) {
        const std::string prefix = directions[d];
        columns->tls_bytes[d] = column(prefix + "bytes");
        columns->frames[d] = column(prefix + "frames");
        columns->wire_bytes[d] = column(prefix + "wire_bytes");
        columns->missed_bytes[d] = column(prefix + "missed_bytes");
        columns->before_tls_bytes[d] = column(prefix + "before_tls_bytes");
        columns->decrypted_bytes[d] = column(prefix + "decrypted_bytes");
        columns->scope_bytes[d] = column(prefix + "scope_bytes");
        for (int kind = 0; kind < kContentKinds; ++kind)
            columns->content_bytes[kind][d] =
                column(prefix + content_kind_name(static_cast<ContentKind>(kind)) + "_bytes");
        for (int value = 0; value < 256; ++value)
            columns->counts[d][value] = column(prefix + std::to_string(value));
    }
    if (!missing.empty())
        return fail("not a tlsdist session CSV: no column \"" + missing + "\" in the header");
    columns_ = std::move(columns);
    return true;
}

bool SessionCsvReader::has_capture_column() const
{
    return columns_ && columns_->capture != kAbsent;
}

bool SessionCsvReader::next(SessionRecord &record)
{
    if (!columns_)
        return fail("the header was not read");
    if (!read_cells())
        return false;
    const Columns &columns = *columns_;
    if (cells_.size() != columns.names.size())
        return fail(std::to_string(cells_.size()) + " cells where the header has " +
                    std::to_string(columns.names.size()));
    // The writer guards a cell that a spreadsheet would take for a formula
    // with an apostrophe (and quotes it): taken off here.
    for (size_t i = 0; i < cells_.size(); ++i) {
        std::string &cell = cells_[i];
        if (quoted_[i] && !cell.empty() && cell[0] == '\'' && csv_needs_guard(std::string_view(cell).substr(1)))
            cell.erase(0, 1);
    }
    std::string why;
    auto bad = [&](size_t column, const char *what) {
        why = "column " + columns.names[column] + ": \"" + cells_[column] + "\" is not " + what;
        return false;
    };
    auto unsigned_cell = [&](size_t column, uint64_t &value) {
        const auto number = whole_number<uint64_t>(cells_[column]);
        if (!number)
            return bad(column, "a whole number");
        value = *number;
        return true;
    };
    SessionSummary &s = record.session;
    SessionMetadata &m = record.metadata;
    s = SessionSummary{};
    s.metadata = &m;
    s.tx_histogram = &record.tx_histogram;
    s.rx_histogram = &record.rx_histogram;
    m = SessionMetadata{};
    record.capture = columns.capture == kAbsent ? std::string() : cells_[columns.capture];

    const bool read = [&] {
        const auto stream = whole_number<uint32_t>(cells_[columns.stream]);
        if (!stream)
            return bad(columns.stream, "a stream number");
        s.stream = *stream;
        const std::string &transport = cells_[columns.transport];
        if (transport != "tcp" && transport != "udp")
            return bad(columns.transport, "a transport (tcp or udp)");
        s.transport = transport == "udp" ? Transport::Udp : Transport::Tcp;
        const auto start = epoch_from_text(cells_[columns.start_epoch]);
        if (!start)
            return bad(columns.start_epoch, "a time in seconds since the epoch (SECONDS.MICROSECONDS)");
        s.start = *start;
        const auto duration = decimal_number(cells_[columns.duration]);
        if (!duration)
            return bad(columns.duration, "a duration in seconds");
        s.duration = *duration;
        const std::tuple<size_t, size_t, Endpoint *> endpoints[] = {
            {columns.client_ip, columns.client_port, &s.client}, {columns.server_ip, columns.server_port, &s.server}};
        for (const auto &[address, port, endpoint] : endpoints) {
            const auto port_number = whole_number<uint16_t>(cells_[port]);
            if (!port_number)
                return bad(port, "a port number");
            const auto parsed = parse_address(cells_[address], *port_number);
            if (!parsed)
                return bad(address, "an IP address (or \"-\")");
            *endpoint = *parsed;
        }
        s.version = cells_[columns.version];
        DirectionTotals *totals[2] = {&s.tx, &s.rx};
        for (int d = 0; d < 2; ++d) {
            DirectionTotals &t = *totals[d];
            if (!unsigned_cell(columns.tls_bytes[d], t.tls_bytes) || !unsigned_cell(columns.frames[d], t.frames) ||
                !unsigned_cell(columns.wire_bytes[d], t.wire_bytes) ||
                !unsigned_cell(columns.before_tls_bytes[d], t.bytes_before_tls) ||
                !unsigned_cell(columns.decrypted_bytes[d], t.decrypted_bytes))
                return false;
            // (written as a signed number: see append_session_csv_row)
            const auto signed_missed = whole_number<int64_t>(cells_[columns.missed_bytes[d]]);
            if (!signed_missed)
                return bad(columns.missed_bytes[d], "a whole number");
            t.missed_bytes = static_cast<uint64_t>(*signed_missed);
            for (int kind = 0; kind < kContentKinds; ++kind) {
                if (!unsigned_cell(columns.content_bytes[kind][d], t.content_bytes[kind]))
                    return false;
            }
        }
        const auto scope = byte_scope_from_word(cells_[columns.byte_scope]);
        if (!scope)
            return bad(columns.byte_scope, "a byte scope (all, appdata, handshake or plaintext)");
        s.scope = *scope;
        const std::pair<std::string *, size_t> texts[] = {
            {&m.server_name, columns.server_name}, {&m.alpn_offered, columns.alpn_offered},
            {&m.alpn_selected, columns.alpn_selected}, {&m.cipher_suite, columns.cipher_suite},
            {&m.ja3, columns.ja3}, {&m.ja3s, columns.ja3s}, {&m.ja4, columns.ja4}};
        for (const auto &[text, column] : texts)
            *text = cells_[column];
        const std::string &resumption = cells_[columns.resumption];
        if (resumption == "resumed")
            m.resumption = Resumption::Resumed;
        else if (resumption == "full")
            m.resumption = Resumption::Full;
        else if (!resumption.empty())
            return bad(columns.resumption, "a resumption (resumed, full or nothing)");
        const auto hellos = whole_number<uint32_t>(cells_[columns.client_hellos]);
        if (!hellos)
            return bad(columns.client_hellos, "a count of ClientHello messages");
        m.client_hellos = *hellos;
        const std::string &completed = cells_[columns.handshake_completed];
        if (completed == "yes")
            s.handshake_completed = "yes";
        else if (completed == "no")
            s.handshake_completed = "no";
        else if (completed.empty())
            s.handshake_completed = "";
        else
            return bad(columns.handshake_completed, "yes, no or nothing");
        ByteHistogram *histograms[2] = {&record.tx_histogram, &record.rx_histogram};
        for (int d = 0; d < 2; ++d) {
            ByteHistogram::Counts counts;
            for (int value = 0; value < 256; ++value) {
                if (!unsigned_cell(columns.counts[d][value], counts[value]))
                    return false;
            }
            auto histogram = ByteHistogram::from_counts(counts);
            uint64_t scope_bytes = 0;
            if (!unsigned_cell(columns.scope_bytes[d], scope_bytes))
                return false;
            if (!histogram || histogram->total() != scope_bytes) {
                why = std::string("the byte counts ") + (d == 0 ? "tx" : "rx") + "_0.." + (d == 0 ? "tx" : "rx") +
                      "_255 do not add up to " + cells_[columns.scope_bytes[d]] + " (" + (d == 0 ? "tx" : "rx") +
                      "_scope_bytes)";
                return false;
            }
            *histograms[d] = std::move(*histogram);
        }
        return true;
    }();
    if (!read)
        return fail(why);
    return true;
}

std::optional<std::string> file_text(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return std::nullopt;
    return text.str();
}

std::optional<TotalsRow> parse_totals_csv(std::string_view text, std::string *error)
{
    static const std::string_view kHeader =
        "frames,tls_frames,tls_sessions,tx_bytes,rx_bytes,first_frame_epoch,last_frame_epoch\r\n";
    if (text.substr(0, kHeader.size()) != kHeader) {
        *error = "not a tlsdist totals CSV (its header is not \"" + std::string(kHeader.substr(0, kHeader.size() - 2)) + "\")";
        return std::nullopt;
    }
    std::string_view row = text.substr(kHeader.size());
    if (row.size() < 2 || row.substr(row.size() - 2) != "\r\n" || row.find('\n') != row.size() - 1) {
        *error = "the totals CSV does not have one row ending with a line break";
        return std::nullopt;
    }
    row.remove_suffix(2);
    std::vector<std::string_view> cells;
    for (size_t at = 0;;) {
        const size_t comma = row.find(',', at);
        cells.push_back(row.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
        if (comma == std::string_view::npos)
            break;
        at = comma + 1;
    }
    if (cells.size() != 7) {
        *error = "the totals CSV row has " + std::to_string(cells.size()) + " cells, not 7";
        return std::nullopt;
    }
    TotalsRow totals;
    uint64_t *numbers[] = {&totals.totals.frames, &totals.totals.tls_frames, &totals.totals.tls_sessions,
                           &totals.tx_bytes, &totals.rx_bytes};
    for (size_t i = 0; i < 5; ++i) {
        const auto number = whole_number<uint64_t>(cells[i]);
        if (!number) {
            *error = "the totals CSV has \"" + std::string(cells[i]) + "\" where a whole number belongs";
            return std::nullopt;
        }
        *numbers[i] = *number;
    }
    // The first and last frame's times: both when there were frames, else none.
    const auto first = epoch_from_text(cells[5]);
    const auto last = epoch_from_text(cells[6]);
    if (totals.totals.frames > 0 ? !first || !last : !cells[5].empty() || !cells[6].empty()) {
        *error = "the totals CSV has \"" + std::string(cells[5]) + "\" and \"" + std::string(cells[6]) + "\" as the times of " +
                 std::to_string(totals.totals.frames) + " frames";
        return std::nullopt;
    }
    if (first) {
        totals.totals.first_frame = *first;
        totals.totals.last_frame = *last;
    }
    return totals;
}

}  // namespace tlsdist
