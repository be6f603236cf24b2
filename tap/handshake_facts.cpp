#include "handshake_facts.h"

#include "tls_version.h"

#include <algorithm>

namespace tlsdist {

void HandshakeFacts::observe(uint8_t sender, FrameFlags flags, uint16_t hello_version)
{
    sender &= 1;
    if (flags.has(FrameFlag::TlsDissected))
        tls_dissected_ = true;
    if (flags.has(FrameFlag::SynWithoutAck) && syn_sender_ < 0)
        syn_sender_ = static_cast<int8_t>(sender);
    if (flags.has(FrameFlag::SynWithAck) && syn_ack_sender_ < 0)
        syn_ack_sender_ = static_cast<int8_t>(sender);
    if (flags.has(FrameFlag::ServerHello) && server_hello_sender_ < 0)
        server_hello_sender_ = static_cast<int8_t>(sender);
    if (flags.has(FrameFlag::ClientHello)) {
        if (client_hello_sender_ < 0)
            client_hello_sender_ = static_cast<int8_t>(sender);
        if (version_rank(hello_version) > version_rank(offered_version_))
            offered_version_ = hello_version;
    }
    if (flags.has(FrameFlag::ServerHello) && selected_version_ == 0)
        selected_version_ = hello_version;
}

HandshakeFacts::HandshakeFacts(const HandshakeFacts &other)
    : client_hello_sender_(other.client_hello_sender_),
      server_hello_sender_(other.server_hello_sender_),
      syn_sender_(other.syn_sender_),
      syn_ack_sender_(other.syn_ack_sender_),
      higher_port_sender_(other.higher_port_sender_),
      selected_version_(other.selected_version_),
      offered_version_(other.offered_version_),
      tls_dissected_(other.tls_dissected_),
      tls_began_(other.tls_began_),
      client_details_seen_(other.client_details_seen_),
      server_details_seen_(other.server_details_seen_),
      server_details_are_retry_(other.server_details_are_retry_),
      progress_{other.progress_[0], other.progress_[1]},
      metadata_(other.metadata_ ? std::make_unique<SessionMetadata>(*other.metadata_) : nullptr)
{
}

HandshakeFacts &HandshakeFacts::operator=(const HandshakeFacts &other)
{
    if (this != &other)
        *this = HandshakeFacts(other);
    return *this;
}

void HandshakeFacts::observe_details(bool server_hello, const HelloDetails &details)
{
    bool &seen = server_hello ? server_details_seen_ : client_details_seen_;
    // Renegotiation or a retried ClientHello: the first hello counts. A
    // HelloRetryRequest selects only the version; the ServerHello after it
    // selects the rest (RFC 8446 4.1.4).
    if (seen && !(server_hello && server_details_are_retry_))
        return;
    seen = true;
    if (server_hello)
        server_details_are_retry_ = details.hello_retry_request;
    if (!metadata_)
        metadata_ = std::make_unique<SessionMetadata>();
    const auto keep = [](const std::string &id, std::array<uint8_t, kMaxSessionIdLength> &into, uint8_t &length) {
        length = static_cast<uint8_t>(std::min(id.size(), into.size()));
        std::copy_n(id.begin(), length, into.begin());
    };
    if (server_hello) {
        metadata_->alpn_selected = details.alpn;
        metadata_->cipher_suite = details.cipher_suite;
        metadata_->ja3s = details.fingerprint;
        keep(details.session_id, metadata_->server_session_id, metadata_->server_session_id_length);
        metadata_->server_pre_shared_key = details.pre_shared_key;
        metadata_->server_version = details.version;
    } else {
        metadata_->server_name = details.server_name;
        metadata_->alpn_offered = details.alpn;
        metadata_->ja3 = details.fingerprint;
        metadata_->ja4 = details.ja4;
        keep(details.session_id, metadata_->client_session_id, metadata_->client_session_id_length);
    }
    // The two sides' hellos may come in either order (each side's stream
    // joins at its own pace): decide once the ServerHello is known, again
    // when the ClientHello comes after it.
    if (server_details_seen_ && !server_details_are_retry_) {
        const SessionMetadata &m = *metadata_;
        const bool echoed = m.server_session_id_length > 0 &&
                            m.server_session_id_length == m.client_session_id_length &&
                            std::equal(m.server_session_id.begin(), m.server_session_id.begin() + m.server_session_id_length,
                                       m.client_session_id.begin());
        const bool resumed = is_tls13_family(m.server_version) ? m.server_pre_shared_key : echoed;
        metadata_->resumption = resumed ? Resumption::Resumed : Resumption::Full;
    }
}

void HandshakeFacts::count_client_hellos(uint32_t count)
{
    if (count == 0)
        return;
    if (!metadata_)
        metadata_ = std::make_unique<SessionMetadata>();
    metadata_->client_hellos += count;
}

void HandshakeFacts::observe_content(uint8_t sender, ContentKind kind)
{
    RecordProgress &progress = progress_[sender & 1];
    progress.unframed |= kind == kUnframedContent;
    if (kind == kChangeCipherSpecContent)
        progress.change_cipher_spec = true;
    else if (progress.change_cipher_spec && kind != kUnframedContent)
        progress.record_after_change_cipher_spec = true;
    if (kind == kApplicationDataContent)
        progress.application_data = true;
}

const char *HandshakeFacts::handshake_completed() const
{
    if (client_hello_sender_ < 0 && selected_version_ == 0)
        return "";
    if (selected_version_ == 0)
        return "no";
    const RecordProgress &client_side = progress_[client()];
    const RecordProgress &server_side = progress_[client() ^ 1];
    const bool done = is_tls13_family(selected_version_) ? client_side.application_data && server_side.application_data
                            : client_side.record_after_change_cipher_spec &&
                                  server_side.record_after_change_cipher_spec;
    if (done)
        return "yes";
    return client_side.unframed || server_side.unframed ? "" : "no";
}

const char *resumption_text(Resumption resumption)
{
    switch (resumption) {
    case Resumption::Resumed: return "resumed";
    case Resumption::Full: return "full";
    case Resumption::Unknown: break;
    }
    return "";
}

const SessionMetadata &HandshakeFacts::metadata() const
{
    static const SessionMetadata kNothingSeen;
    return metadata_ ? *metadata_ : kNothingSeen;
}

void HandshakeFacts::observe_ports(uint16_t sender_port, uint16_t receiver_port)
{
    if (sender_port != receiver_port)
        higher_port_sender_ = sender_port > receiver_port ? 0 : 1;
}

uint8_t HandshakeFacts::client() const
{
    if (syn_sender_ >= 0)
        return static_cast<uint8_t>(syn_sender_);
    if (syn_ack_sender_ >= 0)
        return static_cast<uint8_t>(syn_ack_sender_ ^ 1);
    if (client_hello_sender_ >= 0)
        return static_cast<uint8_t>(client_hello_sender_);
    if (server_hello_sender_ >= 0)
        return static_cast<uint8_t>(server_hello_sender_ ^ 1);
    if (higher_port_sender_ >= 0)
        return static_cast<uint8_t>(higher_port_sender_);
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
