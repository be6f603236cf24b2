#include "view_options.h"

#include <gtest/gtest.h>

using namespace tlsdist;

TEST(ViewOptions, TableWithoutAndWithFilter)
{
    auto r = parse_view_options("tlsdist");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::Table);
    EXPECT_EQ(r.options.filter, "");

    r = parse_view_options("tlsdist,tcp.port==443 && ip.addr==10.0.0.1");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::Table);
    EXPECT_EQ(r.options.filter, "tcp.port==443 && ip.addr==10.0.0.1");
}

TEST(ViewOptions, CsvAndPackets)
{
    auto r = parse_view_options("tlsdist,csv");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::SessionCsv);
    EXPECT_EQ(r.options.filter, "");

    r = parse_view_options("tlsdist,csv,tcp.stream in {1,2}");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::SessionCsv);
    EXPECT_EQ(r.options.filter, "tcp.stream in {1,2}");

    r = parse_view_options("tlsdist,packets,tls");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::PacketCsv);
    EXPECT_EQ(r.options.filter, "tls");

    r = parse_view_options("tlsdist,html");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::HtmlReport);
    EXPECT_EQ(r.options.filter, "");

    r = parse_view_options("tlsdist,html,ip.addr==10.0.0.1");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::HtmlReport);
    EXPECT_EQ(r.options.filter, "ip.addr==10.0.0.1");
}

TEST(ViewOptions, AProtocolNameIsAFilter)
{
    auto r = parse_view_options("tlsdist,tls");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.options.kind, ViewKind::Table);
    EXPECT_EQ(r.options.filter, "tls");
}

TEST(ViewOptions, RefusesMalformedArguments)
{
    for (const char *bad : {"tlsdistx", "tlsdist;csv", "tlsdist,csvx", "tlsdist,packetsfoo,tls",
                            "tlsdist,htmlx", "conv,tcp"}) {
        auto r = parse_view_options(bad);
        EXPECT_FALSE(r.ok) << bad;
        EXPECT_NE(r.error.find("tlsdist,csv[,FILTER]"), std::string::npos) << r.error;
    }
}
