// tlsdist-dataset-report: the HTML report over a dataset, from what each of
// its captures' tlsdist runs wrote (tlsdist --each --html runs it after its
// jobs; see plugin/tlsdist.sh). No Wireshark here: it reads the session CSV
// and totals CSV of each capture back (tap/session_csv_reader.h) and writes
// one page whose totals and charts count every session of every capture.
//
//   tlsdist-dataset-report -o OUT [--title TEXT] [--filter TEXT] [--scope WORD] LIST
//
// LIST names the captures in the dataset's order, one a line:
//   STATUS<tab>PREFIX<tab>NAME
// STATUS is the capture's tlsdist exit status (0: read whole), PREFIX the
// start of its outputs' paths: PREFIX.csv (session CSV), PREFIX.totals
// (totals CSV) and PREFIX.err (its messages: why it failed), any of which may be
// missing or empty for a capture that failed. NAME is the rest of the line.
//
// Exit status: 0 the report is written, 1 bad usage, 2 an output of a
// capture read whole is malformed, or OUT cannot be written.
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "html_report.h"
#include "session_csv_reader.h"

namespace {

using namespace tlsdist;

const char kUsage[] =
    "usage: tlsdist-dataset-report -o OUT [--title TEXT] [--filter TEXT] [--scope WORD] LIST\n"
    "LIST: one capture a line, STATUS<tab>PREFIX<tab>NAME (see plugin/dataset_report.cpp)\n";

struct Capture {
    int status = 0;
    std::string prefix;
    std::string name;
};

// Why a capture failed: its messages (tshark's), or its exit status.
std::string failure_of(const Capture &capture)
{
    std::optional<std::string> message = file_text(capture.prefix + ".err");
    while (message && !message->empty() && message->back() == '\n')
        message->pop_back();
    if (message && !message->empty())
        return *message;
    return "tlsdist exited with status " + std::to_string(capture.status);
}

// Reads a capture's outputs; with report, adds it and its sessions. False,
// and why, when they are missing or malformed or do not agree.
bool read_capture(const Capture &capture, HtmlReport *report, std::string *why)
{
    const std::string totals_path = capture.prefix + ".totals", csv_path = capture.prefix + ".csv";
    const std::optional<std::string> totals_text = file_text(totals_path);
    if (!totals_text || totals_text->empty()) {
        *why = "no totals (" + totals_path + ")";
        return false;
    }
    std::string error;
    const std::optional<TotalsRow> totals = parse_totals_csv(*totals_text, &error);
    if (!totals) {
        *why = totals_path + ": " + error;
        return false;
    }
    std::ifstream csv(csv_path, std::ios::binary);
    if (!csv) {
        *why = "no session CSV (" + csv_path + ")";
        return false;
    }
    SessionCsvReader reader(csv);
    if (!reader.read_header()) {
        *why = csv_path + ": " + reader.error();
        return false;
    }
    if (report) {
        ReportCapture figures;
        figures.name = capture.name;
        figures.totals = totals->totals;
        if (capture.status != 0)
            figures.failure = failure_of(capture);
        report->add_capture(figures);
    }
    SessionRecord record;
    uint64_t sessions = 0, tx = 0, rx = 0;
    while (reader.next(record)) {
        ++sessions;
        tx += record.session.tx.tls_bytes;
        rx += record.session.rx.tls_bytes;
        if (report)
            report->add_session(record.session);
    }
    if (!reader.error().empty()) {
        *why = csv_path + ": " + reader.error();
        return false;
    }
    // Both come from one tshark run: a difference means a file cut short.
    if (sessions != totals->totals.tls_sessions || tx != totals->tx_bytes || rx != totals->rx_bytes) {
        *why = csv_path + " has " + std::to_string(sessions) + " sessions with " + std::to_string(tx) + " and " +
               std::to_string(rx) + " TLS bytes, where " + totals_path + " says " +
               std::to_string(totals->totals.tls_sessions) + ", " + std::to_string(totals->tx_bytes) + " and " +
               std::to_string(totals->rx_bytes);
        return false;
    }
    return true;
}

int fail(int status, const std::string &message)
{
    std::cerr << "tlsdist: " << message << '\n';
    return status;
}

}  // namespace

int main(int argc, char **argv)
{
    std::string out, list_path;
    HtmlReportInput input;
    for (int i = 1; i < argc; ++i) {
        const std::string option = argv[i];
        const bool takes_value = option == "-o" || option == "--title" || option == "--filter" || option == "--scope";
        if (takes_value && i + 1 == argc)
            return fail(1, "option " + option + " needs a value\n" + kUsage);
        if (option == "-o") {
            out = argv[++i];
        } else if (option == "--title") {
            input.title = argv[++i];
        } else if (option == "--filter") {
            input.filter = argv[++i];
        } else if (option == "--scope") {
            const std::optional<ByteScope> scope = byte_scope_from_word(argv[++i]);
            if (!scope)
                return fail(1, "unknown scope \"" + std::string(argv[i]) + "\"\n" + kUsage);
            input.scope = *scope;
        } else if (list_path.empty() && !option.empty() && option[0] != '-') {
            list_path = option;
        } else {
            return fail(1, "unexpected argument \"" + option + "\"\n" + kUsage);
        }
    }
    if (out.empty() || list_path.empty())
        return fail(1, std::string("an output (-o) and a list of captures are needed\n") + kUsage);

    const std::optional<std::string> list = file_text(list_path);
    if (!list)
        return fail(2, "cannot read " + list_path);
    std::vector<Capture> captures;
    std::istringstream lines(*list);
    for (std::string line; std::getline(lines, line);) {
        const size_t tab = line.find('\t'), second_tab = tab == std::string::npos ? tab : line.find('\t', tab + 1);
        Capture capture;
        try {
            if (second_tab == std::string::npos)
                throw std::invalid_argument("no tabs");
            size_t digits = 0;
            capture.status = std::stoi(line.substr(0, tab), &digits);
            if (digits != tab)
                throw std::invalid_argument("not a status");
        } catch (const std::exception &) {
            return fail(1, list_path + ": \"" + line + "\" is not STATUS<tab>PREFIX<tab>NAME");
        }
        capture.prefix = line.substr(tab + 1, second_tab - tab - 1);
        capture.name = line.substr(second_tab + 1);
        captures.push_back(capture);
    }

    HtmlReport report;
    for (const Capture &capture : captures) {
        std::string why;
        if (capture.status == 0) {
            if (!read_capture(capture, &report, &why))
                return fail(2, "the outputs of " + capture.name + " cannot be read: " + why);
            continue;
        }
        // A capture that failed may have left whole outputs (read in part)
        // or none, or some cut short: its figures count only if they all read.
        if (read_capture(capture, nullptr, &why)) {
            read_capture(capture, &report, &why);
        } else {
            ReportCapture failed;
            failed.name = capture.name;
            failed.failure = failure_of(capture);
            report.add_capture(failed);
        }
    }

    std::string page;
    report.append_html(page, input);
    if (out == "-") {
        std::cout << page << std::flush;
        if (!std::cout)
            return fail(2, "cannot write the report to standard output");
        return 0;
    }
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    if (file)
        file << page << std::flush;
    if (!file)
        return fail(2, "cannot write " + out);
    file.close();
    if (!file)
        return fail(2, "cannot write " + out);
    return 0;
}
