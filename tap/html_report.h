// The HTML report: one self-contained page (inline style, data and script,
// no network access) with the totals, a sortable session table, each
// session's byte distributions as 256-bar histograms, TLS bytes by server,
// client and server port, and the sessions over time: of one capture, or of
// a dataset of captures (tlsdist --each), with a capture column and a
// section on each capture.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session_table.h"

namespace tlsdist {

// Sessions beyond this many (those with the fewest TLS bytes) are left out of
// the table and the histograms, so that the page stays quick to open; the
// totals and bar charts still count every session, and the page says so.
inline constexpr size_t kHtmlSessionLimit = 5000;

struct HtmlReportInput {
    std::string title;   // the capture's (or dataset's) name, as given by the caller
    std::string filter;  // the view's display filter, empty for every frame
    ByteScope scope = ByteScope::All;  // what the histograms count
    size_t session_limit = kHtmlSessionLimit;
};

// One capture of a dataset.
struct ReportCapture {
    std::string name;
    std::optional<CaptureTotals> totals;  // nothing when none of it could be read
    std::string failure;  // why it could not be read (fully), e.g. tshark's message; empty if it was
};

// The report, gathered session by session: the totals and charts count
// every session added, the table keeps the session_limit ones with the
// most TLS bytes (so a dataset's report needs memory for those only).
class HtmlReport {
public:
    explicit HtmlReport(size_t session_limit = kHtmlSessionLimit);
    ~HtmlReport();
    HtmlReport(const HtmlReport &) = delete;
    HtmlReport &operator=(const HtmlReport &) = delete;

    // A report of one capture: its totals.
    void set_totals(const CaptureTotals &totals);
    // A report of a dataset: its next capture. The sessions added after it
    // are that capture's (charted for its own section as well as for the
    // dataset's); the totals are the sum of the captures'.
    void add_capture(const ReportCapture &capture);
    void add_session(const SessionSummary &session);

    // (with this report's session limit, not input.session_limit)
    void append_html(std::string &out, const HtmlReportInput &input) const;

private:
    struct Data;
    std::unique_ptr<Data> data_;
};

// The report of one capture's sessions (input.session_limit applies).
void append_html_report(std::string &out, const std::vector<SessionSummary> &sessions,
                        const CaptureTotals &totals, const HtmlReportInput &input);

// Text for HTML element content or a quoted attribute: & < > " ' escaped.
std::string html_escape(std::string_view text);
// A JSON string literal that is also safe inside an HTML <script> element:
// < > & are written as \u escapes (no "</script>" or "<!--" can appear), and
// bytes that are not UTF-8 become U+FFFD.
std::string json_string(std::string_view text);

}  // namespace tlsdist
