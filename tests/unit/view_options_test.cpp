#include "view_options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

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

TEST(ViewOptions, ScopeOutAndTitleInAnyOrderBeforeTheFilter)
{
    auto r = parse_view_options("tlsdist,csv,out=sessions.csv");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.kind, ViewKind::SessionCsv);
    EXPECT_EQ(r.options.output, std::optional<std::string>("sessions.csv"));
    EXPECT_FALSE(r.options.title);
    EXPECT_EQ(r.options.filter, "");

    r = parse_view_options("tlsdist,csv");
    ASSERT_TRUE(r.ok);
    EXPECT_FALSE(r.options.output);  // standard output

    r = parse_view_options("tlsdist,html,title=a.pcap,out=/tmp/r.html,scope=appdata,tcp.stream in {1,2}");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.kind, ViewKind::HtmlReport);
    EXPECT_EQ(r.options.title, std::optional<std::string>("a.pcap"));
    EXPECT_EQ(r.options.output, std::optional<std::string>("/tmp/r.html"));
    EXPECT_EQ(r.options.scope, ByteScope::ApplicationData);
    EXPECT_EQ(r.options.filter, "tcp.stream in {1,2}");

    r = parse_view_options("tlsdist,scope=handshake,out=t.txt,tls");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.kind, ViewKind::Table);
    EXPECT_EQ(r.options.scope, ByteScope::Handshake);
    EXPECT_EQ(r.options.output, std::optional<std::string>("t.txt"));
    EXPECT_EQ(r.options.filter, "tls");

    r = parse_view_options("tlsdist,packets,out=p.csv,scope=plaintext");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.kind, ViewKind::PacketCsv);
    EXPECT_EQ(r.options.scope, ByteScope::Plaintext);
    EXPECT_EQ(r.options.filter, "");
}

TEST(ViewOptions, EscapedCommasAndBackslashesInValues)
{
    auto r = parse_view_options("tlsdist,html,title=x\\,y\\\\z.pcap,out=a\\,b.html,ip.addr==10.0.0.1");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.title, std::optional<std::string>("x,y\\z.pcap"));
    EXPECT_EQ(r.options.output, std::optional<std::string>("a,b.html"));
    EXPECT_EQ(r.options.filter, "ip.addr==10.0.0.1");

    // The filter is taken as it is: backslashes there belong to its strings.
    r = parse_view_options("tlsdist,csv,out=o.csv,tls.handshake.extensions_server_name == \"a\\\\,b\"");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.filter, "tls.handshake.extensions_server_name == \"a\\\\,b\"");

    for (const std::string text : {"plain", "a,b", "a\\b", "\\,\\\\,,", "ends with \\", ",", "=,=", "title=x,out=y"}) {
        r = parse_view_options("tlsdist,html,out=" + escape_view_value(text) + ",title=" +
                               escape_view_value(text) + ",tcp");
        ASSERT_TRUE(r.ok) << text << ": " << r.error;
        EXPECT_EQ(r.options.output, std::optional<std::string>(text));
        EXPECT_EQ(r.options.title, std::optional<std::string>(text));
        EXPECT_EQ(r.options.filter, "tcp");
    }
    EXPECT_EQ(escape_view_value("a,b\\c"), "a\\,b\\\\c");
}

TEST(ViewOptions, RefusesRepeatedKeysEmptyValuesBadEscapesAndTitlesOutsideHtml)
{
    const struct {
        const char *argument;
        const char *message;
    } cases[] = {
        {"tlsdist,csv,out=a.csv,out=b.csv", "repeated key out="},
        {"tlsdist,csv,scope=all,out=a.csv,scope=appdata", "repeated key scope="},
        {"tlsdist,html,title=a,title=b", "repeated key title="},
        {"tlsdist,csv,out=", "empty value of out="},
        {"tlsdist,csv,out=,tls", "empty value of out="},
        {"tlsdist,html,title=", "empty value of title="},
        {"tlsdist,scope=", "unknown byte scope \"\""},
        {"tlsdist,csv,out=a\\b.csv", "bad escape in the value of out=: \"\\b\""},
        {"tlsdist,html,title=a\\", "bad escape in the value of title=: a backslash at the end"},
        {"tlsdist,title=x", "title= is for the HTML report only"},
        {"tlsdist,csv,title=x", "title= is for the HTML report only"},
        {"tlsdist,packets,out=p.csv,title=x", "title= is for the HTML report only"},
    };
    for (const auto &c : cases) {
        const auto r = parse_view_options(c.argument);
        EXPECT_FALSE(r.ok) << c.argument;
        EXPECT_NE(r.error.find(c.message), std::string::npos) << c.argument << ": " << r.error;
        EXPECT_NE(r.error.find("out=PATH"), std::string::npos) << r.error;
    }
}

TEST(ViewOptions, CapturesKeyNamesTheFileOfEachFrame)
{
    // Three files of 2, 0 and 3 frames; names with spaces and a comma (escaped).
    auto r = parse_view_options("tlsdist,csv,captures=2 a b.pcap\n0 empty.pcap\n3 c\\,d.pcapng,tls");
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_TRUE(r.options.captures.has_value());
    EXPECT_EQ(r.options.filter, "tls");
    const CaptureFiles &files = *r.options.captures;
    EXPECT_EQ(files.name_of(1), "a b.pcap");
    EXPECT_EQ(files.name_of(2), "a b.pcap");
    EXPECT_EQ(files.name_of(3), "c,d.pcapng");
    EXPECT_EQ(files.name_of(5), "c,d.pcapng");
    EXPECT_EQ(files.name_of(6), "c,d.pcapng");  // (past the counted frames: the last file)

    EXPECT_FALSE(parse_view_options("tlsdist").options.captures.has_value());
    for (const char *bad : {"tlsdist,captures=", "tlsdist,captures=x a.pcap", "tlsdist,captures=3",
                            "tlsdist,captures=3 ", "tlsdist,captures=1 a\n\n2 b"}) {
        r = parse_view_options(bad);
        EXPECT_FALSE(r.ok) << bad;
    }
}

TEST(ViewOptions, TotalsTakeScopeOutAndAFilterButNoCaptureColumn)
{
    auto r = parse_view_options("tlsdist,totals,out=t.csv,scope=appdata,tcp.port==443");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.kind, ViewKind::Totals);
    EXPECT_EQ(r.options.output, std::optional<std::string>("t.csv"));
    EXPECT_EQ(r.options.scope, ByteScope::ApplicationData);
    EXPECT_EQ(r.options.filter, "tcp.port==443");
    r = parse_view_options("tlsdist,totals,captures=3 a.pcap");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("captures= is for the session views"), std::string::npos) << r.error;
    r = parse_view_options("tlsdist,totalsx");
    EXPECT_FALSE(r.ok);
}

TEST(ViewOptions, ShardFactsTakeScopeOutAndAFilterButNoCaptureColumn)
{
    auto r = parse_view_options("tlsdist,shard,out=s.facts,scope=handshake,tls");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.kind, ViewKind::ShardFacts);
    EXPECT_EQ(r.options.output, std::optional<std::string>("s.facts"));
    EXPECT_EQ(r.options.scope, ByteScope::Handshake);
    EXPECT_EQ(r.options.filter, "tls");
    r = parse_view_options("tlsdist,shard,captures-from=list");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("captures-from= is for the session views"), std::string::npos) << r.error;
    r = parse_view_options("tlsdist,shards");
    EXPECT_FALSE(r.ok);
}

TEST(ViewOptions, CapturesFromNamesTheFileThatHoldsTheList)
{
    auto r = parse_view_options("tlsdist,packets,captures-from=/tmp/a\\,b/list,tls");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.options.captures_from, std::optional<std::string>("/tmp/a,b/list"));
    EXPECT_FALSE(r.options.captures.has_value());
    EXPECT_EQ(r.options.filter, "tls");
    EXPECT_TRUE(parse_view_options("tlsdist,html,captures-from=list").ok);
    EXPECT_FALSE(parse_view_options("tlsdist").options.captures_from.has_value());

    r = parse_view_options("tlsdist,totals,captures-from=list");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("captures-from= is for the session views"), std::string::npos) << r.error;
    r = parse_view_options("tlsdist,csv,captures=1 a.pcap,captures-from=list");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("captures= and captures-from= together"), std::string::npos) << r.error;
    EXPECT_FALSE(parse_view_options("tlsdist,csv,captures-from=").ok);
    EXPECT_FALSE(parse_view_options("tlsdist,csv,captures-from=a,captures-from=b").ok);
}

TEST(CaptureFiles, ReadFromAFile)
{
    const std::string path = ::testing::TempDir() + "tlsdist-capture-list-test.txt";
    {
        std::ofstream list(path, std::ios::binary | std::ios::trunc);
        list << "3 set/cap_00001_20261129120000.pcapng\n0 set/cap_00002_20261129120100.pcapng\n"
                "2 set/cap_00003_20261129120200.pcapng\n";
    }
    std::string error;
    const std::optional<CaptureFiles> files = CaptureFiles::read(path, &error);
    ASSERT_TRUE(files.has_value()) << error;
    EXPECT_EQ(files->name_of(3), "set/cap_00001_20261129120000.pcapng");
    EXPECT_EQ(files->name_of(4), "set/cap_00003_20261129120200.pcapng");
    EXPECT_EQ(files->title(), "cap_00001_20261129120000.pcapng and 2 more file(s)");

    { std::ofstream empty(path, std::ios::binary | std::ios::trunc); }
    EXPECT_FALSE(CaptureFiles::read(path, &error).has_value());
    EXPECT_NE(error.find("names no file"), std::string::npos) << error;
    std::remove(path.c_str());
    EXPECT_FALSE(CaptureFiles::read(path, &error).has_value());
    EXPECT_NE(error.find("cannot read the list of captures in " + path), std::string::npos) << error;
}

TEST(CaptureFiles, TitleOfOneFileIsItsName)
{
    std::string error;
    EXPECT_EQ(CaptureFiles::parse("0 some/folder/only.pcap", &error)->title(), "only.pcap");
    EXPECT_EQ(CaptureFiles::parse("7 plain.pcapng", &error)->title(), "plain.pcapng");
}
