// Wireshark statistics tables (Statistics menu, and tshark -z): the sessions
// and the byte-value distribution of the sessions that pass the dialog's
// display filter.
#pragma once

namespace tlsdist {

void register_gui_tables();

}  // namespace tlsdist
