#!/bin/bash
# A traced packet dropped by a tc or XDP program is never lost in silence.
# Where the kernel allows fexit on those programs (6.1, 6.12), their
# verdicts show in the IPTABLES place (xdp:DROP, tc.ingress:SHOT); where
# it does not (the host), the trace ends with a line naming the programs
# attached where it was dropped (lost.PROGRAMS). tracepkt --probe says
# which. The project's own xdpblock (XDP) and tcdrop (tcx and legacy
# cls_bpf, ingress and egress) do the dropping, on the router fixture, and
# bpftool names what is attached (the oracle).
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root
command -v bpftool >/dev/null || tap_skip_all "no bpftool"

# Under emulation each load of tracepkt costs minutes: there, one trace
# per way of dropping (the host runs every variant).
VM=${TPK_VM_KERNEL:+1}
TMP=$(mktemp -d /tmp/tpk-tcxdp.XXXXXX)
export XDPBLOCK_PINS=tpktcxdp$$
X=$TPK_BUILD/xdpblock T=$TPK_BUILD/tcdrop
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	ip netns exec "$NS_B" "$X" detach eth0
	ip netns exec "$NS_B" "$T" detach eth0
	ip netns exec "$NS_R" "$T" detach eth1
	"$X" flush
	rm -rf "/sys/fs/bpf/$XDPBLOCK_PINS"
	fixtures_down
	rm -rf "$TMP"
} >/dev/null 2>&1
trap cleanup EXIT

fixture_up router "tx$$"
prime ip netns exec "$NS_A" "$B_IP4"
# Neighbours fixed: in a slow guest an entry expires between the cases,
# and a drop program that takes ARP too would then end the trip at R with
# NEIGH_FAILED instead of at the program.
ip -n "$NS_A" neigh replace "$R_A_IP4" lladdr "$R_A_MAC" dev "$A_IF" nud permanent
ip -n "$NS_R" neigh replace "$B_IP4" lladdr "$B_MAC" dev "$R_B_IF" nud permanent

# traced OUT UNTIL TRACEPKT_ARGS...: tracepkt's output while A pings B
# once, and until a line matches UNTIL (up to 30 s): the ping gives up
# after a second, but a packet dropped on the way may still be on it in
# a loaded emulated guest.
traced() {
	local out=$1 until=$2 pid i
	shift 2
	"$TRACEPKT" --nf-backend off "$@" >"$out" 2>"$out.err" &
	pid=$!
	tracer_ready $pid || tap_diag "tracepkt did not start: $(cat "$out.err")"
	ip netns exec "$NS_A" ping -c1 -W1 "$B_IP4" >/dev/null 2>&1
	for ((i = 0; i < 300; i++)); do
		grep -qE "$until" "$out" && break
		sleep 0.1
	done
	kill -INT $pid
	wait $pid
}

# prog_id NS DEV KIND: the id bpftool shows for that attachment.
prog_id() {
	ip netns exec "$1" bpftool -j net show dev "$2" | jq -r --arg k "$3" '.[] |
		if $k == "xdp" then .xdp[]?.id
		else .tc[]? | select(.kind == $k) | (.prog_id // .id) end'
}

# prog_name ID: the program's name, as bpftool shows it (xdpblock and
# tcdrop load different programs on different kernels).
prog_name() { bpftool -j prog show id "$1" | jq -r .name; }

request_to() {
	py_line "$NS_A_INODE" "$A_IF" request "$A_IP4" "$B_IP4"
	py_line "$NS_R_INODE" "$R_A_IF" request "$A_IP4" "$B_IP4"
	py_line "$NS_R_INODE" "$R_B_IF" request "$A_IP4" "$B_IP4"
}
# lost_line INODE IF IPTABLES: "lost.xdp:xdpblock#ID" in the IPTABLES place.
lost_line() { printf '[%12s] %16s %7s %-34s %7s.%s\n' "$1" "$2" request "$A_IP4 -> $B_IP4" lost "$3"; }

# verdict_line INODE IF AT:VERDICT: "xdp:DROP" in the IPTABLES place.
verdict_line() { printf '[%12s] %16s %7s %-34s %7s:%s\n' "$1" "$2" request "$A_IP4 -> $B_IP4" "${3%%:*}" "${3#*:}"; }
# end_line INODE IF AT:VERDICT LOST: the line a drop there ends with.
end_line() {
	if [ "$probe" = verdicts ]; then verdict_line "$1" "$2" "$3"; else lost_line "$1" "$2" "$4"; fi
}

probed=$("$TRACEPKT" --probe 2>/dev/null)
probe=$(awk '$1 == "backend" && $2 == "tracepkt.tcxdp" { print $3 }' <<<"$probed")
fexit=$(awk '$1 == "feature" && $2 == "fexit" { print $3 }' <<<"$probed")
if [ -n "$VM" ] && [ "$fexit" = yes ]; then
	tap_is "$probe" verdicts "--probe: fexit works here: the programs' verdicts show"
elif [ -n "$VM" ]; then
	tap_like "$probe" '^(lost|verdicts)$' "--probe: $probe"
else
	tap_is "$probe" lost "--probe: fexit refused here: tc and XDP drops show as a last line naming the programs"
fi
# The line the trace waits for.
if [ "$probe" = verdicts ]; then UNTIL_XDP='xdp:|"attach":"xdp"' UNTIL_TC='tc\.ingress:'; else UNTIL_XDP=lost UNTIL_TC=lost; fi

# --- XDP: xdpblock on B's eth0 drops what A sends. ---
ip netns exec "$NS_B" "$X" attach eth0 --force >/dev/null && "$X" add "$A_IP4" >/dev/null
id=$(prog_id "$NS_B" eth0 xdp)
tap_like "$id" '^[0-9]+$' "xdpblock attached (bpftool shows program $id)"
xdp="xdp:$(prog_name "$id")#$id"
traced "$TMP/o" "$UNTIL_XDP" --all "host $A_IP4"
tap_is "$(cat "$TMP/o")" "$(py_header; request_to; end_line "$NS_B_INODE" "$B_IF" xdp:DROP "$xdp")" \
	"XDP drop: the request's hops, then $probe at B's eth0"
if [ -z "$VM" ]; then
traced "$TMP/o" lost --all --drops "host $A_IP4"
tap_is "$(tail -2 "$TMP/o")" "$(printf '[%12s] %16s %7s %-34s %7s.%s\n' "$NS_B_INODE" "$B_IF" request \
	"$A_IP4 -> $B_IP4" drop NOT_SPECIFIED; lost_line "$NS_B_INODE" "$B_IF" "$xdp")" \
	"--drops with a filter expression: the kernel's reason, then the programs"
fi
if [ -z "$VM" ]; then
out=$(ip netns exec "$NS_A" "$TRACEPKT" --nf-backend off "$B_IP4" 2>/dev/null)
rc=$?
tap_is "$out" "$(py_header; request_to; end_line "$NS_B_INODE" "$B_IF" xdp:DROP "$xdp")" \
	"ping mode: the same last line"
tap_is "$rc" 1 "ping mode: ping's status (no reply)"
fi
if [ -z "$VM" ] || [ "$probe" = verdicts ]; then
traced "$TMP/o" "$UNTIL_XDP" --all -j "host $A_IP4"
if [ "$probe" = verdicts ]; then
	tap_is "$(tail -1 "$TMP/o" | jq -r '"\(.kind) \(.ifname) \(.attach):\(.verdict):\(.verdict_code) \(.program.name):\(.program.id)"')" \
		"prog $B_IF xdp:DROP:1 $(prog_name "$id"):$id" "--json: kind prog, where, the verdict, the program's name and id"
else
	tap_is "$(tail -1 "$TMP/o" | jq -r '"\(.kind) \(.ifname) \(.drop_reason) " +
		([.programs[] | "\(.attach):\(.name):\(.id)"] | join(" "))')" \
		"lost $B_IF NOT_SPECIFIED xdp:$(prog_name "$id"):$id" "--json: kind lost, the programs with attach, name and id"
fi
fi
if [ "$probe" = verdicts ]; then
	# A rule for another source: xdpblock passes A's packets.
	"$X" flush >/dev/null && "$X" add 198.18.1.99 >/dev/null
	traced "$TMP/o" reply --all "host $A_IP4"
	tap_is "$(head -6 "$TMP/o")" "$(py_header; request_to; verdict_line "$NS_B_INODE" "$B_IF" xdp:PASS
		py_line "$NS_B_INODE" "$B_IF" request "$A_IP4" "$B_IP4")" \
		"a program that passes the packet: its verdict on the way, then the hops go on"
fi
ip netns exec "$NS_B" "$X" detach eth0 >/dev/null
"$X" flush >/dev/null

# --- tcx ingress: tcdrop on B's eth0. ---
if ip netns exec "$NS_B" "$T" attach eth0 --force --proto icmp >/dev/null 2>&1; then
	kind=$(ip netns exec "$NS_B" bpftool -j net show dev eth0 | grep -o '"kind":"[a-z/]*ingress"' | cut -d'"' -f4)
	id=$(prog_id "$NS_B" eth0 "$kind")
	want=tcx.ingress
	[ "$kind" = tcx/ingress ] || want=tc.ingress
	traced "$TMP/o" "$UNTIL_TC" --all "host $A_IP4"
	tap_is "$(cat "$TMP/o")" "$(py_header; request_to
		py_line "$NS_B_INODE" "$B_IF" request "$A_IP4" "$B_IP4"
		end_line "$NS_B_INODE" "$B_IF" tc.ingress:SHOT "$want:$(prog_name "$id")#$id")" \
		"tc ingress drop ($kind): its hops to B's eth0, then $probe there"
	ip netns exec "$NS_B" "$T" detach eth0 >/dev/null
else
	tap_fail "tcdrop attach eth0 in B"
fi

# --- legacy cls_bpf egress: tcdrop on R's eth1 (towards B). ---
if ip netns exec "$NS_R" "$T" attach eth1 --egress --legacy --proto icmp >/dev/null 2>&1; then
	id=$(prog_id "$NS_R" eth1 clsact/egress)
	reason=TC_EGRESS
	# Before 5.17 the kernel gives no reason.
	grep -q '^feature drop_reasons *yes' <<<"$probed" || reason='~UNK~'
	drop=$(printf '[%12s] %16s %7s %-34s %7s.%s\n' "$NS_R_INODE" "$R_B_IF" request "$A_IP4 -> $B_IP4" drop "$reason")
	if [ "$probe" = verdicts ]; then
		traced "$TMP/o" 'drop\.' --all --drops "host $A_IP4"
		want=$(verdict_line "$NS_R_INODE" "$R_B_IF" tc.egress:SHOT; echo "$drop")
	else
		traced "$TMP/o" lost --all --drops "host $A_IP4"
		want=$(echo "$drop"; lost_line "$NS_R_INODE" "$R_B_IF" "tc.egress:$(prog_name "$id")#$id")
	fi
	tap_is "$(tail -2 "$TMP/o")" "$want" \
		"tc egress drop (clsact, cls_bpf), --drops and an expression: the reason and $probe at R's eth1"
	ip netns exec "$NS_R" "$T" detach eth1 >/dev/null
else
	tap_fail "tcdrop attach eth1 --egress --legacy in R"
fi

# Nothing attached: a drop elsewhere names nothing. An iptables DROP in B
# is a netfilter verdict, not a lost line.
if [ -z "$VM" ]; then
	ip netns exec "$NS_B" iptables -A INPUT -s "$A_IP4" -j DROP
	traced "$TMP/o" 'drop\.' --all --drops "host $A_IP4"
	tap_nok "no tc or XDP program: no lost line" grep -q lost "$TMP/o"
	ip netns exec "$NS_B" iptables -D INPUT -s "$A_IP4" -j DROP
fi

cleanup
trap - EXIT
tap_is "$(fixtures_left)" 0 "no fixture namespace left behind"
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_ok "no blocklist pin left" test ! -e "/sys/fs/bpf/$XDPBLOCK_PINS"
tap_done
