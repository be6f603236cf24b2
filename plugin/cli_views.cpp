#include "cli_views.h"

#include "compat.h"

#include <wsutil/report_message.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "frame_tracker.h"
#include "html_report.h"
#include "report.h"
#include "session_table.h"
#include "view_options.h"

namespace tlsdist {

namespace {

// A frame this view counted while some of its bytes were waiting: they may
// come back as late runs when the first pass ends.
struct WaitingFrame {
    uint32_t frame_number;
    Timestamp time;
    Endpoint source;
    Endpoint destination;
};

struct CliView {
    explicit CliView(const ViewOptions &chosen) : options(chosen), table(chosen.scope) {}

    ViewOptions options;
    SessionTable table;
    ByteHistogram frame_histogram;
    std::string text;
    bool header_written = false;
    std::vector<WaitingFrame> waiting;  // in frame order
};

constexpr size_t kFlushBytes = 1 << 20;

void write_stdout(const std::string &text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
}

void reset_view(void *data)
{
    auto *view = static_cast<CliView *>(data);
    view->table.clear();
    view->header_written = false;
    view->waiting.clear();
}

void count_frame(CliView *view, const FrameEvent *frame)
{
    if (view->options.kind != ViewKind::PacketCsv) {
        view->table.add(*frame);
        return;
    }
    // Rows go out as frames arrive, so the view's memory does not grow with them.
    view->table.add(*frame, &view->frame_histogram);
    if (view->frame_histogram.total() == 0)
        return;
    view->text.clear();
    if (!view->header_written) {
        append_packet_csv_header(view->text, view->options.scope);
        view->header_written = true;
    }
    PacketRow row;
    row.frame_number = frame->frame_number;
    row.time = frame->time;
    row.source = frame->source;
    row.destination = frame->destination;
    row.stream = frame->stream;
    row.transport = frame->transport;
    row.from_client =
        view->table.sender_is_client(frame->stream, frame->sender, &capture_tracker(), frame->transport);
    row.histogram = &view->frame_histogram;
    append_packet_csv_row(view->text, row);
    write_stdout(view->text);
}

tap_packet_status view_packet(void *data, packet_info *, epan_dissect_t *, const void *tap_data,
                              tap_flags_t)
{
    auto *view = static_cast<CliView *>(data);
    const auto *frame = static_cast<const FrameEvent *>(tap_data);
    if (frame->waiting)
        view->waiting.push_back(WaitingFrame{frame->frame_number, frame->time, frame->source, frame->destination});
    count_frame(view, frame);
    return TAP_PACKET_DONT_REDRAW;
}

// The bytes that joined after their frames were counted (late runs), for the
// frames this view counted: one event per frame, in frame order.
void count_late_runs(CliView *view)
{
    finish_first_pass();
    if (view->waiting.empty())
        return;
    const CaptureTracker &tracker = capture_tracker();
    std::vector<const LateRun *> mine;
    for (const LateRun &run : tracker.late_runs()) {
        const auto found = std::lower_bound(view->waiting.begin(), view->waiting.end(), run.frame,
                                            [](const WaitingFrame &w, uint32_t n) { return w.frame_number < n; });
        if (found != view->waiting.end() && found->frame_number == run.frame)
            mine.push_back(&run);
    }
    std::stable_sort(mine.begin(), mine.end(), [](const LateRun *a, const LateRun *b) { return a->frame < b->frame; });
    std::vector<ByteRun> runs;
    for (size_t i = 0; i < mine.size();) {
        const LateRun &first = *mine[i];
        runs.clear();
        for (; i < mine.size() && mine[i]->frame == first.frame; ++i)
            runs.push_back(ByteRun{tracker.late_bytes(*mine[i]), mine[i]->length, mine[i]->framing});
        const WaitingFrame &waiting = *std::lower_bound(
            view->waiting.begin(), view->waiting.end(), first.frame,
            [](const WaitingFrame &w, uint32_t n) { return w.frame_number < n; });
        FrameEvent event;
        event.frame_number = first.frame;
        event.time = waiting.time;
        event.is_tcp = true;
        event.transport = Transport::Tcp;
        event.stream = first.stream;
        event.sender = first.sender;
        event.source = waiting.source;
        event.destination = waiting.destination;
        event.counts_frame = false;
        event.runs = runs.data();
        event.run_count = runs.size();
        count_frame(view, &event);
    }
    view->waiting.clear();
}

void draw_view(void *data)
{
    auto *view = static_cast<CliView *>(data);
    count_late_runs(view);
    view->text.clear();
    switch (view->options.kind) {
    case ViewKind::Table:
        append_session_table(view->text, view->table.sessions(&capture_tracker()),
                             view->table.totals(&capture_tracker()), view->options.scope);
        break;
    case ViewKind::SessionCsv:
        append_session_csv_header(view->text);
        for (const SessionSummary &session : view->table.sessions(&capture_tracker())) {
            append_session_csv_row(view->text, session);
            // Rows are ~2 KB each: write as they come rather than hold them all.
            if (view->text.size() >= kFlushBytes) {
                write_stdout(view->text);
                view->text.clear();
            }
        }
        break;
    case ViewKind::HtmlReport: {
        HtmlReportInput input;
        input.title = html_report_title();
        input.filter = view->options.filter;
        input.scope = view->options.scope;
        append_html_report(view->text, view->table.sessions(&capture_tracker()),
                           view->table.totals(&capture_tracker()), input);
        break;
    }
    case ViewKind::PacketCsv:
        if (!view->header_written)
            append_packet_csv_header(view->text, view->options.scope);
        view->header_written = true;
        break;
    }
    write_stdout(view->text);
    std::fflush(stdout);
}

void finish_view(void *data)
{
    delete static_cast<CliView *>(data);
}

// tshark's own statistics stop the program on a bad -z argument; the GUI
// must not be taken down, so there it is reported and the view not opened.
void refuse_argument(const std::string &message)
{
    if (g_strcmp0(g_get_prgname(), "tshark") == 0) {
        std::fprintf(stderr, "tshark: %s\n", message.c_str());
        std::exit(1);
    }
    report_failure("%s", message.c_str());
}

bool start_view(const char *argument, void *)
{
    const ViewOptionsResult parsed = parse_view_options(argument ? argument : "");
    if (!parsed.ok) {
        refuse_argument("tlsdist: " + parsed.error);
        return false;
    }
    enable_tracking();
    auto *view = new CliView(parsed.options);
    const char *filter = view->options.filter.empty() ? nullptr : view->options.filter.c_str();
    GString *error = register_tap_listener(kTapName, view, filter, TL_REQUIRES_NOTHING, reset_view,
                                           view_packet, draw_view, finish_view);
    if (error) {
        const std::string message = "tlsdist: invalid display filter \"" +
                                    view->options.filter + "\": " + error->str + " (" +
                                    kViewUsage + ")";
        g_string_free(error, TRUE);
        delete view;
        refuse_argument(message);
        return false;
    }
    return true;
}

stat_tap_ui table_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS sessions (tlsdist)", "tlsdist",
                        compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui session_csv_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS sessions as CSV (tlsdist)",
                              "tlsdist,csv", compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui html_report_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS sessions as an HTML report (tlsdist)",
                              "tlsdist,html", compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui packet_csv_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS bytes per packet as CSV (tlsdist)",
                             "tlsdist,packets", compat::start_statistic<start_view>, 0, nullptr};

}  // namespace

void register_cli_views()
{
    register_stat_tap_ui(&table_ui, nullptr);
    register_stat_tap_ui(&session_csv_ui, nullptr);
    register_stat_tap_ui(&packet_csv_ui, nullptr);
    register_stat_tap_ui(&html_report_ui, nullptr);
}

}  // namespace tlsdist
