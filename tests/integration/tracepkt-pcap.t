#!/bin/bash
# tracepkt --all EXPRESSION decides as tcpdump does: on the pair fixture, a
# mix of traffic (ICMP and ICMPv6 echo, fragmented pings, UDP to open and
# closed ports with the ICMP errors they draw, TCP SYNs and the RSTs back,
# a low TTL) crosses the peer's eth0 while tcpdump -i eth0 captures all of
# it and one tracepkt per expression traces it there (one event per
# packet: net_dev_queue out, netif_rx in, as veth receives). For each expression,
# the packets tracepkt reports equal those `tcpdump -r` selects from the
# capture with the same expression. tracepkt follows IP packets only, so
# the capture is read with "(EXPR) and (ip or ip6)"; static neighbours keep
# ARP and NDP off the wire. Then the command line: a bad expression, one
# too large, one with --proto.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root
command -v tcpdump >/dev/null || tap_bail "no tcpdump (scripts/install-deps installs it)"

scratch tpk-pcap
fixture_up pair "pc$$"
P() { ip netns exec "$NS_PEER" "$@"; }
P ip neigh replace "$ROOT_IP4" lladdr "$ROOT_MAC" dev "$PEER_IF" nud permanent
P ip neigh replace "$ROOT_IP6" lladdr "$ROOT_MAC" dev "$PEER_IF" nud permanent
ip neigh replace "$PEER_IP4" lladdr "$PEER_MAC" dev "$ROOT_IF" nud permanent
ip neigh replace "$PEER_IP6" lladdr "$PEER_MAC" dev "$ROOT_IF" nud permanent
# No more router solicitations from the new links: packets nobody sends on
# purpose could fall between the two captures' starts.
P sysctl -qw "net.ipv6.conf.$PEER_IF.router_solicitations=0"
sysctl -qw "net.ipv6.conf.$ROOT_IF.router_solicitations=0"

EXPRS=(
	"icmp" "icmp6" "tcp" "udp" "ip" "ip6" "not tcp" "tcp or udp" "ip and not icmp"
	"host $ROOT_IP4" "src host $PEER_IP4" "dst host $ROOT_IP6" "net 198.18.0.0/15"
	"port 53" "dst port 53" "udp dst port 5353" "tcp dst port 443" "tcp src port 80"
	"portrange 50-100" "ip6 and udp"
	"tcp[tcpflags] & tcp-syn != 0" "tcp[tcpflags] & tcp-rst != 0"
	"tcp[tcpflags] & (tcp-rst|tcp-ack) == (tcp-rst|tcp-ack)"
	"icmp[icmptype] == icmp-echo" "icmp[icmptype] == icmp-echoreply"
	"icmp[icmptype] == icmp-unreach" "icmp6 and ip6[40] == 128" "icmp6 and ip6[40] == 1"
	"ip[6:2] & 0x1fff != 0" "ip[6:2] & 0x2000 != 0" "ip[8] == 5"
	"greater 1000" "less 80" "ether src $PEER_MAC" "ether dst $PEER_MAC"
)
# Tracers at once: each holds its own programs (and memory, which a guest
# has little of).
# Under emulation, where each tracepkt's load costs minutes of verifier
# time (three took 577 s on a loaded 6.1): one expression that joins what
# three exercised (a host and a port, TCP flags, fragments), what the
# guests are for being that each kernel's verifier takes the translation.
BATCH=${#EXPRS[@]}
if [ -n "${TPK_VM_KERNEL:-}" ]; then
	EXPRS=("(host $ROOT_IP4 and dst port 53) or tcp[tcpflags] & tcp-rst != 0 or ip[6:2] & 0x1fff != 0")
	BATCH=1
fi

# The traffic, from the peer: every kind the expressions tell apart.
traffic() {
	P ping -q -c2 -i0.2 -W1 "$ROOT_IP4"
	P ping -q -6 -c2 -i0.2 -W1 "$ROOT_IP6"
	P ping -q -c1 -s 2000 -W1 "$ROOT_IP4"
	P ping -q -6 -c1 -s 2000 -W1 "$ROOT_IP6"
	P ping -q -c1 -t 5 -W1 "$ROOT_IP4"
	for port in 53 5353 9999; do
		P bash -c "echo tpk > /dev/udp/$ROOT_IP4/$port; echo tpk > /dev/udp/$ROOT_IP6/$port"
		sleep 0.2
	done
	for port in 80 443; do
		P timeout 2 bash -c "echo > /dev/tcp/$ROOT_IP4/$port"
		P timeout 2 bash -c "echo > /dev/tcp/$ROOT_IP6/$port"
	done
	sleep 0.5
} >/dev/null 2>&1

# capture NAME: tcpdump -i on the peer's eth0 into $TMP/NAME.pcap, once it
# listens; its pid in $dump (ip netns exec execs tcpdump: $! is its pid).
capture() {
	local i
	ip netns exec "$NS_PEER" tcpdump -Z root --immediate-mode -i "$PEER_IF" -n -U -w "$TMP/$1.pcap" \
		2>"$TMP/$1.dump.err" &
	dump=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$TMP/$1.dump.err" && break
		sleep 0.1
	done
}

# run_batch FIRST COUNT: tcpdump and one tracepkt per expression, the
# traffic once; tracepkt's events per expression in $TMP/N.json.
run_batch() {
	local first=$1 count=$2 i pids=() dump
	for ((i = first; i < first + count; i++)); do
		"$TRACEPKT" --all --nf-backend off --json --netns "$NS_PEER" --ifname "$PEER_IF" \
			--points net_dev_queue,netif_rx "${EXPRS[i]}" \
			>"$TMP/$i.json" 2>"$TMP/$i.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do tracer_ready "$i" || tap_diag "tracepkt $i did not start"; done
	# tcpdump's capture within the tracers' (a stray packet on the wire is
	# then in both).
	capture "b$first"
	traffic
	kill -INT $dump
	wait $dump 2>/dev/null
	kill -INT "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	for ((i = first; i < first + count; i++)); do
		ln -sf "$TMP/b$first.pcap" "$TMP/$i.pcap"
	done
}

for ((b = 0; b < ${#EXPRS[@]}; b += BATCH)); do
	n=$BATCH
	((b + n > ${#EXPRS[@]})) && n=$((${#EXPRS[@]} - b))
	run_batch $b $n
done

total=$(tcpdump -r "$TMP/0.pcap" -n 2>/dev/null | wc -l)
tap_ok "the capture holds the mix ($total packets)" test "$total" -ge 30
some=0
for ((i = 0; i < ${#EXPRS[@]}; i++)); do
	want=$(tcpdump -r "$TMP/$i.pcap" -n "(${EXPRS[i]}) and (ip or ip6)" 2>/dev/null | wc -l)
	got=$(grep -c '"kind"' "$TMP/$i.json")
	((want > 0)) && some=$((some + 1))
	tap_is "$got" "$want" "'${EXPRS[i]}': tracepkt reports the packets tcpdump selects"
	[ "$got" = "$want" ] || tap_diag "$(cat "$TMP/$i.err")"
done
tap_ok "the expressions tell the mix apart ($some of ${#EXPRS[@]} select something)" \
	test "$some" -ge $((${#EXPRS[@]} * 9 / 10))

# --- 802.1Q: veth holds a VLAN device's tag apart (skb->vlan_tci); the copy
# an expression reads has it put back, as libpcap does for tcpdump -i. ---
EXPR='vlan 100 and icmp'
if modprobe -q 8021q 2>/dev/null; then
	P ip link add link "$PEER_IF" name tpv100 type vlan id 100
	ip link add link "$ROOT_IF" name tpv100r type vlan id 100
	P ip addr add 198.19.100.2/24 dev tpv100 && ip addr add 198.19.100.1/24 dev tpv100r
	P ip link set tpv100 up && ip link set tpv100r up
	P ip neigh replace 198.19.100.1 lladdr "$ROOT_MAC" dev tpv100 nud permanent
	ip neigh replace 198.19.100.2 lladdr "$PEER_MAC" dev tpv100r nud permanent
	"$TRACEPKT" --all --nf-backend off --json --netns "$NS_PEER" --ifname "$PEER_IF" \
		--points net_dev_queue,netif_rx "$EXPR" >"$TMP/vlan.json" 2>"$TMP/vlan.err" &
	pid=$!
	tracer_ready $pid || tap_diag "tracepkt did not start: $(cat "$TMP/vlan.err")"
	capture vlan
	P ping -q -c2 -i0.2 -W1 198.19.100.1 >/dev/null
	P ping -q -c1 -W1 "$ROOT_IP4" >/dev/null	# untagged: matches neither
	sleep 0.5
	kill -INT $dump $pid
	wait $dump $pid 2>/dev/null
	want=$(tcpdump -r "$TMP/vlan.pcap" -n "($EXPR) and (ip or ip6)" 2>/dev/null | wc -l)
	tap_is "$want" 4 "'$EXPR': tcpdump -i sees the two tagged requests and replies"
	tap_is "$(grep -c '"kind"' "$TMP/vlan.json")" "$want" "'$EXPR': tracepkt reports the same packets"
	ip link del tpv100r
	P ip link del tpv100
else
	tap_skip "'$EXPR': tcpdump -i sees the two tagged requests and replies" "no 8021q module on this kernel"
	tap_skip "'$EXPR': tracepkt reports the same packets" "no 8021q module on this kernel"
fi

# --- the command line ---------------------------------------------------------
# User space alone (libpcap's compiler and our translator), the same on
# every kernel: the host runs it; under emulation the large expression's
# optimisation alone took minutes.
if [ -n "${TPK_VM_KERNEL:-}" ]; then
	tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
	tap_done
	exit
fi
out=$("$TRACEPKT" --all udp and dst prot 53 2>&1); rc=$?
tap_is "$rc/$out" "2/tracepkt: bad filter expression: unknown host 'prot'" \
	"a bad expression: libpcap's message, exit 2"
big=$(for i in $(seq 1 900); do printf 'host 198.18.%d.%d or ' $((i / 250)) $((i % 250 + 1)); done)
out=$("$TRACEPKT" --all "${big}host 198.19.0.1" 2>&1); rc=$?
tap_is "$rc/$out" "2/tracepkt: the filter is too large (more than 4096 eBPF instructions)" \
	"an expression too large: one line, exit 2"
out=$("$TRACEPKT" --all --proto udp 'port 53' 2>&1); rc=$?
tap_is "$rc/$out" "2/tracepkt: a filter expression takes the place of --proto, --host and --port" \
	"an expression with --proto: one line, exit 2"
out=$("$TRACEPKT" --all 'ip protochain 6' 2>&1); rc=$?
tap_is "$rc/$out" \
	"2/tracepkt: the filter loops (a backward jump, as protochain makes), which the kernel does not run" \
	"protochain: one line, exit 2"

tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_done
