// The argument of tshark's -z option for tlsdist's views:
//   tlsdist[,FILTER]          the session table (text)
//   tlsdist,csv[,FILTER]      one CSV row per session
//   tlsdist,packets[,FILTER]  one CSV row per frame that carries TLS bytes
//   tlsdist,html[,FILTER]     the HTML report (one self-contained page)
// Each may take scope=all|appdata|handshake|plaintext before the filter: which TLS
// bytes the distributions count (e.g. tlsdist,csv,scope=appdata,FILTER).
#pragma once

#include <string>
#include <string_view>

#include "session_table.h"

namespace tlsdist {

enum class ViewKind { Table, SessionCsv, PacketCsv, HtmlReport };

struct ViewOptions {
    ViewKind kind = ViewKind::Table;
    ByteScope scope = ByteScope::All;
    std::string filter;  // display filter; empty means every frame
};

struct ViewOptionsResult {
    bool ok = false;
    ViewOptions options;
    std::string error;  // why the argument was refused, with the accepted forms
};

ViewOptionsResult parse_view_options(std::string_view argument);

extern const char *const kViewUsage;

}  // namespace tlsdist
