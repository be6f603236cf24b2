#include "handshake_facts.h"

#include "tls_version.h"

namespace tlsdist {

void HandshakeFacts::observe(uint8_t sender, uint8_t flags, uint16_t hello_version)
{
    sender &= 1;
    if (flags & kTlsRecord)
        record_seen_ = true;
    if (flags & kSynWithoutAck && syn_sender_ < 0)
        syn_sender_ = static_cast<int8_t>(sender);
    if (flags & kClientHello) {
        if (client_hello_sender_ < 0)
            client_hello_sender_ = static_cast<int8_t>(sender);
        if (version_rank(hello_version) > version_rank(offered_version_))
            offered_version_ = hello_version;
    }
    if (flags & kServerHello && selected_version_ == 0)
        selected_version_ = hello_version;
}

uint8_t HandshakeFacts::client() const
{
    if (client_hello_sender_ >= 0)
        return static_cast<uint8_t>(client_hello_sender_);
    if (syn_sender_ >= 0)
        return static_cast<uint8_t>(syn_sender_);
    return 0;
}

std::string HandshakeFacts::version() const
{
    if (selected_version_ != 0)
        return version_name(selected_version_);
    if (offered_version_ != 0)
        return version_name(offered_version_) + " (offered)";
    return "unknown";
}

}  // namespace tlsdist
