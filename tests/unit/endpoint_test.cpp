#include "endpoint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "reference_formats.h"

using namespace tlsdist;

namespace {

Endpoint ipv6_of(std::initializer_list<unsigned> groups)
{
    uint8_t bytes[16] = {};
    int i = 0;
    for (unsigned group : groups) {
        bytes[2 * i] = static_cast<uint8_t>(group >> 8);
        bytes[2 * i + 1] = static_cast<uint8_t>(group);
        ++i;
    }
    return Endpoint::ipv6(bytes, 443);
}

}  // namespace

TEST(AddressText, Ipv4IsDottedDecimal)
{
    const uint8_t zeros[4] = {0, 0, 0, 0}, ones[4] = {255, 255, 255, 255}, mixed[4] = {10, 0, 99, 100};
    EXPECT_EQ(address_text(Endpoint::ipv4(zeros, 1)), "0.0.0.0");
    EXPECT_EQ(address_text(Endpoint::ipv4(ones, 1)), "255.255.255.255");
    EXPECT_EQ(address_text(Endpoint::ipv4(mixed, 1)), "10.0.99.100");
    EXPECT_EQ(endpoint_text(Endpoint::ipv4(mixed, 443)), "10.0.99.100:443");
}

// The examples of RFC 5952, section 4 and 5, and the edges of "::".
TEST(AddressText, Ipv6FollowsRfc5952)
{
    EXPECT_EQ(address_text(ipv6_of({0x2001, 0xdb8, 0, 0, 0, 0, 2, 1})), "2001:db8::2:1");      // 4.2.1
    EXPECT_EQ(address_text(ipv6_of({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1})), "2001:db8:0:1:1:1:1:1");  // 4.2.2
    EXPECT_EQ(address_text(ipv6_of({0x2001, 0, 0, 1, 0, 0, 0, 1})), "2001:0:0:1::1");          // 4.2.3 longest
    EXPECT_EQ(address_text(ipv6_of({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1})), "2001:db8::1:0:0:1");  // 4.2.3 first
    EXPECT_EQ(address_text(ipv6_of({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xaaaa})), "2001:db8::aaaa");  // 4.3 lower case
    EXPECT_EQ(address_text(ipv6_of({0x2001, 0xdb8, 0x10, 0x100, 0x1000, 0xf, 0xf0, 0xf00})),
              "2001:db8:10:100:1000:f:f0:f00");  // 4.1 no leading zeros
    EXPECT_EQ(address_text(ipv6_of({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201})), "::ffff:192.0.2.1");  // 5
    EXPECT_EQ(address_text(ipv6_of({0, 0, 0, 0, 0, 0, 0xc000, 0x201})), "::192.0.2.1");  // IPv4-compatible
    EXPECT_EQ(address_text(ipv6_of({0, 0, 0, 0, 0xffff, 0, 0xc000, 0x201})), "::ffff:0:c000:201");
    EXPECT_EQ(address_text(ipv6_of({0, 0, 0, 0, 0, 0, 0, 0})), "::");
    EXPECT_EQ(address_text(ipv6_of({0, 0, 0, 0, 0, 0, 0, 1})), "::1");
    EXPECT_EQ(address_text(ipv6_of({0, 0, 0, 0, 0, 0, 0, 0x100})), "::100");  // not ::0.0.1.0
    EXPECT_EQ(address_text(ipv6_of({1, 0, 0, 0, 0, 0, 0, 0})), "1::");
    EXPECT_EQ(address_text(ipv6_of({0, 1, 0, 0, 0, 0, 0, 0})), "0:1::");
    EXPECT_EQ(address_text(ipv6_of({0xfe80, 0, 0, 0, 0, 0, 0, 1})), "fe80::1");
    EXPECT_EQ(address_text(ipv6_of({1, 0, 1, 0, 1, 0, 1, 0})), "1:0:1:0:1:0:1:0");
    EXPECT_EQ(endpoint_text(ipv6_of({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})), "[2001:db8::1]:443");
}

TEST(AddressText, LongestFitsTheBound)
{
    const std::string longest = address_text(ipv6_of({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}));
    EXPECT_EQ(longest, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    EXPECT_EQ(longest.size(), kAddressTextMax);
    EXPECT_EQ(address_text(Endpoint{}), "-");
}

TEST(AddressText, RandomAddressesMatchTheReference)
{
    std::mt19937_64 generator(5952);
    for (int trial = 0; trial < 200000; ++trial) {
        uint8_t bytes[16];
        // Mostly zero groups, so that runs of every length and place occur.
        for (int i = 0; i < 16; i += 2) {
            const uint64_t r = generator();
            const unsigned group = r % 2 ? 0 : r % 5 == 0 ? 0xffff : static_cast<unsigned>(r >> 16) % (trial % 2 ? 3 : 65536);
            bytes[i] = static_cast<uint8_t>(group >> 8);
            bytes[i + 1] = static_cast<uint8_t>(group);
        }
        for (const Endpoint &endpoint : {Endpoint::ipv6(bytes, 1), Endpoint::ipv4(bytes, 1)}) {
            const std::string text = address_text(endpoint);
            ASSERT_EQ(text, reference_address_text(endpoint)) << "trial " << trial;
            ASSERT_LE(text.size(), kAddressTextMax);
        }
    }
}

// parse_address reads back every address_text, and other spellings of IPv6.
TEST(ParseAddress, ReadsBackAddressText)
{
    std::mt19937_64 generator(4180);
    for (int trial = 0; trial < 20000; ++trial) {
        uint8_t bytes[16];
        for (int i = 0; i < 16; i += 2) {
            const uint64_t r = generator();
            const unsigned group = r % 2 ? 0 : r % 5 == 0 ? 0xffff : static_cast<unsigned>(r >> 16) % 65536;
            bytes[i] = static_cast<uint8_t>(group >> 8);
            bytes[i + 1] = static_cast<uint8_t>(group);
        }
        for (const Endpoint &endpoint : {Endpoint::ipv6(bytes, 8443), Endpoint::ipv4(bytes, 8443)}) {
            const auto parsed = parse_address(address_text(endpoint), 8443);
            ASSERT_TRUE(parsed) << address_text(endpoint);
            ASSERT_EQ(*parsed, endpoint) << address_text(endpoint);
        }
    }
    Endpoint none;
    none.port = 7;
    EXPECT_EQ(parse_address("-", 7), none);
    EXPECT_EQ(parse_address("2001:DB8:0:0:0:0:0:1", 443), ipv6_of({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}));
    EXPECT_EQ(parse_address("::ffff:192.0.2.1", 443), ipv6_of({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}));
    EXPECT_EQ(parse_address("::", 443), ipv6_of({}));
    EXPECT_EQ(parse_address("1::", 443), ipv6_of({1}));
}

TEST(ParseAddress, RefusesWhatIsNotAnAddress)
{
    for (const char *text : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.04x", "1..2.3", "1234.1.1.1", "a.b.c.d",
                             ":", ":1", "1:", "1:2", ":::", "1:::2", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7:8:9",
                             "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "1.2.3.4::", "--", " 1.2.3.4"}) {
        EXPECT_FALSE(parse_address(text, 1)) << text;
    }
}
