#!/bin/bash
# tcdrop end to end on the router fixture (A -- R -- B): traffic stops after
# attach and resumes after detach, counters match what was sent, for tcx
# and legacy tc, ingress and egress; refusals; iproute2 loading the same
# object; and nothing left behind. R's eth0 faces A and carries no default
# route; A's eth0 carries A's default route.
source "$(dirname "$0")/../lib/tap.sh"
tap_require_root

TCDROP=$TPK_BUILD/tcdrop
OBJ=$TPK_BUILD/bpf/tcdrop.bpf.o
[ -x "$TCDROP" ] && [ -r "$OBJ" ] || tap_bail "no $TCDROP or $OBJ: run make first"

name=$(tap_name tcd)
PROG_IDS=()
cleanup() {
	for dev in eth0; do
		ip netns exec "$NS_R" "$TCDROP" detach "$dev" >/dev/null 2>&1
		ip netns exec "$NS_A" "$TCDROP" detach "$dev" >/dev/null 2>&1
	done
	[ -n "${ROOT_IF:-}" ] && "$TCDROP" detach "$ROOT_IF" >/dev/null 2>&1
	"$FIXTURES/router" down "$name" >/dev/null 2>&1
	"$FIXTURES/pair" down "${name}p" >/dev/null 2>&1
	for ino in ${NS_A_INODE:-} ${NS_R_INODE:-} ${NS_PEER_INODE:-}; do
		rm -rf "/sys/fs/bpf/tcdrop/$ino"
	done
	rmdir /sys/fs/bpf/tcdrop 2>/dev/null
}
trap cleanup EXIT
eval "$("$FIXTURES/router" up "$name")" || tap_bail "router fixture did not come up"

R() { ip netns exec "$NS_R" "$@"; }
A() { ip netns exec "$NS_A" "$@"; }
ping4() { A ping -q -c "${1:-1}" -i 0.2 -W 1 "$R_A_IP4" >/dev/null 2>&1; }
ping6() { A ping -q -6 -c "${1:-1}" -i 0.2 -W 1 "$R_A_IP6" >/dev/null 2>&1; }
udp() { local ns=$1 ip=$2 port=$3 n=$4; ip netns exec "$ns" bash -c \
	"for i in \$(seq $n); do echo tcdrop > /dev/udp/$ip/$port; done" 2>/dev/null; }

# FIELD of the DIR attachment on eth0 in status --json, run in namespace NS.
field() {
	local ns=$1 dir=$2 key=$3
	ip netns exec "$ns" "$TCDROP" status eth0 --json | sed 's/},{/}\n{/g' |
		grep "\"direction\":\"$dir\"" | grep -o "\"$key\":[^,}]*" | cut -d: -f2 | tr -d '"'
}
remember_progs() {
	local id in=()
	[ -n "$1" ] && in=(ip netns exec "$1")
	for id in $("${in[@]}" "$TCDROP" status --json | grep -o '"prog_id":[0-9]*' | cut -d: -f2); do
		PROG_IDS+=("$id")
	done
}
clsact() { R tc qdisc show dev eth0 | grep -c clsact; }
pins() { ls "/sys/fs/bpf/tcdrop/$NS_R_INODE" 2>/dev/null | tr '\n' ' '; }
# What must be gone, once the kernel has had TAP_SETTLE s to let go of it.
pins_gone() { tap_settle "" pins; }
clsact_gone() { tap_settle 0 clsact; }
ingress_filters() { R tc filter show dev eth0 ingress; }

# tcx is 6.6+; elsewhere tcdrop's default is the legacy clsact filter.
MECH=legacy
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -c "STRUCT 'tcx_link'" >/dev/null && MECH=tcx
tap_diag "default mechanism on this kernel: $MECH"

tap_ok "baseline: A pings R" ping4 1
tap_ok "baseline: A pings R over IPv6" ping6 1

# What `tc qdisc add ... clsact` and `tc filter add ... bpf da obj` do by
# hand, then each mechanism through the same scenario.
scenario() {
	local mech=$1 opt=()
	[ "$2" = --legacy ] && opt=(--legacy)

	tap_ok "$mech: attach all on R eth0 ingress" R "$TCDROP" attach eth0 "${opt[@]}"
	remember_progs "$NS_R"
	tap_is "$(field "$NS_R" ingress mechanism)" "$mech" "$mech: status names the mechanism"
	if [ "$mech" = tcx ]; then
		tap_like "$(R bpftool net show dev eth0)" "tcx/ingress tcdrop prog_id $(field "$NS_R" ingress prog_id) link_id" \
			"tcx: bpftool sees the tcx link"
	else
		tap_like "$(R tc filter show dev eth0 ingress)" "pref 1997 bpf chain 0 handle 0x7cd .* id $(field "$NS_R" ingress prog_id) " \
			"legacy: tc sees tcdrop's filter"
	fi
	tap_nok "$mech: ping stops" ping4 3
	tap_like "$(field "$NS_R" ingress dropped_packets)" '^([3-9]|[1-9][0-9]+)$' \
		"$mech: at least the 3 pings dropped"
	tap_like "$(R "$TCDROP" status eth0)" "eth0 +[0-9]+ ingress $mech +attached" "$mech: status table"
	tap_nok "$mech: second attach on the same direction refused" R "$TCDROP" attach eth0 "${opt[@]}"
	tap_is "$(pins)" "eth0-${R_A_IFINDEX}-ingress " "$mech: one pinned entry"
	tap_ok "$mech: detach" R "$TCDROP" detach eth0
	tap_ok "$mech: ping resumes" ping4 1
	tap_is "$(pins_gone)" "" "$mech: pins removed"
	tap_is "$(clsact_gone)" 0 "$mech: no clsact qdisc left"

	# IPv4 only (--dst), so that no neighbour discovery is counted.
	tap_ok "$mech: attach icmp to A only, egress" \
		R "$TCDROP" attach eth0 --egress --proto icmp --dst "$A_IP4" "${opt[@]}"
	remember_progs "$NS_R"
	tap_nok "$mech: ping stops (replies dropped)" ping4 4
	tap_is "$(field "$NS_R" egress dropped_packets)" 4 "$mech: 4 replies dropped"
	tap_is "$(field "$NS_R" egress dropped_bytes)" $((4 * 98)) "$mech: 4 x 98 bytes dropped"
	tap_ok "$mech: IPv6 still passes" ping6 1
	tap_ok "$mech: detach egress" R "$TCDROP" detach eth0 --egress
	tap_ok "$mech: ping resumes" ping4 1
	# icmp alone is ICMP of either family (as in tracepkt and xdpblock).
	tap_ok "$mech: attach icmp, egress" R "$TCDROP" attach eth0 --egress --proto icmp "${opt[@]}"
	remember_progs "$NS_R"
	tap_nok "$mech: ping stops" ping4 1
	tap_nok "$mech: ping6 stops too: icmp is ICMPv6 over IPv6" ping6 1
	tap_ok "$mech: detach egress again" R "$TCDROP" detach eth0 --egress
	tap_ok "$mech: ping6 resumes" wait_until ping6 1

	tap_ok "$mech: attach --both udp port 9999" \
		R "$TCDROP" attach eth0 --both --proto udp --port 9999 "${opt[@]}"
	remember_progs "$NS_R"
	udp "$NS_A" "$R_A_IP4" 9999 5
	udp "$NS_A" "$R_A_IP4" 9998 3
	udp "$NS_R" "$A_IP4" 9999 2
	udp "$NS_A" "$R_A_IP6" 9999 4
	tap_ok "$mech: ping passes a udp filter" ping4 1
	tap_ok "$mech: status --json is one valid JSON document" \
		json_valid <<<"$(ip netns exec "$NS_R" "$TCDROP" status --json)"
	tap_is "$(field "$NS_R" ingress dropped_packets)" 9 "$mech: 5 + 4 UDP to port 9999 dropped on ingress"
	tap_is "$(field "$NS_R" egress dropped_packets)" 2 "$mech: 2 UDP to port 9999 dropped on egress"
	tap_is "$(field "$NS_R" ingress filter)" "udp port 9999" "$mech: status shows the filter"
	tap_ok "$mech: detach both" R "$TCDROP" detach eth0

	# A direction: A's SYN to R's closed port 9999 has it as its
	# destination, R's RST as its source.
	for p in sport dport; do
		tap_ok "$mech: attach --both tcp --$p 9999" \
			R "$TCDROP" attach eth0 --both --proto tcp --$p 9999 "${opt[@]}"
		remember_progs "$NS_R"
		A timeout 2 bash -c "echo > /dev/tcp/$R_A_IP4/9999" 2>/dev/null
		tap_is "$(field "$NS_R" ingress filter)" "tcp $p 9999" "$mech: status shows --$p"
		if [ $p = sport ]; then
			tap_is "$(field "$NS_R" ingress dropped_packets)" 0 "$mech: --sport: the SYN passes"
			tap_like "$(field "$NS_R" egress dropped_packets)" '^[1-9][0-9]*$' \
				"$mech: --sport: the RST from port 9999 is dropped"
		else
			tap_like "$(field "$NS_R" ingress dropped_packets)" '^[1-9][0-9]*$' \
				"$mech: --dport: the SYN to port 9999 is dropped"
			tap_is "$(field "$NS_R" egress dropped_packets)" 0 "$mech: --dport: no RST to drop"
		fi
		tap_ok "$mech: detach --$p" R "$TCDROP" detach eth0
	done

	tap_ok "$mech: attach --src IPv6 host" R "$TCDROP" attach eth0 --src "$A_IP6" "${opt[@]}"
	remember_progs "$NS_R"
	tap_nok "$mech: IPv6 ping from A stops" ping6 2
	tap_ok "$mech: IPv4 ping passes" ping4 1
	# A may also send R a neighbour solicitation, from the same address.
	tap_like "$(field "$NS_R" ingress dropped_packets)" '^([2-9]|[1-9][0-9]+)$' \
		"$mech: the 2 IPv6 echo requests dropped"
	tap_ok "$mech: detach" R "$TCDROP" detach eth0 --ingress
	tap_ok "$mech: IPv6 ping resumes" ping6 1
	tap_is "$(pins_gone)" "" "$mech: pins removed"
	tap_is "$(clsact_gone)" 0 "$mech: no clsact qdisc left"
}

scenario "$MECH"
scenario legacy --legacy

# Legacy: tcdrop must leave other tools' qdisc and filters alone.
OTHER=(pref 5 bpf bytecode '1,6 0 0 0,')	# classic BPF "no match": packets go on
R tc qdisc add dev eth0 clsact
R tc filter add dev eth0 ingress "${OTHER[@]}"
tap_ok "legacy: attach beside another tool's filter" R "$TCDROP" attach eth0 --legacy
remember_progs "$NS_R"
tap_is "$(field "$NS_R" ingress own_qdisc)" false "legacy: the qdisc is not tcdrop's"
tap_nok "legacy: ping stops" ping4 1
tap_ok "legacy: detach" R "$TCDROP" detach eth0
tap_is "$(R tc filter show dev eth0 ingress | grep -c 'pref 5 ')" 2 "legacy: the other filter is still there"
tap_is "$(clsact)" 1 "legacy: the qdisc tcdrop did not make is still there"
R tc qdisc del dev eth0 clsact

tap_ok "legacy: attach, making the qdisc" R "$TCDROP" attach eth0 --legacy --both
remember_progs "$NS_R"
tap_is "$(field "$NS_R" egress own_qdisc)" true "legacy: the qdisc is tcdrop's"
R tc filter add dev eth0 ingress "${OTHER[@]}"
tap_ok "legacy: detach egress" R "$TCDROP" detach eth0 --egress
tap_is "$(R tc filter show dev eth0 ingress | grep -c 'pref 1997 ')" 2 "legacy: ingress filter kept"
tap_ok "legacy: detach ingress" R "$TCDROP" detach eth0 --ingress
tap_is "$(R tc filter show dev eth0 ingress | grep -c 'pref 5 ')" 2 "legacy: another tool's filter kept"
tap_is "$(clsact)" 1 "legacy: a qdisc still in use by others is kept"
R tc qdisc del dev eth0 clsact

# --both must not half-apply: egress fails on a filter squatting tcdrop's handle.
R tc qdisc add dev eth0 clsact
R tc filter add dev eth0 egress pref 1997 handle 0x7cd bpf bytecode '1,6 0 0 0,'
tap_nok "legacy: --both refused when egress cannot attach" R "$TCDROP" attach eth0 --legacy --both
tap_is "$(tap_settle "" ingress_filters)" "" "legacy: ingress rolled back"
tap_is "$(pins_gone)" "" "legacy: no pins after the failed attach"
tap_ok "legacy: ping passes" ping4 1
R tc qdisc del dev eth0 clsact

# A deleted filter (someone ran tc filter del) is seen and cleaned up.
R "$TCDROP" attach eth0 --legacy && remember_progs "$NS_R"
R tc filter del dev eth0 ingress pref 1997
tap_is "$(field "$NS_R" ingress state)" gone "legacy: a filter removed behind tcdrop's back shows as gone"
tap_ok "legacy: attach again replaces the dead entry" R "$TCDROP" attach eth0 --legacy
remember_progs "$NS_R"
tap_is "$(field "$NS_R" ingress state)" attached "legacy: attached again"
R tc filter del dev eth0 ingress pref 1997
tap_ok "legacy: detach cleans up after a removed filter" R "$TCDROP" detach eth0
clsact_pins() { echo "$(clsact)$(pins)"; }
tap_is "$(tap_settle 0 clsact_pins)" 0 "legacy: qdisc and pins gone"

# A deleted device: status shows it gone, detach by its old name cleans up.
R ip link add tmpd0 type veth peer name tmpd1
R "$TCDROP" attach tmpd0 && remember_progs "$NS_R"
R ip link del tmpd0
tap_like "$(R "$TCDROP" status)" "tmpd0 +[0-9]+ ingress +$MECH +gone" "a deleted device shows as gone"
tap_ok "detach by the deleted device's name" R "$TCDROP" detach tmpd0
tap_is "$(pins_gone)" "" "its pins are gone"

# An attach killed half way leaves a folder without its info map.
mkdir -p "/sys/fs/bpf/tcdrop/$NS_R_INODE/eth0-$R_A_IFINDEX-ingress"
tap_ok "attach reclaims a half-made entry" R "$TCDROP" attach eth0
remember_progs "$NS_R"
tap_ok "and detaches it" R "$TCDROP" detach eth0
tap_is "$(pins_gone)" "" "pins gone"

# Default route: A's eth0 is how A reaches everything.
out=$(A "$TCDROP" attach eth0 2>&1)
tap_is "$?" 2 "default-route device refused with status 2"
tap_like "$out" "^tcdrop: eth0 carries this namespace's way out \(a default IPv4 and IPv6 route\)" "one-line refusal"
tap_is "$(A tc qdisc show dev eth0 | grep -c clsact)$(A "$TCDROP" status --json)" \
	'0{"attachments":[]}' "nothing applied"
tap_ok "--force attaches" A "$TCDROP" attach eth0 --force --legacy --proto udp --port 9
remember_progs "$NS_A"
tap_ok "A still pings with a udp filter" ping4 1
tap_ok "detach after --force" A "$TCDROP" detach eth0

# By hand, as tcdrop.8 shows: iproute2 loads the same object.
R tc qdisc add dev eth0 clsact
tap_ok "iproute2: tc filter add ... bpf da obj tcdrop.bpf.o sec tc" \
	R tc filter add dev eth0 ingress bpf da obj "$OBJ" sec tc
for id in $(R tc filter show dev eth0 ingress | grep -o ' id [0-9]*' | cut -d' ' -f3); do
	PROG_IDS+=("$id")
done
tap_nok "iproute2: ping stops" ping4 2
tap_ok "iproute2: tc filter del" R tc filter del dev eth0 ingress
tap_ok "iproute2: tc qdisc del" R tc qdisc del dev eth0 clsact
tap_ok "iproute2: ping resumes" ping4 1

# Plain run in the root namespace, on the pair fixture's root veth only.
pair=$("$FIXTURES/pair" up "${name}p") || tap_bail "pair fixture did not come up"
eval "$pair"
tap_ok "root ns: attach on the fixture's veth (icmp from the peer only)" \
	"$TCDROP" attach "$ROOT_IF" --proto icmp --src "$PEER_IP4"
remember_progs ""
tap_nok "root ns: ping to the peer stops (replies dropped)" ping -q -c 2 -i 0.2 -W 1 "$PEER_IP4"
tap_like "$("$TCDROP" status "$ROOT_IF")" "$ROOT_IF +$ROOT_IFINDEX +ingress +$MECH +attached +2 " \
	"root ns: status counts 2"
tap_is "$(ip netns exec "$NS_PEER" "$TCDROP" status --json)" '{"attachments":[]}' \
	"the peer namespace sees none of it"
tap_ok "root ns: detach" "$TCDROP" detach "$ROOT_IF"
tap_ok "root ns: ping resumes" ping -q -c 1 -W 1 "$PEER_IP4"

# Nothing left behind.
"$FIXTURES/router" down "$name" >/dev/null 2>&1
"$FIXTURES/pair" down "${name}p" >/dev/null 2>&1
ns_count() { ip netns list | grep -c "^tpk$name"; }
link_count() { ip link show | grep -c "tpk$name"; }
tap_is "$(tap_settle 0 ns_count)" 0 "no namespace left"
tap_is "$(tap_settle 0 link_count)" 0 "no link left"
left=$(bpf_ids_left prog "${PROG_IDS[@]}")
tap_is "$left" "" "none of the ${#PROG_IDS[@]} programs loaded is left"
pin_dirs() { ls -d /sys/fs/bpf/tcdrop/{"$NS_A_INODE","$NS_R_INODE","$NS_PEER_INODE","$(stat -L -c %i /proc/self/ns/net)"} 2>/dev/null; }
left=$(tap_settle "" pin_dirs)
tap_is "$left" "" "no pins left"
tap_done
