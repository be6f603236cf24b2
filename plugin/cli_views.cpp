#include "cli_views.h"

#include "compat.h"

#include <wsutil/report_message.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frame_tracker.h"
#include "html_report.h"
#include "report.h"
#include "session_table.h"
#include "shard_merge.h"
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

struct CliView;

// What the views of one tshark run with the same display filter and byte
// scope share: one session table, counted once per frame however many of
// them draw from it (tlsdist --html R -o S -p P runs three such views).
// Each view keeps its own tap listener, with the same filter, so that the
// views are drawn and reset as before; the first view still open counts.
struct Counting {
    Counting(ByteScope chosen_scope, std::string chosen_filter)
        : scope(chosen_scope), filter(std::move(chosen_filter)), table(capture_tracker(), chosen_scope)
    {
    }

    ByteScope scope;
    std::string filter;
    SessionTable table;
    ByteHistogram frame_histogram;
    std::vector<WaitingFrame> waiting;  // in frame order
    std::vector<CliView *> members;     // in start order; members[0] counts
    size_t packet_members = 0;          // of which per-packet views
    uint64_t packet_rows = 0;           // the rows each per-packet view got (for tlsdist,shard)
    uint64_t late_packet_rows = 0;      // of which rows of late runs, which come last
};

struct CliView {
    explicit CliView(const ViewOptions &chosen) : options(chosen) {}

    ViewOptions options;
    std::shared_ptr<Counting> counting;
    std::FILE *out = stdout;  // out=: a file this view opened
    std::string text;         // what waits to be written
    bool header_written = false;
    bool restart_output = false;  // the file is to be cut at the next write
    bool write_failed = false;
    std::optional<CaptureFiles> read_captures;  // captures-from='s list, once read
    bool captures_unreadable = false;  // captures-from='s list could not be read: this view writes nothing
};

// Every open view, in start order.
std::vector<CliView *> &open_views()
{
    static std::vector<CliView *> views;
    return views;
}

constexpr size_t kFlushBytes = 1 << 20;

std::string output_name(const CliView *view)
{
    return view->options.output ? *view->options.output : "standard output";
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

// Why a view fails: on standard error in tshark, in a dialog in the GUI.
void report_view_failure(const std::string &message)
{
    if (g_strcmp0(g_get_prgname(), "tshark") == 0)
        std::fprintf(stderr, "tshark: %s\n", message.c_str());
    else
        report_failure("%s", message.c_str());
}

// A file that could be opened but not written (a full disk): said once, on
// standard error in tshark (the tlsdist command then exits with status 2),
// in a dialog in the GUI.
void check_written(CliView *view)
{
    if (view->write_failed || view->out == stdout || !std::ferror(view->out))
        return;
    view->write_failed = true;
    report_view_failure("tlsdist: cannot write " + output_name(view) + ": " + g_strerror(errno));
}

// A file written whole at each draw (all but the per-packet view), or from
// the start again after a reset (the per-packet view), starts empty: it is
// cut when the view next writes, not at the reset itself, since tshark also
// resets its views after drawing them, when it closes the capture.
void truncate_output(CliView *view)
{
    view->restart_output = false;
    if (view->out == stdout)
        return;
    std::fflush(view->out);
    std::rewind(view->out);
    if (ftruncate(fileno(view->out), 0) != 0) {
        // (not a regular file, such as /dev/null or a pipe: nothing to cut)
    }
}

// Whether this view has a capture column (captures= or captures-from=).
bool has_capture_column(const CliView *view)
{
    return view->options.captures || view->options.captures_from;
}

// The files the capture was read from: captures=, or the list in the file
// captures-from= names, read the first time a view needs it (the tlsdist
// command writes it before the capture's first byte reaches tshark). None
// when the view has neither, or when that file cannot be read: the view then
// writes nothing, since it cannot fill its capture column.
const CaptureFiles *capture_files(CliView *view)
{
    if (view->options.captures)
        return &*view->options.captures;
    if (!view->options.captures_from || view->captures_unreadable)
        return nullptr;
    if (!view->read_captures) {
        std::string error;
        view->read_captures = CaptureFiles::read(*view->options.captures_from, &error);
        if (!view->read_captures) {
            view->captures_unreadable = true;
            report_view_failure("tlsdist: " + error);
            return nullptr;
        }
    }
    return &*view->read_captures;
}

void write_text(CliView *view)
{
    if (view->captures_unreadable)
        view->text.clear();
    if (view->text.empty())
        return;
    if (view->restart_output)
        truncate_output(view);
    std::fwrite(view->text.data(), 1, view->text.size(), view->out);
    view->text.clear();
    check_written(view);
}

void reset_view(void *data)
{
    auto *view = static_cast<CliView *>(data);
    Counting &counting = *view->counting;
    counting.table.clear();
    counting.waiting.clear();
    counting.packet_rows = 0;
    counting.late_packet_rows = 0;
    view->header_written = false;
    view->text.clear();
    if (view->options.kind == ViewKind::PacketCsv)
        view->restart_output = true;
}

// The per-packet CSV's header, with a first column "capture" under captures=
// or captures-from=.
void append_packet_header(CliView *view)
{
    if (has_capture_column(view))
        view->text += "capture,";
    append_packet_csv_header(view->text, view->options.scope);
}

void count_frame(Counting &counting, const FrameEvent *frame)
{
    if (counting.packet_members == 0) {
        counting.table.add(*frame);
        return;
    }
    // Rows go out as frames arrive (each view writes its rows when they pass
    // kFlushBytes and at draw), so memory does not grow with them.
    counting.table.add(*frame, &counting.frame_histogram);
    if (counting.frame_histogram.total() == 0)
        return;
    PacketRow row;
    row.frame_number = frame->frame_number;
    row.time = frame->time;
    row.source = frame->source;
    row.destination = frame->destination;
    row.stream = frame->stream;
    row.transport = frame->transport;
    row.from_client =
        counting.table.sender_is_client(frame->stream, frame->sender, frame->transport);
    row.histogram = &counting.frame_histogram;
    ++counting.packet_rows;
    if (!frame->counts_frame)
        ++counting.late_packet_rows;
    for (CliView *view : counting.members) {
        if (view->options.kind != ViewKind::PacketCsv)
            continue;
        if (!view->header_written) {
            append_packet_header(view);
            view->header_written = true;
        }
        if (has_capture_column(view)) {
            const CaptureFiles *files = capture_files(view);
            if (!files)
                continue;
            view->text += csv_cell(files->name_of(row.frame_number)) + ',';
        }
        append_packet_csv_row(view->text, row);
        if (view->text.size() >= kFlushBytes)
            write_text(view);
    }
}

tap_packet_status view_packet(void *data, packet_info *pinfo, epan_dissect_t *edt, const void *tap_data,
                              tap_flags_t)
{
    auto *view = static_cast<CliView *>(data);
    Counting &counting = *view->counting;
    if (counting.members.empty() || counting.members.front() != view)
        return TAP_PACKET_DONT_REDRAW;  // another view with the same filter counts
    const FrameEvent *frame = &frame_event(tap_data, pinfo, edt);
    if (frame->waiting)
        counting.waiting.push_back(WaitingFrame{frame->frame_number, frame->time, frame->source, frame->destination});
    count_frame(counting, frame);
    return TAP_PACKET_DONT_REDRAW;
}

// The bytes that joined after their frames were counted (late runs), for the
// frames these views counted: one event per frame, in frame order. The
// first of the views to be drawn counts them for all.
void count_late_runs(Counting &counting)
{
    finish_first_pass();
    if (counting.waiting.empty())
        return;
    const CaptureTracker &tracker = counting.table.connections();
    std::vector<const LateRun *> mine;
    for (const LateRun &run : tracker.late_runs()) {
        const auto found = std::lower_bound(counting.waiting.begin(), counting.waiting.end(), run.frame,
                                            [](const WaitingFrame &w, uint32_t n) { return w.frame_number < n; });
        if (found != counting.waiting.end() && found->frame_number == run.frame)
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
            counting.waiting.begin(), counting.waiting.end(), first.frame,
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
        count_frame(counting, &event);
    }
    counting.waiting.clear();
}

void draw_view(void *data)
{
    auto *view = static_cast<CliView *>(data);
    // Views that share standard output keep the order in which they wrote
    // before rows were buffered: another view's rows read so far go first.
    if (view->out == stdout) {
        for (CliView *other : open_views()) {
            if (other != view && other->out == stdout && !other->text.empty())
                write_text(other);
        }
    }
    Counting &counting = *view->counting;
    count_late_runs(counting);
    const SessionTable &table = counting.table;
    if (view->options.kind != ViewKind::PacketCsv) {
        view->restart_output = true;
        view->text.clear();
    }
    const CaptureFiles *files = capture_files(view);
    switch (view->options.kind) {
    case ViewKind::Table:
        append_session_table(view->text, table.sessions(), table.totals(), view->options.scope, files);
        break;
    case ViewKind::SessionCsv:
        append_session_csv_header(view->text, has_capture_column(view));
        for (const SessionSummary &session : table.sessions()) {
            append_session_csv_row(view->text, session, files);
            // Rows are ~2 KB each: write as they come rather than hold them all.
            if (view->text.size() >= kFlushBytes)
                write_text(view);
        }
        break;
    case ViewKind::HtmlReport: {
        HtmlReportInput input;
        input.title = view->options.title ? *view->options.title : files ? files->title() : html_report_title();
        input.filter = view->options.filter;
        input.scope = view->options.scope;
        append_html_report(view->text, table.sessions(), table.totals(),
                           input);
        break;
    }
    case ViewKind::Totals:
        append_totals_csv(view->text, table.sessions(), table.totals());
        break;
    case ViewKind::ShardFacts: {
        ShardFacts facts;
        facts.packet_rows = counting.packet_rows;
        facts.late_packet_rows = counting.late_packet_rows;
        for (Transport transport : {Transport::Tcp, Transport::Udp})
            facts.first_frames[transport_index(transport)] = stream_first_frames(transport);
        append_shard_facts(view->text, facts);
        break;
    }
    case ViewKind::PacketCsv:
        if (!view->header_written) {
            // (rows already written start the file: the header went before them)
            append_packet_header(view);
            view->header_written = true;
        }
        break;
    }
    write_text(view);
    std::fflush(view->out);
    check_written(view);
}

void finish_view(void *data)
{
    auto *view = static_cast<CliView *>(data);
    auto &views = open_views();
    views.erase(std::remove(views.begin(), views.end(), view), views.end());
    if (view->counting) {
        auto &members = view->counting->members;
        const auto found = std::find(members.begin(), members.end(), view);
        if (found != members.end()) {
            members.erase(found);
            if (view->options.kind == ViewKind::PacketCsv)
                --view->counting->packet_members;
        }
    }
    if (view->out != stdout) {
        write_text(view);
        if (std::fclose(view->out) != 0 && !view->write_failed) {
            view->out = stdout;  // (closed: only the message is left to give)
            report_view_failure("tlsdist: cannot write " + output_name(view) + ": " + g_strerror(errno));
        }
    }
    delete view;
}

bool start_view(const char *argument, void *)
{
    const ViewOptionsResult parsed = parse_view_options(argument ? argument : "");
    if (!parsed.ok) {
        refuse_argument("tlsdist: " + parsed.error);
        return false;
    }
    enable_tracking();
    if (parsed.options.kind == ViewKind::ShardFacts)
        list_streams();
    auto *view = new CliView(parsed.options);
    for (const CliView *other : open_views()) {
        if (other->counting->scope == view->options.scope && other->counting->filter == view->options.filter) {
            view->counting = other->counting;
            break;
        }
    }
    if (!view->counting)
        view->counting = std::make_shared<Counting>(view->options.scope, view->options.filter);
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
    // The file is opened now, before the capture is read, so that a path
    // that cannot be written stops tshark at once.
    if (view->options.output) {
        std::FILE *file = std::fopen(view->options.output->c_str(), "wb");
        if (!file) {
            const std::string message = "tlsdist: cannot write " + *view->options.output + ": " + g_strerror(errno);
            remove_tap_listener(view);  // (finish_view deletes it)
            refuse_argument(message);
            return false;
        }
        view->out = file;
    }
    open_views().push_back(view);
    view->counting->members.push_back(view);
    if (view->options.kind == ViewKind::PacketCsv)
        ++view->counting->packet_members;
    return true;
}

stat_tap_ui table_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS sessions (tlsdist)", "tlsdist",
                        compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui session_csv_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS sessions as CSV (tlsdist)",
                              "tlsdist,csv", compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui html_report_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS sessions as an HTML report (tlsdist)",
                              "tlsdist,html", compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui totals_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS totals as CSV (tlsdist)", "tlsdist,totals",
                         compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui shard_facts_ui = {REGISTER_STAT_GROUP_GENERIC, "Stream first frames for tlsdist --shards (tlsdist)",
                              "tlsdist,shard", compat::start_statistic<start_view>, 0, nullptr};
stat_tap_ui packet_csv_ui = {REGISTER_STAT_GROUP_GENERIC, "TLS bytes per packet as CSV (tlsdist)",
                             "tlsdist,packets", compat::start_statistic<start_view>, 0, nullptr};

}  // namespace

void register_cli_views()
{
    register_stat_tap_ui(&table_ui, nullptr);
    register_stat_tap_ui(&session_csv_ui, nullptr);
    register_stat_tap_ui(&packet_csv_ui, nullptr);
    register_stat_tap_ui(&html_report_ui, nullptr);
    register_stat_tap_ui(&totals_ui, nullptr);
    register_stat_tap_ui(&shard_facts_ui, nullptr);
}

}  // namespace tlsdist
