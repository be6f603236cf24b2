// Sets the process's time zone for tests of local time (TZ is read by the C
// library's localtime on POSIX systems and on Windows alike; "UTC0" and
// "EST5" are valid in both syntaxes).
#pragma once

#include <cstdlib>
#include <ctime>

inline void set_time_zone(const char *zone)
{
#ifdef _WIN32
    _putenv_s("TZ", zone);
    _tzset();
#else
    setenv("TZ", zone, 1);
    tzset();
#endif
}
