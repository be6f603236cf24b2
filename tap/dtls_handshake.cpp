#include "dtls_handshake.h"

#include <algorithm>
#include <cstring>

#include "tls_protocol.h"

namespace tlsdist {

namespace {

constexpr size_t kMessageHeaderLength = 12;  // type, length, message_seq, fragment_offset, fragment_length

uint32_t be24(const uint8_t *at)
{
    return uint32_t{at[0]} << 16 | uint32_t{at[1]} << 8 | at[2];
}

bool is_hello(uint8_t type)
{
    return type == byte_of(HandshakeType::ClientHello) || type == byte_of(HandshakeType::ServerHello);
}

}  // namespace

void DtlsHandshakeReader::feed_record(const uint8_t *fragment, size_t length)
{
    while (!finished_ && length >= kMessageHeaderLength) {
        const uint8_t type = fragment[0];
        const uint32_t message_length = be24(fragment + 1);
        const auto seq = static_cast<uint16_t>(fragment[4] << 8 | fragment[5]);
        const uint32_t offset = be24(fragment + 6);
        const uint32_t declared = be24(fragment + 9);
        const size_t available = std::min<size_t>(declared, length - kMessageHeaderLength);
        if (Message *found = message(seq, type, message_length))
            take_fragment(*found, offset, fragment + kMessageHeaderLength, static_cast<uint32_t>(available));
        fragment += kMessageHeaderLength + available;
        length -= kMessageHeaderLength + available;
    }
}

// The message with this message_seq: as its first fragment described it
// (a later fragment's type and length do not change it), or none once the
// side is past its limits.
DtlsHandshakeReader::Message *DtlsHandshakeReader::message(uint16_t seq, uint8_t type, uint32_t length)
{
    for (Message &known : messages_) {
        if (known.seq == seq)
            return &known;
    }
    if (messages_.size() == kMessageLimit) {
        finished_ = true;
        return nullptr;
    }
    Message &added = messages_.emplace_back();
    added.seq = seq;
    added.type = type;
    added.length = length;
    added.read = is_hello(type) && length <= kReadLimit - held_;
    if (added.read) {
        held_ += length;
        added.body.resize(length);
    }
    if (length == 0)
        complete(added);
    return &added;
}

void DtlsHandshakeReader::take_fragment(Message &message, uint32_t offset, const uint8_t *data, uint32_t length)
{
    if (message.complete || !message.read || offset >= message.length)
        return;
    const uint32_t end = offset + std::min(length, message.length - offset);
    if (end == offset)
        return;
    std::memcpy(message.body.data() + offset, data, end - offset);
    // Merge [offset, end) into the covered ranges.
    auto &covered = message.covered;
    auto first = std::lower_bound(covered.begin(), covered.end(), offset,
                                  [](const std::pair<uint32_t, uint32_t> &range, uint32_t at) { return range.second < at; });
    uint32_t begin = offset, stop = end;
    auto last = first;
    while (last != covered.end() && last->first <= stop) {
        begin = std::min(begin, last->first);
        stop = std::max(stop, last->second);
        ++last;
    }
    first = covered.erase(first, last);
    covered.insert(first, {begin, stop});
    if (covered.size() == 1 && covered.front().first == 0 && covered.front().second == message.length)
        complete(message);
}

void DtlsHandshakeReader::complete(Message &message)
{
    message.complete = true;
    if (message.read) {
        if (message.type == byte_of(HandshakeType::ClientHello) && message.length >= kShortestClientHello)
            ++client_hellos_;
        if (message.length >= kShortestClientHello) {
            if (std::optional<ParsedHello> hello =
                    parse_hello(message.type, message.body.data(), message.body.size(), HelloFormat::Dtls))
                hellos_.push_back(std::move(*hello));
        }
    }
    std::vector<uint8_t>().swap(message.body);
    std::vector<std::pair<uint32_t, uint32_t>>().swap(message.covered);
}

std::vector<ParsedHello> DtlsHandshakeReader::take_hellos()
{
    std::vector<ParsedHello> taken;
    taken.swap(hellos_);
    return taken;
}

}  // namespace tlsdist
