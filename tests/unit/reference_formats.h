// Formats written for the tests, independently of tap/ and in another way:
// addresses group by group with snprintf and the zero run found by trying
// every start and length; dates by counting whole years and months from
// 1970. Slow and plain on purpose.
#pragma once

#include "endpoint.h"

#include <cstdint>
#include <cstdio>
#include <string>

// RFC 5952 text, with the IPv4-compatible and IPv4-mapped forms of
// inet_ntop (::a.b.c.d, ::ffff:a.b.c.d).
inline std::string reference_address_text(const tlsdist::Endpoint &endpoint)
{
    const uint8_t *b = endpoint.address.data();
    char text[64];
    if (endpoint.family == tlsdist::Endpoint::Family::IPv4) {
        std::snprintf(text, sizeof text, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        return text;
    }
    if (endpoint.family != tlsdist::Endpoint::Family::IPv6)
        return "-";
    unsigned group[8];
    for (int i = 0; i < 8; ++i)
        group[i] = b[2 * i] * 256u + b[2 * i + 1];
    const auto zero = [&](int from, int to) {
        for (int i = from; i < to; ++i)
            if (group[i] != 0)
                return false;
        return true;
    };
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    if (zero(0, 6) && group[6] != 0)
        return "::" + std::string(text);
    if (zero(0, 5) && group[5] == 0xffff)
        return "::ffff:" + std::string(text);
    int run_start = -1, run_length = 0;
    for (int length = 8; length >= 2 && run_start < 0; --length)
        for (int start = 0; start + length <= 8 && run_start < 0; ++start)
            if (zero(start, start + length)) {
                run_start = start;
                run_length = length;
            }
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == run_start) {
            out += "::";
            i += run_length - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':')
            out += ':';
        std::snprintf(text, sizeof text, "%x", group[i]);
        out += text;
    }
    return out;
}

// "YYYY-MM-DDTHH:MM:SS" for years this loop reaches quickly (a few thousand
// either side of 1970), the year as %Y writes it.
inline std::string reference_utc_text(int64_t seconds)
{
    const auto leap = [](int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; };
    int64_t days = seconds / 86400;
    int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    int64_t year = 1970;
    while (days < 0)
        days += leap(--year) ? 366 : 365;
    while (days >= (leap(year) ? 366 : 365))
        days -= leap(year++) ? 366 : 365;
    const int month_days[] = {31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month = 0;
    while (days >= month_days[month])
        days -= month_days[month++];
    char text[64];
    std::snprintf(text, sizeof text, "%lld-%02d-%02lldT%02lld:%02lld:%02lld", static_cast<long long>(year), month + 1,
                  static_cast<long long>(days + 1), static_cast<long long>(rest / 3600),
                  static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
    return text;
}
