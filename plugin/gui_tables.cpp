#include "gui_tables.h"

#include "compat.h"

#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "frame_tracker.h"
#include "report.h"
#include "session_table.h"

namespace tlsdist {

namespace {

// Wireshark keeps the rows; these are the figures behind them, one model per
// table (a table is shared by every dialog showing that statistic).
struct SessionsModel {
    SessionTable sessions{capture_tracker(), dialog_byte_scope()};
    std::unordered_map<uint64_t, guint> row_of_session;  // by 2 * stream + (UDP ? 1 : 0)
};
struct BytesModel {
    SessionTable sessions{capture_tracker(), dialog_byte_scope()};  // decides client and server, hence TX and RX
    ByteHistogram frame;
    ByteHistogram tx;
    ByteHistogram rx;
};

template <typename Model>
std::unordered_map<const stat_tap_table *, std::unique_ptr<Model>> models;

// Wireshark fits each column to its title before it shows the sort arrow on
// the first column: a first column whose values are wider than its title
// (Start, Hex) keeps the title whole where "Stream" showed as "tream".
enum SessionColumn : guint {
    kStart, kStream, kDuration, kClient, kServer, kVersion, kTxBytes, kRxBytes, kTxCounted,
    kRxCounted, kTxEntropy, kRxEntropy, kServerName, kAlpnOffered, kAlpnSelected, kCipherSuite, kResumption, kHandshakeCompleted,
    kSessionColumns
};

stat_tap_table_item session_fields[] = {
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Start", "%s"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "Stream", "%u"},
    {TABLE_ITEM_FLOAT, TAP_ALIGN_RIGHT, "Duration (s)", "%.3f"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Client", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Server", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "TLS Version", "%s"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "TX Bytes", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "RX Bytes", "%u"},
    // Bytes the distribution counts (the preference tlsdist.byte_scope).
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "TX Counted", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "RX Counted", "%u"},
    // Text, so that a direction without bytes shows "-" as in the text table.
    {TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "TX Entropy", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "RX Entropy", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Server Name", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "ALPN Offered", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "ALPN Selected", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Cipher Suite", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Resumption", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Handshake Completed", "%s"},
};

enum ByteColumn : guint { kHex, kValue, kTx, kRx, kTotal, kShare, kByteColumns };

stat_tap_table_item byte_fields[] = {
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Hex", "%s"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "Value", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "TX Count", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "RX Count", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "Total", "%u"},
    {TABLE_ITEM_FLOAT, TAP_ALIGN_RIGHT, "Share (%)", "%.4f"},
};

constexpr const char *kSessionsTable = "TLS Sessions";
constexpr const char *kBytesTable = "TLS Byte Distribution";

void set_string(stat_tap_table *table, guint row, guint column, const std::string &text)
{
    stat_tap_table_item_type *item = stat_tap_get_field_data(table, row, column);
    if (item->value.string_value && text == item->value.string_value)
        return;
    g_free(const_cast<char *>(item->value.string_value));
    item->value.string_value = g_strdup(text.c_str());
}

void set_float(stat_tap_table *table, guint row, guint column, double value)
{
    stat_tap_get_field_data(table, row, column)->value.float_value = value;
}

// Wireshark's table cells hold 32-bit unsigned integers; a count past that
// becomes a double, exact to 2^53, rather than wrapping.
void set_count(stat_tap_table *table, guint row, guint column, uint64_t value)
{
    stat_tap_table_item_type *item = stat_tap_get_field_data(table, row, column);
    if (value <= G_MAXUINT32) {
        item->type = TABLE_ITEM_UINT;
        item->value.uint_value = static_cast<guint>(value);
    } else {
        item->type = TABLE_ITEM_FLOAT;
        item->value.float_value = static_cast<double>(value);
    }
}

void free_item(stat_tap_table *, guint, guint, stat_tap_table_item_type *item)
{
    if (item->type == TABLE_ITEM_STRING) {
        g_free(const_cast<char *>(item->value.string_value));
        item->value.string_value = nullptr;
    }
}

stat_tap_table *find_or_create(stat_tap_table_ui *ui, const char *name, size_t columns, bool *created)
{
    stat_tap_table *table = stat_tap_find_table(ui, name);
    *created = table == nullptr;
    if (!table) {
        table = stat_tap_init_table(name, static_cast<int>(columns), 0, nullptr);
        stat_tap_add_table(ui, table);
    } else if (ui->stat_tap_reset_table_cb) {
        ui->stat_tap_reset_table_cb(table);
    }
    return table;
}

// ---- sessions

void reset_sessions(stat_tap_table *table)
{
    for (guint row = 0; row < table->num_elements; ++row)
        for (guint column = 0; column < table->num_fields; ++column)
            free_item(table, row, column, stat_tap_get_field_data(table, row, column));
    // Rows are added as sessions appear: a reset starts from none.
    for (guint row = 0; row < table->num_elements; ++row)
        g_free(table->elements[row]);
    g_free(table->elements);
    table->elements = nullptr;
    table->num_elements = 0;
    auto &model = models<SessionsModel>[table];
    model = std::make_unique<SessionsModel>();
}

void init_sessions(stat_tap_table_ui *ui)
{
    bool created = false;
    stat_tap_table *table = find_or_create(ui, kSessionsTable, kSessionColumns, &created);
    if (created)
        models<SessionsModel>[table] = std::make_unique<SessionsModel>();
    enable_tracking();
}

// Counts one frame; true when the table's rows changed.
bool add_frame(SessionsModel &model, stat_tap_table *table, const FrameEvent &frame)
{
    model.sessions.add(frame);
    if (!frame.is_tcp)
        return false;
    const std::optional<SessionSummary> session = model.sessions.session(frame.stream, frame.transport);
    if (!session)
        return false;

    const uint64_t key = uint64_t{frame.stream} * 2 + (frame.transport == Transport::Udp ? 1 : 0);
    auto found = model.row_of_session.find(key);
    guint row;
    if (found == model.row_of_session.end()) {
        row = table->num_elements;
        stat_tap_table_item_type items[kSessionColumns] = {};
        for (guint column = 0; column < kSessionColumns; ++column)
            items[column].type = session_fields[column].type;
        items[kStream].value.uint_value = session->stream;
        items[kStart].value.string_value = g_strdup(local_time_text(session->start).c_str());
        items[kClient].value.string_value = g_strdup(endpoint_text(session->client).c_str());
        items[kServer].value.string_value = g_strdup(endpoint_text(session->server).c_str());
        stat_tap_init_table_row(table, row, kSessionColumns, items);
        model.row_of_session.emplace(key, row);
    } else {
        row = found->second;
    }
    // Client and server can swap when a ClientHello shows up after the SYN.
    set_string(table, row, kClient, endpoint_text(session->client));
    set_string(table, row, kServer, endpoint_text(session->server));
    set_string(table, row, kVersion, printable_text(session->version));
    set_float(table, row, kDuration, session->duration);
    set_count(table, row, kTxBytes, session->tx.tls_bytes);
    set_count(table, row, kRxBytes, session->rx.tls_bytes);
    set_count(table, row, kTxCounted, session->tx_histogram->total());
    set_count(table, row, kRxCounted, session->rx_histogram->total());
    set_string(table, row, kTxEntropy, direction_entropy_text(*session, true));
    set_string(table, row, kRxEntropy, direction_entropy_text(*session, false));
    // "-" where the hellos did not show it, as the text table does.
    const auto shown = [](const std::string &text) { return text.empty() ? std::string("-") : printable_text(text); };
    static const SessionMetadata kNone;
    const SessionMetadata &metadata = session->metadata ? *session->metadata : kNone;
    set_string(table, row, kServerName, shown(metadata.server_name));
    set_string(table, row, kAlpnOffered, shown(metadata.alpn_offered));
    set_string(table, row, kAlpnSelected, shown(metadata.alpn_selected));
    set_string(table, row, kCipherSuite, shown(metadata.cipher_suite));
    set_string(table, row, kResumption, shown(resumption_text(metadata.resumption)));
    set_string(table, row, kHandshakeCompleted, shown(session->handshake_completed));
    return true;
}

// ---- byte distribution

void fill_byte_rows(stat_tap_table *table, const BytesModel &model)
{
    const uint64_t total = model.tx.total() + model.rx.total();
    for (guint value = 0; value < 256; ++value) {
        const uint64_t both = model.tx[value] + model.rx[value];
        set_count(table, value, kTx, model.tx[value]);
        set_count(table, value, kRx, model.rx[value]);
        set_count(table, value, kTotal, both);
        set_float(table, value, kShare,
                  total > 0 ? 100.0 * static_cast<double>(both) / static_cast<double>(total) : 0.0);
    }
}

void reset_bytes(stat_tap_table *table)
{
    auto &model = models<BytesModel>[table];
    model = std::make_unique<BytesModel>();
    fill_byte_rows(table, *model);
}

void init_bytes(stat_tap_table_ui *ui)
{
    bool created = false;
    stat_tap_table *table = find_or_create(ui, kBytesTable, kByteColumns, &created);
    if (created) {
        models<BytesModel>[table] = std::make_unique<BytesModel>();
        for (guint value = 0; value < 256; ++value) {
            stat_tap_table_item_type items[kByteColumns] = {};
            for (guint column = 0; column < kByteColumns; ++column)
                items[column].type = byte_fields[column].type;
            items[kValue].value.uint_value = value;
            char hex[8];
            g_snprintf(hex, sizeof hex, "0x%02x", value);
            items[kHex].value.string_value = g_strdup(hex);
            stat_tap_init_table_row(table, value, kByteColumns, items);
        }
    }
    enable_tracking();
}

bool add_frame(BytesModel &model, stat_tap_table *table, const FrameEvent &frame)
{
    model.sessions.add(frame, &model.frame);
    if (model.frame.total() == 0)
        return false;
    (model.sessions.sender_is_client(frame.stream, frame.sender, frame.transport) ? model.tx : model.rx)
        .merge(model.frame);
    fill_byte_rows(table, model);
    return true;
}

// ---- both dialogs

// The tap listener of either dialog: each dialog's statistic has one table.
template <typename Model>
tap_packet_status table_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt, const void *data, tap_flags_t)
{
    const auto *stat = static_cast<const stat_data_t *>(tapdata);
    stat_tap_table *table = g_array_index(stat->stat_tap_data->tables, stat_tap_table *, 0);
    return add_frame(*models<Model>.at(table), table, frame_event(data, pinfo, edt))
               ? TAP_PACKET_REDRAW
               : TAP_PACKET_DONT_REDRAW;
}

stat_tap_table_ui sessions_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED, "TLS Sessions (tlsdist)", kTapName, "tlsdist,sessions",
    init_sessions, table_packet<SessionsModel>, reset_sessions, free_item, nullptr,
    sizeof session_fields / sizeof session_fields[0], session_fields, 0, nullptr, nullptr, 0,
};

stat_tap_table_ui bytes_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED, "TLS Byte Distribution (tlsdist)", kTapName, "tlsdist,bytes",
    init_bytes, table_packet<BytesModel>, reset_bytes, free_item, nullptr,
    sizeof byte_fields / sizeof byte_fields[0], byte_fields, 0, nullptr, nullptr, 0,
};

}  // namespace

void register_gui_tables()
{
    register_stat_tap_table_ui(&sessions_ui);
    register_stat_tap_table_ui(&bytes_ui);
}

}  // namespace tlsdist
