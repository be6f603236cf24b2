// What Wireshark looks for when it loads a plugin: the version it was built
// for and the registration routine.
#include "compat.h"

#include <epan/tap.h>
#if TLSDIST_WIRESHARK_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#endif

#include "cli_views.h"
#include "frame_tracker.h"
#include "gui_tables.h"
#include "report_menu.h"

#ifndef TLSDIST_VERSION
#error "TLSDIST_VERSION must be defined by the build"
#endif

// In C++ a namespace-scope const has internal linkage; declaring the symbols
// extern "C" first keeps them exported, or Wireshark silently skips the plugin.
extern "C" {
WS_DLL_PUBLIC const char plugin_version[];
WS_DLL_PUBLIC const int plugin_want_major;
WS_DLL_PUBLIC const int plugin_want_minor;
WS_DLL_PUBLIC void plugin_register(void);
#if TLSDIST_WIRESHARK_AT_LEAST(4, 4)
WS_DLL_PUBLIC uint32_t plugin_describe(void);
#endif
}

const char plugin_version[] = TLSDIST_VERSION;
const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

#if TLSDIST_WIRESHARK_AT_LEAST(4, 4)
// From 4.4 on, tshark -G plugins and the About dialog show a plugin's kind
// only as the plugin describes it ("unknown" otherwise).
uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

void plugin_register(void)
{
    static proto_plugin plugin;
    plugin.register_protoinfo = tlsdist::register_protocol;
    plugin.register_handoff = tlsdist::register_handoff;
    proto_register_plugin(&plugin);

    static tap_plugin views;
    views.register_tap_listener = [] {
        tlsdist::register_cli_views();
        tlsdist::register_gui_tables();
        tlsdist::register_report_menu();
    };
    tap_register_plugin(&views);
}
