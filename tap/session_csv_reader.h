// Reads the session CSV that tlsdist writes (report.h) back into
// SessionSummary values, one row at a time, and its totals CSV: for what
// works on the outputs of many runs, such as the report over a dataset
// (tlsdist --each --html).
//
// RFC 4180: cells in double quotes may hold commas, doubled quotes and line
// breaks; every row ends with CRLF or LF (the last one too: the writer's
// rows all do, so a file without is taken as cut short). Columns are found by their names in the
// header, so the capture column may be there or not (and columns this
// reader does not know are passed over). The columns that follow from the
// others (start_time, the entropy and chi-square figures) are not read. A
// cell the writer guarded against spreadsheet formulas (csv_cell) is read
// without its apostrophe. Anything else malformed (a row cut short, a cell
// count other than the header's, a number that is not one, counts that do
// not add up to their total) stops the reading with a message naming the
// line and column.
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "handshake_facts.h"
#include "histogram.h"
#include "session_table.h"

namespace tlsdist {

// One row: the session and the storage its pointers point into (so a
// record is neither copied nor moved).
struct SessionRecord {
    SessionRecord();
    SessionRecord(const SessionRecord &) = delete;
    SessionRecord &operator=(const SessionRecord &) = delete;

    std::string capture;     // the capture column; empty when the CSV has none
    SessionSummary session;  // metadata and histograms point to the members below
    SessionMetadata metadata;
    ByteHistogram tx_histogram;
    ByteHistogram rx_histogram;
};

class SessionCsvReader {
public:
    explicit SessionCsvReader(std::istream &in);
    ~SessionCsvReader();
    SessionCsvReader(const SessionCsvReader &) = delete;
    SessionCsvReader &operator=(const SessionCsvReader &) = delete;

    // Reads the header: false (and error()) when it is not that of a
    // tlsdist session CSV.
    bool read_header();
    bool has_capture_column() const;
    // Reads the next row into record: false at the end of the input, or
    // when the row is malformed (then error() is not empty).
    bool next(SessionRecord &record);
    // Why reading stopped early, as "line N: ..."; empty otherwise.
    const std::string &error() const { return error_; }

private:
    struct Columns;
    bool read_cells();
    bool fail(std::string message);

    std::istream &in_;
    std::unique_ptr<Columns> columns_;
    std::vector<std::string> cells_;
    std::vector<bool> quoted_;
    size_t line_ = 1;      // the line the next row starts on
    size_t row_line_ = 1;  // the line the row just read started on
    std::string error_;
};

// The whole of a file (an output another run wrote), or nothing when it does
// not exist or cannot be read.
std::optional<std::string> file_text(const std::string &path);

// The totals CSV (report.h, append_totals_csv) read back.
struct TotalsRow {
    CaptureTotals totals;
    uint64_t tx_bytes = 0;
    uint64_t rx_bytes = 0;
};

// Nothing, and why in *error, when text is not a totals CSV as written.
std::optional<TotalsRow> parse_totals_csv(std::string_view text, std::string *error);

}  // namespace tlsdist
