#include "frame_cache.h"

namespace tlsdist {

void CachedExtra::add(const uint8_t *data, uint32_t length, RecordFramer::State framing)
{
    bytes.insert(bytes.end(), data, data + length);
    run_lengths.push_back(length);
    run_framing.push_back(framing);
}

uint32_t CachedExtra::total_length() const
{
    uint32_t sum = 0;
    for (uint32_t length : run_lengths)
        sum += length;
    return sum;
}

CachedFrame &FrameCache::store(uint32_t number, const CachedFrame &frame)
{
    if (number >= frames_.size())
        frames_.resize(size_t{number} + 1);  // grows geometrically
    frames_[number] = frame;
    return frames_[number];
}

CachedExtra &FrameCache::store_extra(uint32_t number, CachedFrame &frame)
{
    frame.has_extra = true;
    CachedExtra &extra = extras_[number];
    extra = CachedExtra{};
    return extra;
}

void FrameCache::take_late_runs(const CaptureTracker &tracker)
{
    const std::vector<LateRun> &late = tracker.late_runs();
    for (; late_runs_taken_ < late.size(); ++late_runs_taken_) {
        const LateRun &run = late[late_runs_taken_];
        if (run.frame >= frames_.size())
            continue;
        frames_[run.frame].has_extra = true;
        extras_[run.frame].add(tracker.late_bytes(run), run.length, run.framing);
    }
}

void FrameCache::store_decrypted_application_data(uint32_t number, std::vector<uint32_t> records)
{
    decrypted_application_data_[number] = std::move(records);
}

void FrameCache::clear()
{
    frames_.clear();
    frames_.shrink_to_fit();
    extras_.clear();
    decrypted_application_data_.clear();
    late_runs_taken_ = 0;
}

const CachedFrame *FrameCache::find(uint32_t number) const
{
    if (number >= frames_.size())
        return nullptr;
    const CachedFrame &frame = frames_[number];
    return frame.connection ? &frame : nullptr;
}

uint32_t FrameCache::tls_byte_count(uint32_t number, const CachedFrame &frame) const
{
    return frame.has_extra ? extra(number).total_length() : frame.tls_length;
}

const std::vector<uint32_t> *FrameCache::decrypted_application_data(uint32_t number) const
{
    const auto found = decrypted_application_data_.find(number);
    if (found == decrypted_application_data_.end())
        return nullptr;
    return &found->second;
}

}  // namespace tlsdist
