#include "record_framer.h"

namespace tlsdist {

const char *content_kind_name(ContentKind kind)
{
    static const char *const names[kContentKinds] = {
        "handshake", "change_cipher_spec", "alert", "application_data", "heartbeat", "unframed",
    };
    return kind < kContentKinds ? names[kind] : "unframed";
}

// Packed: bits 0-2 phase, bit 3 past the first record, bits 8-15 content
// type, bits 16-31 length or bytes left.
RecordFramer::RecordFramer(State state)
    : phase_(static_cast<uint8_t>(state & 7)),
      past_first_record_((state & 8) != 0),
      type_(static_cast<uint8_t>(state >> 8)),
      value_(static_cast<uint16_t>(state >> 16))
{
}

RecordFramer::State RecordFramer::state() const
{
    return State{phase_} | (past_first_record_ ? 8u : 0u) | (State{type_} << 8) | (State{value_} << 16);
}

ContentKind RecordFramer::kind() const
{
    return content_kind_of(type_);
}

bool RecordFramer::take_header_byte(uint8_t byte)
{
    switch (phase_) {
    case 0:
        if (!past_first_record_ && (byte & kSslv2HeaderBit)) {
            type_ = byte_of(ContentType::Handshake);
            value_ = byte & kSslv2LengthHighMask;
            phase_ = kSslv2Header;
            return true;
        }
        if (!is_content_type(byte))
            break;
        type_ = byte;
        value_ = 0;
        phase_ = 1;
        return true;
    case 1:  // major version
        if (byte != kTlsMajorVersion)
            break;
        phase_ = 2;
        return true;
    case 2:  // minor version
        phase_ = 3;
        return true;
    case 3:
        value_ = static_cast<uint16_t>(byte << 8);
        phase_ = 4;
        return true;
    case 4:
    case kSslv2Header:
        value_ = static_cast<uint16_t>(value_ << (phase_ == kSslv2Header ? 8 : 0) | byte);
        phase_ = kBody;
        return true;
    default:
        break;
    }
    phase_ = kLost;
    return false;
}

}  // namespace tlsdist
