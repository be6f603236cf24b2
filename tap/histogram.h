// Byte-value distribution: how often each of the 256 byte values occurs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tlsdist {

class ByteHistogram {
public:
    using Counts = std::array<uint64_t, 256>;

    void add(const uint8_t *data, size_t length);
    void merge(const ByteHistogram &other);

    uint64_t operator[](size_t value) const { return counts_[value]; }
    uint64_t total() const;
    const Counts &counts() const { return counts_; }

private:
    Counts counts_{};
};

}  // namespace tlsdist
