# Sourced by the capture scripts (captures/make-captures,
# bench/make-mixed-capture): two network namespaces joined by a veth pair with
# a 1500-byte MTU and segmentation offloads off (so captured frames are the
# size a real network carries), and tcpdump on the client's side of the pair.
#
# Before sourcing, set: server_ns client_ns (namespace names), veth_server
# veth_client (interface names, at most 15 characters), work (a scratch
# folder), manifest (a file of JSON lines for note and merge_manifest).
# Addresses: 10.77.0.1/fd77::1 server, 10.77.0.2/fd77::2 client.
# The caller owns the pids array and the EXIT trap (call netns_pair_down).

server4=10.77.0.1 client4=10.77.0.2 server6=fd77::1 client6=fd77::2
pids=()

in_server() { ip netns exec "$server_ns" "$@"; }
in_client() { ip netns exec "$client_ns" "$@"; }

netns_pair_down() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$server_ns" 2>/dev/null || true
    ip netns del "$client_ns" 2>/dev/null || true
}

netns_pair_up() {
    ip netns del "$server_ns" 2>/dev/null || true
    ip netns del "$client_ns" 2>/dev/null || true
    ip netns add "$server_ns"
    ip netns add "$client_ns"
    ip link add "$veth_server" type veth peer name "$veth_client"
    ip link set "$veth_server" netns "$server_ns"
    ip link set "$veth_client" netns "$client_ns"
    in_server ip addr add "$server4/24" dev "$veth_server"
    in_client ip addr add "$client4/24" dev "$veth_client"
    in_server ip addr add "$server6/64" dev "$veth_server" nodad
    in_client ip addr add "$client6/64" dev "$veth_client" nodad
    local ns dev
    for ns in "$server_ns:$veth_server" "$client_ns:$veth_client"; do
        dev=${ns#*:}
        ns=${ns%%:*}
        ip netns exec "$ns" ip link set lo up
        ip netns exec "$ns" ip link set "$dev" mtu 1500 up
        ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx-udp-segmentation off >/dev/null
    done
}

wait_for_tcp() {  # address port: until the server accepts connections
    for _ in $(seq 50); do in_client bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return; sleep 0.1; done
    echo "nothing listens on $1:$2" >&2
    return 1
}

start_capture() {  # file, tcpdump filter
    # Started without a function in between, so that $! is tcpdump itself.
    ip netns exec "$client_ns" tcpdump -i "$veth_client" -s 0 -B 16384 --immediate-mode -U -w "$work/$1" "$2" 2>"$work/tcpdump.log" &
    capture_pid=$!
    pids+=("$capture_pid")
    for _ in $(seq 50); do grep -q "listening on" "$work/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
}

stop_capture() {
    sleep 0.5
    kill -INT "$capture_pid"
    wait "$capture_pid" || true
    if grep -q " [1-9][0-9]* packets dropped by kernel" "$work/tcpdump.log"; then
        echo "tcpdump dropped packets:" >&2
        cat "$work/tcpdump.log" >&2
        exit 1
    fi
}

# What a capture script knows without any dissector: per capture, the server
# port, the versions it forced (one per session, sorted) and the HTTP response
# bodies the server sent in total (the TLS bytes from server to client must
# exceed it).
note() {  # capture, server port, JSON list of versions, body bytes
    printf '{"capture": "%s", "server_port": %s, "versions": %s, "response_body_bytes": %s}\n' \
        "$@" >>"$manifest"
}

merge_manifest() {  # the notes, manifest.json: entries of captures made elsewhere are kept
    python3 - "$1" "$2" <<'PY'
import json, sys
try:
    manifest = json.load(open(sys.argv[2]))
except FileNotFoundError:
    manifest = {}
for line in open(sys.argv[1]):
    entry = json.loads(line)
    manifest[entry.pop("capture")] = entry
with open(sys.argv[2], "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
    f.write("\n")
PY
}
