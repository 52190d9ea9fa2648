#!/bin/bash
# tracepkt beyond one plain ping: ICMP datagram sockets, ping's exit status,
# --all/--count, --json, --proto/--host/--port, filters, --points, lost
# events, signals, and agreement with the kernel's own net: trace events.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root

TMP=$(mktemp -d /tmp/tpk-modes.XXXXXX)
TRACEFS_INSTANCE=
cleanup() {
	[ -n "$TRACEFS_INSTANCE" ] && rmdir "$TRACEFS_INSTANCE" 2>/dev/null
	[ -n "${TRACEFS_MOUNTED:-}" ] && umount /sys/kernel/tracing 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	fixtures_down
	rm -rf "$TMP"
}
trap cleanup EXIT
fixture_up pair "tm$$"
in_peer() { ip netns exec "$NS_PEER" "$@"; }
for ip in "$ROOT_IP4" "$ROOT_IP6"; do prime ip netns exec "$NS_PEER" "$ip"; done
for ip in "$PEER_IP4" "$PEER_IP6"; do prime "$ip"; done

# --- ICMP datagram sockets: the kernel picks the id, not ping's pid -------
in_peer sysctl -qw net.ipv4.ping_group_range="0 2147483647"
out=$(in_peer "$TRACEPKT" --nf-backend off --json "$ROOT_IP4"); rc=$?
tap_is "$rc" 0 "datagram ping: exit status"
tap_is "$(printf '%s\n' "$out" | wc -l)" 4 "datagram ping: four events"
first=$(printf '%s\n' "$out" | head -n1)
id=$(sed -E 's/.*"icmp_id":([0-9]+).*/\1/' <<<"$first")
pid=$(sed -E 's/.*"pid":([0-9]+).*/\1/' <<<"$first")
tap_ok "datagram ping: its id ($id) is not its pid ($pid)" test "$id" != "$pid"
out=$(in_peer "$TRACEPKT" --nf-backend off "$ROOT_IP4")
tap_is "$out" "$(py_header; echo_trip "$PEER_IP4" "$ROOT_IP4" \
	"$NS_PEER_INODE:$PEER_IF" "$NS_ROOT_INODE:$ROOT_IF")" "datagram ping: lines"
in_peer sysctl -qw net.ipv4.ping_group_range="1 0"

# --- from a pid namespace of its own, as in a container ----------------------
out=$(unshare --pid --fork --mount-proc "$TRACEPKT" --nf-backend off "$PEER_IP4")
tap_is "$out" "$(py_header; echo_trip "$ROOT_IP4" "$PEER_IP4" \
	"$NS_ROOT_INODE:$ROOT_IF" "$NS_PEER_INODE:$PEER_IF")" "own pid namespace: the ping is still found"

# --- ping's exit status passes through ---------------------------------------
out=$(in_peer "$TRACEPKT" --nf-backend off 198.19.255.1 2>"$TMP/err"); rc=$?
tap_is "$rc" 2 "unreachable network: ping's exit status 2"
tap_is "$out" "$(py_header)" "unreachable network: header only"
tap_like "$(cat "$TMP/err")" "Network is unreachable" "unreachable network: ping's error on stderr"
out=$(in_peer "$TRACEPKT" --nf-backend off -W 1 "${PEER_IP4%.*}.$(( ${PEER_IP4##*.} + 10 ))" 2>/dev/null); rc=$?
tap_is "$rc" 1 "no reply: ping's exit status 1"

# --- --all --count N ----------------------------------------------------------
"$TRACEPKT" --nf-backend off --all --count 3 --netns "$NS_PEER" >"$TMP/all" 2>&1 &
tracer=$!
tracer_ready $tracer || tap_diag "tracepkt did not start"
ping -c2 -i0.2 -W1 "$PEER_IP4" >/dev/null
wait $tracer; rc=$?
tap_is "$rc" 0 "--all --count 3: exit status 0"
tap_is "$(cat "$TMP/all")" "$(py_header
	py_line "$NS_PEER_INODE" "$PEER_IF" request "$ROOT_IP4" "$PEER_IP4"
	py_line "$NS_PEER_INODE" "$PEER_IF" reply "$PEER_IP4" "$ROOT_IP4"
	py_line "$NS_PEER_INODE" "$PEER_IF" request "$ROOT_IP4" "$PEER_IP4")" \
	"--all --count 3 --netns: three events in that namespace, then exit"

"$TRACEPKT" --nf-backend off --all --count 2 --ifname "$ROOT_IF" --json >"$TMP/json" 2>&1 &
tracer=$!
tracer_ready $tracer || tap_diag "tracepkt did not start"
ping -c1 -W1 "$PEER_IP6" >/dev/null
wait $tracer
tap_ok "--json: every line parses as a JSON object" \
	perl -MJSON::PP -ne 'my $o = decode_json($_); die unless ref $o eq "HASH"; END { die "no lines" unless $. }' "$TMP/json"
tap_is "$(perl -MJSON::PP -ne '$o = decode_json($_); print "$o->{ifname} $o->{type} $o->{saddr} $o->{daddr} $o->{point}\n"' "$TMP/json")" \
	"$ROOT_IF request $ROOT_IP6 $PEER_IP6 net_dev_queue
$ROOT_IF reply $PEER_IP6 $ROOT_IP6 netif_rx" "--json --ifname: fields of the two root-side events"

# --- --proto udp --port, --host ---------------------------------------------
"$TRACEPKT" --nf-backend off --all --proto udp --port 9999 --count 2 >"$TMP/udp" 2>&1 &
tracer=$!
tracer_ready $tracer || tap_diag "tracepkt did not start"
echo x >"/dev/udp/$PEER_IP4/9998"	# another port: not traced
echo x >"/dev/udp/$PEER_IP4/9999"
wait $tracer
tap_like "$(sed -n 2p "$TMP/udp")" "^\[ +$NS_ROOT_INODE\] +$ROOT_IF +udp $ROOT_IP4:[0-9]+ -> $PEER_IP4:9999 *$" \
	"--proto udp --port: ADDR:PORT, udp type, root side"
tap_like "$(sed -n 3p "$TMP/udp")" "^\[ +$NS_PEER_INODE\] +$PEER_IF +udp $ROOT_IP4:[0-9]+ -> $PEER_IP4:9999 *$" \
	"--proto udp --port: peer side"

"$TRACEPKT" --nf-backend off --all --host "$PEER_IP6" --count 1 >"$TMP/host" 2>&1 &
tracer=$!
tracer_ready $tracer || tap_diag "tracepkt did not start"
ping -c1 -W1 "$PEER_IP4" >/dev/null	# other family: not traced
ping -c1 -W1 "$PEER_IP6" >/dev/null
wait $tracer
tap_is "$(sed -n 2p "$TMP/host")" "$(py_line "$NS_ROOT_INODE" "$ROOT_IF" request "$ROOT_IP6" "$PEER_IP6")" \
	"--host: only that address"

# --- --points ------------------------------------------------------------------
out=$("$TRACEPKT" --nf-backend off --points +net_dev_start_xmit,-netif_rx "$PEER_IP4")
tap_is "$out" "$(py_header
	py_line "$NS_ROOT_INODE" "$ROOT_IF" request "$ROOT_IP4" "$PEER_IP4"
	py_line "$NS_ROOT_INODE" "$ROOT_IF" request "$ROOT_IP4" "$PEER_IP4"
	py_line "$NS_PEER_INODE" "$PEER_IF" reply "$PEER_IP4" "$ROOT_IP4"
	py_line "$NS_PEER_INODE" "$PEER_IF" reply "$PEER_IP4" "$ROOT_IP4")" \
	"--points +net_dev_start_xmit,-netif_rx: transmit side only, twice"

# --- lost events are counted and reported -------------------------------------
"$TRACEPKT" --nf-backend off --all --ringbuf-size 4K >/dev/null 2>"$TMP/lost" &
tracer=$!
tracer_ready $tracer || tap_diag "tracepkt did not start"
kill -STOP $tracer
ping -c 40 -i 0.01 -W1 "$PEER_IP4" >/dev/null
kill -CONT $tracer
kill -TERM $tracer
wait $tracer; rc=$?
tap_is "$rc" 0 "SIGTERM ends --all cleanly"
tap_like "$(cat "$TMP/lost")" "^tracepkt: [0-9]+ events lost: the ring buffer was full \(try --ringbuf-size\)$" \
	"lost events reported on stderr"

# --- Ctrl-C while a ping is outstanding --------------------------------------
"$TRACEPKT" --nf-backend off -W 5 "${PEER_IP4%.*}.$(( ${PEER_IP4##*.} + 10 ))" >/dev/null 2>&1 &
tracer=$!
tracer_ready $tracer || tap_diag "tracepkt did not start"
for i in $(seq 100); do	# and its ping is out
	pgrep -f "ping -c1 -W 5 -- ${PEER_IP4%.*}" >/dev/null && break
	sleep 0.1
done
kill -INT $tracer
wait $tracer; rc=$?
tap_is "$rc" 130 "SIGINT during a ping: exit status 128+2"
pings_running() { pgrep -f "ping -c1 -W 5 -- ${PEER_IP4%.*}" | wc -l; }
tap_is "$(tap_settle 0 pings_running)" 0 "SIGINT: the ping is not left running"

# --- the kernel's own net: events see the same hops ----------------------------
if ! mountpoint -q /sys/kernel/tracing; then
	mount -t tracefs tracefs /sys/kernel/tracing && TRACEFS_MOUNTED=1
fi
# Without the "fields" option (6.2+) the kernel prints hashed skb addresses.
if [ -d /sys/kernel/tracing/instances ] && [ -e /sys/kernel/tracing/options/fields ]; then
	TRACEFS_INSTANCE=/sys/kernel/tracing/instances/tpk$$
	mkdir "$TRACEFS_INSTANCE"
	echo 1 >"$TRACEFS_INSTANCE/options/fields"	# real skb addresses
	echo 0 >"$TRACEFS_INSTANCE/tracing_on"
	for e in netif_rx net_dev_queue napi_gro_receive_entry netif_receive_skb_entry; do
		echo 1 >"$TRACEFS_INSTANCE/events/net/$e/enable"
	done
	fixture_up bridge "tk$$"
	prime ip netns exec "$NS_HOST" "$C1_IP4"
	# The kernel records from here on, after the priming pings: the only echo
	# requests and replies it then sees are tracepkt's. (A time window around
	# our events failed in a loaded emulated guest, where the vCPU can stall
	# between the kernel's time stamp and our program's.)
	echo 1 >"$TRACEFS_INSTANCE/tracing_on"
	ip netns exec "$NS_HOST" "$TRACEPKT" --nf-backend off --json "$C1_IP4" >"$TMP/ours"
	echo 0 >"$TRACEFS_INSTANCE/tracing_on"
	# The kernel's events for the skbs we reported, as "point dev skb".
	perl -MJSON::PP -ne '$o = decode_json($_); print "$o->{point} $o->{ifname} $o->{skb}\n"' "$TMP/ours" >"$TMP/ours.txt"
	awk '{print $3}' "$TMP/ours.txt" | sort -u >"$TMP/skbs"
	perl -ne 'next unless /\s\d+\.\d+: (netif_rx|net_dev_queue|napi_gro_receive_entry|netif_receive_skb_entry): /;
		my $ev = $1;
		my ($skb) = /skbaddr=(0x[0-9a-f]+)/; my ($dev) = /\bname=(\S+)/; my ($len) = /\blen=\S+ \((\d+)\)/;
		# An ARP exchange may reuse the skb: echo sizes only.
		next unless $len == 84 || $len == 98;
		print "$ev $dev $skb\n"' \
		"$TRACEFS_INSTANCE/trace" | grep -wFf "$TMP/skbs" >"$TMP/kernel.txt"
	tap_is "$(cat "$TMP/ours.txt")" "$(cat "$TMP/kernel.txt")" \
		"bridge: same points, devices and order as the kernel's net: events"
	tap_is "$(wc -l <"$TMP/ours.txt")" 6 "bridge: six hops"
else
	tap_skip "bridge: same hops as the kernel's net: events" "no tracefs instances or fields option on this kernel"
	tap_skip "bridge: six hops" "no tracefs instances or fields option on this kernel"
fi

cleanup
trap - EXIT
TPK_FIXTURES_UP=()
tap_is "$(fixtures_left)" 0 "no fixture namespace left behind"
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_done
