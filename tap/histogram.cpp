#include "histogram.h"

#include <limits>

namespace tlsdist {

namespace {

constexpr uint64_t kNarrowLimit = std::numeric_limits<uint32_t>::max();

// Calls of at least this many bytes are counted into two tables (see
// count_bytes); shorter ones into one, where clearing and folding a
// second table would cost more than it saves. Measured with
// bench/histogram_benchmark (bench/RESULTS.md, issue 16).
constexpr size_t kTwoTablesFrom = 4096;

// The most bytes counted into 32-bit scratch tables before they are folded
// into 64-bit counts: no scratch count can then reach 2^32.
constexpr size_t kScratchChunk = size_t{1} << 30;

// The hot loop of the whole plugin: every TLS byte passes here once per
// statistic. Each byte is loaded on its own and its counter incremented in
// memory: two instructions per byte (a load, an add to memory), sixteen
// bytes per step. Extracting bytes from 8-byte words instead takes a shift
// and a mask more per byte (3.6 instructions per byte under callgrind) and
// was no faster here: loads are cheap, the increments' stores bound the
// speed (bench/RESULTS.md, issue 16).
//
// Bytes go two by two to `even` and `odd` in turn; one table is counted by
// passing it as both. Runs of one value make each increment of a single
// table wait for the one before (same counter): two tables halve that chain.
// Two rather than four: on random bytes four tables were slower here, and
// two gain as much on runs.
template <typename Even, typename Odd>
void count_bytes(Even *even, Odd *odd, const uint8_t *data, size_t length)
{
    const uint8_t *const end = data + length;
    for (; end - data >= 16; data += 16) {
        ++even[data[0]], ++even[data[1]], ++odd[data[2]], ++odd[data[3]];
        ++even[data[4]], ++even[data[5]], ++odd[data[6]], ++odd[data[7]];
        ++even[data[8]], ++even[data[9]], ++odd[data[10]], ++odd[data[11]];
        ++even[data[12]], ++even[data[13]], ++odd[data[14]], ++odd[data[15]];
    }
    for (; data < end; ++data)
        ++even[*data];
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
            count_bytes(narrow_.data(), narrow_.data(), data, length);
        else
            count_bytes(wide_.data(), wide_.data(), data, length);
    } else if (wide_.empty()) {
        // The 32-bit counts themselves are the first table: each of them
        // stays at most the new total, which fits (checked above), and so
        // does each count of the second.
        uint32_t odd[256] = {};
        count_bytes(narrow_.data(), odd, data, length);
        for (size_t v = 0; v < 256; ++v)
            narrow_[v] += odd[v];
    } else {
        // Past 4 GiB: two 32-bit scratch tables per chunk, folded into the
        // 64-bit counts (64-bit tables would double the stores' footprint).
        for (size_t done = 0; done < length; done += kScratchChunk) {
            const size_t chunk = length - done < kScratchChunk ? length - done : kScratchChunk;
            uint32_t even[256] = {}, odd[256] = {};
            count_bytes(even, odd, data + done, chunk);
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
