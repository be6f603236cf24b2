#include "histogram.h"

namespace tlsdist {

void ByteHistogram::add(const uint8_t *data, size_t length)
{
    for (size_t i = 0; i < length; ++i)
        ++counts_[data[i]];
}

void ByteHistogram::merge(const ByteHistogram &other)
{
    for (size_t v = 0; v < 256; ++v)
        counts_[v] += other.counts_[v];
}

uint64_t ByteHistogram::total() const
{
    uint64_t sum = 0;
    for (uint64_t c : counts_)
        sum += c;
    return sum;
}

}  // namespace tlsdist
