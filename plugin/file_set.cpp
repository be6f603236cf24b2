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
#include "capture_scan.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
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

bool write_all(const char *buffer, size_t length)
{
    while (length > 0) {
        const ssize_t written = write(STDOUT_FILENO, buffer, length);
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
        if (got < 0 || !write_all(buffer, static_cast<size_t>(got)))
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
    std::fputs("usage: tlsdist-file-set facts [--by-name | --by-time] FILE... | cat FILE...\n", stderr);
    return 2;
}
