#include "view_options.h"

namespace tlsdist {

const char *const kViewUsage =
    "tlsdist[,FILTER] (session table), tlsdist,csv[,FILTER] (session CSV), "
    "tlsdist,packets[,FILTER] (per-packet CSV), tlsdist,html[,FILTER] (HTML report), "
    "tlsdist,totals[,FILTER] (totals CSV), tlsdist,shard[,FILTER] (what tlsdist --shards merges by); "
    "before FILTER, in any order, each at most once: scope=all|appdata|handshake|plaintext, "
    "out=PATH (write to a file), title=TEXT (html only), captures=LIST (lines \"FRAMES NAME\": "
    "a capture column, and the HTML report's title; not with totals or shard) or captures-from=PATH (a file "
    "that holds LIST, read when first needed); in PATH, TEXT and LIST write \\, for a comma "
    "and \\\\ for a backslash";

namespace {

ViewOptionsResult refuse(std::string reason)
{
    ViewOptionsResult result;
    result.error = std::move(reason) + "; use " + kViewUsage;
    return result;
}

bool starts_with(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

// Reads one escaped value from the start of rest, up to the first comma that
// is not escaped, and moves rest past that comma. False (and why) for a
// backslash that escapes neither a comma nor a backslash.
bool take_value(std::string_view &rest, std::string &value, std::string &why)
{
    value.clear();
    size_t i = 0;
    for (; i < rest.size() && rest[i] != ','; ++i) {
        if (rest[i] != '\\') {
            value += rest[i];
            continue;
        }
        if (i + 1 == rest.size() || (rest[i + 1] != ',' && rest[i + 1] != '\\')) {
            why = i + 1 == rest.size() ? "a backslash at the end"
                                       : std::string("\"\\") + rest[i + 1] + "\"";
            return false;
        }
        value += rest[++i];
    }
    rest = i < rest.size() ? rest.substr(i + 1) : std::string_view();
    return true;
}

// The views whose rows a capture column can name the file of.
bool has_session_rows(ViewKind kind)
{
    return kind != ViewKind::Totals && kind != ViewKind::ShardFacts;
}

}  // namespace

std::string escape_view_value(std::string_view text)
{
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        if (c == ',' || c == '\\')
            escaped += '\\';
        escaped += c;
    }
    return escaped;
}

ViewOptionsResult parse_view_options(std::string_view argument)
{
    constexpr std::string_view kName = "tlsdist";
    if (!starts_with(argument, kName))
        return refuse("not a tlsdist argument: \"" + std::string(argument) + "\"");
    std::string_view rest = argument.substr(kName.size());
    if (!rest.empty() && rest[0] != ',')
        return refuse("unknown statistic \"" + std::string(argument) + "\"");
    if (!rest.empty())
        rest.remove_prefix(1);

    ViewOptionsResult result;
    result.ok = true;
    static const struct {
        std::string_view word;
        ViewKind kind;
    } kViews[] = {{"csv", ViewKind::SessionCsv}, {"packets", ViewKind::PacketCsv},
                   {"html", ViewKind::HtmlReport}, {"totals", ViewKind::Totals},
                   {"shard", ViewKind::ShardFacts}};
    for (const auto &view : kViews) {
        if (!starts_with(rest, view.word))
            continue;
        const std::string_view after = rest.substr(view.word.size());
        if (!after.empty() && after[0] != ',') {
            const std::string token(rest.substr(0, rest.find(',')));
            return refuse("unknown tlsdist view \"" + token + "\"");
        }
        result.options.kind = view.kind;
        rest = after.empty() ? after : after.substr(1);
        break;
    }

    enum Key { kScope, kOut, kTitle, kCaptures, kCapturesFrom, kKeyCount };
    static const std::string_view kKeys[kKeyCount] = {"scope=", "out=", "title=", "captures=", "captures-from="};
    bool seen[kKeyCount] = {};
    for (;;) {
        int key = -1;
        for (int k = 0; k < kKeyCount; ++k) {
            if (starts_with(rest, kKeys[k]))
                key = k;
        }
        if (key < 0)
            break;
        const std::string name(kKeys[key]);
        if (seen[key])
            return refuse("repeated key " + name + " (each key at most once)");
        seen[key] = true;
        rest.remove_prefix(name.size());
        std::string value, why;
        if (!take_value(rest, value, why))
            return refuse("bad escape in the value of " + name + ": " + why +
                          " (write \\, for a comma, \\\\ for a backslash)");
        switch (key) {
        case kScope: {
            const std::optional<ByteScope> scope = byte_scope_from_word(value);
            if (!scope)
                return refuse("unknown byte scope \"" + value + "\"");
            result.options.scope = *scope;
            break;
        }
        case kOut:
            if (value.empty())
                return refuse("empty value of out= (give a file name)");
            result.options.output = std::move(value);
            break;
        case kTitle:
            if (value.empty())
                return refuse("empty value of title= (leave the key out for no title)");
            if (result.options.kind != ViewKind::HtmlReport)
                return refuse("title= is for the HTML report only (tlsdist,html)");
            result.options.title = std::move(value);
            break;
        case kCaptures: {
            if (!has_session_rows(result.options.kind))
                return refuse("captures= is for the session views, not the totals or shard facts");
            std::string error;
            result.options.captures = CaptureFiles::parse(value, &error);
            if (!result.options.captures)
                return refuse(error);
            break;
        }
        case kCapturesFrom:
            if (!has_session_rows(result.options.kind))
                return refuse("captures-from= is for the session views, not the totals or shard facts");
            if (value.empty())
                return refuse("empty value of captures-from= (give a file name)");
            result.options.captures_from = std::move(value);
            break;
        }
    }
    if (seen[kCaptures] && seen[kCapturesFrom])
        return refuse("captures= and captures-from= together (give the list one way)");
    result.options.filter = std::string(rest);
    return result;
}

}  // namespace tlsdist
