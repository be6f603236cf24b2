// Google Benchmark of the histogram kernel (ByteHistogram::add), in bytes per
// second on one core, on the inputs it meets: random bytes (ciphertext) and a
// run of one value (the worst case for a single table: each increment waits
// for the previous one), in calls of 64 bytes (small records), 512, 1448 (one
// Ethernet TCP segment's payload), 16384 and 16389 (one full TLS record) and
// 1 MiB; a run of one value broken by another byte in every 64 (the kernel
// counts a 64-byte step of one value at once, so this is its worst case);
// and of the per-packet CSV writer (append_packet_csv_row), per row.
//
// Names bench/run and bench/RESULTS.md use: count_random/N (random bytes in
// calls of N bytes), count_one_value (one 1 MiB call of one value),
// count_one_value/N (calls of N bytes of one value), count_nearly_one_value/N
// (calls of N bytes of one value but one byte in 64), packet_csv_row/N (one
// row of a frame that carried N random bytes).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "histogram.h"
#include "report.h"

namespace {

constexpr size_t kBufferSize = 1 << 20;

std::vector<uint8_t> random_bytes(size_t size)
{
    std::mt19937_64 generator(42);
    std::vector<uint8_t> bytes(size);
    for (auto &byte : bytes)
        byte = static_cast<uint8_t>(generator());
    return bytes;
}

// Adds the buffer in calls of `chunk` bytes; bytes per second count only the
// bytes added.
void count_in_chunks(benchmark::State &state, const std::vector<uint8_t> &bytes, size_t chunk)
{
    tlsdist::ByteHistogram histogram;
    for (auto _ : state) {
        for (size_t offset = 0; offset + chunk <= bytes.size(); offset += chunk)
            histogram.add(bytes.data() + offset, chunk);
        benchmark::DoNotOptimize(histogram);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(bytes.size() / chunk * chunk));
}

void count_random(benchmark::State &state)
{
    count_in_chunks(state, random_bytes(kBufferSize), static_cast<size_t>(state.range(0)));
}

void count_one_value(benchmark::State &state)
{
    count_in_chunks(state, std::vector<uint8_t>(kBufferSize, 0), kBufferSize);
}

void count_one_value_in_calls(benchmark::State &state)
{
    count_in_chunks(state, std::vector<uint8_t>(kBufferSize, 0), static_cast<size_t>(state.range(0)));
}

void count_nearly_one_value(benchmark::State &state)
{
    std::vector<uint8_t> bytes(kBufferSize, 0);
    for (size_t i = 32; i < bytes.size(); i += 64)
        bytes[i] = 1;
    count_in_chunks(state, bytes, static_cast<size_t>(state.range(0)));
}

// One row as the packets view writes it: the text is cleared, then one row
// appended (cli_views.cpp, count_frame).
void packet_csv_row(benchmark::State &state)
{
    const std::vector<uint8_t> payload = random_bytes(static_cast<size_t>(state.range(0)));
    tlsdist::ByteHistogram histogram;
    histogram.add(payload.data(), payload.size());
    const uint8_t client[4] = {192, 168, 1, 20}, server[4] = {93, 184, 216, 34};
    tlsdist::PacketRow row;
    row.frame_number = 123456;
    row.time = tlsdist::Timestamp{1675419143, 123456789};
    row.source = tlsdist::Endpoint::ipv4(client, 52311);
    row.destination = tlsdist::Endpoint::ipv4(server, 443);
    row.stream = 4321;
    row.from_client = false;
    row.histogram = &histogram;
    std::string text;
    for (auto _ : state) {
        text.clear();
        tlsdist::append_packet_csv_row(text, row);
        benchmark::DoNotOptimize(text.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}

}  // namespace

BENCHMARK(count_random)->Arg(64)->Arg(512)->Arg(1448)->Arg(16384)->Arg(16389)->Arg(kBufferSize);
BENCHMARK(count_one_value);
BENCHMARK(count_one_value_in_calls)->Name("count_one_value")->Arg(64)->Arg(512)->Arg(1448)->Arg(16384)->Arg(kBufferSize);
BENCHMARK(count_nearly_one_value)->Arg(1448)->Arg(kBufferSize);
BENCHMARK(packet_csv_row)->Arg(1448)->Arg(16384);

BENCHMARK_MAIN();
