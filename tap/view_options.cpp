#include "view_options.h"

namespace tlsdist {

const char *const kViewUsage =
    "tlsdist[,FILTER] (session table), tlsdist,csv[,FILTER] (session CSV), "
    "tlsdist,packets[,FILTER] (per-packet CSV), tlsdist,html[,FILTER] (HTML report); "
    "scope=all|appdata|handshake|plaintext may precede FILTER";

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

}  // namespace

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
                   {"html", ViewKind::HtmlReport}};
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
    constexpr std::string_view kScope = "scope=";
    if (starts_with(rest, kScope)) {
        const size_t end = rest.find(',');
        const std::string_view word = rest.substr(kScope.size(), end == std::string_view::npos
                                                                      ? std::string_view::npos
                                                                      : end - kScope.size());
        const std::optional<ByteScope> scope = byte_scope_from_word(word);
        if (!scope)
            return refuse("unknown byte scope \"" + std::string(word) + "\"");
        result.options.scope = *scope;
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    result.options.filter = std::string(rest);
    return result;
}

}  // namespace tlsdist
