#!/bin/bash
# A device renamed while a program is attached (issue 15): `ip link set A
# name B`. xdpblock and tcdrop know it as B from then on: status shows B,
# detach B detaches it, and a new device named A is another device: detach
# A leaves B alone, attach A works. The oracle is bpftool net show.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

. "$(dirname "$(readlink -f "$0")")/../lib/toolns.sh"
toolns_up renamed ren ra0 rb0
veth() { N ip link add "$1" type veth peer "$2" && N ip link set "$1" up && N ip link set "$2" up; }
rename() { N ip link set "$1" down && N ip link set "$1" name "$2" && N ip link set "$2" up; }
# "xdp" / "tcx/ingress" / "clsact/ingress" per program on DEV.
on() {
	N bpftool net show dev "$1" 2>/dev/null |
		sed -nE -e "s/^$1\\([0-9]+\\) ([a-z]+ )?id [0-9]+.*/xdp/p" \
			-e "s/^$1\\([0-9]+\\) ([a-z]+\\/[a-z]+) .*/\\1/p" | sort | tr '\n' ' ' | sed 's/ $//'
}

veth ra0 ra1 || tap_bail "cannot create a veth in $ns"

# --- xdpblock -----------------------------------------------------------------
out=$(N "$X" attach ra0 2>&1); rc=$?
tap_is "$rc" 0 "xdpblock attach ra0 ($out)"
rename ra0 rb0 || tap_bail "cannot rename ra0"
tap_like "$(N "$X" status)" 'attached: rb0 \(netns ' "xdpblock status: the renamed device by its new name"
tap_like "$(N "$X" status --json)" '"ifname":"rb0"' "xdpblock status --json: rb0"
out=$(N "$X" detach rb0 2>&1); rc=$?
tap_is "$rc" 0 "xdpblock detach rb0, attached as ra0: exit 0 ($out)"
tap_is "$(on rb0)" "" "... and rb0 has no XDP program any more"
rename rb0 ra0

N "$X" attach ra0 >/dev/null 2>&1
rename ra0 rb0
veth ra0 ra2 || tap_bail "cannot create a second veth"
out=$(N "$X" detach ra0 2>&1); rc=$?
tap_is "$rc:$out" "2:xdpblock: not attached to ra0" "xdpblock detach ra0, a new device of the old name: not attached"
tap_is "$(on rb0)" "xdp" "... and rb0 keeps its program"
out=$(N "$X" attach ra0 2>&1); rc=$?
tap_is "$rc" 0 "xdpblock attach the new ra0 ($out)"
tap_is "$(on ra0)/$(on rb0)" "xdp/xdp" "both have the program"
tap_is "$(N "$X" status | sed -nE 's/^(attached:)? +([a-z0-9]+) \(netns.*/\2/p' | sort | tr '\n' ' ')" "ra0 rb0 " \
	"xdpblock status: ra0 and rb0"
out=$(N "$X" detach ra0 2>&1; N "$X" detach rb0 2>&1); rc=$?
tap_is "$rc:$out" "0:" "xdpblock detach ra0, then rb0"
tap_is "$(on ra0)/$(on rb0)" "/" "no XDP program left"
tap_is "$(ls "/sys/fs/bpf/$XDPBLOCK_PINS" 2>/dev/null | grep -c '^link-')" 0 "no link pin left"
N ip link del ra0
rename rb0 ra0

# --- tcdrop, both mechanisms --------------------------------------------------
for legacy in "" --legacy; do
	out=$(N "$T" attach ra0 $legacy 2>&1); rc=$?
	tap_is "$rc" 0 "tcdrop attach ra0 $legacy ($out)"
	rename ra0 rb0
	tap_like "$(N "$T" status)" $'\n''rb0 ' "tcdrop status $legacy: the renamed device by its new name"
	tap_like "$(N "$T" status --json)" '"device":"rb0"' "tcdrop status --json $legacy: rb0"
	veth ra0 ra2
	out=$(N "$T" detach ra0 2>&1); rc=$?
	tap_is "$rc:$out" "2:tcdrop: ra0: tcdrop is not attached there" "tcdrop detach ra0 $legacy, a new device of the old name: not attached"
	out=$(N "$T" attach ra0 $legacy 2>&1); rc=$?
	tap_is "$rc" 0 "tcdrop attach the new ra0 $legacy ($out)"
	# Without --legacy: tcx where the kernel has it (not 5.10).
	want=tcx/ingress
	N "$T" status --json | grep -c '"mechanism":"legacy"' >/dev/null && want=clsact/ingress
	tap_is "$(on ra0)/$(on rb0)" "$want/$want" "$legacy: both have the program"
	out=$(N "$T" detach rb0 2>&1; N "$T" detach ra0 2>&1); rc=$?
	tap_is "$rc:$out" "0:" "tcdrop detach rb0, then ra0 $legacy"
	tap_is "$(on ra0)/$(on rb0)" "/" "$legacy: no program left"
	tap_is "$(ls -A "/sys/fs/bpf/tcdrop/$ino" 2>/dev/null)" "" "$legacy: no pin left"
	N ip link del ra0
	rename rb0 ra0
done
tap_done
