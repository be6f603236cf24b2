// Byte-value distribution: how often each of the 256 byte values occurs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace tlsdist {

class ByteHistogram {
public:
    using Counts = std::array<uint64_t, 256>;

    // The histogram with these counts (a distribution read back from a
    // CSV); nothing when they add up to more than 2^64 - 1.
    static std::optional<ByteHistogram> from_counts(const Counts &counts);

    void add(const uint8_t *data, size_t length);
    void merge(const ByteHistogram &other);
    // Back to no bytes, narrow; nothing to do when there are none (the
    // per-packet view clears one for every frame, most without TLS bytes).
    void clear();

    uint64_t operator[](size_t value) const { return wide_.empty() ? narrow_[value] : wide_[value]; }
    uint64_t total() const { return total_; }
    Counts counts() const;
    // Calls visit(count) for values 0 to 255 in order, with a uint32_t count
    // while the histogram is narrow and a uint64_t one once wide: the
    // writers' way to read all counts without copying them.
    // (Four counts a round: the per-packet view writes 256 counts a row,
    // and a loop round per count cost it 3 instructions of 11.)
    template <typename Visit>
    void for_each_count(Visit &&visit) const
    {
        if (wide_.empty()) {
            for (size_t v = 0; v < 256; v += 4) {
                visit(narrow_[v]), visit(narrow_[v + 1]), visit(narrow_[v + 2]), visit(narrow_[v + 3]);
            }
        } else {
            for (uint64_t count : wide_)
                visit(count);
        }
    }

private:
    void widen();

    // No count can exceed the total, so while the total fits in 32 bits the
    // counts are kept in 32 bits: half the memory per session, and a faster
    // kernel. Past 4 GiB of bytes the histogram moves to 64-bit counts, so
    // nothing ever overflows.
    std::array<uint32_t, 256> narrow_{};
    std::vector<uint64_t> wide_;  // empty until needed, then 256 counts
    uint64_t total_ = 0;
};

}  // namespace tlsdist
