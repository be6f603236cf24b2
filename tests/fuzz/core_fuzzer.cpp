// libFuzzer target for the tap/ core: everything in it that takes bytes from
// outside. The first input byte picks what the rest feeds:
//   0: the -z argument parser and the string escapers (CSV, text table);
//   1: the session CSV and totals CSV readers (a real CSV changed by the
//      input, and the input itself);
//   2: the capture file scan of the file-set helper (the input as a pcap or
//      pcapng file);
//   3: the split into shards (the next byte the number of shards, the rest
//      a pcap or pcapng file);
//   4: what the merge of shards reads back (the input as a shard facts
//      file, a frame list and a per-packet row);
//   5: DTLS datagrams (each a 2-byte length and its bytes, the sides taking
//      turns) through the tracker's UDP path and its hello reader;
//   else: a stream of TCP segments (sequence numbers, lengths, flags, TLS
//   hand-over offsets, hello versions: all attacker-chosen in a capture) run
//   through the first-pass tracker, two session tables and every writer.
// Besides crashes and sanitizer reports, it checks the invariants the outputs
// rely on, and aborts when one breaks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "capture_scan.h"
#include "capture_shard.h"
#include "capture_tracker.h"
#include "dtls_handshake.h"
#include "html_report.h"
#include "report.h"
#include "session_csv_reader.h"
#include "session_table.h"
#include "shard_merge.h"
#include "view_options.h"

#include <vector>

using namespace tlsdist;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

bool starts_formula(std::string_view text)
{
    return !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos;
}

void check_strings(std::string_view text)
{
    parse_view_options(text);

    for (unsigned char c : printable_text(text))
        require(c >= 0x20 && c != 0x7f);

    // HTML and JSON-in-<script>: no markup character and no control byte survives.
    const std::string escaped = html_escape(text);
    require(escaped.find_first_of("<>\"'") == std::string::npos);
    const std::string json = json_string(text);
    require(json.size() >= 2 && json.front() == '"' && json.back() == '"');
    for (size_t i = 1; i + 1 < json.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(json[i]);
        require(c >= 0x20 && c != 0x7f && c != '<' && c != '>' && c != '&');
        if (c == '\\')
            ++i;  // an escape: the next character is not a closing quote
        else
            require(c != '"');
    }

    const std::string cell = csv_cell(text);
    if (cell.empty() || cell[0] != '"') {
        // Unquoted: nothing that would end or split the cell, and no formula.
        require(cell == text);
        require(cell.find_first_of(",\"\r\n") == std::string::npos);
        require(!starts_formula(cell));
        return;
    }
    // Quoted: inner quotes doubled, and a formula starts with an apostrophe.
    require(cell.size() >= 2 && cell.back() == '"');
    const std::string_view inner(cell.data() + 1, cell.size() - 2);
    for (size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '"') {
            require(i + 1 < inner.size() && inner[i + 1] == '"');
            ++i;
        }
    }
    require(!starts_formula(inner));
}

// Reads a session CSV: it is read or refused with a message, and what is
// read, written again, reads back and writes the same text.
void check_csv_round_trip(const std::string &text)
{
    std::string written;
    for (int round = 0; round < 2; ++round) {
        std::istringstream in(round == 0 ? text : written);
        SessionCsvReader reader(in);
        if (!reader.read_header()) {
            require(round == 0 && !reader.error().empty());
            return;
        }
        std::string out;
        append_session_csv_header(out, reader.has_capture_column());
        SessionRecord record;
        while (reader.next(record)) {
            std::string why;
            // (a name with a line break is no capture name the command gives)
            const auto captures = CaptureFiles::parse("0 " + record.capture, &why);
            if (reader.has_capture_column() && !captures)
                return;
            append_session_csv_row(out, record.session, reader.has_capture_column() ? &*captures : nullptr);
        }
        require(round == 0 || (reader.error().empty() && out == written));
        written = out;
    }
}

void check_csv_readers(const uint8_t *data, size_t size)
{
    // A real header and row: a session with addresses, metadata and counts.
    static const std::string sample = [] {
        static ByteHistogram tx, rx;
        const uint8_t bytes[] = {0x16, 0x03, 0x03, 0x00, 0x05, 0xff, 0x00};
        tx.add(bytes, sizeof bytes);
        static SessionMetadata metadata;
        metadata.server_name = "=a,\"b\"";
        metadata.ja4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";
        SessionSummary s;
        s.stream = 7;
        const uint8_t client[4] = {192, 0, 2, 1};
        uint8_t server[16] = {0x20, 0x01, 0x0d, 0xb8};
        server[15] = 1;
        s.client = Endpoint::ipv4(client, 50000);
        s.server = Endpoint::ipv6(server, 443);
        s.version = "TLS 1.3";
        s.tx.tls_bytes = 7;
        s.metadata = &metadata;
        s.tx_histogram = &tx;
        s.rx_histogram = &rx;
        std::string why;
        const auto captures = CaptureFiles::parse("0 dir/a \"b\",c.pcap", &why);
        std::string csv;
        append_session_csv_header(csv, true);
        append_session_csv_row(csv, s, &*captures);
        append_session_csv_row(csv, s, &*captures);
        return csv;
    }();
    // The input as changes to it: (position, byte) pairs.
    std::string changed = sample;
    for (size_t i = 0; i + 2 < size; i += 3)
        changed[(size_t{data[i]} << 8 | data[i + 1]) % changed.size()] = static_cast<char>(data[i + 2]);
    check_csv_round_trip(changed);
    const std::string text(reinterpret_cast<const char *>(data), size);
    check_csv_round_trip(text);
    std::string error;
    if (!parse_totals_csv(text, &error))
        require(!error.empty());
}

// Reads fixed-size fields from the input, zeros once it runs out.
class Reader {
public:
    Reader(const uint8_t *data, size_t size) : data_(data), size_(size) {}
    bool done() const { return position_ >= size_; }
    uint32_t next(unsigned bytes)
    {
        uint32_t value = 0;
        for (unsigned i = 0; i < bytes; ++i)
            value = value << 8 | (position_ < size_ ? data_[position_++] : 0);
        return value;
    }

private:
    const uint8_t *data_;
    size_t size_;
    size_t position_ = 0;
};

void check_segments(const uint8_t *data, size_t size)
{
    // Payload bytes from the input itself, so that record headers, lengths
    // and DTLS datagrams the framers see are the fuzzer's choice too.
    static uint8_t payload[65536];
    for (size_t i = 0; i < sizeof payload; ++i)
        payload[i] = size > 0 ? static_cast<uint8_t>(data[i % size] ^ (i >> 8)) : static_cast<uint8_t>(i * 131 + 7);
    const uint8_t client_address[4] = {192, 0, 2, 1};
    const uint8_t server_address[4] = {198, 51, 100, 2};
    const Endpoint ends[2] = {Endpoint::ipv4(client_address, 50000),
                              Endpoint::ipv4(server_address, 443)};

    CaptureTracker tracker;
    SessionTable every_frame(tracker);
    SessionTable odd_frames(tracker);  // a second statistic that sees a subset, as with a filter
    SessionTable application_data(tracker, ByteScope::ApplicationData);
    SessionTable as_datagrams(tracker, ByteScope::Handshake);  // the same bytes framed as DTLS datagrams
    uint64_t tls_bytes = 0;
    Reader reader(data, size);
    for (uint32_t number = 1; !reader.done() && number < 4096; ++number) {
        const uint32_t control = reader.next(1);
        TcpSegmentFacts facts;
        facts.frame = number;
        facts.stream = reader.next(1) % 8;
        const uint8_t side = control & 1;
        facts.source = ends[side];
        facts.destination = ends[side ^ 1];
        facts.syn = (control & 2) != 0;
        facts.ack = (control & 4) != 0;
        facts.flags = FrameFlags::from_bits(static_cast<uint8_t>(control >> 3));
        facts.raw_seq = reader.next(4);
        facts.raw_ack = reader.next(4);
        facts.reported_length = reader.next(2);
        facts.captured_length = std::min(facts.reported_length, reader.next(2));
        facts.payload = payload;  // framed by the tracker: record headers from fuzz bytes

        const TrackedSegment tracked = tracker.accept(facts);
        std::vector<ByteRun> runs;
        uint64_t frame_bytes = 0;
        for (size_t i = 0; i < tracked.run_count; ++i) {
            const TrackedRun &run = tracked.runs[i];
            require(run.length > 0);
            if (run.payload_offset)
                require(uint64_t{*run.payload_offset} + run.length <= facts.captured_length);
            runs.push_back(ByteRun{run.data, run.length, run.framing});
            frame_bytes += run.length;
        }
        tls_bytes += frame_bytes;

        FrameEvent event;
        event.frame_number = number;
        event.time = Timestamp{static_cast<int64_t>(reader.next(1)), 0};
        event.wire_length = facts.reported_length + 54;
        event.is_tcp = true;
        event.stream = facts.stream;
        event.sender = tracked.sender;
        event.source = ends[side];
        event.destination = ends[side ^ 1];
        event.flags = facts.flags;
        event.waiting = tracked.waiting;
        event.runs = runs.data();
        event.run_count = runs.size();

        ByteHistogram frame_histogram;
        every_frame.add(event, &frame_histogram);
        require(frame_histogram.total() == frame_bytes);
        if (number % 2)
            odd_frames.add(event);
        application_data.add(event);
        // The same bytes as one DTLS datagram of a UDP conversation.
        UdpDatagramFacts datagram_facts;
        datagram_facts.stream = facts.stream;
        datagram_facts.source = facts.source;
        datagram_facts.dtls_begins_at = 0;
        datagram_facts.dtls_bytes = runs.empty() ? nullptr : runs[0].data;
        datagram_facts.dtls_length = runs.empty() ? 0 : static_cast<uint32_t>(runs[0].length);
        datagram_facts.flags = facts.flags;
        FrameEvent datagram = event;
        datagram.transport = Transport::Udp;
        datagram.sender = tracker.accept(datagram_facts);
        datagram.run_count = runs.empty() ? 0 : 1;
        as_datagrams.add(datagram);
    }
    // The end of the capture: what waited joins its own frames.
    tracker.finish();
    require(tracker.buffered_bytes() == 0);
    for (const LateRun &late : tracker.late_runs()) {
        ByteRun run{tracker.late_bytes(late), late.length, late.framing};
        FrameEvent event;
        event.frame_number = late.frame;
        event.is_tcp = true;
        event.counts_frame = false;
        event.stream = late.stream;
        event.sender = late.sender;
        event.runs = &run;
        event.run_count = 1;
        every_frame.add(event);
        application_data.add(event);
        tls_bytes += late.length;
    }
    // Per side: before TLS + TLS + missed fill the sequence span, and every
    // byte handed on was counted once.
    for (uint32_t stream = 0; stream < 8; ++stream) {
        for (uint8_t sender = 0; sender < 2; ++sender) {
            const SequenceSpace *side = tracker.tcp_side(stream, sender);
            if (!side)
                continue;
            require(side->bytes_before_tls() + side->tls_bytes() + side->missed_bytes() == side->span());
            require(side->span() < (uint64_t{1} << 40));
            if (const auto session = every_frame.session(stream)) {
                const bool client = every_frame.sender_is_client(stream, sender);
                require((client ? session->tx : session->rx).tls_bytes == side->tls_bytes());
            }
        }
    }

    uint64_t reported = 0;
    for (const SessionSummary &s : every_frame.sessions()) {
        require(s.tx_histogram->total() == s.tx.tls_bytes && s.rx_histogram->total() == s.rx.tls_bytes);
        require(s.duration >= 0);
        reported += s.tx.tls_bytes + s.rx.tls_bytes;
        for (const DirectionTotals *direction : {&s.tx, &s.rx}) {
            uint64_t by_content = 0;
            for (uint64_t bytes : direction->content_bytes)
                by_content += bytes;
            require(by_content == direction->tls_bytes);
        }
        if (const auto datagrams = as_datagrams.session(s.stream, Transport::Udp)) {
            for (const DirectionTotals *direction : {&datagrams->tx, &datagrams->rx}) {
                uint64_t by_content = 0;
                for (uint64_t bytes : direction->content_bytes)
                    by_content += bytes;
                require(by_content == direction->tls_bytes);
            }
            require(datagrams->tx_histogram->total() <= datagrams->tx.content_bytes[kHandshakeContent]);
        }
        if (const auto scoped = application_data.session(s.stream)) {
            require(scoped->tx_histogram->total() <= scoped->tx.content_bytes[kApplicationDataContent]);
            require(scoped->rx_histogram->total() <= scoped->rx.content_bytes[kApplicationDataContent]);
            require(scoped->tx.tls_bytes == s.tx.tls_bytes && scoped->rx.tls_bytes == s.rx.tls_bytes);
        }
        if (const auto subset = odd_frames.session(s.stream))
            require(subset->tx.tls_bytes + subset->rx.tls_bytes <= s.tx.tls_bytes + s.rx.tls_bytes);
    }
    // Bytes of streams where no TLS record was ever flagged are in no session.
    require(reported <= tls_bytes);

    std::string out;
    append_session_table(out, every_frame.sessions(), every_frame.totals());
    append_session_csv_header(out);
    for (const SessionSummary &s : odd_frames.sessions())
        append_session_csv_row(out, s);
    HtmlReportInput input;
    input.session_limit = 2;
    append_html_report(out, every_frame.sessions(), every_frame.totals(), input);
}

}  // namespace

// A file the scan vouches for has no more frames than record headers fit in
// it, and its time text is a number or "n/a".
void check_capture_scan(const uint8_t *data, size_t size)
{
    const std::optional<CaptureFacts> facts = scan_capture(data, size);
    if (!facts)
        return;
    constexpr size_t kSmallestRecord = 16;  // a pcap record header (an enhanced packet block: 32)
    require(facts->frames <= size / kSmallestRecord);
    require(facts->earliest_nanoseconds < 1000000000u);
    const std::string time = earliest_time_text(*facts);
    require(facts->has_time ? time.find_first_not_of("0123456789.") == std::string::npos : time == "n/a");
    require(facts->has_time == (facts->frames > 0));
}

// The shards of a file the scan vouches for are files it vouches for too,
// whose frames add up to the file's, numbered 1..n once each in file order
// within a shard; a file it does not vouch for is not split.
void check_shards(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    const size_t count = data[0] % 8 + 1;
    struct Memory : ShardWriter {
        explicit Memory(size_t n) : files(n), frames(n) {}
        bool to_every_shard(const uint8_t *bytes, size_t length) override
        {
            for (std::string &file : files)
                file.append(reinterpret_cast<const char *>(bytes), length);
            return true;
        }
        bool to_shard(size_t shard, uint64_t frame, const uint8_t *bytes, size_t length) override
        {
            require(shard < files.size());
            require(frames[shard].empty() || frames[shard].back() < frame);
            files[shard].append(reinterpret_cast<const char *>(bytes), length);
            frames[shard].push_back(frame);
            return true;
        }
        std::vector<std::string> files;
        std::vector<std::vector<uint64_t>> frames;
    } out(count);
    struct Bytes : ByteSource {
        Bytes(const uint8_t *d, size_t n) : data(d), length(n) {}
        uint64_t size() const override { return length; }
        const uint8_t *bytes(uint64_t offset, size_t n) override
        {
            return offset <= length && n <= length - offset ? data + offset : nullptr;
        }
        const uint8_t *data;
        size_t length;
    } file(data + 1, size - 1);
    const ShardOutcome outcome = shard_capture(file, count, out);
    const std::optional<CaptureFacts> whole = scan_capture(data + 1, size - 1);
    require((outcome == ShardOutcome::Done) == whole.has_value());
    if (!whole)
        return;
    std::vector<bool> seen(whole->frames + 1, false);
    for (size_t k = 0; k < count; ++k) {
        const std::optional<CaptureFacts> part =
            scan_capture(reinterpret_cast<const uint8_t *>(out.files[k].data()), out.files[k].size());
        require(part && part->frames == out.frames[k].size());
        for (uint64_t frame : out.frames[k]) {
            require(frame >= 1 && frame <= whole->frames && !seen[frame]);
            seen[frame] = true;
        }
    }
}

// What the merge of shards reads: whatever it accepts is what its writer
// or the splitter can write.
void check_shard_readers(std::string_view text)
{
    std::string error;
    if (const std::optional<ShardFacts> facts = parse_shard_facts(text, &error)) {
        require(facts->late_packet_rows <= facts->packet_rows);
        std::string again;
        append_shard_facts(again, *facts);
        require(parse_shard_facts(again, &error).has_value());
    }
    const std::optional<std::vector<uint32_t>> frames = parse_frame_list(text, &error);
    if (frames) {
        for (size_t i = 0; i < frames->size(); ++i)
            require((*frames)[i] > 0 && (i == 0 || (*frames)[i - 1] < (*frames)[i]));
    }
    StreamNumbers numbers;
    numbers.whole[0] = {3, 1};
    numbers.whole[1] = {2};
    const std::vector<uint32_t> list = {2, 5, 9};
    const std::string_view row = text.substr(0, text.find('\n'));
    if (const std::optional<WholeCaptureRow> whole = packet_row_in_whole_capture(row, list, numbers))
        require((whole->frame == 2 || whole->frame == 5 || whole->frame == 9) &&
                whole->text.compare(0, std::to_string(whole->frame).size() + 1, std::to_string(whole->frame) + ",") == 0);
}

// The hellos of a side count once each: a reader's count of ClientHellos
// never falls, a hello it yields is one it parsed whole, and once finished
// it reads nothing more.
void check_dtls(const uint8_t *data, size_t size)
{
    CaptureTracker tracker;
    DtlsHandshakeReader reader;
    const uint8_t client_address[4] = {192, 0, 2, 1};
    const uint8_t server_address[4] = {198, 51, 100, 2};
    const Endpoint ends[2] = {Endpoint::ipv4(client_address, 40000), Endpoint::ipv4(server_address, 4433)};
    uint32_t client_hellos = 0;
    for (size_t at = 0, turn = 0; at + 2 <= size; ++turn) {
        const size_t length = std::min<size_t>(size_t{data[at]} << 8 | data[at + 1], size - at - 2);
        const uint8_t *datagram = data + at + 2;
        at += 2 + length;
        UdpDatagramFacts facts;
        facts.stream = static_cast<uint32_t>(turn % 3);
        facts.source = ends[turn % 2];
        facts.dtls_begins_at = 0;
        facts.dtls_bytes = length ? datagram : nullptr;
        facts.dtls_length = static_cast<uint32_t>(length);
        facts.flags = FrameFlag::TlsDissected;
        require(tracker.accept(facts) <= 1);

        const bool finished = reader.finished();
        reader.feed_record(datagram, length);
        for (const ParsedHello &hello : reader.take_hellos())
            require(hello.session_id.size() <= kMaxSessionIdLength && (hello.is_server || !hello.ja4.empty()));
        require(reader.client_hellos() >= client_hellos);
        require(!finished || (reader.finished() && reader.client_hellos() == client_hellos));
        client_hellos = reader.client_hellos();
    }
    for (uint32_t stream = 0; stream < 3; ++stream) {
        if (const HandshakeFacts *facts = tracker.handshake(stream, Transport::Udp))
            require(facts->client() <= 1);
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] == 0)
        check_strings(std::string_view(reinterpret_cast<const char *>(data + 1), size - 1));
    else if (data[0] == 1)
        check_csv_readers(data + 1, size - 1);
    else if (data[0] == 2)
        check_capture_scan(data + 1, size - 1);
    else if (data[0] == 3)
        check_shards(data + 1, size - 1);
    else if (data[0] == 4)
        check_shard_readers(std::string_view(reinterpret_cast<const char *>(data + 1), size - 1));
    else if (data[0] == 5)
        check_dtls(data + 1, size - 1);
    else
        check_segments(data + 1, size - 1);
    return 0;
}
