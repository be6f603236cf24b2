// Writers for tlsdist's outputs: the text table, the session CSV and the
// per-packet CSV. They append to a std::string so that callers decide where
// it goes (stdout in tshark, a dialog or a file elsewhere).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "capture_files.h"
#include "histogram.h"
#include "session_table.h"

namespace tlsdist {

// "2023-02-03 10:32:23.123" in the local time zone (as Wireshark shows
// absolute times by default), milliseconds truncated.
std::string local_time_text(const Timestamp &time);
// "2023-02-03T10:32:23.123456Z": UTC, microseconds truncated, for machines.
std::string utc_time_text(const Timestamp &time);
// "1675419143.123456": seconds since the epoch, microseconds truncated.
std::string epoch_text(const Timestamp &time);

// One CSV cell per RFC 4180. Text that a spreadsheet would read as a formula
// (starting with = + - @ tab or carriage return) gets a leading apostrophe,
// as does text that already starts with apostrophes before such a character,
// so that a reader can take exactly one apostrophe off every guarded cell
// (session_csv_reader.h).
std::string csv_cell(std::string_view text);
// True when csv_cell writes text behind an apostrophe.
bool csv_needs_guard(std::string_view text);
// Text for the human table: control characters become \xNN so that bytes
// from a capture cannot move the cursor or recolour the terminal.
std::string printable_text(std::string_view text);

// A direction's entropy for people: "7.999" (bits per byte), "-" without bytes.
std::string entropy_text(const ByteHistogram &histogram);
// A session direction's entropy cell: as entropy_text, or "no keys" in the
// plaintext scope when it has application data Wireshark could not decrypt.
std::string direction_entropy_text(const SessionSummary &session, bool tx);

// The title names the scope of the entropy columns unless it is All. With
// captures, a first column names the file of each session's first frame
// (as does a first CSV column "capture").
void append_session_table(std::string &out, const std::vector<SessionSummary> &sessions,
                          const CaptureTotals &totals, ByteScope scope = ByteScope::All,
                          const CaptureFiles *captures = nullptr);

void append_session_csv_header(std::string &out, bool capture_column = false);
void append_session_csv_row(std::string &out, const SessionSummary &session,
                            const CaptureFiles *captures = nullptr);

// The totals CSV (-z tlsdist,totals): a header and one row,
//   frames,tls_frames,tls_sessions,tx_bytes,rx_bytes,first_frame_epoch,last_frame_epoch
// frames and TLS frames counted, TLS sessions, their TLS bytes each way, and
// the times of the first and last frame counted (empty without frames).
void append_totals_csv(std::string &out, const std::vector<SessionSummary> &sessions,
                       const CaptureTotals &totals);

struct PacketRow {
    uint32_t frame_number = 0;
    Timestamp time;
    Endpoint source;
    Endpoint destination;
    uint32_t stream = 0;
    Transport transport = Transport::Tcp;
    bool from_client = true;
    const ByteHistogram *histogram = nullptr;
};

// The byte count column is named after the scope: tls_bytes, appdata_bytes...
void append_packet_csv_header(std::string &out, ByteScope scope = ByteScope::All);
void append_packet_csv_row(std::string &out, const PacketRow &row);

}  // namespace tlsdist
