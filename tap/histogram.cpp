#include "histogram.h"

#include <cstring>
#include <limits>

namespace tlsdist {

namespace {

constexpr uint64_t kNarrowLimit = std::numeric_limits<uint32_t>::max();

// The hot loop of the whole plugin: every TLS byte passes here once per
// statistic. Eight bytes per load; the increments go to one table, which is
// fastest for ciphertext (consecutive equal bytes, the case that stalls a
// single table, are rare in it).
template <typename Count>
void count_bytes(Count *counts, const uint8_t *data, size_t length)
{
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        std::memcpy(&word, data + i, sizeof word);
        ++counts[word & 0xff];
        ++counts[(word >> 8) & 0xff];
        ++counts[(word >> 16) & 0xff];
        ++counts[(word >> 24) & 0xff];
        ++counts[(word >> 32) & 0xff];
        ++counts[(word >> 40) & 0xff];
        ++counts[(word >> 48) & 0xff];
        ++counts[word >> 56];
    }
    for (; i < length; ++i)
        ++counts[data[i]];
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
