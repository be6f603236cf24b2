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
  --html FILE           write the HTML report (totals, sortable session table,
                        byte-distribution histograms, charts) to FILE, titled
                        with the capture's name
  -f, --filter FILTER   count only frames matching a Wireshark display filter
  -s, --scope SCOPE     which TLS bytes the distributions and entropy count:
                        all (default), appdata (application data fragments,
                        the ciphertext), handshake (handshake fragments) or
                        plaintext (decrypted application data: needs -k)
  -k, --keylog FILE     TLS key log (SSLKEYLOGFILE format) for Wireshark to
                        decrypt with (tshark -o tls.keylog_file:FILE)
  -d, --decode-as RULE  passed to tshark -d, e.g. tcp.port==8443,tls for TLS on
                        a port Wireshark does not decode as TLS (repeatable)
  --all-dissectors      run every Wireshark dissector (see "Dissectors" below)
  -i, --interface IF    capture live from IF instead of reading a file
  -a, --duration SECS   with -i: stop after SECS seconds (default: Ctrl-C)
  -c, --count N         with -i: stop after N packets
  -h, --help            show this help

Dissectors: without -f, tshark runs without the application-layer dissectors
that cannot lead to TLS (DNS, QUIC, plain HTTP and the like): the figures are
the same and a mixed capture reads faster. Link, network and tunnel layers,
TLS and the protocols that hand over to TLS (STARTTLS carriers, proxies,
RDP, OpenVPN...) stay on. The list is cached per Wireshark library in
${XDG_CACHE_HOME:-~/.cache}/tlsdist. With -f every dissector runs, as a filter
may name any protocol.

Outputs: -o, -p and --html may be combined (also with -i); tshark reads the
capture once and writes them all. One of them at most may be "-".

Exit status: 0 success, 1 bad usage (including an invalid filter or an output
file that cannot be created), 2 the capture could not be read (fully), an
output file could not be written whole, or tshark failed. Set TSHARK to use
another tshark.
USAGE
}

fail() {
    status=$1
    shift
    echo "$program: $*" >&2
    exit "$status"
}

file= out= packets= html= filter= scope= keylog= interface= duration= count=
decode_as= all_dissectors=false
while [ $# -gt 0 ]; do
    case $1 in
    -h | --help) usage; exit 0 ;;
    --all-dissectors) all_dissectors=true; shift ;;
    -o | --out | -p | --packets | --html | -f | --filter | -s | --scope | -k | --keylog | -d | --decode-as | -i | --interface | -a | --duration | -c | --count)
        [ $# -ge 2 ] || fail 1 "option $1 needs a value (see --help)"
        case $1 in
        -o | --out) out=$2 ;;
        -p | --packets) packets=$2 ;;
        --html) html=$2 ;;
        -f | --filter) filter=$2 ;;
        -s | --scope)
            case $2 in all | appdata | handshake | plaintext) scope=$2 ;;
            *) fail 1 "unknown scope \"$2\": use all, appdata, handshake or plaintext" ;;
            esac ;;
        -k | --keylog)
            [ -r "$2" ] || fail 1 "cannot read the key log \"$2\""
            keylog=$2 ;;
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

# One tshark run writes every output: at most one to standard output, and
# no file twice.
to_stdout=0
for output in "$out" "$packets" "$html"; do
    [ "$output" != - ] || to_stdout=$((to_stdout + 1))
done
[ "$to_stdout" -le 1 ] || fail 1 "one output at most to standard output (\"-\")"
same_file() {
    [ -n "$1" ] && [ "$1" != - ] && [ "$1" = "$2" ] && fail 1 "two outputs to the same file \"$1\""
}
same_file "$out" "$packets"; same_file "$out" "$html"; same_file "$packets" "$html"

if [ -n "$interface" ]; then
    [ -z "$file" ] || fail 1 "give a capture file or -i INTERFACE, not both"
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

# Protocols that TLS accounting never needs: those Wireshark reaches only
# through a TCP/UDP/SCTP/DCCP port or a TCP/UDP/SCTP heuristic (the
# application layer), except TLS itself and the carriers below, which hand
# bytes on to TLS or carry whole packets. Plain HTTP is left out on purpose:
# its body reassembly is the costliest thing in a mixed capture, and TLS
# through an HTTP CONNECT tunnel is still found by the tls_tcp heuristic
# (forced on), as tests/integration/test_front_end.py checks.
tls_carriers='tls dtls sctp smtp imap pop ftp ftp-data ldap xmpp pgsql mysql nntp sieve
managesieve lmtp irc amqp socks proxy tpkt cotp rdp tds openvpn vnc jxta pcp dsi diameter
radius vxlan geneve gtp l2tp teredo udpencap capwap capwap.data lisp-data mpls gre
tzsp peekremote sflow'

# Candidates: what -G decodes and -G heuristic-decodes name for the
# transport layers, minus the carriers.
print_candidate_protocols() {
    {
        "$tshark" -G decodes 2>/dev/null |
            awk -F '\t' '$1 ~ /^(tcp|udp|sctp|dccp)\.port$|^sctp\.ppi$/ { print $3 }'
        "$tshark" -G heuristic-decodes 2>/dev/null |
            awk -F '\t' '$1 ~ /^(tcp|udp|sctp)$/ { print $2 }'
    } | sort -u | grep -v -x -F "$(echo "$tls_carriers" | tr ' ' '\n')"
}

# The candidates that --disable-protocol accepts: some dissector names are
# not protocols it knows (4.4: "lwapp-l3", "vxlan_gpe"), and one unknown
# name stops tshark. Asking tshark itself, on an empty capture, is exact.
print_disabled_protocols() {
    candidates=$(print_candidate_protocols)
    empty=$(mktemp "${TMPDIR:-/tmp}/tlsdist-empty.XXXXXX") || return 1
    # A pcap file header and no packets.
    printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' >"$empty"
    old_ifs=$IFS
    IFS='
'
    set --
    for protocol in $candidates; do
        set -- "$@" --disable-protocol "$protocol"
    done
    IFS=$old_ifs
    refused=$("$tshark" "$@" -r "$empty" 2>&1 >/dev/null | sed -n 's/^tshark: No such protocol //p')
    rm -f "$empty"
    if [ -n "$refused" ]; then
        printf '%s\n' "$candidates" | grep -v -x -F "$refused"
    else
        printf '%s\n' "$candidates"
    fi
}

# The disabled list, cached per libwireshark build (path, size, time, inode);
# recomputed when no cache folder is writable.
disabled_protocols() {
    library=$(ldd "$(command -v "$tshark")" 2>/dev/null | awk '/libwireshark\.so/ { print $3 }')
    cache_dir=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/tlsdist
    if [ -n "$library" ] && mkdir -p "$cache_dir" 2>/dev/null; then
        key=$(stat -L -c '%n %s %Y %i' "$library" | cksum | cut -d ' ' -f 1)
        cache=$cache_dir/disabled-protocols-$key
        if [ ! -s "$cache" ]; then
            print_disabled_protocols >"$cache.$$" && mv "$cache.$$" "$cache"
        fi
        cat "$cache"
    else
        print_disabled_protocols
    fi
}

# $1 as the value of a -z KEY=VALUE (see tap/view_options.h): each backslash
# and comma behind a backslash. Sets $escaped (the x keeps trailing newlines).
escape_value() {
    escaped=$(printf '%sx' "$1" | sed 's/[\\,]/\\&/g')
    escaped=${escaped%x}
}

# The -z argument of one view ("", ",csv", ",packets" or ",html") written to
# $1 ("-" = standard output, else out=FILE). Sets $view_argument.
view_argument() {
    keys=
    if [ "$1" != - ]; then
        escape_value "$1"
        keys=",out=$escaped"
    fi
    if [ "$2" = ",html" ]; then
        escape_value "$(basename -- "${file:-$interface}")"
        keys="$keys,title=$escaped"
    fi
    view_argument="tlsdist$2${scope:+,scope=$scope}$keys${filter:+,$filter}"
}

disabled=
if ! $all_dissectors && [ -z "$filter" ]; then
    disabled=$(disabled_protocols)
    # A protocol named by a -d rule stays on.
    decoded_as=$(printf '%s\n' "$decode_as" | sed -n 's/.*,//p')
    [ -z "$decoded_as" ] || disabled=$(printf '%s\n' "$disabled" | grep -v -x -F "$decoded_as")
fi

# One tshark run writes every output: a -z view each, into its file (out=)
# or, for the table and "-", to standard output.
set -- -q
if [ -z "$out" ] && [ -z "$packets" ] && [ -z "$html" ]; then
    view_argument - ""
    set -- "$@" -z "$view_argument"
fi
if [ -n "$out" ]; then
    view_argument "$out" ",csv"
    set -- "$@" -z "$view_argument"
fi
if [ -n "$packets" ]; then
    view_argument "$packets" ",packets"
    set -- "$@" -z "$view_argument"
fi
if [ -n "$html" ]; then
    view_argument "$html" ",html"
    set -- "$@" -z "$view_argument"
fi
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
[ -z "$keylog" ] || set -- "$@" -o "tls.keylog_file:$keylog"
for rule in $decode_as; do
    set -- "$@" -d "$rule"
done
if [ -n "$disabled" ]; then
    for protocol in $disabled; do
        set -- "$@" --disable-protocol "$protocol"
    done
    set -- "$@" --enable-heuristic tls_tcp
fi
IFS=$old_ifs

"$tshark" "$@" 2>"$errors"
status=$?
if grep -q 'Invalid -z argument "tlsdist' "$errors"; then
    fail 2 "tshark ($("$tshark" --version 2>/dev/null | head -n 1)) did not load the tlsdist plugin.
Install it for this Wireshark version (see INSTALL.md). Note that tshark run as
root ignores the personal plugin folder: install globally or run as a user."
fi
# tshark's own messages (bad filter, unreadable or truncated capture, an
# output file that cannot be written), minus its warning about running as root.
grep -v '^Running as user "root"' "$errors" >&2
case $status in
0) ;;
1) exit 1 ;;  # tshark refused an argument: the display filter, an output file
*) exit 2 ;;
esac
# An output file that failed after it was opened (a full disk).
! grep -q '^tshark: tlsdist: cannot write ' "$errors" || exit 2
exit 0
