// The ClientHello and ServerHello messages one side of a DTLS conversation
// sent, put together from the handshake fragments of its epoch-0 records
// (RFC 6347 4.2.3, RFC 9147 5.5), with no dissector fields: a message, known
// by its message_seq, counts once, when its fragments first cover it,
// whatever their order and however often they were sent again (as
// tests/reference/tls_reference.py reads them).
//
//     reader.feed_record(fragment, length);  // each epoch-0 handshake record's fragment
//     for (const ParsedHello &hello : reader.take_hellos()) ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "hello_parser.h"

namespace tlsdist {

class DtlsHandshakeReader {
public:
    // Hello bytes held per side: a hello longer than what is left is not read.
    static constexpr uint32_t kReadLimit = 64 * 1024;
    // Messages followed per side (a handshake has a dozen at most): a side
    // that sends more is read no further.
    static constexpr size_t kMessageLimit = 64;
    // Shorter than this, a whole ClientHello is not one (version, random and
    // the length bytes of its session id, cookie and lists): not counted.
    static constexpr uint32_t kShortestClientHello = 38;

    // The fragment of one handshake record of epoch 0: handshake message
    // fragments, each with its 12-byte header (type, length, message_seq,
    // fragment_offset, fragment_length); a fragment cut by the record's end
    // gives the bytes it has.
    void feed_record(const uint8_t *fragment, size_t length);

    // The hellos parsed whole since the last call, in the order they completed.
    std::vector<ParsedHello> take_hellos();
    // ClientHello messages completed (parsed or not).
    uint32_t client_hellos() const { return client_hellos_; }
    // Past a limit: nothing more will be read.
    bool finished() const { return finished_; }

private:
    struct Message {
        uint16_t seq = 0;
        uint8_t type = 0;
        uint32_t length = 0;
        bool complete = false;
        bool read = false;  // a hello within the limit: its bytes are collected
        std::vector<uint8_t> body;  // while it is incomplete
        std::vector<std::pair<uint32_t, uint32_t>> covered;  // [begin, end) of body, sorted, apart
    };
    Message *message(uint16_t seq, uint8_t type, uint32_t length);
    void take_fragment(Message &message, uint32_t offset, const uint8_t *data, uint32_t length);
    void complete(Message &message);

    std::vector<Message> messages_;
    std::vector<ParsedHello> hellos_;
    uint32_t held_ = 0;
    uint32_t client_hellos_ = 0;
    bool finished_ = false;
};

}  // namespace tlsdist
