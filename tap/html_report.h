// The HTML report: one self-contained page (inline style, data and script,
// no network access) with the capture's totals, a sortable session table,
// each session's byte distributions as 256-bar histograms, TLS bytes by
// server, client and server port, and the sessions over time.
#pragma once

#include <cstddef>
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
    std::string title;   // the capture's name, as given by the caller
    std::string filter;  // the view's display filter, empty for every frame
    ByteScope scope = ByteScope::All;  // what the histograms count
    size_t session_limit = kHtmlSessionLimit;
};

void append_html_report(std::string &out, const std::vector<SessionSummary> &sessions,
                        const CaptureTotals &totals, const HtmlReportInput &input);

// Text for HTML element content or a quoted attribute: & < > " ' escaped.
std::string html_escape(std::string_view text);
// A JSON string literal that is also safe inside an HTML <script> element:
// < > & are written as \u escapes (no "</script>" or "<!--" can appear), and
// bytes that are not UTF-8 become U+FFFD.
std::string json_string(std::string_view text);

}  // namespace tlsdist
