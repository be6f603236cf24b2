#include "histogram.h"

#include <cstring>
#include <limits>

namespace tlsdist {

namespace {

constexpr uint64_t kNarrowLimit = std::numeric_limits<uint32_t>::max();

// Sixteen bytes, each loaded on its own and its counter incremented in memory:
// two instructions per byte (a load, an add to memory).
template <typename Count>
[[gnu::always_inline]] inline void count_16_bytes(Count *counts, const uint8_t *data)
{
    ++counts[data[0]], ++counts[data[1]], ++counts[data[2]], ++counts[data[3]];
    ++counts[data[4]], ++counts[data[5]], ++counts[data[6]], ++counts[data[7]];
    ++counts[data[8]], ++counts[data[9]], ++counts[data[10]], ++counts[data[11]];
    ++counts[data[12]], ++counts[data[13]], ++counts[data[14]], ++counts[data[15]];
}

inline uint64_t load_word(const uint8_t *data)
{
    uint64_t word;
    std::memcpy(&word, data, sizeof word);
    return word;
}

// Whether the 64 bytes at block are one value, given that their first and
// last 8 bytes are equal.
inline bool is_one_value(const uint8_t *block)
{
    const uint64_t first = load_word(block);
    if (first != block[0] * uint64_t{0x0101010101010101})
        return false;
    for (size_t offset = 8; offset < 56; offset += 8) {
        if (load_word(block + offset) != first)
            return false;
    }
    return true;
}

// The hot loop of the whole plugin: every TLS byte passes here once per
// statistic. Steps of 64 bytes leave the loop's own count and compare at
// 5 instructions per 64 bytes (2.08 instructions per byte under callgrind,
// against 2.31 in steps of 16); the last 15 bytes or fewer take one jump
// into the fall-through below instead of a loop round each. Extracting
// bytes from 8-byte words instead takes a shift and a mask more per byte
// (3.6 instructions per byte) and was no faster here: loads are cheap, the
// increments' stores bound the speed. One table: a second one, taking every
// other pair of bytes, made runs of one value 35% faster (4.2 against 3.1
// GB/s) but random bytes, what TLS mostly carries, 27% slower (3.0 against
// 4.1 GB/s), measured side by side on a quiet machine (bench/RESULTS.md,
// issue 16).
// In one table, a run of one value makes each increment wait for the one
// before (0.5 GB/s on an AMD EPYC, against 2.5 to 4.5 for random bytes). So
// a 64-byte step whose first and last 8 bytes are equal is checked whole, and
// counted at once if it is one value: zero-filled plaintext or padding then
// runs at over 10 GB/s, for one compare of two words a step on other bytes
// (3 instructions more in 136).
template <typename Count>
[[gnu::noinline]] void count_bytes(Count *counts, const uint8_t *data, size_t length)
{
    const uint8_t *const end = data + length;
    for (; end - data >= 64; data += 64) {
        if (load_word(data) == load_word(data + 56) && is_one_value(data)) {
            counts[data[0]] += 64;
            continue;
        }
        count_16_bytes(counts, data);
        count_16_bytes(counts, data + 16);
        count_16_bytes(counts, data + 32);
        count_16_bytes(counts, data + 48);
    }
    for (; end - data >= 16; data += 16)
        count_16_bytes(counts, data);
    switch (end - data) {
    case 15: ++counts[data[14]]; [[fallthrough]];
    case 14: ++counts[data[13]]; [[fallthrough]];
    case 13: ++counts[data[12]]; [[fallthrough]];
    case 12: ++counts[data[11]]; [[fallthrough]];
    case 11: ++counts[data[10]]; [[fallthrough]];
    case 10: ++counts[data[9]]; [[fallthrough]];
    case 9: ++counts[data[8]]; [[fallthrough]];
    case 8: ++counts[data[7]]; [[fallthrough]];
    case 7: ++counts[data[6]]; [[fallthrough]];
    case 6: ++counts[data[5]]; [[fallthrough]];
    case 5: ++counts[data[4]]; [[fallthrough]];
    case 4: ++counts[data[3]]; [[fallthrough]];
    case 3: ++counts[data[2]]; [[fallthrough]];
    case 2: ++counts[data[1]]; [[fallthrough]];
    case 1: ++counts[data[0]]; [[fallthrough]];
    default: break;
    }
}

}  // namespace

void ByteHistogram::add(const uint8_t *data, size_t length)
{
    if (length == 0)
        return;
    if (wide_.empty() && total_ + length > kNarrowLimit)
        widen();
    if (wide_.empty())
        count_bytes(narrow_.data(), data, length);
    else
        count_bytes(wide_.data(), data, length);
    total_ += length;
}

std::optional<ByteHistogram> ByteHistogram::from_counts(const Counts &counts)
{
    ByteHistogram histogram;
    for (uint64_t count : counts) {
        if (count > std::numeric_limits<uint64_t>::max() - histogram.total_)
            return std::nullopt;
        histogram.total_ += count;
    }
    if (histogram.total_ > kNarrowLimit) {
        histogram.wide_.assign(counts.begin(), counts.end());
    } else {
        for (size_t v = 0; v < 256; ++v)
            histogram.narrow_[v] = static_cast<uint32_t>(counts[v]);  // (each at most the total)
    }
    return histogram;
}

void ByteHistogram::merge(const ByteHistogram &other)
{
    if (other.total_ == 0)
        return;
    if (wide_.empty() && (!other.wide_.empty() || total_ + other.total_ > kNarrowLimit))
        widen();
    if (wide_.empty()) {
        // Four counts read before four are written: the compiler then adds
        // them as one vector without proving that the two tables are apart
        // (an element-wise loop stayed scalar, 1,300 instructions a merge
        // against 450; the per-packet view merges once a TLS frame).
        for (size_t v = 0; v < 256; v += 4) {
            const uint32_t a = other.narrow_[v], b = other.narrow_[v + 1];
            const uint32_t c = other.narrow_[v + 2], d = other.narrow_[v + 3];
            narrow_[v] += a, narrow_[v + 1] += b, narrow_[v + 2] += c, narrow_[v + 3] += d;
        }
    } else {
        for (size_t v = 0; v < 256; ++v)
            wide_[v] += other[v];
    }
    total_ += other.total_;
}

void ByteHistogram::clear()
{
    if (total_ == 0)
        return;
    narrow_.fill(0);
    wide_ = {};
    total_ = 0;
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
