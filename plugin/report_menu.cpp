// The report menu entry. The report comes from tshark run on the file
// Wireshark is showing (for a live capture, dumpcap's temporary file, limited
// to the frames Wireshark has read so far), so that a large capture never
// blocks the GUI: the browser first shows a page saying the report is being
// written, which reloads itself until the finished report replaces it.
#include "report_menu.h"

#include "compat.h"

#include <cfile.h>
#include <epan/plugin_if.h>
#include <wsutil/filesystem.h>
#include <wsutil/report_message.h>

#include <glib/gstdio.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "field_registry.h"
#include "frame_tracker.h"
#include "html_report.h"
#include "view_options.h"

namespace tlsdist {

namespace {

// What the report needs of Wireshark's capture_file, copied in the GUI's callback.
struct OpenCapture {
    bool open = false;
    std::string path;
    bool temporary = false;    // dumpcap's file of an unsaved live capture
    bool still_reading = false;  // a live capture or a file still loading
    uint32_t frames = 0;
    std::string display_filter;
};

void *copy_capture(capture_file *file, void *data)
{
    auto *capture = static_cast<OpenCapture *>(data);
    capture->open = file && file->state != FILE_CLOSED && file->filename;
    if (!capture->open)
        return capture;
    capture->path = file->filename;
    capture->temporary = file->is_tempfile;
    capture->still_reading = file->state == FILE_READ_IN_PROGRESS;
    capture->frames = file->count;
    capture->display_filter = file->dfilter ? file->dfilter : "";
    return capture;
}

// One click's report: a folder of its own under the system's temporary folder.
struct ReportJob {
    std::string folder;
    std::string page;      // what the browser shows: first the note, then the report
    std::string unfinished;  // tshark's out=, renamed to page when complete
    std::string errors;    // tshark's standard error
    std::string title;
};

bool write_page(const std::string &path, const std::string &title, const std::string &body, bool reload)
{
    std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">";
    if (reload)
        html += "<meta http-equiv=\"refresh\" content=\"1\">";
    html += "<title>" + html_escape(title) + "</title></head>\n<body><h1>" + html_escape(title) + "</h1>\n" +
            body + "\n</body></html>\n";
    GError *error = nullptr;
    if (!g_file_set_contents(path.c_str(), html.c_str(), static_cast<gssize>(html.size()), &error)) {
        report_failure("tlsdist could not write %s: %s", path.c_str(), error->message);
        g_error_free(error);
        return false;
    }
    return true;
}

std::string file_text(const std::string &path)
{
    gchar *contents = nullptr;
    if (!g_file_get_contents(path.c_str(), &contents, nullptr, nullptr))
        return {};
    std::string text(contents);
    g_free(contents);
    return text;
}

bool exited_cleanly(int wait_status)
{
    return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

void report_written(GPid pid, gint wait_status, gpointer data)
{
    g_spawn_close_pid(pid);
    ReportJob *job = static_cast<ReportJob *>(data);
    GStatBuf written;
    const bool complete =
        exited_cleanly(wait_status) && g_stat(job->unfinished.c_str(), &written) == 0 && written.st_size > 0;
    if (complete && g_rename(job->unfinished.c_str(), job->page.c_str()) == 0) {
        delete job;
        return;
    }
    const std::string errors = file_text(job->errors);
    write_page(job->page, job->title,
               "<p>tshark could not write the report:</p><pre>" + html_escape(errors) + "</pre>", false);
    report_failure("tlsdist: tshark could not write the report of %s:\n%s", job->title.c_str(), errors.c_str());
    delete job;
}

void browser_done(GPid pid, gint wait_status, gpointer data)
{
    g_spawn_close_pid(pid);
    auto *page = static_cast<std::string *>(data);
    if (!exited_cleanly(wait_status))
        report_failure("tlsdist: no web browser could be opened (xdg-open failed). The report is at\n%s",
                       page->c_str());
    delete page;
}

bool spawn_watched(const std::vector<std::string> &arguments, const std::string &folder, int error_fd,
                   GChildWatchFunc watch, gpointer data, GError **error)
{
    std::vector<char *> argv;
    for (const std::string &argument : arguments)
        argv.push_back(const_cast<char *>(argument.c_str()));
    argv.push_back(nullptr);
    GPid pid;
    const auto flags = static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                                                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDIN_FROM_DEV_NULL |
                                                (error_fd < 0 ? G_SPAWN_STDERR_TO_DEV_NULL : 0));
    if (!g_spawn_async_with_fds(folder.c_str(), argv.data(), nullptr, flags, nullptr, nullptr, &pid, -1, -1,
                                error_fd, error))
        return false;
    // Wireshark's GUI runs GLib's main loop, which calls watch when the process ends.
    g_child_watch_add(pid, watch, data);
    return true;
}

// tshark next to this Wireshark, or the first on PATH.
std::string tshark_program()
{
    gchar *beside = g_build_filename(get_progfile_dir(), "tshark", nullptr);
    std::string program = g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE) ? beside : "tshark";
    g_free(beside);
    return program;
}

std::vector<std::string> tshark_arguments(const OpenCapture &capture, const ReportJob &job)
{
    std::vector<std::string> arguments = {tshark_program(), "-r", capture.path, "-q",
                                          // exactly the frames Wireshark has read (a live file grows)
                                          "-c", std::to_string(capture.frames)};
    // The profile in use: its preferences, decryption keys and Decode As.
    if (!is_default_profile()) {
        arguments.push_back("-C");
        arguments.push_back(get_profile_name());
    }
    // The key log may also come from wireshark -o, which the profile does not hold.
    const std::string key_log = preference_text("tls", "keylog_file");
    if (!key_log.empty()) {
        arguments.push_back("-o");
        arguments.push_back("tls.keylog_file:" + key_log);
    }
    std::string view = std::string("tlsdist,html,scope=") + byte_scope_word(dialog_byte_scope()) +
                       ",out=" + escape_view_value(job.unfinished) + ",title=" + escape_view_value(job.title);
    if (!capture.display_filter.empty())
        view += "," + capture.display_filter;
    arguments.push_back("-z");
    arguments.push_back(view);
    return arguments;
}

std::string report_title(const OpenCapture &capture)
{
    std::string title;
    if (capture.temporary) {
        title = "Unsaved live capture";
    } else {
        gchar *name = g_path_get_basename(capture.path.c_str());
        title = name;
        g_free(name);
    }
    if (capture.still_reading)
        title += " (the first " + std::to_string(capture.frames) + " frames, still capturing or loading)";
    return title;
}

void open_report(ext_menubar_gui_type, gpointer, gpointer)
{
    OpenCapture capture;
    if (!plugin_if_get_capture_file(copy_capture, &capture)) {
        report_failure("tlsdist: this program does not tell plugins which capture is open");
        return;
    }
    if (!capture.open) {
        report_failure("tlsdist: no capture is open. Open a capture file or start a capture first.");
        return;
    }
    if (capture.frames == 0) {
        report_failure("tlsdist: the capture has no frames yet.");
        return;
    }
    gchar *folder = g_dir_make_tmp("tlsdist-report-XXXXXX", nullptr);
    if (!folder) {
        report_failure("tlsdist: could not make a folder for the report in %s", g_get_tmp_dir());
        return;
    }
    auto *job = new ReportJob;
    job->folder = folder;
    g_free(folder);
    job->page = job->folder + G_DIR_SEPARATOR_S "tlsdist-report.html";
    job->unfinished = job->folder + G_DIR_SEPARATOR_S "tlsdist-report.part.html";
    job->errors = job->folder + G_DIR_SEPARATOR_S "tshark-errors.txt";
    job->title = report_title(capture);

    const std::string note = "<p id=\"tlsdist-writing\">tlsdist is writing the report of " +
                             std::to_string(capture.frames) + " frames" +
                             (capture.display_filter.empty()
                                  ? std::string()
                                  : " that pass the display filter <code>" + html_escape(capture.display_filter) + "</code>") +
                             ". This page shows it as soon as it is ready.</p>";
    if (!write_page(job->page, job->title, note, true)) {
        delete job;
        return;
    }
    const int error_fd = g_open(job->errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    GError *error = nullptr;
    const bool started = error_fd >= 0 && spawn_watched(tshark_arguments(capture, *job), job->folder, error_fd,
                                                        report_written, job, &error);
    if (error_fd >= 0)
        close(error_fd);
    if (!started) {
        report_failure("tlsdist: could not start tshark to write the report: %s",
                       error ? error->message : g_strerror(errno));
        if (error)
            g_error_free(error);
        delete job;
        return;
    }

    gchar *uri = g_filename_to_uri(job->page.c_str(), nullptr, nullptr);
    auto *page = new std::string(job->page);
    if (!uri || !spawn_watched({"xdg-open", uri}, "/", -1, browser_done, page, &error)) {
        report_failure("tlsdist: no web browser could be opened (%s). The report is at\n%s",
                       error ? error->message : "no URI for the file", page->c_str());
        if (error)
            g_error_free(error);
        delete page;
    }
    g_free(uri);
}

}  // namespace

void register_report_menu()
{
    ext_menu_t *menu = ext_menubar_register_menu(proto_get_id_by_filter_name("tlsdist"), "tlsdist", true);
    ext_menubar_set_parentmenu(menu, "Tools");
    ext_menubar_add_entry(menu, "TLS Byte Distribution Report",
                          "The HTML report of this capture (histograms, charts by server and port, "
                          "sessions over time) in your web browser",
                          open_report, nullptr);
}

}  // namespace tlsdist
