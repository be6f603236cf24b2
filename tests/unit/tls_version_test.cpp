#include "tls_version.h"

#include <gtest/gtest.h>

using namespace tlsdist;

TEST(TlsVersion, NamesKnownVersions)
{
    EXPECT_EQ(version_name(0x0002), "SSL 2.0");
    EXPECT_EQ(version_name(0x0300), "SSL 3.0");
    EXPECT_EQ(version_name(0x0301), "TLS 1.0");
    EXPECT_EQ(version_name(0x0302), "TLS 1.1");
    EXPECT_EQ(version_name(0x0303), "TLS 1.2");
    EXPECT_EQ(version_name(0x0304), "TLS 1.3");
    // TLS 1.3 drafts and Facebook's variants, named as Wireshark's ssl_versions names them.
    EXPECT_EQ(version_name(0x7f0e), "TLS 1.3 (draft 14)");
    EXPECT_EQ(version_name(0x7f10), "TLS 1.3 (draft 16)");
    EXPECT_EQ(version_name(0x7f17), "TLS 1.3 (draft 23)");
    EXPECT_EQ(version_name(0x7f1c), "TLS 1.3 (draft 28)");
    EXPECT_EQ(version_name(0xfb17), "TLS 1.3 (Facebook draft 23)");
    EXPECT_EQ(version_name(0xfb1a), "TLS 1.3 (Facebook draft 26)");
    EXPECT_EQ(version_name(0x7f1d), "0x7f1d");
    EXPECT_EQ(version_name(0x7f0d), "0x7f0d");
    EXPECT_EQ(version_name(0xfeff), "DTLS 1.0");
    EXPECT_EQ(version_name(0xfefd), "DTLS 1.2");
    EXPECT_EQ(version_name(0xfefc), "DTLS 1.3");
    // DTLS counts down: 1.3 is newer than 1.2, which is newer than 1.0.
    EXPECT_GT(version_rank(0xfefc), version_rank(0xfefd));
    EXPECT_GT(version_rank(0xfefd), version_rank(0xfeff));
}

TEST(TlsVersion, RecognisesGrease)
{
    EXPECT_TRUE(is_grease(0x0a0a));
    EXPECT_TRUE(is_grease(0x7a7a));
    EXPECT_TRUE(is_grease(0xfafa));
    EXPECT_FALSE(is_grease(0x0304));
    EXPECT_FALSE(is_grease(0x0a1a));
}

TEST(TlsVersion, RanksByAge)
{
    EXPECT_LT(version_rank(0x0002), version_rank(0x0300));
    EXPECT_LT(version_rank(0x0300), version_rank(0x0301));
    EXPECT_LT(version_rank(0x0303), version_rank(0x0304));
    EXPECT_EQ(version_rank(0x0a0a), 0);
    // A draft offer counts above TLS 1.2 and below the final TLS 1.3.
    EXPECT_GT(version_rank(0x7f17), version_rank(0x0303));
    EXPECT_LT(version_rank(0x7f17), version_rank(0x0304));
}

TEST(TlsVersion, Tls13Family)
{
    for (uint16_t version : {uint16_t{0x0304}, uint16_t{0xfefc}, uint16_t{0x7f0e}, uint16_t{0x7f17}, uint16_t{0x7f1c},
                             uint16_t{0xfb17}, uint16_t{0xfb1a}})
        EXPECT_TRUE(is_tls13_family(version)) << version;
    for (uint16_t version : {uint16_t{0x0303}, uint16_t{0xfefd}, uint16_t{0x7f0d}, uint16_t{0x7f1d}, uint16_t{0xfb18}})
        EXPECT_FALSE(is_tls13_family(version)) << version;
}
