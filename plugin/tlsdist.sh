#!/bin/sh
# tlsdist: the per-TLS-session traffic profile of a capture file or a live
# interface. It runs tshark with the tlsdist Wireshark plugin, so it works
# wherever the plugin is installed.
set -u

program=tlsdist
usage() {
    cat <<'USAGE'
Usage: tlsdist [OPTIONS] FILE
       tlsdist [OPTIONS] -i INTERFACE [-a SECONDS | -c PACKETS]

Prints the TLS sessions of a capture (pcap or pcapng): start, duration,
client and server, negotiated TLS version, TLS bytes each way.

Options:
  -o, --out FILE        write the session CSV (with byte distributions) to FILE
                        instead of printing the table ("-" for standard output)
  -p, --packets FILE    write the per-packet CSV (one row per frame carrying
                        TLS bytes, with its byte distribution) to FILE
  -f, --filter FILTER   count only frames matching a Wireshark display filter
  -d, --decode-as RULE  passed to tshark -d, e.g. tcp.port==8443,tls for TLS on
                        a port Wireshark does not decode as TLS (repeatable)
  -i, --interface IF    capture live from IF instead of reading a file
  -a, --duration SECS   with -i: stop after SECS seconds (default: Ctrl-C)
  -c, --count N         with -i: stop after N packets
  -h, --help            show this help

Exit status: 0 success, 1 bad usage (including an invalid filter), 2 the
capture could not be read (fully) or tshark failed. Set TSHARK to use another tshark.
USAGE
}

fail() {
    status=$1
    shift
    echo "$program: $*" >&2
    exit "$status"
}

file= out= packets= filter= interface= duration= count=
decode_as=
while [ $# -gt 0 ]; do
    case $1 in
    -h | --help) usage; exit 0 ;;
    -o | --out | -p | --packets | -f | --filter | -d | --decode-as | -i | --interface | -a | --duration | -c | --count)
        [ $# -ge 2 ] || fail 1 "option $1 needs a value (see --help)"
        case $1 in
        -o | --out) out=$2 ;;
        -p | --packets) packets=$2 ;;
        -f | --filter) filter=$2 ;;
        -d | --decode-as) decode_as="$decode_as
$2" ;;
        -i | --interface) interface=$2 ;;
        -a | --duration) duration=$2 ;;
        -c | --count) count=$2 ;;
        esac
        shift 2 ;;
    --) shift; break ;;
    -*) fail 1 "unknown option $1 (see --help)" ;;
    *)
        [ -z "$file" ] || fail 1 "one capture file at a time (got \"$file\" and \"$1\")"
        file=$1
        shift ;;
    esac
done
if [ $# -gt 0 ]; then
    [ -z "$file" ] && [ $# -eq 1 ] || fail 1 "one capture file at a time"
    file=$1
fi

if [ -n "$interface" ]; then
    [ -z "$file" ] || fail 1 "give a capture file or -i INTERFACE, not both"
    [ -z "$out" ] || [ -z "$packets" ] || fail 1 "with -i, choose one output: -o or -p"
else
    [ -n "$file" ] || { usage >&2; exit 1; }
    [ -z "$duration" ] && [ -z "$count" ] || fail 1 "-a and -c apply to live capture (-i) only"
    [ -e "$file" ] || fail 2 "cannot read \"$file\": no such file"
    [ -f "$file" ] || fail 2 "cannot read \"$file\": not a regular file"
    [ -r "$file" ] || fail 2 "cannot read \"$file\": permission denied"
fi
case $duration in *[!0-9]*) fail 1 "-a needs a whole number of seconds, not \"$duration\"" ;; esac
case $count in *[!0-9]*) fail 1 "-c needs a whole number of packets, not \"$count\"" ;; esac

tshark=${TSHARK:-tshark}
command -v "$tshark" >/dev/null 2>&1 ||
    fail 2 "tshark not found (install it: apt-get install tshark)"

errors=$(mktemp "${TMPDIR:-/tmp}/tlsdist.XXXXXX") || fail 2 "cannot create a temporary file"
trap 'rm -f "$errors"' EXIT
# Ctrl-C stops a live capture: tshark then prints its figures, and we go on.
trap ':' INT

# Runs tshark for one view ("", ",csv" or ",packets") into $1 ("-" = stdout).
run_view() {
    destination=$1
    view=$2
    set -- -q -z "tlsdist$view${filter:+,$filter}"
    if [ -n "$interface" ]; then
        set -- "$@" -i "$interface"
        [ -z "$duration" ] || set -- "$@" -a "duration:$duration"
        [ -z "$count" ] || set -- "$@" -c "$count"
    else
        set -- "$@" -r "$file"
    fi
    old_ifs=$IFS
    IFS='
'
    for rule in $decode_as; do
        set -- "$@" -d "$rule"
    done
    IFS=$old_ifs
    if [ "$destination" = - ]; then
        "$tshark" "$@" 2>"$errors"
    else
        "$tshark" "$@" >"$destination" 2>"$errors"
    fi
    status=$?
    if grep -q 'Invalid -z argument "tlsdist' "$errors"; then
        fail 2 "tshark ($("$tshark" --version 2>/dev/null | head -n 1)) did not load the tlsdist plugin.
Install it for this Wireshark version (see INSTALL.md). Note that tshark run as
root ignores the personal plugin folder: install globally or run as a user."
    fi
    # tshark's own messages (bad filter, unreadable or truncated capture), minus
    # its warning about running as root.
    grep -v '^Running as user "root"' "$errors" >&2
    case $status in
    0) ;;
    1) exit 1 ;;  # tshark refused an argument, e.g. the display filter
    *) exit 2 ;;
    esac
}

if [ -z "$out" ] && [ -z "$packets" ]; then
    run_view - ""
fi
[ -z "$out" ] || run_view "$out" ",csv"
[ -z "$packets" ] || run_view "$packets" ",packets"
exit 0
