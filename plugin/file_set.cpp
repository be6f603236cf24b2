// tlsdist-file-set: the tlsdist command's help with a file set read as one
// capture (issue 18), in place of two slower general tools.
//
//   tlsdist-file-set facts [--by-name | --by-time] FILE...
//     a line per file, NAME<tab>TYPE<tab>FRAMES<tab>EARLIEST, as
//     `capinfos -T -r -t -c -a -S -M` writes them, from the record headers
//     alone (tap/capture_scan.h): in the order given, or in file-set order
//     (sort_file_set), which spares the command a sort. Exit status 3, and
//     nothing written, when any file is one the scan does not vouch for: the
//     command then asks capinfos, which also names what is wrong with a
//     damaged file.
//   tlsdist-file-set cat FILE...
//     the files one after the other on standard output, as cat(1) does, but
//     moved into the pipe to tshark by the kernel (splice) through a larger
//     pipe, which spares tshark most of the cost of reading a pipe instead
//     of a file.
//   tlsdist-file-set shard N DIR FILE
//     FILE split by flow into N (1 to 64) captures for tshark to read side
//     by side (tlsdist --shards; tap/capture_shard.h): DIR/shard-K.cap for K
//     from 0 to N-1, in FILE's format, and DIR/shard-K.frames, the number
//     FILE gives each of that shard's frames, a line each. Exit status 3 when
//     FILE is one the scan does not vouch for, 1 with a message when FILE
//     cannot be read or DIR written; either way nothing is left in DIR.
#include "capture_scan.h"
#include "capture_shard.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr int kNotVouchedFor = 3;

// A file read through a window that moves forward with the scan.
class FileWindow : public tlsdist::ByteSource {
public:
    FileWindow(int fd, uint64_t size) : fd_(fd), size_(size), buffer_(1 << 16) {}
    uint64_t size() const override { return size_; }
    const uint8_t *bytes(uint64_t offset, size_t count) override
    {
        if (offset >= start_ && offset - start_ <= filled_ && count <= filled_ - (offset - start_))
            return buffer_.data() + (offset - start_);
        if (offset > size_ || count > size_ - offset)
            return nullptr;
        if (count > buffer_.size())
            buffer_.resize(count);
        start_ = offset;
        filled_ = 0;
        const size_t wanted = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), size_ - offset));
        while (filled_ < wanted) {
            const ssize_t got = pread(fd_, buffer_.data() + filled_, wanted - filled_,
                                      static_cast<off_t>(offset + filled_));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break;
            filled_ += static_cast<size_t>(got);
        }
        return count <= filled_ ? buffer_.data() : nullptr;
    }

private:
    int fd_;
    uint64_t size_;
    std::vector<uint8_t> buffer_;
    uint64_t start_ = 0;
    size_t filled_ = 0;
};

std::optional<tlsdist::CaptureFacts> facts_of(const char *name)
{
    const int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    struct stat status;
    std::optional<tlsdist::CaptureFacts> facts;
    if (fstat(fd, &status) == 0 && S_ISREG(status.st_mode)) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        FileWindow window(fd, static_cast<uint64_t>(status.st_size));
        facts = tlsdist::scan_capture(window);
    }
    close(fd);
    return facts;
}

int print_facts(int count, char **names, std::optional<tlsdist::FileSetOrder> order)
{
    std::vector<tlsdist::ScannedFile> files;
    files.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        const std::optional<tlsdist::CaptureFacts> facts = facts_of(names[i]);
        if (!facts)
            return kNotVouchedFor;
        files.push_back({names[i], *facts});
    }
    if (order)
        tlsdist::sort_file_set(files, *order);
    std::string lines;
    for (const tlsdist::ScannedFile &file : files) {
        lines += file.name;
        lines += '\t';
        lines += file.facts.type;
        lines += '\t' + std::to_string(file.facts.frames) + '\t' + tlsdist::earliest_time_text(file.facts) + '\n';
    }
    return std::fputs(lines.c_str(), stdout) >= 0 && std::fflush(stdout) == 0 ? 0 : 1;
}

bool write_all(int fd, const char *buffer, size_t length)
{
    while (length > 0) {
        const ssize_t written = write(fd, buffer, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        buffer += written;
        length -= static_cast<size_t>(written);
    }
    return true;
}

// One file to standard output: spliced where standard output is a pipe,
// else read and written.
bool copy_out(int fd, bool &splice_works)
{
    while (splice_works) {
        const ssize_t moved = splice(fd, nullptr, STDOUT_FILENO, nullptr, 1 << 20, SPLICE_F_MORE);
        if (moved == 0)
            return true;
        if (moved > 0 || errno == EINTR)
            continue;
        if (errno != EINVAL)
            return false;
        splice_works = false;  // standard output is not a pipe (nothing was moved)
    }
    static char buffer[1 << 17];
    for (;;) {
        const ssize_t got = read(fd, buffer, sizeof buffer);
        if (got == 0)
            return true;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 || !write_all(STDOUT_FILENO, buffer, static_cast<size_t>(got)))
            return false;
    }
}

int concatenate(int count, char **names)
{
    // A larger pipe means fewer, larger reads for tshark; where the system
    // refuses (a user over its pipe quota), the default size does.
    fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
    bool splice_works = true;
    for (int i = 0; i < count; ++i) {
        const int fd = open(names[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::fprintf(stderr, "tlsdist-file-set: %s: %s\n", names[i], std::strerror(errno));
            return 1;
        }
        const bool copied = copy_out(fd, splice_works);
        const int error = errno;
        close(fd);
        if (!copied) {
            std::fprintf(stderr, "tlsdist-file-set: %s: %s\n", names[i], std::strerror(error));
            return 1;
        }
    }
    return 0;
}

// A file written through a buffer, which keeps the error of the write or
// close that failed.
class BufferedFile {
public:
    BufferedFile() = default;
    BufferedFile(const BufferedFile &) = delete;
    BufferedFile &operator=(const BufferedFile &) = delete;
    ~BufferedFile()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }

    bool create(std::string name, size_t buffer_size)
    {
        name_ = std::move(name);
        fd_ = open(name_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        created_ = fd_ >= 0;
        buffer_.reserve(buffer_size);
        return kept(created_);
    }
    bool write(const char *bytes, size_t length)
    {
        if (length > buffer_.capacity() - buffer_.size() && !flush())
            return false;
        if (length >= buffer_.capacity())
            return kept(write_all(fd_, bytes, length));
        buffer_.insert(buffer_.end(), bytes, bytes + length);
        return true;
    }
    bool close()
    {
        const bool flushed = flush();
        const bool closed = kept(::close(fd_) == 0);
        fd_ = -1;
        return flushed && closed;
    }
    void remove() const
    {
        if (created_)
            unlink(name_.c_str());
    }

    const std::string &name() const { return name_; }
    int error() const { return error_; }

private:
    bool flush()
    {
        const bool flushed = kept(write_all(fd_, buffer_.data(), buffer_.size()));
        buffer_.clear();
        return flushed;
    }
    bool kept(bool ok)
    {
        if (!ok && error_ == 0)
            error_ = errno;
        return ok;
    }

    std::string name_;
    int fd_ = -1;
    bool created_ = false;
    std::vector<char> buffer_;
    int error_ = 0;
};

// DIR/shard-K.cap and DIR/shard-K.frames.
class ShardFiles : public tlsdist::ShardWriter {
public:
    explicit ShardFiles(size_t count) : captures_(count), frames_(count) {}

    bool create(const std::string &folder)
    {
        for (size_t k = 0; k < captures_.size(); ++k) {
            const std::string stem = folder + "/shard-" + std::to_string(k);
            if (!record(captures_[k], captures_[k].create(stem + ".cap", kCaptureBuffer)) ||
                !record(frames_[k], frames_[k].create(stem + ".frames", kFramesBuffer)))
                return false;
        }
        return true;
    }
    bool to_every_shard(const uint8_t *bytes, size_t length) override
    {
        for (BufferedFile &capture : captures_)
            if (!record(capture, capture.write(reinterpret_cast<const char *>(bytes), length)))
                return false;
        return true;
    }
    bool to_shard(size_t shard, uint64_t frame, const uint8_t *bytes, size_t length) override
    {
        char line[24];
        char *end = std::to_chars(line, line + sizeof line - 1, frame).ptr;
        *end++ = '\n';
        return record(captures_[shard], captures_[shard].write(reinterpret_cast<const char *>(bytes), length)) &&
               record(frames_[shard], frames_[shard].write(line, static_cast<size_t>(end - line)));
    }
    bool close()
    {
        for (size_t k = 0; k < captures_.size(); ++k)
            if (!record(captures_[k], captures_[k].close()) || !record(frames_[k], frames_[k].close()))
                return false;
        return true;
    }
    void remove() const
    {
        for (size_t k = 0; k < captures_.size(); ++k) {
            captures_[k].remove();
            frames_[k].remove();
        }
    }
    // The first file that failed (after a call returned false).
    const BufferedFile &failed() const { return *failed_; }

private:
    static constexpr size_t kCaptureBuffer = 1 << 20, kFramesBuffer = 1 << 16;

    bool record(const BufferedFile &file, bool ok)
    {
        if (!ok && !failed_)
            failed_ = &file;
        return ok;
    }

    std::vector<BufferedFile> captures_, frames_;
    const BufferedFile *failed_ = nullptr;
};

int fail(const std::string &name, int error)
{
    std::fprintf(stderr, "tlsdist-file-set: %s: %s\n", name.c_str(), std::strerror(error));
    return 1;
}

int shard(const char *count_text, const char *folder, const char *name)
{
    constexpr size_t kMostShards = 64;
    size_t count = 0;
    const char *count_end = count_text + std::strlen(count_text);
    const std::from_chars_result parsed = std::from_chars(count_text, count_end, count);
    if (parsed.ec != std::errc() || parsed.ptr != count_end || count < 1 || count > kMostShards) {
        std::fprintf(stderr, "tlsdist-file-set: shard count %s is not from 1 to %zu\n", count_text, kMostShards);
        return 1;
    }
    struct stat status;
    if (stat(folder, &status) != 0)
        return fail(folder, errno);
    if (!S_ISDIR(status.st_mode))
        return fail(folder, ENOTDIR);
    const int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(name, errno);
    if (fstat(fd, &status) != 0) {
        const int error = errno;
        close(fd);
        return fail(name, error);
    }
    if (!S_ISREG(status.st_mode)) {
        close(fd);
        return kNotVouchedFor;  // (a window reads only a file of known size)
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    ShardFiles shards(count);
    std::optional<tlsdist::ShardOutcome> outcome;
    if (shards.create(folder)) {
        FileWindow window(fd, static_cast<uint64_t>(status.st_size));
        outcome = tlsdist::shard_capture(window, count, shards);
    }
    close(fd);
    if (outcome == tlsdist::ShardOutcome::Done && shards.close())
        return 0;
    shards.remove();
    if (outcome == tlsdist::ShardOutcome::NotVouchedFor)
        return kNotVouchedFor;
    return fail(shards.failed().name(), shards.failed().error());
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "facts") == 0) {
        std::optional<tlsdist::FileSetOrder> order;
        if (argc >= 3 && std::strcmp(argv[2], "--by-name") == 0)
            order = tlsdist::FileSetOrder::ByName;
        else if (argc >= 3 && std::strcmp(argv[2], "--by-time") == 0)
            order = tlsdist::FileSetOrder::ByTime;
        const int first = order ? 3 : 2;
        return print_facts(argc - first, argv + first, order);
    }
    if (argc >= 2 && std::strcmp(argv[1], "cat") == 0)
        return concatenate(argc - 2, argv + 2);
    const bool shard_asked = argc >= 2 && std::strcmp(argv[1], "shard") == 0;
    if (shard_asked && argc == 5)
        return shard(argv[2], argv[3], argv[4]);
    std::fputs("usage: tlsdist-file-set facts [--by-name | --by-time] FILE... | cat FILE... | shard N DIR FILE\n",
               stderr);
    return shard_asked ? 1 : 2;  // (shard fails with 1 whatever the cause; 3 is for a file it will not split)
}
