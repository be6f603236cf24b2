#include "histogram.h"

#include <cstring>
#include <limits>

namespace tlsdist {

namespace {

constexpr uint64_t kNarrowLimit = std::numeric_limits<uint32_t>::max();

// Calls of at least this many bytes are counted into two tables (see
// count_two_tables); shorter ones into one, where clearing and folding a
// second table would cost more than it saves. Measured with
// bench/histogram_benchmark (bench/RESULTS.md, issue 16).
constexpr size_t kTwoTablesFrom = 4096;

// The most bytes counted into 32-bit scratch tables before they are folded
// into 64-bit counts: no scratch count can then reach 2^32.
constexpr size_t kScratchChunk = size_t{1} << 30;

inline uint64_t load_word(const uint8_t *data)
{
    uint64_t word;
    std::memcpy(&word, data, sizeof word);
    return word;
}

// The eight bytes of a word, lowest address first on little-endian machines
// (the order does not matter to a histogram: every byte is counted once).
template <typename Count>
inline void count_word(Count *counts, uint64_t word)
{
    ++counts[word & 0xff];
    ++counts[(word >> 8) & 0xff];
    ++counts[(word >> 16) & 0xff];
    ++counts[(word >> 24) & 0xff];
    ++counts[(word >> 32) & 0xff];
    ++counts[(word >> 40) & 0xff];
    ++counts[(word >> 48) & 0xff];
    ++counts[word >> 56];
}

// The hot loop of the whole plugin: every TLS byte passes here once per
// statistic. Sixteen bytes per step in two 8-byte loads, the increments to
// one table: fastest for ciphertext, where consecutive equal bytes are rare
// and the increments go at the rate the core can store.
template <typename Count>
void count_one_table(Count *counts, const uint8_t *data, size_t length)
{
    size_t i = 0;
    for (; i + 16 <= length; i += 16) {
        const uint64_t first = load_word(data + i);
        const uint64_t second = load_word(data + i + 8);
        count_word(counts, first);
        count_word(counts, second);
    }
    for (; i + 8 <= length; i += 8)
        count_word(counts, load_word(data + i));
    for (; i < length; ++i)
        ++counts[data[i]];
}

// Runs of one value make each increment of a single table wait for the one
// before (same counter). Alternating two tables halves that chain: the bytes
// of each word go two by two to `even` and `odd` in turn. Two tables
// rather than four: on random bytes four tables were slower here (the
// increments' stores, not their dependencies, bound the speed), and two gain
// as much on runs.
template <typename Count>
inline void count_word_halves(Count *even, uint32_t *odd, uint64_t word)
{
    ++even[word & 0xff];
    ++even[(word >> 8) & 0xff];
    ++odd[(word >> 16) & 0xff];
    ++odd[(word >> 24) & 0xff];
    ++even[(word >> 32) & 0xff];
    ++even[(word >> 40) & 0xff];
    ++odd[(word >> 48) & 0xff];
    ++odd[word >> 56];
}

template <typename Count>
void count_two_tables(Count *even, uint32_t *odd, const uint8_t *data, size_t length)
{
    size_t i = 0;
    for (; i + 16 <= length; i += 16) {
        const uint64_t first = load_word(data + i);
        const uint64_t second = load_word(data + i + 8);
        count_word_halves(even, odd, first);
        count_word_halves(even, odd, second);
    }
    for (; i < length; ++i)
        ++even[data[i]];
}

}  // namespace

void ByteHistogram::add(const uint8_t *data, size_t length)
{
    if (length == 0)
        return;
    if (wide_.empty() && total_ + length > kNarrowLimit)
        widen();
    if (length < kTwoTablesFrom) {
        if (wide_.empty())
            count_one_table(narrow_.data(), data, length);
        else
            count_one_table(wide_.data(), data, length);
    } else if (wide_.empty()) {
        // The 32-bit counts themselves are the first table: each of them
        // stays at most the new total, which fits (checked above), and so
        // does each count of the second.
        uint32_t odd[256] = {};
        count_two_tables(narrow_.data(), odd, data, length);
        for (size_t v = 0; v < 256; ++v)
            narrow_[v] += odd[v];
    } else {
        // Past 4 GiB: two 32-bit scratch tables per chunk, folded into the
        // 64-bit counts (64-bit tables would double the stores' footprint).
        for (size_t done = 0; done < length; done += kScratchChunk) {
            const size_t chunk = length - done < kScratchChunk ? length - done : kScratchChunk;
            uint32_t even[256] = {}, odd[256] = {};
            count_two_tables(even, odd, data + done, chunk);
            for (size_t v = 0; v < 256; ++v)
                wide_[v] += uint64_t{even[v]} + odd[v];
        }
    }
    total_ += length;
}

void ByteHistogram::merge(const ByteHistogram &other)
{
    if (other.total_ == 0)
        return;
    if (wide_.empty() && (!other.wide_.empty() || total_ + other.total_ > kNarrowLimit))
        widen();
    if (wide_.empty()) {
        for (size_t v = 0; v < 256; ++v)
            narrow_[v] += other.narrow_[v];
    } else {
        for (size_t v = 0; v < 256; ++v)
            wide_[v] += other[v];
    }
    total_ += other.total_;
}

ByteHistogram::Counts ByteHistogram::counts() const
{
    Counts result;
    for (size_t v = 0; v < 256; ++v)
        result[v] = (*this)[v];
    return result;
}

void ByteHistogram::widen()
{
    wide_.assign(narrow_.begin(), narrow_.end());
    narrow_ = {};
}

}  // namespace tlsdist
