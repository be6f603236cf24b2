// Google Benchmark of the histogram kernel (ByteHistogram::add), in bytes per
// second on one core, on the inputs it meets: random bytes (ciphertext) in
// frame-sized and record-sized calls, and a run of one value (the worst case
// for a single table: each increment waits for the previous one).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "histogram.h"

namespace {

std::vector<uint8_t> random_bytes(size_t size)
{
    std::mt19937_64 generator(42);
    std::vector<uint8_t> bytes(size);
    for (auto &byte : bytes)
        byte = static_cast<uint8_t>(generator());
    return bytes;
}

void count_random(benchmark::State &state)
{
    const auto chunk = static_cast<size_t>(state.range(0));
    const std::vector<uint8_t> bytes = random_bytes(1 << 20);
    tlsdist::ByteHistogram histogram;
    for (auto _ : state) {
        for (size_t offset = 0; offset + chunk <= bytes.size(); offset += chunk)
            histogram.add(bytes.data() + offset, chunk);
        benchmark::DoNotOptimize(histogram);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(bytes.size() / chunk * chunk));
}

void count_one_value(benchmark::State &state)
{
    const std::vector<uint8_t> bytes(1 << 20, 0);
    tlsdist::ByteHistogram histogram;
    for (auto _ : state) {
        histogram.add(bytes.data(), bytes.size());
        benchmark::DoNotOptimize(histogram);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}

}  // namespace

// 1448: one Ethernet TCP segment's payload; 16389: one full TLS record.
BENCHMARK(count_random)->Arg(1448)->Arg(16389);
BENCHMARK(count_one_value);

BENCHMARK_MAIN();
