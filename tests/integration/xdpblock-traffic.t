#!/bin/bash
# xdpblock on real traffic, in a router fixture: A --- R --- B, the
# blocklist on R's eth0 (and later B's). The commands of oxdpus
# (https://github.com/sematext/oxdpus) in turn (attach, add the client, its
# traffic stops, another source's flows, detach), then prefixes, ports, the longest-prefix walk, IPv6, counters
# that match the packets sent, rules across re-attach, two devices, VLANs.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

X=$TPK_BUILD/xdpblock
[ -x "$X" ] || tap_bail "no $X (make first)"
# The default folder, unless someone's blocklist is there already.
if [ -e /sys/fs/bpf/xdpblock ]; then
	export XDPBLOCK_PINS=xdpblock-traffic$$
fi
PINS=/sys/fs/bpf/${XDPBLOCK_PINS:-xdpblock}
name=$(tap_name xb)
cleanup() {
	[ -n "${NS_R:-}" ] && ip netns exec "$NS_R" "$X" detach eth0 >/dev/null 2>&1
	[ -n "${NS_B:-}" ] && ip netns exec "$NS_B" "$X" detach eth0 >/dev/null 2>&1
	"$X" flush >/dev/null 2>&1
	"$FIXTURES/router" down "$name" >/dev/null 2>&1
}
trap cleanup EXIT
# Programs this test attached (status names them); none may stay loaded.
PROGS=
note_progs() { PROGS="$PROGS $("$X" status | sed -nE 's/.*, prog ([0-9]+)\)$/\1/p' | tr '\n' ' ')"; }
# Those still loaded, once the kernel has had TAP_SETTLE s to free them.
# shellcheck disable=SC2086 # PROGS is a list of IDs
progs_left() { bpf_ids_left prog $PROGS | wc -w; }
eval "$("$FIXTURES/router" up "$name")" || tap_bail "router fixture failed"

# A second source on A, in the same subnets.
A2_IP4=${A_IP4%.*}.3
A2_IP6=${A_IP6%::*}::3
ip -n "$NS_A" addr add "$A2_IP4/$PLEN4" dev eth0
ip -n "$NS_A" addr add "$A2_IP6/$PLEN6" dev eth0 nodad

tap_plan 71

in_a() { ip netns exec "$NS_A" "$@"; }
# reach FROM TO: one ping gets an answer.
reach() { in_a ping -c1 -W1 -I "$1" "$2" >/dev/null 2>&1; }
# pings FROM TO N: how many of N quick pings were answered.
pings() {
	in_a ping -c"$3" -i0.05 -W1 -I "$1" "$2" 2>/dev/null |
		sed -nE 's/.* ([0-9]+) received.*/\1/p'
}
# udp TO PORT N: N small datagrams from A (its first address).
udp() { in_a bash -c "for i in \$(seq $3); do echo x >/dev/udp/$1/$2; done"; sleep 0.2; }
# B's count of datagrams to closed ports: what got through.
noports4() { ip netns exec "$NS_B" awk '$1 == "Udp:" { if (!h) { for (i = 1; i <= NF; i++) k[$i] = i; h = 1 } else print $k["NoPorts"] }' /proc/net/snmp; }
noports6() { ip netns exec "$NS_B" awk '$1 == "Udp6NoPorts" { print $2 }' /proc/net/snmp6; }
# counter PREFIX PROTO PORT: "packets bytes" of that rule.
counter() { "$X" list | awk -v p="$1" -v r="$2" -v o="$3" '$2 == p && $3 == r && $4 == o { print $5, $6 }'; }

# --- the oxdpus walk-through --------------------------------------------------
tap_ok "attach R's eth0 (ip netns exec)" ip netns exec "$NS_R" "$X" attach eth0
note_progs
tap_ok "pinned under $PINS" test -e "$PINS/rules_v4"
tap_ok "A reaches B (IPv4)" reach "$A_IP4" "$B_IP4"
tap_ok "A's second address reaches B (IPv4)" reach "$A2_IP4" "$B_IP4"
tap_ok "A reaches B (IPv6)" reach "$A_IP6" "$B_IP6"
tap_ok "A's second address reaches B (IPv6)" reach "$A2_IP6" "$B_IP6"
tap_ok "add the client" "$X" add "$A_IP4"
tap_is "$(pings "$A_IP4" "$B_IP4" 5)" 0 "its pings stop"
tap_is "$(pings "$A2_IP4" "$B_IP4" 3)" 3 "the other source's pings flow"
tap_is "$(counter "$A_IP4/32" any any)" "5 490" "counter: 5 echo requests, 98 bytes each"
tap_like "$("$X" status)" "dropped: +5 packets, 490 bytes" "status totals"
tap_ok "remove the client" "$X" remove "$A_IP4"
tap_is "$(pings "$A_IP4" "$B_IP4" 2)" 2 "its pings flow again"

# --- prefixes -----------------------------------------------------------------
net30=${A_IP4%.*}.0/30
tap_ok "add a /30 holding both sources" "$X" add "$net30"
tap_is "$(pings "$A_IP4" "$B_IP4" 2)/$(pings "$A2_IP4" "$B_IP4" 2)" "0/0" "both sources stop"
tap_is "$(counter "$net30" any any)" "4 392" "the prefix counted both"
tap_ok "remove the /30" "$X" remove "$net30"

# --- ports --------------------------------------------------------------------
tap_ok "add the client, udp 9000-9001 only" "$X" add "$A_IP4" --proto udp --port 9000-9001
n0=$(noports4)
udp "$B_IP4" 9000 4
udp "$B_IP4" 9001 1
tap_is "$(( $(noports4) - n0 ))" 0 "udp to 9000 and 9001 dropped"
tap_is "$(counter "$A_IP4/32" udp 9000-9001)" "5 220" "counter: 5 datagrams of 44 bytes"
n0=$(noports4)
udp "$B_IP4" 9002 3
tap_is "$(( $(noports4) - n0 ))" 3 "udp to 9002 passes"
tap_is "$(pings "$A_IP4" "$B_IP4" 2)" 2 "pings pass a udp rule"
tap_ok "a port rule without a protocol" "$X" add "$A_IP4" --port 9003
n0=$(noports4)
udp "$B_IP4" 9003 2
tap_is "$(( $(noports4) - n0 ))/$(counter "$A_IP4/32" any 9003)" "0/2 88" "... matches udp"

# --- a shorter prefix still applies when a longer one does not match ------------
net24=${A_IP4%.*}.0/24
tap_ok "add a /24 rule for udp 53" "$X" add "$net24" --proto udp --port 53
n0=$(noports4)
udp "$B_IP4" 53 3
tap_is "$(( $(noports4) - n0 ))" 0 "udp 53 from the client dropped, past its own /32 rules"
tap_is "$(counter "$net24" udp 53)" "3 132" "counted by the /24 rule"
tap_ok "remove the port rules" "$X" remove "$net24" --proto udp --port 53

# --- IPv6 -----------------------------------------------------------------------
tap_ok "add the client's IPv6 address" "$X" add "$A_IP6"
tap_is "$(pings "$A_IP6" "$B_IP6" 3)" 0 "its IPv6 pings stop"
tap_is "$(pings "$A2_IP6" "$B_IP6" 2)" 2 "the other IPv6 source's pings flow"
tap_ok "remove it" "$X" remove "$A_IP6"
# icmp is the prefix's own family's ICMP (as in tracepkt and tcdrop).
tap_ok "add the client's IPv6 address, icmp" "$X" add "$A_IP6" --proto icmp
tap_is "$("$X" list | awk -v p="$A_IP6/128" '$2 == p { print $3 }')" icmpv6 "... listed as an icmpv6 rule"
tap_is "$(pings "$A_IP6" "$B_IP6" 3)" 0 "its IPv6 pings stop"
tap_ok "remove it (as icmp)" "$X" remove "$A_IP6" --proto icmp
net64=${A_IP6%::*}::/64
tap_ok "add an IPv6 /64, udp 9100" "$X" add "$net64" --proto udp --port 9100
n0=$(noports6)
udp "$B_IP6" 9100 5
tap_is "$(( $(noports6) - n0 ))" 0 "IPv6 udp to 9100 dropped"
tap_is "$(counter "$net64" udp 9100)" "5 320" "counter: 5 datagrams of 64 bytes"
n0=$(noports6)
udp "$B_IP6" 9101 2
tap_is "$(( $(noports6) - n0 ))" 2 "IPv6 udp to 9101 passes"

# --- rules survive detach and re-attach; two devices share them -----------------
tap_ok "block the client again" "$X" add "$A_IP4"
tap_ok "detach R's eth0" ip netns exec "$NS_R" "$X" detach eth0
tap_is "$(pings "$A_IP4" "$B_IP4" 2)" 2 "detached: pings flow"
tap_like "$("$X" list)" "$A_IP4/32 +any +any" "the rules stay"
tap_ok "attach R's eth0 again" ip netns exec "$NS_R" "$X" attach eth0
note_progs
tap_is "$(pings "$A_IP4" "$B_IP4" 2)" 0 "re-attached: pings stop"
tap_is "$(counter "$net64" udp 9100)" "5 320" "counters survived"
# B's eth0 is B's way out (its default route): the guard wants --force.
tap_ok "attach B's eth0 too, skb mode" ip netns exec "$NS_B" "$X" attach eth0 --mode skb --force
note_progs
tap_ok "detach R's eth0" ip netns exec "$NS_R" "$X" detach eth0
tap_is "$(pings "$A_IP4" "$B_IP4" 3)" 0 "B's copy drops the client with the same rules"
tap_is "$(counter "$A_IP4/32" any any)" "5 490" "and counts there (2 on R, 3 on B)"
tap_like "$(ip netns exec "$NS_B" "$X" status)" "eth0 \(netns $NS_B_INODE, ifindex $B_IFINDEX, skb" "status on B"

# --- VLAN traffic on R's eth0 ---------------------------------------------------
# veth may hand the outer tag to XDP out of band (offloaded) rather than in
# the frame; either way the rules must hold. Tags in the frame are covered
# by tests/unit/xdpblock_parse, which builds the frames itself.
if modprobe -q 8021q 2>/dev/null; then
	tap_ok "attach R's eth0 once more" ip netns exec "$NS_R" "$X" attach eth0
	note_progs
	for ns in "$NS_A" "$NS_R"; do
		ip -n "$ns" link add link eth0 name v100 type vlan id 100
		ip -n "$ns" link add link eth0 name s200 type vlan protocol 802.1ad id 200
		ip -n "$ns" link add link s200 name q300 type vlan id 300
		ip -n "$ns" link set v100 up; ip -n "$ns" link set s200 up; ip -n "$ns" link set q300 up
	done
	ip -n "$NS_A" addr add 198.19.100.2/24 dev v100; ip -n "$NS_R" addr add 198.19.100.1/24 dev v100
	ip -n "$NS_A" addr add 198.19.200.2/24 dev q300; ip -n "$NS_R" addr add 198.19.200.1/24 dev q300
	reach 198.19.100.2 198.19.100.1; reach 198.19.200.2 198.19.200.1
	"$X" add 198.19.100.2 && "$X" add 198.19.200.2
	tap_is "$(pings 198.19.100.2 198.19.100.1 3)/$(counter 198.19.100.2/32 any any | cut -d' ' -f1)" \
		"0/3" "802.1Q: dropped and counted"
	tap_is "$(pings 198.19.200.2 198.19.200.1 3)/$(counter 198.19.200.2/32 any any | cut -d' ' -f1)" \
		"0/3" "802.1ad + 802.1Q: dropped and counted"
	tap_ok "detach R's eth0" ip netns exec "$NS_R" "$X" detach eth0
else
	for t in "attach R's eth0 once more" "802.1Q" "802.1ad + 802.1Q" "detach R's eth0"; do
		tap_skip "$t" "no 8021q module on this kernel (tests/unit/xdpblock_parse covers tags)"
	done
fi

# --- the program's other copy -----------------------------------------------------
# Kernels without bpf_loop (before 5.17) get a copy of the program that walks
# to shorter prefixes in a bounded loop; XDPBLOCK_WALK picks either copy. The
# tests above ran the one this kernel gets; here the other one runs, if the
# kernel can load it (the bpf_loop copy needs 5.17+).
tap_ok "detach B's eth0" ip netns exec "$NS_B" "$X" detach eth0
walks=(
	"the bounded-loop copy: udp 53 dropped by the /24, past the /32's rules"
	"... and counted there"
	"... pings pass the port rules"
	"... IPv6: udp 9100 dropped by the /64, past the /128's rule"
	"... and counted there"
	"... IPv6 udp 9101 passes"
	"detach R's eth0"
)
walk=$(ip netns exec "$NS_R" "$X" -v attach eth0 2>&1 |
	sed -n 's/^xdpblock: walking prefixes with the \(.*\) program$/\1/p')
note_progs
ip netns exec "$NS_R" "$X" detach eth0 >/dev/null 2>&1
tap_diag "this kernel's copy: ${walk:-none}"
if [ "$walk" = bpf_loop ]; then
	tap_ok "attach R's eth0 with XDPBLOCK_WALK=bounded" \
		env XDPBLOCK_WALK=bounded ip netns exec "$NS_R" "$X" attach eth0
	note_progs
	prog=$("$X" status | sed -nE 's/.*, prog ([0-9]+)\)$/\1/p' | head -n1)
	tap_like "$(bpftool prog show id "$prog" 2>&1)" 'name xdpblock_bound ' "... it runs xdpblock_bound"
	"$X" remove "$A_IP4"	# its /32 keeps only port rules
	"$X" add "$net24" --proto udp --port 53
	n0=$(noports4)
	udp "$B_IP4" 53 3
	tap_is "$(( $(noports4) - n0 ))" 0 "${walks[0]}"
	tap_is "$(counter "$net24" udp 53)" "3 132" "${walks[1]}"
	tap_is "$(pings "$A_IP4" "$B_IP4" 2)" 2 "${walks[2]}"
	"$X" add "$A_IP6" --proto tcp	# either source: a /128 without udp rules
	"$X" add "$A2_IP6" --proto tcp
	before=$(counter "$net64" udp 9100 | cut -d' ' -f1)
	n0=$(noports6)
	udp "$B_IP6" 9100 2
	tap_is "$(( $(noports6) - n0 ))" 0 "${walks[3]}"
	tap_is "$(( $(counter "$net64" udp 9100 | cut -d' ' -f1) - before ))" 2 "${walks[4]}"
	n0=$(noports6)
	udp "$B_IP6" 9101 2
	tap_is "$(( $(noports6) - n0 ))" 2 "${walks[5]}"
	tap_ok "${walks[6]}" ip netns exec "$NS_R" "$X" detach eth0
else
	out=$(XDPBLOCK_WALK=loop ip netns exec "$NS_R" "$X" attach eth0 2>&1); rc=$?
	tap_is "$rc/$out" \
		"1/xdpblock: cannot load the XDP program: this kernel has no bpf_loop (5.17+), which XDPBLOCK_WALK=loop asks for: Invalid argument" \
		"XDPBLOCK_WALK=loop without bpf_loop: one line"
	tap_skip "... it runs xdpblock" "no bpf_loop in this kernel (5.17+)"
	for t in "${walks[@]}"; do
		tap_skip "$t" "no bpf_loop in this kernel (5.17+): the tests above ran the bounded-loop copy"
	done
fi

# --- nothing left ------------------------------------------------------------------
tap_ok "flush" "$X" flush
tap_ok "nothing pinned" wait_until test ! -e "$PINS"
tap_ok "programs were noted" test -n "$PROGS"
tap_is "$(progs_left)" 0 "no program of ours left loaded"
cleanup
trap - EXIT
ns_count() { ip netns list | grep -c "^tpk$name-"; }
tap_is "$(tap_settle 0 ns_count)" 0 "fixture namespaces gone"
tap_done
