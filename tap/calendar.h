// The calendar date and time of a capture timestamp, in UTC or in the local
// time zone, without the POSIX-only gmtime_r and localtime_r, so that the
// core builds for Windows too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tlsdist {

struct CalendarTime {
    int64_t year = 1970;  // proleptic Gregorian; 0 is 1 BC
    int month = 1;        // 1..12
    int day = 1;          // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
};

// UTC, computed here (the inverse of days-from-civil). None where the year
// does not fit struct tm's int tm_year, where gmtime_r fails too.
std::optional<CalendarTime> utc_calendar(int64_t seconds);

// The local time zone's (TZ, else the system's), from std::localtime, which
// is standard C++ but returns a buffer shared by every caller: it is called
// under a lock. None where std::localtime fails.
std::optional<CalendarTime> local_calendar(int64_t seconds);

// "YYYY-MM-DD" separator "HH:MM:SS", the year as strftime's %Y writes it
// (no padding; tm_year + 1900 in int arithmetic); "-" without a time.
std::string calendar_text(const std::optional<CalendarTime> &time, char separator);

}  // namespace tlsdist
