// A set of flags of one enum class (whose values are bit positions 0..7), so
// that flags of different meanings cannot be mixed in one byte by mistake.
#pragma once

#include <cstdint>

namespace tlsdist {

template <typename Flag>
class FlagSet {
public:
    constexpr FlagSet() = default;
    constexpr FlagSet(Flag flag) : bits_(bit(flag)) {}  // NOLINT: a flag is a set of one

    constexpr bool has(Flag flag) const { return (bits_ & bit(flag)) != 0; }
    constexpr bool has_any(FlagSet others) const { return (bits_ & others.bits_) != 0; }
    constexpr bool empty() const { return bits_ == 0; }
    constexpr FlagSet &operator|=(FlagSet others)
    {
        bits_ = static_cast<uint8_t>(bits_ | others.bits_);
        return *this;
    }
    constexpr FlagSet operator|(FlagSet others) const { return FlagSet(*this) |= others; }
    constexpr FlagSet operator&(FlagSet others) const { return from_bits(static_cast<uint8_t>(bits_ & others.bits_)); }
    constexpr bool operator==(FlagSet others) const { return bits_ == others.bits_; }
    constexpr bool operator!=(FlagSet others) const { return bits_ != others.bits_; }

    // The raw bits, for fuzzers that make sets from bytes.
    constexpr uint8_t bits() const { return bits_; }
    static constexpr FlagSet from_bits(uint8_t bits)
    {
        FlagSet set;
        set.bits_ = bits;
        return set;
    }

private:
    static constexpr uint8_t bit(Flag flag) { return static_cast<uint8_t>(1u << static_cast<unsigned>(flag)); }
    uint8_t bits_ = 0;
};

}  // namespace tlsdist
