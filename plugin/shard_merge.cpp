// tlsdist-shard-merge: the outputs of one capture's shards (tlsdist --shards,
// tap/shard_merge.h) merged into what one tshark run over the whole capture
// writes. No Wireshark here: it reads back what each shard's run wrote.
//
//   tlsdist-shard-merge DIR N [--csv OUT] [--packets OUT] [--html OUT]
//                       [--table OUT] [--title TEXT] [--filter TEXT] [--scope WORD]
//
// DIR holds, for each shard K from 0 to N-1: shard-K.frames (the splitter's
// frame list), shard-K.facts (-z tlsdist,shard), shard-K.totals
// (-z tlsdist,totals), shard-K.csv (-z tlsdist,csv) and, with --packets,
// shard-K.packets (-z tlsdist,packets), all from runs with the same filter
// and scope. OUT is a file, or - for standard output.
//
// Exit status: 0 written, 1 bad usage, 2 a shard's outputs are missing,
// malformed or do not agree (nothing can be merged exactly; the command then
// reads the capture whole), 3 an output cannot be written.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "html_report.h"
#include "report.h"
#include "session_csv_reader.h"
#include "shard_merge.h"

namespace {

using namespace tlsdist;

constexpr int kUsageError = 1, kShardError = 2, kWriteError = 3;
constexpr size_t kFlushBytes = 1 << 20;

const char kUsage[] =
    "usage: tlsdist-shard-merge DIR N [--csv OUT] [--packets OUT] [--html OUT] [--table OUT]\n"
    "                           [--title TEXT] [--filter TEXT] [--scope WORD]\n";

// Why the merge stopped.
struct Failure {
    int status;
    std::string message;
};

// An output: a file, or standard output for "-".
class Output {
public:
    explicit Output(std::string path) : path_(std::move(path)) {}
    ~Output()
    {
        if (file_ && file_ != stdout)
            std::fclose(file_);
    }
    Output(const Output &) = delete;
    Output &operator=(const Output &) = delete;

    bool open()
    {
        file_ = path_ == "-" ? stdout : std::fopen(path_.c_str(), "wb");
        return file_ != nullptr;
    }
    // Writes text and empties it.
    bool write(std::string &text)
    {
        const bool written = std::fwrite(text.data(), 1, text.size(), file_) == text.size();
        text.clear();
        return written;
    }
    bool close()
    {
        std::FILE *file = file_;
        file_ = nullptr;
        return file == stdout ? std::fflush(file) == 0 && !std::ferror(file) : std::fclose(file) == 0;
    }
    const std::string &path() const { return path_; }

private:
    std::string path_;
    std::FILE *file_ = nullptr;
};

struct Options {
    std::string folder;
    size_t shards = 0;
    std::optional<std::string> csv, packets, html, table;
    HtmlReportInput report;
};

struct Shard {
    std::string prefix;  // DIR/shard-K
    std::vector<uint32_t> frames;
    ShardFacts facts;
    TotalsRow totals;
};

std::optional<Failure> read_shard(const std::string &prefix, Shard &shard)
{
    shard.prefix = prefix;
    std::string error;
    const std::optional<std::string> frames = file_text(prefix + ".frames");
    const std::optional<std::string> facts = file_text(prefix + ".facts");
    const std::optional<std::string> totals = file_text(prefix + ".totals");
    if (!frames || !facts || !totals)
        return Failure{kShardError, prefix + ": its frame list, facts or totals are missing"};
    std::optional<std::vector<uint32_t>> frame_list = parse_frame_list(*frames, &error);
    if (!frame_list)
        return Failure{kShardError, prefix + ".frames: " + error};
    shard.frames = std::move(*frame_list);
    std::optional<ShardFacts> parsed_facts = parse_shard_facts(*facts, &error);
    if (!parsed_facts)
        return Failure{kShardError, prefix + ".facts: " + error};
    shard.facts = std::move(*parsed_facts);
    const std::optional<TotalsRow> parsed_totals = parse_totals_csv(*totals, &error);
    if (!parsed_totals)
        return Failure{kShardError, prefix + ".totals: " + error};
    shard.totals = *parsed_totals;
    return std::nullopt;
}

// The whole capture's totals: frames are in one shard each.
TotalsRow whole_totals(const std::vector<Shard> &shards)
{
    TotalsRow whole;
    for (const Shard &shard : shards) {
        const CaptureTotals &part = shard.totals.totals;
        if (part.frames > 0) {
            if (whole.totals.frames == 0 || part.first_frame < whole.totals.first_frame)
                whole.totals.first_frame = part.first_frame;
            if (whole.totals.frames == 0 || whole.totals.last_frame < part.last_frame)
                whole.totals.last_frame = part.last_frame;
        }
        whole.totals.frames += part.frames;
        whole.totals.tls_frames += part.tls_frames;
        whole.totals.tls_sessions += part.tls_sessions;
        whole.tx_bytes += shard.totals.tx_bytes;
        whole.rx_bytes += shard.totals.rx_bytes;
    }
    return whole;
}

// A shard's session CSV, read one session ahead.
struct SessionSource {
    std::unique_ptr<std::ifstream> in;
    std::unique_ptr<SessionCsvReader> reader;
    std::unique_ptr<SessionRecord> next;  // none at the end
    std::string path;
};

// Advances source to its next session, in the whole capture's numbering.
std::optional<Failure> advance(SessionSource &source, const StreamNumbers &numbers)
{
    if (!source.next)
        source.next = std::make_unique<SessionRecord>();
    if (!source.reader->next(*source.next)) {
        source.next.reset();
        if (!source.reader->error().empty())
            return Failure{kShardError, source.path + ": " + source.reader->error()};
        return std::nullopt;
    }
    SessionSummary &session = source.next->session;
    const std::vector<uint32_t> &whole = numbers.whole[transport_index(session.transport)];
    if (session.stream >= whole.size())
        return Failure{kShardError, source.path + ": a session of a stream the shard's facts do not list"};
    session.stream = whole[session.stream];
    return std::nullopt;
}

// The sessions of every shard in the order one run writes them (TCP, then
// UDP, each by stream index): each shard's CSV is in that order already.
std::optional<Failure> merge_sessions(const Options &options, const std::vector<Shard> &shards,
                                      const std::vector<StreamNumbers> &numbers, const TotalsRow &totals)
{
    std::vector<SessionSource> sources(shards.size());
    for (size_t k = 0; k < shards.size(); ++k) {
        SessionSource &source = sources[k];
        source.path = shards[k].prefix + ".csv";
        source.in = std::make_unique<std::ifstream>(source.path, std::ios::binary);
        if (!*source.in)
            return Failure{kShardError, source.path + ": missing"};
        source.reader = std::make_unique<SessionCsvReader>(*source.in);
        if (!source.reader->read_header())
            return Failure{kShardError, source.path + ": " + source.reader->error()};
        if (std::optional<Failure> failure = advance(source, numbers[k]))
            return failure;
    }

    std::optional<Output> csv, html, table;
    for (auto [path, output] : {std::pair{&options.csv, &csv}, {&options.html, &html}, {&options.table, &table}}) {
        if (*path && !output->emplace(**path).open())
            return Failure{kWriteError, "cannot write " + **path + ": " + std::strerror(errno)};
    }
    std::string csv_text;
    if (csv)
        append_session_csv_header(csv_text);
    std::optional<HtmlReport> report;
    if (html) {
        report.emplace(options.report.session_limit);
        report->set_totals(totals.totals);
    }
    std::vector<std::unique_ptr<SessionRecord>> kept;  // for the table, which sizes its columns to every row
    uint64_t sessions = 0, tx = 0, rx = 0;
    for (;;) {
        SessionSource *first = nullptr;
        for (SessionSource &source : sources) {
            if (!source.next)
                continue;
            const SessionSummary &s = source.next->session;
            if (!first || std::pair(s.transport, s.stream) <
                              std::pair(first->next->session.transport, first->next->session.stream))
                first = &source;
        }
        if (!first)
            break;
        const SessionSummary &session = first->next->session;
        ++sessions;
        tx += session.tx.tls_bytes;
        rx += session.rx.tls_bytes;
        if (csv) {
            append_session_csv_row(csv_text, session);
            if (csv_text.size() >= kFlushBytes && !csv->write(csv_text))
                return Failure{kWriteError, "cannot write " + csv->path() + ": " + std::strerror(errno)};
        }
        if (report)
            report->add_session(session);
        if (table)
            kept.push_back(std::move(first->next));
        if (std::optional<Failure> failure = advance(*first, numbers[static_cast<size_t>(first - sources.data())]))
            return failure;
    }
    // Each shard's run wrote its CSV and totals: a difference means one cut short.
    if (sessions != totals.totals.tls_sessions || tx != totals.tx_bytes || rx != totals.rx_bytes)
        return Failure{kShardError, "the shards' session CSVs do not add up to their totals"};

    if (csv && !(csv->write(csv_text) && csv->close()))
        return Failure{kWriteError, "cannot write " + csv->path() + ": " + std::strerror(errno)};
    if (html) {
        std::string text;
        report->append_html(text, options.report);
        if (!(html->write(text) && html->close()))
            return Failure{kWriteError, "cannot write " + html->path() + ": " + std::strerror(errno)};
    }
    if (table) {
        std::vector<SessionSummary> summaries;
        summaries.reserve(kept.size());
        for (const std::unique_ptr<SessionRecord> &record : kept)
            summaries.push_back(record->session);
        std::string text;
        append_session_table(text, summaries, totals.totals, options.report.scope);
        if (!(table->write(text) && table->close()))
            return Failure{kWriteError, "cannot write " + table->path() + ": " + std::strerror(errno)};
    }
    return std::nullopt;
}

// A shard's per-packet CSV, read one row ahead.
struct RowSource {
    std::unique_ptr<std::ifstream> in;
    std::string path;
    const Shard *shard = nullptr;
    const StreamNumbers *numbers = nullptr;
    uint64_t rows_left = 0;     // before the late rows, then of them
    uint64_t late_left = 0;     // late rows still to come after rows_left
    std::optional<WholeCaptureRow> next;
};

std::optional<Failure> advance(RowSource &source)
{
    source.next.reset();
    if (source.rows_left == 0)
        return std::nullopt;
    --source.rows_left;
    std::string line;
    if (!std::getline(*source.in, line) || line.empty() || line.back() != '\r')
        return Failure{kShardError, source.path + ": fewer rows than its facts say, or a row cut short"};
    line.pop_back();
    source.next = packet_row_in_whole_capture(line, source.shard->frames, *source.numbers);
    if (!source.next)
        return Failure{kShardError, source.path + ": a row that names a frame or stream the shard has not"};
    return std::nullopt;
}

// The rows one run writes as frames come, in frame order, then those of late
// runs, in frame order: each shard's file has its own rows in that order.
std::optional<Failure> merge_packet_rows(const Options &options, const std::vector<Shard> &shards,
                                         const std::vector<StreamNumbers> &numbers)
{
    std::vector<RowSource> sources(shards.size());
    std::string header;
    for (size_t k = 0; k < shards.size(); ++k) {
        RowSource &source = sources[k];
        source.path = shards[k].prefix + ".packets";
        source.shard = &shards[k];
        source.numbers = &numbers[k];
        source.in = std::make_unique<std::ifstream>(source.path, std::ios::binary);
        std::string shard_header;
        if (!*source.in || !std::getline(*source.in, shard_header))
            return Failure{kShardError, source.path + ": missing or empty"};
        if (k > 0 && shard_header != header)
            return Failure{kShardError, source.path + ": not the header of the other shards' per-packet CSVs"};
        header = shard_header;
        source.late_left = shards[k].facts.late_packet_rows;
        source.rows_left = shards[k].facts.packet_rows - source.late_left;
        if (std::optional<Failure> failure = advance(source))
            return failure;
    }
    Output out(*options.packets);
    if (!out.open())
        return Failure{kWriteError, "cannot write " + out.path() + ": " + std::strerror(errno)};
    std::string text = header + '\n';
    for (bool late : {false, true}) {
        if (late) {
            for (RowSource &source : sources) {
                source.rows_left = source.late_left;
                if (std::optional<Failure> failure = advance(source))
                    return failure;
            }
        }
        for (;;) {
            RowSource *first = nullptr;
            for (RowSource &source : sources) {
                if (source.next && (!first || source.next->frame < first->next->frame))
                    first = &source;
            }
            if (!first)
                break;
            text += first->next->text;
            text += "\r\n";
            if (text.size() >= kFlushBytes && !out.write(text))
                return Failure{kWriteError, "cannot write " + out.path() + ": " + std::strerror(errno)};
            if (std::optional<Failure> failure = advance(*first))
                return failure;
        }
    }
    for (RowSource &source : sources) {
        std::string line;
        if (std::getline(*source.in, line))
            return Failure{kShardError, source.path + ": more rows than its facts say"};
    }
    if (!(out.write(text) && out.close()))
        return Failure{kWriteError, "cannot write " + out.path() + ": " + std::strerror(errno)};
    return std::nullopt;
}

std::optional<Failure> merge(const Options &options)
{
    std::vector<Shard> shards(options.shards);
    for (size_t k = 0; k < shards.size(); ++k) {
        if (std::optional<Failure> failure = read_shard(options.folder + "/shard-" + std::to_string(k), shards[k]))
            return failure;
    }
    std::vector<ShardFacts> facts;
    std::vector<std::vector<uint32_t>> frame_lists;
    for (const Shard &shard : shards) {
        facts.push_back(shard.facts);
        frame_lists.push_back(shard.frames);
    }
    std::string error;
    const std::optional<std::vector<StreamNumbers>> numbers = number_streams(facts, frame_lists, &error);
    if (!numbers)
        return Failure{kShardError, error};
    const TotalsRow totals = whole_totals(shards);
    if (options.csv || options.html || options.table) {
        if (std::optional<Failure> failure = merge_sessions(options, shards, *numbers, totals))
            return failure;
    }
    if (options.packets)
        return merge_packet_rows(options, shards, *numbers);
    return std::nullopt;
}

}  // namespace

int main(int argc, char **argv)
{
    Options options;
    if (argc < 3) {
        std::cerr << kUsage;
        return kUsageError;
    }
    options.folder = argv[1];
    const std::string count = argv[2];
    if (count.empty() || count.size() > 2 || count.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(count) == 0) {
        std::cerr << kUsage;
        return kUsageError;
    }
    options.shards = std::stoul(count);
    for (int i = 3; i < argc; i += 2) {
        const std::string option = argv[i];
        if (i + 1 == argc) {
            std::cerr << kUsage;
            return kUsageError;
        }
        const std::string value = argv[i + 1];
        if (option == "--csv") {
            options.csv = value;
        } else if (option == "--packets") {
            options.packets = value;
        } else if (option == "--html") {
            options.html = value;
        } else if (option == "--table") {
            options.table = value;
        } else if (option == "--title") {
            options.report.title = value;
        } else if (option == "--filter") {
            options.report.filter = value;
        } else if (option == "--scope") {
            const std::optional<ByteScope> scope = byte_scope_from_word(value);
            if (!scope) {
                std::cerr << kUsage;
                return kUsageError;
            }
            options.report.scope = *scope;
        } else {
            std::cerr << kUsage;
            return kUsageError;
        }
    }
    if (const std::optional<Failure> failure = merge(options)) {
        std::cerr << "tlsdist: " << failure->message << '\n';
        return failure->status;
    }
    return 0;
}
