#include "capture_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tlsdist {

std::optional<CaptureFiles> CaptureFiles::parse(std::string_view text, std::string *error)
{
    CaptureFiles files;
    uint64_t frames_so_far = 0;
    while (!text.empty()) {
        const size_t end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        const size_t space = line.find(' ');
        const std::string_view count = line.substr(0, space);
        if (space == std::string_view::npos || space + 1 == line.size() || count.empty() ||
            count.size() > 12 || !std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            *error = "a line of captures= is not \"FRAMES NAME\": \"" + std::string(line) + "\"";
            return std::nullopt;
        }
        frames_so_far += std::stoull(std::string(count));
        files.names_.emplace_back(line.substr(space + 1));
        files.last_frames_.push_back(frames_so_far);
    }
    if (files.names_.empty()) {
        *error = "captures= names no file";
        return std::nullopt;
    }
    return files;
}

std::optional<CaptureFiles> CaptureFiles::read(const std::string &path, std::string *error)
{
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        *error = "cannot read the list of captures in " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad()) {
        *error = "cannot read the list of captures in " + path;
        return std::nullopt;
    }
    std::string why;
    std::optional<CaptureFiles> files = parse(text.str(), &why);
    if (!files)
        *error = "the list of captures in " + path + " is not valid: " + why;
    return files;
}

std::string CaptureFiles::title() const
{
    const std::string &first = names_.front();
    const size_t slash = first.rfind('/');
    std::string text = slash == std::string::npos ? first : first.substr(slash + 1);
    if (names_.size() > 1)
        text += " and " + std::to_string(names_.size() - 1) + " more file(s)";
    return text;
}

const std::string &CaptureFiles::name_of(uint32_t frame_number) const
{
    const auto found = std::lower_bound(last_frames_.begin(), last_frames_.end(), uint64_t{frame_number});
    if (found == last_frames_.end())
        return names_.back();
    return names_[static_cast<size_t>(found - last_frames_.begin())];
}

}  // namespace tlsdist
