// Wireshark's Tools → tlsdist → "TLS Byte Distribution Report": the HTML
// report of the capture on screen, written in the background by tshark and
// opened in the desktop's web browser.
#pragma once

namespace tlsdist {

// Adds the menu entry; GUIs show it, tshark ignores it.
void register_report_menu();

}  // namespace tlsdist
