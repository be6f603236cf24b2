// tshark's -z views: the session table, the session CSV and the per-packet CSV.
#pragma once

namespace tlsdist {

void register_cli_views();

}  // namespace tlsdist
