#include "calendar.h"

#include <climits>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace tlsdist {

std::optional<CalendarTime> utc_calendar(int64_t seconds)
{
    // Floor division, safe for INT64_MIN.
    int64_t days = seconds / 86400;
    int64_t of_day = seconds % 86400;
    if (of_day < 0) {
        days -= 1;
        of_day += 86400;
    }
    // Howard Hinnant's civil_from_days: 400-year eras of 146097 days that
    // start on 1 March, so that the leap day ends a year.
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t day_of_era = days - era * 146097;
    const int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int64_t month_from_march = (5 * day_of_year + 2) / 153;
    CalendarTime time;
    time.day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    time.month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    time.year = year_of_era + era * 400 + (time.month <= 2 ? 1 : 0);
    if (time.year - 1900 < INT_MIN || time.year - 1900 > INT_MAX)
        return std::nullopt;
    time.hour = static_cast<int>(of_day / 3600);
    time.minute = static_cast<int>(of_day / 60 % 60);
    time.second = static_cast<int>(of_day % 60);
    return time;
}

std::optional<CalendarTime> local_calendar(int64_t seconds)
{
    static std::mutex shared_buffer;
    const std::time_t when = static_cast<std::time_t>(seconds);
    std::lock_guard<std::mutex> lock(shared_buffer);
    const std::tm *parts = std::localtime(&when);
    if (parts == nullptr)
        return std::nullopt;
    CalendarTime time;
    time.year = int64_t{parts->tm_year} + 1900;
    time.month = parts->tm_mon + 1;
    time.day = parts->tm_mday;
    time.hour = parts->tm_hour;
    time.minute = parts->tm_min;
    time.second = parts->tm_sec;
    return time;
}

std::string calendar_text(const std::optional<CalendarTime> &time, char separator)
{
    if (!time)
        return "-";
    // strftime's %Y adds 1900 to the int tm_year, which wraps past INT_MAX.
    const auto year = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(time->year)));
    char text[48];
    const int length = std::snprintf(text, sizeof text, "%d-%02d-%02d%c%02d:%02d:%02d", year, time->month,
                                     time->day, separator, time->hour, time->minute, time->second);
    return std::string(text, static_cast<size_t>(length));
}

}  // namespace tlsdist
