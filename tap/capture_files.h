// The files a capture was read from, when the tlsdist command reads several
// files as one capture (mergecap -a into one tshark) or one file of a
// dataset: which file holds a given frame. The command counts each file's
// frames (capinfos -c) and hands the list to the views as the value of the
// captures= key, one file a line:
//   FRAMES NAME
// in the order the files were read, so frame numbers 1..FRAMES of the first
// line belong to its file, the next FRAMES of the second line to the next...
// For a file set the command starts tshark at once and names a file that
// holds the list instead (captures-from=): it writes the list there before
// the capture's first byte reaches tshark, and the views read it when they
// first need it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsdist {

class CaptureFiles {
public:
    // The list, or nothing (and why in *error) for a malformed one.
    static std::optional<CaptureFiles> parse(std::string_view text, std::string *error);
    // The list in the file at path, or nothing (and why in *error).
    static std::optional<CaptureFiles> read(const std::string &path, std::string *error);

    // The name of the file holding frame_number (1-based); the last file's
    // for a frame past the counted ones (a file that grew while being read).
    const std::string &name_of(uint32_t frame_number) const;

    // The first file's name after its folder, and "and N more file(s)" when
    // there are more: the HTML report's title for these files.
    std::string title() const;

private:
    std::vector<std::string> names_;
    std::vector<uint64_t> last_frames_;  // the last frame number of each file
};

}  // namespace tlsdist
