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
    EXPECT_EQ(version_name(0x7f1c), "0x7f1c");
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
}
