// MD5 (RFC 1321) and SHA-256 (FIPS 180-4) of a byte string, as lowercase
// hex: the hashes the JA3 (MD5) and JA4 (SHA-256) fingerprints are defined
// with. Written here so the core needs no crypto library; MD5 is broken for
// security and serves only as JA3's naming function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tlsdist {

std::string md5_hex(const uint8_t *data, size_t length);
std::string md5_hex(std::string_view text);

std::string sha256_hex(const uint8_t *data, size_t length);
std::string sha256_hex(std::string_view text);

}  // namespace tlsdist
