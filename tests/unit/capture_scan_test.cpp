#include "capture_scan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "capture_bytes.h"

using namespace tlsdist;
using namespace tlsdist::capture_bytes;

namespace {

Bytes pcap(bool big_endian, uint32_t magic, std::initializer_list<std::pair<uint32_t, uint32_t>> times,
           uint32_t length = 60)
{
    Bytes b(big_endian);
    b.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
    for (const auto &[seconds, fraction] : times)
        b.u32(seconds).u32(fraction).u32(length).u32(length).zeros(length);
    return b;
}

// An interface, with an if_tsresol option when resolution is not negative.
Bytes interface(bool big_endian, int resolution = -1)
{
    Bytes body(big_endian);
    body.u16(1).u16(0).u32(65535);
    if (resolution >= 0)
        body.u16(9).u16(1).u8(static_cast<uint8_t>(resolution)).zeros(3).u16(0).u16(0);
    return block(big_endian, 1, body);
}

Bytes packet(bool big_endian, uint32_t id, uint64_t units, uint32_t length = 60)
{
    Bytes body(big_endian);
    body.u32(id).u32(static_cast<uint32_t>(units >> 32)).u32(static_cast<uint32_t>(units)).u32(length).u32(length);
    body.zeros((length + 3) & ~3u);
    return block(big_endian, 6, body);
}

TEST(CaptureScan, PcapCountsRecordsAndKeepsTheEarliestTime)
{
    const auto facts = pcap(false, 0xa1b2c3d4, {{5, 500000}, {3, 250000}, {7, 0}}).scan();
    ASSERT_TRUE(facts);
    EXPECT_STREQ(facts->type, "pcap");
    EXPECT_EQ(facts->frames, 3u);
    EXPECT_EQ(earliest_time_text(*facts), "3.250000000");
}

TEST(CaptureScan, BigEndianNanosecondPcap)
{
    const auto facts = pcap(true, 0xa1b23c4d, {{1700000000, 123456789}, {1700000000, 123456788}}).scan();
    ASSERT_TRUE(facts);
    EXPECT_STREQ(facts->type, "nsecpcap");
    EXPECT_EQ(facts->frames, 2u);
    EXPECT_EQ(earliest_time_text(*facts), "1700000000.123456788");
}

TEST(CaptureScan, EmptyPcapHasNoTime)
{
    const auto facts = pcap(false, 0xa1b2c3d4, {}).scan();
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->frames, 0u);
    EXPECT_EQ(earliest_time_text(*facts), "n/a");
}

TEST(CaptureScan, PcapCutShortIsLeftToCapinfos)
{
    Bytes whole = pcap(false, 0xa1b2c3d4, {{1, 0}, {2, 0}});
    for (size_t cut : {size_t{1}, size_t{10}, size_t{60}, size_t{70}}) {
        Bytes cut_short = whole;
        cut_short.data.resize(whole.data.size() - cut);
        EXPECT_FALSE(cut_short.scan()) << "cut " << cut;
    }
}

TEST(CaptureScan, PcapRecordsWiretapWouldQuestionAreLeftToCapinfos)
{
    EXPECT_FALSE(pcap(false, 0xa1b2c3d4, {{1, 1000000}}).scan());  // a microsecond field past a second
    EXPECT_FALSE(pcap(false, 0xa1b2c3d4, {{1, 0}}, 300000).scan());  // larger than Wiretap takes
    Bytes longer_than_sent = pcap(false, 0xa1b2c3d4, {{1, 0}});
    longer_than_sent.data[24 + 12] = 59;  // original length below the captured
    EXPECT_FALSE(longer_than_sent.scan());
    Bytes version = pcap(false, 0xa1b2c3d4, {{1, 0}});
    version.data[6] = 3;
    EXPECT_FALSE(version.scan());
}

TEST(CaptureScan, PcapngSectionsInBothByteOrdersAndResolutions)
{
    Bytes file;
    file.append(section(false)).append(interface(false)).append(interface(false, 9));
    file.append(packet(false, 0, 1700000000ull * 1000000 + 5));    // 1700000000.000005
    file.append(packet(false, 1, 1700000000ull * 1000000000 + 7));  // 1700000000.000000007
    file.append(section(true)).append(interface(true, 3));
    file.append(packet(true, 0, 1600000000ull * 1000 + 42));  // 1600000000.042
    const auto facts = file.scan();
    ASSERT_TRUE(facts);
    EXPECT_STREQ(facts->type, "pcapng");
    EXPECT_EQ(facts->frames, 3u);
    EXPECT_EQ(earliest_time_text(*facts), "1600000000.042000000");
}

TEST(CaptureScan, PcapngBlocksThatAreNoFramesAreSkipped)
{
    Bytes body;
    body.u32(0).u32(0);
    Bytes file;
    file.append(section(false)).append(interface(false));
    file.append(block(false, 4, body)).append(block(false, 10, body)).append(packet(false, 0, 2000000));
    file.append(block(false, 5, body));
    const auto facts = file.scan();
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->frames, 1u);
    EXPECT_EQ(earliest_time_text(*facts), "2.000000000");
}

TEST(CaptureScan, PcapngWithoutPacketsHasNoTime)
{
    Bytes file;
    file.append(section(false)).append(interface(false));
    const auto facts = file.scan();
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->frames, 0u);
    EXPECT_EQ(earliest_time_text(*facts), "n/a");
}

TEST(CaptureScan, PcapngTheScanCannotVouchForIsLeftToCapinfos)
{
    const Bytes start = Bytes().append(section(false)).append(interface(false));
    Bytes body;
    body.u32(0).u32(0);
    // blocks tshark shows as frames (custom, systemd journal, simple packet)
    for (uint32_t type : {0x00000badu, 0x40000badu, 9u, 3u, 0x204u})
        EXPECT_FALSE(Bytes(start).append(block(false, type, body)).scan()) << type;
    // a packet of an interface the section does not have
    EXPECT_FALSE(Bytes(start).append(packet(false, 1, 0)).scan());
    // a binary time resolution, a time offset
    EXPECT_FALSE(Bytes().append(section(false)).append(interface(false, 0x86)).append(packet(false, 0, 0)).scan());
    Bytes offset_body;
    offset_body.u16(1).u16(0).u32(65535).u16(14).u16(8).u32(10).u32(0).u16(0).u16(0);
    EXPECT_FALSE(Bytes().append(section(false)).append(block(false, 1, offset_body)).scan());
    // trailing lengths that disagree, a length not a multiple of 4, a cut
    Bytes mismatch = Bytes(start).append(packet(false, 0, 0));
    mismatch.data.back() = 0x7f;
    EXPECT_FALSE(mismatch.scan());
    Bytes unaligned = Bytes(start).append(packet(false, 0, 0));
    unaligned.data[start.data.size() + 4] += 2;
    EXPECT_FALSE(unaligned.scan());
    Bytes cut = Bytes(start).append(packet(false, 0, 0));
    cut.data.pop_back();
    EXPECT_FALSE(cut.scan());
    // a captured length past the block
    Bytes overlong = Bytes(start).append(packet(false, 0, 0, 8));
    overlong.data[start.data.size() + 8 + 12] = 64;
    EXPECT_FALSE(overlong.scan());
}

TEST(CaptureScan, OtherDataIsLeftToCapinfos)
{
    const std::vector<uint8_t> gzip{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(scan_capture(gzip.data(), gzip.size()));
    const std::string text = "this is not a capture file, only some text in one";
    EXPECT_FALSE(scan_capture(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
    EXPECT_FALSE(scan_capture(nullptr, 0));
}

// Expected orders are written by hand from the rules (names byte by byte
// after the last '/'; times to the nanosecond, no packets first; ties as given).
std::vector<std::string> names_of(const std::vector<ScannedFile> &files)
{
    std::vector<std::string> names;
    for (const ScannedFile &file : files)
        names.push_back(file.name);
    return names;
}

CaptureFacts at(uint64_t seconds, uint32_t nanoseconds)
{
    CaptureFacts facts;
    facts.has_time = true;
    facts.earliest_seconds = seconds;
    facts.earliest_nanoseconds = nanoseconds;
    return facts;
}

TEST(FileSetOrder, ByNameComparesTheNamesAfterTheFolders)
{
    std::vector<ScannedFile> files{{"z/cap_00002_20261129120100.pcapng", at(1, 0)},
                                   {"a/cap_00010_20261129121000.pcapng", at(2, 0)},
                                   {"cap_00001_20261129120000.pcapng", at(3, 0)},
                                   {"m/cap_00002_20261129120100.pcapng", at(0, 0)}};
    sort_file_set(files, FileSetOrder::ByName);
    EXPECT_EQ(names_of(files), (std::vector<std::string>{
                                   "cap_00001_20261129120000.pcapng", "z/cap_00002_20261129120100.pcapng",
                                   "m/cap_00002_20261129120100.pcapng", "a/cap_00010_20261129121000.pcapng"}));
}

TEST(FileSetOrder, ByNameComparesBytesNotLetters)
{
    // LC_ALL=C sort: upper case before lower case, bytes above 127 last
    std::vector<ScannedFile> files{{"\xc3\xa9t\xc3\xa9_00001_20261129120000.pcap", {}},
                                   {"b_00001_20261129120000.pcap", {}},
                                   {"B_00001_20261129120000.pcap", {}}};
    sort_file_set(files, FileSetOrder::ByName);
    EXPECT_EQ(names_of(files), (std::vector<std::string>{"B_00001_20261129120000.pcap",
                                                         "b_00001_20261129120000.pcap",
                                                         "\xc3\xa9t\xc3\xa9_00001_20261129120000.pcap"}));
}

TEST(FileSetOrder, ByTimeToTheNanosecondEmptyFilesFirstTiesAsGiven)
{
    std::vector<ScannedFile> files{{"late", at(1700000001, 0)},
                                   {"one-nanosecond-later", at(1700000000, 123456790)},
                                   {"empty", CaptureFacts{}},
                                   {"first", at(1700000000, 123456789)},
                                   {"tie-given-first", at(1700000001, 0)},
                                   {"epoch", at(0, 0)},
                                   {"empty-too", CaptureFacts{}}};
    sort_file_set(files, FileSetOrder::ByTime);
    EXPECT_EQ(names_of(files), (std::vector<std::string>{"empty", "empty-too", "epoch", "first",
                                                         "one-nanosecond-later", "late", "tie-given-first"}));
}

}  // namespace
