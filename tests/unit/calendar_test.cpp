#include "calendar.h"
#include "report.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "reference_formats.h"
#include "time_zone.h"

using namespace tlsdist;

namespace {

std::string utc_text(int64_t seconds)
{
    return calendar_text(utc_calendar(seconds), 'T');
}

}  // namespace

TEST(UtcCalendar, KnownDates)
{
    EXPECT_EQ(utc_text(0), "1970-01-01T00:00:00");
    EXPECT_EQ(utc_text(-1), "1969-12-31T23:59:59");
    EXPECT_EQ(utc_text(1675419143), "2023-02-03T10:12:23");
    EXPECT_EQ(utc_text(951782400), "2000-02-29T00:00:00");  // 400-year leap day
    EXPECT_EQ(utc_text(4107456000), "2100-02-28T00:00:00");
    EXPECT_EQ(utc_text(4107542400), "2100-03-01T00:00:00");  // 2100 is not a leap year
    EXPECT_EQ(utc_text(-2203891200), "1900-03-01T00:00:00");
    EXPECT_EQ(utc_text(-11670998400), "1600-02-29T00:00:00");
    EXPECT_EQ(utc_text(253402300799), "9999-12-31T23:59:59");
    EXPECT_EQ(utc_text(253402300800), "10000-01-01T00:00:00");
}

// What glibc's gmtime_r and strftime("%Y-...") print, which the plugin
// printed before this code: years unpadded, year 0 and before as numbers,
// nothing past struct tm's int year, whose + 1900 in %Y wraps.
TEST(UtcCalendar, EdgesAsStrftimePrintsThem)
{
    EXPECT_EQ(utc_text(-62135596800), "1-01-01T00:00:00");
    EXPECT_EQ(utc_text(-62135596801), "0-12-31T23:59:59");
    EXPECT_EQ(utc_text(-62167219201), "-1-12-31T23:59:59");
    EXPECT_EQ(utc_text(-33744988800), "900-08-31T00:00:00");
    EXPECT_EQ(utc_text(67768036191676799), "-2147481749-12-31T23:59:59");
    EXPECT_EQ(utc_text(67768036191676800), "-");
    EXPECT_EQ(utc_text(-67768040609740800), "-2147481748-01-01T00:00:00");
    EXPECT_EQ(utc_text(-67768040609740801), "-");
    EXPECT_EQ(utc_text(INT64_MAX), "-");
    EXPECT_EQ(utc_text(INT64_MIN), "-");
}

TEST(UtcCalendar, RandomTimesMatchTheReference)
{
    std::mt19937_64 generator(1970);
    for (int trial = 0; trial < 20000; ++trial) {
        // Within about 2,000 years of 1970, where the reference is quick.
        const int64_t seconds = static_cast<int64_t>(generator() % (uint64_t{1} << 36)) - (int64_t{1} << 35);
        ASSERT_EQ(utc_text(seconds), reference_utc_text(seconds)) << seconds;
    }
}

TEST(LocalCalendar, FollowsTheTimeZone)
{
    const Timestamp t{1675419143, 123999999};
    set_time_zone("UTC0");
    EXPECT_EQ(local_time_text(t), "2023-02-03 10:12:23.123");
    set_time_zone("EST5");
    EXPECT_EQ(local_time_text(t), "2023-02-03 05:12:23.123");
    set_time_zone("UTC0");
}
