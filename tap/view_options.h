// The argument of tshark's -z option for tlsdist's views:
//   tlsdist[,KEY=VALUE...][,FILTER]          the session table (text)
//   tlsdist,csv[,KEY=VALUE...][,FILTER]      one CSV row per session
//   tlsdist,packets[,KEY=VALUE...][,FILTER]  one CSV row per frame that carries TLS bytes
//   tlsdist,html[,KEY=VALUE...][,FILTER]     the HTML report (one self-contained page)
//   tlsdist,totals[,KEY=VALUE...][,FILTER]   the totals as a one-row CSV (append_totals_csv)
//   tlsdist,shard[,KEY=VALUE...][,FILTER]    where each stream first appeared and how many
//                                            per-packet rows came late (shard_merge.h): what
//                                            tlsdist --shards merges a shard's outputs by
// Keys, each at most once, in any order, between the view and the filter:
//   scope=all|appdata|handshake|plaintext  which TLS bytes the distributions count
//   out=PATH                               write to the file PATH instead of standard output
//   title=TEXT                             the HTML report's title (html only)
//   captures=LIST                          the files read as this capture, one
//                                          "FRAMES NAME" a line (capture_files.h):
//                                          the session views get a capture column
//                                          (not the totals or shard); the HTML report is
//                                          titled after them (CaptureFiles::title)
//                                          unless title= is given
//   captures-from=PATH                     the same list, in the file PATH, read
//                                          when a view first needs it (not with
//                                          captures=)
// In a value, "\," stands for a comma and "\\" for a backslash; any other
// backslash is refused (escape_view_value() makes any text a value). The
// filter, the rest of the argument, is taken as it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "capture_files.h"
#include "session_table.h"

namespace tlsdist {

enum class ViewKind { Table, SessionCsv, PacketCsv, HtmlReport, Totals, ShardFacts };

struct ViewOptions {
    ViewKind kind = ViewKind::Table;
    ByteScope scope = ByteScope::All;
    std::string filter;                 // display filter; empty means every frame
    std::optional<std::string> output;  // out=: a file; none means standard output
    std::optional<std::string> title;   // title=: the HTML report's title
    std::optional<CaptureFiles> captures;  // captures=: the files, for the capture column
    std::optional<std::string> captures_from;  // captures-from=: a file that holds that list
};

struct ViewOptionsResult {
    bool ok = false;
    ViewOptions options;
    std::string error;  // why the argument was refused, with the accepted forms
};

ViewOptionsResult parse_view_options(std::string_view argument);

// TEXT as a KEY=VALUE value: backslashes and commas escaped with a backslash.
std::string escape_view_value(std::string_view text);

extern const char *const kViewUsage;

}  // namespace tlsdist
