#include "tap_events.h"

#include <epan/tap.h>

#include <new>

#include "first_pass.h"
#include "session_table.h"

namespace tlsdist {

namespace {

TapRecord *new_tap_record(packet_info *pinfo)
{
    return new (wmem_alloc(pinfo->pool, sizeof(TapRecord))) TapRecord{};
}

void add_tls_runs(TapRecord &record, tvbuff_t *tvb, packet_info *pinfo, const FrameCache &cache,
                  const CachedFrame &frame)
{
    FrameEvent &event = record.event;
    if (frame.has_extra) {
        const CachedExtra &extra = cache.extra(pinfo->num);
        auto *runs = wmem_alloc_array(pinfo->pool, ByteRun, extra.run_lengths.size());
        const uint8_t *data = extra.bytes.data();
        for (size_t i = 0; i < extra.run_lengths.size(); ++i) {
            new (&runs[i]) ByteRun{data, extra.run_lengths[i], extra.run_framing[i]};
            data += extra.run_lengths[i];
        }
        event.runs = runs;
        event.run_count = extra.run_lengths.size();
    } else if (frame.tls_length > 0) {
        record.own_run = ByteRun{tvb_get_ptr(tvb, static_cast<gint>(frame.tls_offset),
                                             static_cast<gint>(frame.tls_length)),
                                 frame.tls_length, frame.framing};
        event.runs = &record.own_run;
        event.run_count = 1;
    }
}

void add_decrypted_runs(FrameEvent &event, packet_info *pinfo, const std::vector<uint32_t> &application_data)
{
    const std::vector<tvbuff_t *> records = decrypted_records(pinfo);
    auto *runs = wmem_alloc_array(pinfo->pool, ByteRun, application_data.size());
    for (uint32_t i : application_data) {
        if (i >= records.size())
            continue;  // (the same records on every pass)
        const auto length = static_cast<size_t>(tvb_captured_length(records[i]));
        new (&runs[event.decrypted_count++]) ByteRun{tvb_get_ptr(records[i], 0, static_cast<gint>(length)), length};
    }
    event.decrypted = runs;
}

}  // namespace

void queue_frame_event(int tap_id, tvbuff_t *tvb, packet_info *pinfo, const FrameCache &cache,
                       const CachedFrame *frame, bool waiting)
{
    TapRecord *record = new_tap_record(pinfo);
    fill_frame_event(*record, tvb, pinfo, cache, frame, waiting);
    tap_queue_packet(tap_id, pinfo, record);
}

void queue_unread_frame(int tap_id, tvbuff_t *tvb, packet_info *pinfo)
{
    TapRecord *record = new_tap_record(pinfo);
    record->unread = tvb;
    tap_queue_packet(tap_id, pinfo, record);
}

void fill_frame_event(TapRecord &record, tvbuff_t *tvb, packet_info *pinfo, const FrameCache &cache,
                      const CachedFrame *frame, bool waiting)
{
    record.unread = nullptr;
    FrameEvent &event = record.event;
    event.waiting = waiting;
    event.frame_number = pinfo->num;
    event.time = Timestamp{static_cast<int64_t>(pinfo->abs_ts.secs), pinfo->abs_ts.nsecs};
    event.wire_length = pinfo->fd->pkt_len;
    if (frame) {
        event.is_tcp = true;
        event.transport = frame->transport;
        event.stream = frame->stream;
        event.sender = frame->sender;
        event.source = endpoint_of(pinfo->src, pinfo->srcport);
        event.destination = endpoint_of(pinfo->dst, pinfo->destport);
        event.flags = frame->flags;
        add_tls_runs(record, tvb, pinfo, cache, *frame);
        if (const std::vector<uint32_t> *application_data = cache.decrypted_application_data(pinfo->num))
            add_decrypted_runs(event, pinfo, *application_data);
    }
}

}  // namespace tlsdist
