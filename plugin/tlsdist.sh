#!/bin/sh
# tlsdist: the per-TLS-session traffic profile of a capture file or a live
# interface. It runs tshark with the tlsdist Wireshark plugin, so it works
# wherever the plugin is installed.
set -u

program=tlsdist
# tshark's heap on transparent huge pages, grown 64 MB at a time: starting
# Wireshark fills some 150 MB of fresh heap, and a page fault per 4 kB is
# dear, on a virtual machine most of all (bench/RESULTS.md, "Heap").
heap_tunables=glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864
usage() {
    cat <<'USAGE'
Usage: tlsdist [OPTIONS] [--shards N] FILE
       tlsdist [OPTIONS] FILE FILE... | DIRECTORY      (one capture in several files)
       tlsdist --each [-j N] [OPTIONS] FILE... | DIRECTORY...   (a dataset)
       tlsdist [OPTIONS] -i INTERFACE [-a SECONDS | -c PACKETS]
       tlsdist merge [--by server|sni] [-o OUT] CSV...

Prints the TLS sessions of a capture (pcap or pcapng): start, duration,
client and server, negotiated TLS version, TLS bytes each way.

Options:
  -o, --out FILE        write the session CSV (with byte distributions) to FILE
                        instead of printing the table ("-" for standard output)
  -p, --packets FILE    write the per-packet CSV (one row per frame carrying
                        TLS bytes, with its byte distribution) to FILE
  --html FILE           write the HTML report (totals, sortable session table,
                        byte-distribution histograms, charts) to FILE, titled
                        with the capture's name (with --each: one report over
                        the whole dataset)
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
  --each                read every file as a capture of its own (a dataset)
  -j, --jobs N          with --each: N captures at a time (default: one per core)
  --shards N            split FILE by flow into N parts read at once (see
                        "Shards" below)
  --capture-name NAME   name the capture NAME in a first "capture" column
  -q, --quiet           no progress display
  -h, --help            show this help

Several files (a file set): FILE FILE... or a DIRECTORY (its files, and links
to files, by name; hidden files and folders left out) are one
recording cut into files, such as a dumpcap ring buffer
(cap_00001_20261129120000.pcapng, cap_00002_...): they are read as one
capture, one after the other in the file-set order (by name when every name
is a file-set name, else by each file's first packet time; pcapng files as
they are, other formats through Wireshark's mergecap),
so a session that crosses files is one session and frame numbers run on
across files. The table and the CSVs get a first column "capture": the file
holding the session's first frame (the packet's frame, in the per-packet CSV).

Datasets (--each): every file is its own capture, N at a time. The outputs
are those of each file alone, with the "capture" column, one after the
other in the order of the files: one session CSV (-o), one per-packet CSV
(-p); the table (no -o) has a section per capture. --html writes one report
over the whole dataset: its totals, version mix, charts and sessions over
time count every session of every capture, the session table has a capture
column, and a table of the captures gives each one's totals, or why it
failed. A capture that cannot be read is named with tshark's message,
the others still run, and the exit status is 2.

Shards (--shards N): FILE is split by flow into N captures (every frame
between the same two IP addresses in one, ICMP errors with the packet they
quote), N tsharks read them at once, and their outputs are merged into what
one run over FILE writes: the same sessions, stream and frame numbers,
figures and row order. It takes intact, uncompressed pcap and pcapng files
(another is read whole, with a note) and refuses filters that name frame
or stream numbers or times relative to other frames (frame.number,
frame.time_relative, frame.time_delta..., frame.ref_time, _ws.col, tcp.stream,
udp.stream, tlsdist.session). What cannot be the same is
listed in README.md ("Shards"); where the shards' outputs do not fit
together, FILE is read whole instead, with a note.

Merging runs (tlsdist merge): concatenates session CSVs written by tlsdist
(-o) on several machines or runs, which must have the same columns, into
one (-o OUT, default standard output). With --by server (server_ip,
server_port) or --by sni (server_name) it writes instead one row per server
with the sessions, frames and byte counts summed and the byte
distributions (tx_0..rx_255) added.

Progress: on a terminal, a run that takes more than 2 seconds shows the bytes
read, files done, elapsed time and an estimate of the time left on standard
error (not with --quiet, nor when standard error is not a terminal).

Dissectors: without -f, tshark runs without the application-layer dissectors
that cannot lead to TLS (DNS, QUIC, plain HTTP and the like): the figures are
the same and a mixed capture reads faster. Link, network and tunnel layers,
TLS and the protocols that hand over to TLS (STARTTLS carriers, proxies,
RDP, OpenVPN...) stay on. The list is cached per Wireshark library in
${XDG_CACHE_HOME:-~/.cache}/tlsdist. With -f every dissector runs, as a filter
may name any protocol.

Outputs: -o, -p and --html may be combined (also with -i and file sets);
tshark reads the capture once and writes them all. One of them at most may
be "-".

Exit status: 0 success, 1 bad usage (including an invalid filter or an output
file that cannot be created), 2 the capture (or, with --each, one of them)
could not be read (fully), an output file could not be written whole, or
tshark failed; 130, 129 or 143 stopped by Ctrl-C, a closed terminal or kill
(what it started is stopped, its temporary files removed; with -i, Ctrl-C
ends the capture and prints the figures). Set TSHARK to use another tshark.
USAGE
    printf '%s\n' "tshark runs with GLIBC_TUNABLES=$heap_tunables" \
        '(a faster start) unless GLIBC_TUNABLES is set ("GLIBC_TUNABLES=" for glibc'"'"'s defaults).'
}

fail() {
    status=$1
    shift
    echo "$program: $*" >&2
    exit "$status"
}

newline='
'
tab='	'

# tlsdist merge: session CSVs of several runs as one (see the usage).
run_merge() {
    by= merged=-
    while [ $# -gt 0 ]; do
        case $1 in
        --by)
            [ $# -ge 2 ] || fail 1 "option --by needs a value (server or sni)"
            case $2 in server | sni) by=$2 ;; *) fail 1 "--by takes server or sni, not \"$2\"" ;; esac
            shift 2 ;;
        -o | --out)
            [ $# -ge 2 ] || fail 1 "option $1 needs a value (see --help)"
            merged=$2
            shift 2 ;;
        --) shift; break ;;
        -*) fail 1 "unknown merge option $1 (see --help)" ;;
        *) break ;;
        esac
    done
    [ $# -gt 0 ] || fail 1 "tlsdist merge needs session CSV files (see --help)"
    for csv_file; do
        [ -f "$csv_file" ] && [ -r "$csv_file" ] || fail 2 "cannot read \"$csv_file\""
        header=$(head -n 1 -- "$csv_file" | tr -d '\r')
        case ,$header, in *,stream,*,server_ip,*,tx_255,*) ;; *) fail 1 "\"$csv_file\" is not a tlsdist session CSV" ;; esac
        [ -z "${first_header+set}" ] || [ "$header" = "$first_header" ] ||
            fail 1 "\"$csv_file\" has other columns than \"$1\" (from another tlsdist version, or with and without a capture column)"
        first_header=$header
    done
    if [ "$merged" != - ]; then
        (: >"$merged") 2>/dev/null || fail 1 "cannot write $merged"
        exec >"$merged"
    fi
    # A row may run over several lines (a quoted cell with a line break):
    # lines are joined until the quotes balance. Cells are split on the
    # commas outside quotes.
    awk -v by="$by" '
        function split_cells(line, cells,    n, i, c, cell, quoted) {
            n = 0; cell = ""; quoted = 0
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (c == "\"") quoted = !quoted
                if (c == "," && !quoted) { cells[++n] = cell; cell = "" } else cell = cell c
            }
            cells[++n] = cell
            return n
        }
        function quotes(text,    copy) { copy = text; return gsub(/"/, "", copy) }
        FNR == 1 {
            pending = ""
            if (NR == 1) {
                header = $0
                sub(/\r$/, "", header)
                columns = split_cells(header, names)
                for (i = 1; i <= columns; i++) column[names[i]] = i
                if (by == "") { print; next }
                key_names = by == "server" ? "server_ip,server_port" : "server_name"
                summed = "tx_bytes rx_bytes tx_frames rx_frames tx_wire_bytes rx_wire_bytes"
                for (v = 0; v < 256; v++) summed = summed " tx_" v
                for (v = 0; v < 256; v++) summed = summed " rx_" v
                sums = split(summed, sum_names, " ")
                line = key_names ",sessions"
                for (i = 1; i <= sums; i++) line = line "," sum_names[i]
                printf "%s\r\n", line
            }
            next
        }
        {
            pending = pending == "" ? $0 : pending "\n" $0
            if (quotes(pending) % 2) next
            row = pending; pending = ""
            if (by == "") { print row; next }
            sub(/\r$/, "", row)
            split_cells(row, cells)
            key = by == "server" ? cells[column["server_ip"]] "," cells[column["server_port"]] : cells[column["server_name"]]
            if (!(key in sessions)) order[++keys] = key
            sessions[key]++
            for (i = 1; i <= sums; i++) total[key, i] += cells[column[sum_names[i]]]
        }
        END {
            for (k = 1; k <= keys; k++) {
                key = order[k]
                line = key "," sessions[key]
                for (i = 1; i <= sums; i++) line = line "," sprintf("%.0f", total[key, i])
                printf "%s\r\n", line
            }
        }' "$@" || fail 2 "cannot merge the session CSVs"
    exit 0
}
[ "${1:-}" != merge ] || { shift; run_merge "$@"; }

# A --each job (run by the dataset's xargs, see run_dataset): the dataset's
# options from the environment (TLSDIST_JOB_OPTIONS, one a line), then this
# capture's own outputs, errors and exit status in the dataset's folder (for
# the HTML report, also its totals: totals_out). (The environment, not a
# file, spares each job a process: starting one costs more than a core's
# worth of time on a virtual machine, bench/RESULTS.md "Many captures".)
job_dir= totals_out=
if [ "${1:-}" = --job ] && [ $# -eq 4 ]; then
    job_dir=$2 job_index=$3 job_file=$4
    old_ifs=$IFS
    IFS=$newline
    set -f
    # shellcheck disable=SC2086 # one option a line
    set -- ${TLSDIST_JOB_OPTIONS:-} --quiet --capture-name "$job_file"
    set +f
    IFS=$old_ifs
    [ ! -e "$job_dir/session-csv" ] || set -- "$@" -o "$job_dir/$job_index.csv"
    [ ! -e "$job_dir/packet-csv" ] || set -- "$@" -p "$job_dir/$job_index.packets"
    [ ! -e "$job_dir/totals" ] || totals_out=$job_dir/$job_index.totals
    set -- "$@" -- "$job_file"
    exec >"$job_dir/$job_index.txt" 2>"$job_dir/$job_index.err"
    trap 'echo $? >"$job_dir/$job_index.status"' EXIT
fi

file= out= packets= html= filter= scope= keylog= interface= duration= count=
decode_as= all_dissectors=false inputs= input_count=0 each=false jobs= quiet=false
capture_name= shards=
add_input() {
    case $1 in *"$newline"*) fail 1 "file names with a line break are not supported" ;; esac
    inputs=$inputs$1$newline
    input_count=$((input_count + 1))
}
while [ $# -gt 0 ]; do
    case $1 in
    -h | --help) usage; exit 0 ;;
    --all-dissectors) all_dissectors=true; shift ;;
    --each) each=true; shift ;;
    -q | --quiet) quiet=true; shift ;;
    -o | --out | -p | --packets | --html | -f | --filter | -s | --scope | -k | --keylog | -d | --decode-as | -i | --interface | -a | --duration | -c | --count | -j | --jobs | --capture-name | --shards)
        [ $# -ge 2 ] || fail 1 "option $1 needs a value (see --help)"
        case $1 in
        -o | --out) out=$2 ;;
        -p | --packets) packets=$2 ;;
        --html) html=$2 ;;
        -f | --filter)
            case $2 in *"$newline"*) fail 1 "a filter on one line, please" ;; esac
            filter=$2 ;;
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
        -j | --jobs)
            case $2 in '' | *[!0-9]* | 0) fail 1 "-j needs a number of captures at a time, not \"$2\"" ;; esac
            jobs=$2 ;;
        --capture-name)
            case $2 in '' | *"$newline"*) fail 1 "--capture-name needs a name on one line" ;; esac
            capture_name=$2 ;;
        --shards)
            case $2 in '' | *[!0-9]* | 0 | 0*) fail 1 "--shards needs a number of parts from 1 to 64, not \"$2\"" ;; esac
            [ "${#2}" -le 2 ] && [ "$2" -le 64 ] || fail 1 "--shards needs a number of parts from 1 to 64, not \"$2\""
            shards=$2 ;;
        esac
        shift 2 ;;
    --) shift; break ;;
    -*) fail 1 "unknown option $1 (see --help)" ;;
    *) add_input "$1"; shift ;;
    esac
done
for argument; do
    add_input "$argument"
done

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

# The files to read, one a line: the FILE arguments and the files of each
# DIRECTORY argument (and links to files; by name, hidden ones left out).
files= file_count=0 from_directory=false
add_file() {
    case $1 in *"$newline"*) fail 1 "file names with a line break are not supported" ;; esac
    [ -e "$1" ] || fail 2 "cannot read \"$1\": no such file"
    [ -f "$1" ] || fail 2 "cannot read \"$1\": not a regular file"
    [ -r "$1" ] || fail 2 "cannot read \"$1\": permission denied"
    files=$files$1$newline
    file_count=$((file_count + 1))
}
if [ -n "$interface" ]; then
    [ "$input_count" -eq 0 ] || fail 1 "give a capture file or -i INTERFACE, not both"
    ! $each || fail 1 "--each reads files, not an interface"
else
    [ "$input_count" -gt 0 ] || { usage >&2; exit 1; }
    [ -z "$duration" ] && [ -z "$count" ] || fail 1 "-a and -c apply to live capture (-i) only"
    old_ifs=$IFS
    IFS=$newline
    set -f  # (a name is a name, not a pattern)
    for input in $inputs; do
        if [ -d "$input" ]; then
            from_directory=true
            folder=$input
            while [ "$folder" != "${folder%/}" ] && [ "$folder" != / ]; do folder=${folder%/}; done
            [ -r "$folder/" ] && [ -x "$folder/" ] || fail 2 "cannot list the directory \"$input\""
            # (the shell's own listing, no process: "*" leaves hidden files
            # out, and dash, Debian's sh, sorts it byte by byte)
            listed_count=$file_count
            set +f
            for listed in "$folder"/*; do
                [ ! -f "$listed" ] || add_file "$listed"
            done
            set -f
            [ "$file_count" -gt "$listed_count" ] || fail 2 "no files in the directory \"$input\""
        else
            add_file "$input"
        fi
    done
    set +f
    IFS=$old_ifs
    [ "$file_count" -eq 1 ] && ! $from_directory && ! $each && file=${files%"$newline"}
fi
[ -z "$jobs" ] || $each || fail 1 "-j applies to --each only"
[ -z "$capture_name" ] || [ -n "$file" ] || fail 1 "--capture-name names one capture file"
[ -z "$shards" ] || [ -n "$file" ] || fail 1 "--shards splits one capture file (not a file set, a dataset or a live capture)"
[ -z "$shards" ] || [ -z "$capture_name" ] || fail 1 "--shards does not name its capture: leave out --capture-name"
case $shards:$filter in
?*:*frame.number* | ?*:*frame.time_relative* | ?*:*frame.time_delta* | ?*:*frame.ref_time* | ?*:*_ws.col* | \
    ?*:*tcp.stream* | ?*:*udp.stream* | ?*:*tlsdist.session*)
    fail 1 "--shards cannot take a filter on frame or stream numbers or on times relative to other frames: each part numbers its own frames and streams" ;;
esac
case $duration in *[!0-9]*) fail 1 "-a needs a whole number of seconds, not \"$duration\"" ;; esac
case $count in *[!0-9]*) fail 1 "-c needs a whole number of packets, not \"$count\"" ;; esac

tshark=${TSHARK:-tshark}
command -v "$tshark" >/dev/null 2>&1 ||
    fail 2 "tshark not found (install it: apt-get install tshark)"
# The heap setting for tshark. glibc ignores what it does not know; a
# GLIBC_TUNABLES of the user's own, even an empty one, is left as it is.
if [ -z "${GLIBC_TUNABLES+set}" ]; then
    GLIBC_TUNABLES=$heap_tunables
    export GLIBC_TUNABLES
fi

# The run's temporary files, in one folder removed at exit (a --each job's
# are in its dataset's folder, where it also leaves its exit status).
scratch=
# shellcheck disable=SC2317 # (run by the trap)
on_exit() {
    exit_status=$?
    [ -z "$scratch" ] || rm -rf -- "$scratch"
    [ -z "$job_dir" ] || echo "$exit_status" >"$job_dir/$job_index.status"
}
trap on_exit EXIT

# The processes this run started, at any depth (tshark, mergecap, a
# dataset's jobs and theirs, the progress display), one pid a line.
descendants() {
    ps -e -o pid= -o ppid= | awk -v root=$$ '
        { parent[$1] = $2 }
        END { for (p in parent) { q = p; while ((q in parent) && q != root && q > 1) q = parent[q]; if (q == root && p != root) print p } }'
}
# TERM and HUP (kill, a closed terminal, a scheduler's time limit) and Ctrl-C
# stop the run: its processes are stopped and its temporary files removed.
# A shell runs a trap only between commands, so the long steps run in the
# background and are waited for (waited, below), where a trap runs at once.
# shellcheck disable=SC2317 # (run by the traps)
stop_run() {
    trap '' TERM HUP INT
    # shellcheck disable=SC2046 # one pid a word
    kill -TERM $(descendants) 2>/dev/null
    job_dir=  # (a stopped job leaves no status: its dataset is being removed)
    exit "$1"
}
trap 'stop_run 143' TERM
trap 'stop_run 129' HUP
trap 'stop_run 130' INT
# Runs "$@" in the background (its standard input from /dev/null) and waits
# for it; $status is its exit status. A trap that returns (Ctrl-C during a
# live capture) interrupts the wait, which then goes on.
waited() {
    "$@" &
    waited_pid=$!
    status=0
    while kill -0 "$waited_pid" 2>/dev/null; do
        wait "$waited_pid"
        status=$?
    done
}

# tshark's standard error (a --each job's in the dataset's folder, removed with it)
if [ -n "$job_dir" ]; then
    errors=$job_dir/$job_index.tshark
else
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/tlsdist.XXXXXX") || fail 2 "cannot create a temporary folder"
    errors=$scratch/tshark-errors
fi

# A program installed with this command (the dataset report's writer, the
# file-set helper): in ../libexec/tlsdist/ (installed) or beside it (a
# build's test sandbox), from where the command really is (the kernel
# resolves ".." after a linked folder, so only a link to the command itself
# needs readlink).
helper_program() {
    here=$0
    [ ! -L "$here" ] || here=$(readlink -f -- "$here" 2>/dev/null) || here=$0
    case $here in */*) here=${here%/*} ;; *) here=. ;; esac
    for candidate in "$here/../libexec/tlsdist/$1" "$here/$1"; do
        [ -x "$candidate" ] && { printf '%s\n' "$candidate"; return 0; }
    done
    return 1
}

# A file set (several files or a folder read as one capture) is read in
# file-set order: by name when every file has a dumpcap file-set name,
# PREFIX_NNNNN_YYYYMMDDhhmmss.EXT, else by the time of each file's first
# packet. tshark starts at once; what feeds it works out the order and each
# file's frame count first (join_files, below), while tshark starts up.
file_set=false file_set_names=true file_set_program= capture_list_file=
if [ -z "$file" ] && [ -z "$interface" ] && ! $each; then
    file_set=true
    merge_status=$scratch/file-set capture_list_file=$scratch/captures
    old_ifs=$IFS
    IFS=$newline
    set -f
    for name in $files; do
        case ${name##*/} in
        *_[0-9][0-9][0-9][0-9][0-9]_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*) ;;
        *) file_set_names=false ;;
        esac
    done
    set +f
    IFS=$old_ifs
    file_set_program=$(helper_program tlsdist-file-set) || file_set_program=
fi

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

# The disabled list, cached per libwireshark build (device, inode, size, time);
# recomputed when no cache folder is writable. The library is the one the
# dynamic loader picks for tshark, as ldd would print it, without ldd's
# extra runs of the loader (with the variable set, the loader lists the
# libraries and exits; --version is what a static tshark would run instead).
disabled_protocols() {
    libraries=$(LD_TRACE_LOADED_OBJECTS=1 "$tshark" --version 2>/dev/null </dev/null)
    library= key=
    case $libraries in
    *"libwireshark.so"*" => /"*)
        # ("	libwireshark.so.N => /PATH (0xADDRESS)")
        library=/${libraries#*libwireshark.so*" => /"}
        library=${library%%[ "$newline"]*}
        ;;
    esac
    cache_dir=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/tlsdist
    # (the build: its device and inode, size and modification time)
    if [ -n "$library" ] && key=$(stat -L -c '%d-%i-%s-%Y' -- "$library" 2>/dev/null) &&
        { [ -d "$cache_dir" ] || mkdir -p "$cache_dir" 2>/dev/null; }; then
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
    case $1 in
    *[\\,]*)
        escaped=$(printf '%sx' "$1" | sed 's/[\\,]/\\&/g')
        escaped=${escaped%x}
        ;;
    *) escaped=$1 ;;
    esac
}

# The -z argument of one view ("", ",csv", ",packets", ",html" or ",totals") written to
# $1 ("-" = standard output, else out=FILE). Sets $view_argument.
view_argument() {
    keys=
    if [ "$1" != - ]; then
        escape_value "$1"
        keys=",out=$escaped"
    fi
    if [ "$2" = ",html" ] && [ -n "$capture_title" ]; then
        escape_value "$capture_title"
        keys="$keys,title=$escaped"
    fi
    if [ -n "$capture_list" ] && [ "$2" != ",html" ] && [ "$2" != ",totals" ]; then
        escape_value "$capture_list"
        keys="$keys,captures=$escaped"
    elif [ -n "$capture_list_file" ] && [ "$2" != ",totals" ]; then
        escape_value "$capture_list_file"
        keys="$keys,captures-from=$escaped"
    fi
    view_argument="tlsdist$2${scope:+,scope=$scope}$keys${filter:+,$filter}"
}

# Progress on standard error: bytes of the files read so far (the read
# offsets of the processes of this run that hold them open, the whole file
# for those done), files done, elapsed time and time left. $1: the folder of
# a dataset's jobs (their *.status say which files are done), or nothing.
show_progress() {
    started=$(date +%s)
    # (a file set's order is known once its list of captures is written)
    if [ -n "$capture_list_file" ]; then
        until [ -f "$capture_list_file" ]; do
            # (sleep gets no terminal, as below)
            # shellcheck disable=SC2217
            sleep 0.05 </dev/null >/dev/null 2>&1
        done
        files=$(sed 's/^[0-9]* //' -- "$capture_list_file")
    fi
    old_ifs=$IFS
    IFS=$newline
    set -f
    index=0
    for name in $files; do
        index=$((index + 1))
        printf '%s\t%s\t%s\n' "$(realpath -- "$name")" "$(stat -L -c %s -- "$name")" "$(printf '%06d' "$index")"
    done >"$progress_files"
    set +f
    IFS=$old_ifs
    while :; do
        elapsed=$(($(date +%s) - started))
        if [ "$elapsed" -ge "${TLSDIST_PROGRESS_AFTER:-2}" ]; then
            fd_folders=$(descendants | sed 's|.*|/proc/&/fd|')
            done_jobs=
            [ -z "${1:-}" ] || done_jobs=$(cd "$1" && ls -- *.status 2>/dev/null)
            # shellcheck disable=SC2086 # one folder a word
            { printf '%s\n' "$done_jobs" | sed 's/^/done\t/'; find $fd_folders -maxdepth 1 -type l -printf 'open\t%p\t%l\n' 2>/dev/null; } |
                awk -F '\t' -v files="$progress_files" -v elapsed="$elapsed" -v in_order="${1:+no}" '
                    BEGIN { while ((getline line < files) > 0) { split(line, fields, "\t"); size[fields[1]] = fields[2]; path[fields[3]] = fields[1]; total += fields[2]; count++ } }
                    $1 == "done" { sub(/\.status$/, "", $2); if ($2 in path) got[path[$2]] = size[path[$2]]; next }
                    $1 == "open" && ($3 in size) {
                        info = $2; sub(/\/fd\//, "/fdinfo/", info)
                        while ((getline line < info) > 0) if (line ~ /^pos:/) { split(line, p, /[ \t]+/); if (p[2] > got[$3]) got[$3] = p[2] }
                        close(info)
                    }
                    function mb(bytes) { return sprintf("%.1f MB", bytes / 1e6) }
                    function clock(s) { return sprintf("%d:%02d", s / 60, s % 60) }
                    END {
                        # (one capture: its files are read in order, and those before an open one are closed)
                        if (in_order == "") {
                            last = ""
                            for (i in path) if ((path[i] in got) && i > last) last = i
                            for (i in path) if (i < last) got[path[i]] = size[path[i]]
                        }
                        for (f in got) { read += (got[f] < size[f] ? got[f] : size[f]); if (got[f] >= size[f]) finished++ }
                        left = read > 0 ? clock(elapsed * (total - read) / read) : "?"
                        printf "\rtlsdist: %s of %s read (%d%%), %d/%d files, %s elapsed, %s left\033[K", mb(read), mb(total), total ? 100 * read / total : 100, finished, count, clock(elapsed), left
                    }' >&2
        fi
        # (sleep gets no terminal: one left behind would hold it open)
        # shellcheck disable=SC2217
        sleep 1 </dev/null >/dev/null 2>&1
    done
}
progress_pid=
progress_files=
start_progress() {
    ! $quiet && [ -t 2 ] || return 0
    progress_files=$scratch/progress
    show_progress "$@" &
    progress_pid=$!
}
stop_progress() {
    [ -n "$progress_pid" ] || return 0
    kill "$progress_pid" 2>/dev/null
    wait "$progress_pid" 2>/dev/null
    progress_pid=
    printf '\r\033[K' >&2
}

# A dataset (--each): one job per file, as many at a time as asked, each
# "tlsdist --job" on its file with this run's options and its own outputs
# in a scratch folder; then their outputs one after the other, in the order
# of the files, and the captures that failed with their messages. The HTML
# report is written from every job's session CSV and totals by
# tlsdist-dataset-report (plugin/dataset_report.cpp), so that its totals
# and charts count every session of every capture.
run_jobs() {
    index=0
    for name in $files; do
        index=$((index + 1))
        printf '%06d\0%s\0' "$index" "$name"
    done | xargs -0 -n 2 -P "${jobs:-$(nproc 2>/dev/null || echo 1)}" sh "$0" --job "$dataset_dir"
}
# CSV files as one: the first one's header, then every file's rows.
join_csvs() {
    [ $# -gt 0 ] || return 0
    head -n 1 -- "$1"
    tail -q -n +2 -- "$@"
}
run_dataset() {
    report_program=
    if [ -n "$html" ]; then
        report_program=$(helper_program tlsdist-dataset-report) ||
            fail 2 "the dataset report (--each --html) needs tlsdist-dataset-report, installed with tlsdist in $(dirname -- "$0")/../libexec/tlsdist/: not found"
    fi
    dataset_dir=$scratch  # (the jobs' files are named by their index)
    # the jobs' options (see --job, above), one a line
    TLSDIST_JOB_OPTIONS=
    [ -z "$scope" ] || TLSDIST_JOB_OPTIONS=$TLSDIST_JOB_OPTIONS-s$newline$scope$newline
    [ -z "$filter" ] || TLSDIST_JOB_OPTIONS=$TLSDIST_JOB_OPTIONS-f$newline$filter$newline
    [ -z "$keylog" ] || TLSDIST_JOB_OPTIONS=$TLSDIST_JOB_OPTIONS-k$newline$keylog$newline
    old_ifs=$IFS
    IFS=$newline
    for rule in $decode_as; do
        TLSDIST_JOB_OPTIONS=$TLSDIST_JOB_OPTIONS-d$newline$rule$newline
    done
    IFS=$old_ifs
    ! $all_dissectors || TLSDIST_JOB_OPTIONS=$TLSDIST_JOB_OPTIONS--all-dissectors$newline
    TLSDIST_JOB_DISABLE_OPTIONS=$disable_options
    export TLSDIST_JOB_OPTIONS TLSDIST_JOB_DISABLE_OPTIONS
    [ -z "$out" ] && [ -z "$html" ] || : >"$dataset_dir/session-csv"
    [ -z "$packets" ] || : >"$dataset_dir/packet-csv"
    [ -z "$html" ] || : >"$dataset_dir/totals"
    # The outputs are created first, so that one that cannot be stops the run.
    # (a redirection that fails on exec would end the shell without a word)
    for output in "$out" "$packets" "$html"; do
        [ -z "$output" ] || [ "$output" = - ] || (: >"$output") 2>/dev/null || fail 1 "cannot write $output"
    done
    exec 3>/dev/null 4>/dev/null
    if [ "$out" = - ]; then exec 3>&1; elif [ -n "$out" ]; then exec 3>"$out"; fi
    if [ "$packets" = - ]; then exec 4>&1; elif [ -n "$packets" ]; then exec 4>"$packets"; fi
    start_progress "$dataset_dir"
    old_ifs=$IFS
    IFS=$newline
    set -f
    waited run_jobs
    stop_progress
    # Each job's status and messages, and the HTML report's list of
    # captures (STATUS<tab>PREFIX<tab>NAME); then the session and
    # per-packet CSVs, their header once, by one tail each.
    failed=0 index=0
    session_csvs= packet_csvs=
    for name in $files; do
        index=$((index + 1))
        job=00000$index
        job=$dataset_dir/${job#"${job%??????}"}  # (its index in six digits)
        job_status=
        [ ! -r "$job.status" ] || read -r job_status <"$job.status"
        if [ "$job_status" != 0 ]; then
            failed=$((failed + 1))
            [ ! -r "$job.err" ] || while IFS= read -r line || [ -n "$line" ]; do
                printf '%s: %s: %s\n' "$program" "$name" "$line"
            done <"$job.err" >&2
        fi
        printf '%s\t%s\t%s\n' "${job_status:-2}" "$job" "$name"
        [ ! -s "$job.csv" ] || session_csvs=$session_csvs$job.csv$newline
        [ ! -s "$job.packets" ] || packet_csvs=$packet_csvs$job.packets$newline
        if [ -s "$job.txt" ]; then
            printf '%s\n' "Capture: $name" >&5
            cat "$job.txt" >&5
        fi
    done 5>&1 >"$dataset_dir/captures"
    # shellcheck disable=SC2086 # one file a line
    join_csvs $session_csvs >&3
    # shellcheck disable=SC2086 # one file a line
    join_csvs $packet_csvs >&4
    set +f
    IFS=$old_ifs
    report_status=0
    if [ -n "$html" ]; then
        # "12 captures in DIR", "3 captures: FIRST and 2 more"
        captures_word=captures
        [ "$file_count" -ne 1 ] || captures_word=capture
        if [ "$input_count" -eq 1 ] && $from_directory; then
            title="$file_count $captures_word in $(basename -- "${inputs%"$newline"}")"
        else
            title="$file_count $captures_word: $(basename -- "$(printf '%s' "$files" | head -n 1)")"
            [ "$file_count" -eq 1 ] || title="$title and $((file_count - 1)) more"
        fi
        set -- -o "$html" --title "$title"
        [ -z "$filter" ] || set -- "$@" --filter "$filter"
        [ -z "$scope" ] || set -- "$@" --scope "$scope"
        waited "$report_program" "$@" "$dataset_dir/captures"
        [ "$status" -eq 0 ] || report_status=2
    fi
    if [ "$failed" -gt 0 ]; then
        echo "$program: $failed of $file_count captures could not be read (fully)" >&2
        exit 2
    fi
    exit "$report_status"
}

# tshark's options that turn those protocols off, one a line.
disable_options=
if [ -n "$job_dir" ]; then
    disable_options=${TLSDIST_JOB_DISABLE_OPTIONS:-}  # the dataset's, worked out once for every job
elif ! $all_dissectors && [ -z "$filter" ]; then
    disabled=$(disabled_protocols)
    # A protocol named by a -d rule stays on.
    if [ -n "$decode_as" ]; then
        decoded_as=$(printf '%s\n' "$decode_as" | sed -n 's/.*,//p')
        [ -z "$decoded_as" ] || disabled=$(printf '%s\n' "$disabled" | grep -v -x -F "$decoded_as")
    fi
    # shellcheck disable=SC2086 # one protocol a line
    [ -z "$disabled" ] || disable_options=$(IFS=$newline; set -f; printf -- '--disable-protocol\n%s\n' $disabled; echo --enable-heuristic; echo tls_tcp)
fi
if $each; then
    run_dataset
fi

# The HTML report's title: the file's name. A file set's views get the
# file that will hold its capture list (captures-from=) and title the report
# after it; a dataset's job gets its file's name as the list (captures=).
capture_list= capture_title=${file:-$interface}
capture_title=${capture_title##*/}
if [ -n "$file" ] && [ -n "$capture_name" ]; then
    capture_list="0 $capture_name"  # (frames past the counted ones go to the last file)
elif $file_set; then
    command -v mergecap >/dev/null 2>&1 && command -v capinfos >/dev/null 2>&1 ||
        fail 2 "reading several files needs mergecap and capinfos (apt-get install wireshark-common)"
    capture_title=
fi

# The file set as one capture, on standard output (run with IFS a newline
# and globbing off): first its order and each file's frame count, which go
# to $capture_list_file ("FRAMES NAME" a line, in order) before the first
# byte goes out, so that the views find it there when they first need it;
# then the files, one after the other. A file that cannot be read whole
# stops it before anything goes out (fail: exit status 2).
join_files() {
    # NAME<tab>TYPE<tab>FRAMES<tab>EARLIEST-PACKET-TIME a line (a name may
    # hold tabs: the last three fields are the figures), in file-set order
    # (by name, or by time and then as given), from tlsdist-file-set, which
    # walks the record headers of intact pcap and pcapng files; else from
    # capinfos, which reads every file through, so that a damaged one is
    # refused by name, and a sort.
    if $file_set_names; then order=--by-name; else order=--by-time; fi
    scanned=false
    # shellcheck disable=SC2086 # one file a line
    if [ -n "$file_set_program" ] && facts=$("$file_set_program" facts "$order" $files 2>/dev/null); then
        scanned=true
    else
        # shellcheck disable=SC2086 # one file a line
        facts=$(capinfos -T -r -t -c -a -S -M -- $files 2>&1) || {
            for name in $files; do
                message=$(capinfos -T -r -c -M -- "$name" 2>&1 >/dev/null | sed -n 's/^capinfos: //p' | head -n 1)
                [ -z "$message" ] || fail 2 "cannot read \"$name\" as part of one capture: $message"
            done
            fail 2 "capinfos failed: $facts"
        }
        # (KEY<tab>INDEX<tab> before each line, for sort)
        if $file_set_names; then sort_keys=-k1,1; else sort_keys=-k1,1g; fi
        facts=$(printf '%s\n' "$facts" | awk -F '\t' -v by_name="$file_set_names" '
            {
                name = $1
                for (i = 2; i <= NF - 3; i++) name = name "\t" $i
                key = name; sub(/.*\//, "", key)
                if (by_name != "true") key = $NF ~ /^[0-9.]+$/ ? $NF : 0
                printf "%s\t%09d\t%s\n", key, NR, $0
            }' | LC_ALL=C sort -t "$tab" "$sort_keys" -k2,2)
    fi
    capture_list= files= all_pcapng=true
    for line in $facts; do
        $scanned || { line=${line#*"$tab"}; line=${line#*"$tab"}; }
        name=${line%"$tab"*"$tab"*"$tab"*}
        figures=${line#"$name$tab"}
        [ "${figures%%"$tab"*}" = pcapng ] || all_pcapng=false
        figures=${figures#*"$tab"}
        capture_list="$capture_list${figures%%"$tab"*} $name$newline"
        files=$files$name$newline
    done
    printf '%s' "$capture_list" >"$capture_list_file.new" && mv -- "$capture_list_file.new" "$capture_list_file" ||
        fail 2 "cannot write the list of captures in $capture_list_file"
    # Uncompressed pcapng files (capinfos gives a compressed file its
    # type, but tshark finds compression only at the start of its input,
    # so each file must begin with a section header block; tlsdist-file-set
    # reads only such files) are concatenated as they are, sparing
    # mergecap's copying of every packet.
    # shellcheck disable=SC2086 # one file a line (the magic once a file)
    if $all_pcapng && $scanned; then
        "$file_set_program" cat $files
    elif $all_pcapng && [ "$(head -q -c 4 -- $files | od -An -v -tx1 | tr -d ' \n')" = "$(printf '0a0d0d0a%.0s' $files)" ]; then
        cat -- $files
    else
        mergecap -a -w - $files
    fi
}
# The file set into one tshark run with arguments "$@". What feeds it leaves
# its messages and its exit status in the scratch folder.
merge_and_read() {
    { (join_files) 2>"$scratch/file-set-errors"; echo $? >"$merge_status"; } | "$tshark" "$@" 2>>"$errors"
}

# --shards: FILE split by flow into $shards captures (tlsdist-file-set
# shard), a tshark on each at once, and their outputs merged into those of
# one run over FILE (tlsdist-shard-merge, tap/shard_merge.h); "$@" is
# tshark's options but the views. Returns 1, with a note, where FILE is to be
# read whole instead; else $status and $errors are those of the parts' runs
# and the merge.
run_sharded() {
    split_program=$(helper_program tlsdist-file-set) && merge_program=$(helper_program tlsdist-shard-merge) ||
        fail 2 "--shards needs tlsdist-file-set and tlsdist-shard-merge, installed with tlsdist in $(dirname -- "$0")/../libexec/tlsdist/: not found"
    shard_dir=$scratch/shards
    mkdir -- "$shard_dir" || fail 2 "cannot create a temporary folder"
    waited "$split_program" shard "$shards" "$shard_dir" "$file" 2>"$scratch/split-errors"
    case $status in
    0) ;;
    3)
        echo "$program: note: \"$file\" is read whole: --shards splits intact, uncompressed pcap and pcapng files only" >&2
        rm -rf -- "$shard_dir"
        return 1
        ;;
    *)
        # (such as a temporary folder without room for a copy of the file,
        # where even the message may find no room)
        message=$(sed 's/^tlsdist-file-set: //' "$scratch/split-errors" 2>/dev/null)
        echo "$program: note: \"$file\" is read whole: ${message:-it could not be split into parts in ${TMPDIR:-/tmp}}" >&2
        rm -rf -- "$shard_dir"
        return 1
        ;;
    esac
    # The outputs are created first, so that one that cannot be stops the run.
    for output in "$out" "$packets" "$html"; do
        [ -z "$output" ] || [ "$output" = - ] || (: >"$output") 2>/dev/null || fail 1 "cannot write $output"
    done
    files= part=0
    while [ "$part" -lt "$shards" ]; do
        files=$files$shard_dir/shard-$part.cap$newline  # (what the progress display counts)
        part=$((part + 1))
    done
    start_progress
    waited run_shard_parts "$@"
    stop_progress
    # The parts' messages, each once, and the worst exit status.
    status=0 part=0
    while [ "$part" -lt "$shards" ]; do
        part_status=2
        [ ! -s "$shard_dir/shard-$part.status" ] || read -r part_status <"$shard_dir/shard-$part.status"
        [ "$part_status" -le "$status" ] || status=$part_status
        part=$((part + 1))
    done
    awk '!seen[$0]++' "$shard_dir"/shard-*.err >"$errors"
    [ "$status" -eq 0 ] || return 0
    set --
    [ -z "$out" ] || set -- "$@" --csv "$out"
    [ -z "$packets" ] || set -- "$@" --packets "$packets"
    [ -z "$html" ] || set -- "$@" --html "$html" --title "$capture_title"
    [ -n "$out$packets$html" ] || set -- --table -
    [ -z "$scope" ] || set -- "$@" --scope "$scope"
    [ -z "$filter" ] || set -- "$@" --filter "$filter"
    waited "$merge_program" "$shard_dir" "$shards" "$@" 2>"$shard_dir/merge-errors"
    case $status in
    0) ;;
    2)
        echo "$program: note: the shards of \"$file\" do not fit together ($(sed 's/^tlsdist: //' "$shard_dir/merge-errors")): reading it whole" >&2
        rm -rf -- "$shard_dir"
        return 1
        ;;
    *) cat -- "$shard_dir/merge-errors" >&2; status=2 ;;
    esac
    rm -rf -- "$shard_dir"
    return 0
}
# Each part's tshark, all at once: its session CSV, totals, facts and (with
# -p) per-packet CSV, its messages and exit status in the scratch folder.
run_shard_parts() {
    part=0
    while [ "$part" -lt "$shards" ]; do
        prefix=$shard_dir/shard-$part
        view_argument "$prefix.csv" ",csv"
        csv_view=$view_argument
        view_argument "$prefix.totals" ",totals"
        totals_view=$view_argument
        view_argument "$prefix.facts" ",shard"
        facts_view=$view_argument
        view_argument "$prefix.packets" ",packets"
        packets_view=$view_argument
        {
            "$tshark" "$@" -z "$csv_view" -z "$totals_view" -z "$facts_view" ${packets:+-z} ${packets:+"$packets_view"} \
                -r "$prefix.cap" 2>"$prefix.err"
            echo $? >"$prefix.status"
        } &
        part=$((part + 1))
    done
    wait
}
# One tshark run writes every output: a -z view each, into its file (out=)
# or, for the table and "-", to standard output. (The hundreds of
# --disable-protocol options come first, in one "set --": each "set --"
# copies the list so far, and a -z argument naming every file of a file
# set is long.)
set -- -q
old_ifs=$IFS
IFS='
'
[ -z "$keylog" ] || set -- "$@" -o "tls.keylog_file:$keylog"
for rule in $decode_as; do
    set -- "$@" -d "$rule"
done
set -f
# shellcheck disable=SC2086 # one option a line
set -- "$@" $disable_options
set +f
IFS=$old_ifs
sharded=false
if [ -n "$shards" ] && run_sharded "$@"; then
    sharded=true
fi
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
if [ -n "$totals_out" ]; then
    view_argument "$totals_out" ",totals"
    set -- "$@" -z "$view_argument"
fi
if [ -n "$interface" ]; then
    set -- "$@" -i "$interface"
    [ -z "$duration" ] || set -- "$@" -a "duration:$duration"
    [ -z "$count" ] || set -- "$@" -c "$count"
elif [ -n "$file" ]; then
    set -- "$@" -r "$file"
else
    set -- "$@" -r -
fi

if $sharded; then
    :  # (done: its $status and $errors are those of the parts)
elif [ -n "$interface" ]; then
    # Ctrl-C stops a live capture: tshark then prints its figures, and we go on.
    trap ':' INT
    waited "$tshark" "$@" 2>"$errors"
elif [ -n "$file" ]; then
    start_progress
    waited "$tshark" "$@" 2>"$errors"
    stop_progress
else
    start_progress
    old_ifs=$IFS
    IFS=$newline
    set -f
    waited merge_and_read "$@"
    set +f
    IFS=$old_ifs
    stop_progress
    merge_exit=
    read -r merge_exit <"$merge_status" || true
    if [ "$merge_exit" != 0 ] && [ "$status" -eq 0 ] && [ ! -f "$capture_list_file" ]; then
        # (refused before anything went out: tshark read nothing, and the
        # views found no list of captures; only the reason is worth saying)
        cat -- "$scratch/file-set-errors" >&2
        exit 2
    fi
    [ ! -s "$scratch/file-set-errors" ] || cat -- "$scratch/file-set-errors" >>"$errors"
    [ "$merge_exit" = 0 ] || [ "$status" -ne 0 ] || status=2
fi
# tshark's own messages (bad filter, unreadable or truncated capture, an
# output file that cannot be written), minus its warning about running as
# root; and what they say: 3, no tlsdist plugin (then nothing is printed);
# 4, an output file failed after it was opened (a full disk).
errors_verdict=0
first_line= rest= more=false
if [ -s "$errors" ]; then
    # (a root tshark's warning alone is not worth a process)
    { IFS= read -r first_line; IFS= read -r rest || [ -n "$rest" ]; } <"$errors" && more=true
fi
case $more:$first_line in
false:'Running as user "root"'* | false:) ;;
*)
    awk '/Invalid -z argument "tlsdist/ { no_plugin = 1 }
        /^tshark: tlsdist: cannot write / { write_failed = 1 }
        !/^Running as user "root"/ { kept[++count] = $0 }
        END {
            if (no_plugin) exit 3
            for (i = 1; i <= count; i++) print kept[i]
            exit write_failed ? 4 : 0
        }' "$errors" >&2
    errors_verdict=$?
    ;;
esac
if [ "$errors_verdict" -eq 3 ]; then
    fail 2 "tshark ($("$tshark" --version 2>/dev/null | head -n 1)) did not load the tlsdist plugin.
Install it for this Wireshark version (see INSTALL.md). Note that tshark run as
root ignores the personal plugin folder: install globally or run as a user."
fi
case $status in
0) ;;
1) exit 1 ;;  # tshark refused an argument: the display filter, an output file
*) exit 2 ;;
esac
[ "$errors_verdict" -ne 4 ] || exit 2
exit 0
