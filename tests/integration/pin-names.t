#!/bin/bash
# Device names bpffs would refuse as pin names (issue 15): a dot, as in
# eth0.100, the usual VLAN name. tcdrop and xdpblock attach, show and detach
# such a device, and leave no pin behind; XDPBLOCK_PINS with a dot is
# refused before anything is made.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

. "$(dirname "$(readlink -f "$0")")/../lib/toolns.sh"
toolns_up pin-names pinn ve.100
ip -n "$ns" link add ve.100 type veth peer ve.101 && ip -n "$ns" link set ve.100 up &&
	ip -n "$ns" link set ve.101 up || tap_bail "cannot create veth ve.100 in $ns"

for legacy in "" --legacy; do
	out=$(N "$T" attach ve.100 $legacy 2>&1); rc=$?
	tap_is "$rc" 0 "tcdrop attach ve.100 $legacy: exit 0 ($out)"
	tap_like "$(N "$T" status)" $'\n''ve\.100 ' "tcdrop status $legacy: lists ve.100 by its name"
	tap_like "$(N "$T" status --json)" '"device":"ve\.100"' "tcdrop status --json $legacy: ve.100"
	out=$(N "$T" detach ve.100 2>&1); rc=$?
	tap_is "$rc" 0 "tcdrop detach ve.100 $legacy: exit 0 ($out)"
	tap_is "$(ls -A "/sys/fs/bpf/tcdrop/$ino" 2>/dev/null)" "" "tcdrop $legacy: no pin left"
done

out=$(N "$X" attach ve.100 2>&1); rc=$?
tap_is "$rc" 0 "xdpblock attach ve.100: exit 0 ($out)"
tap_like "$(N "$X" status)" 'attached: ve\.100 \(netns ' "xdpblock status: ve.100 by its name"
out=$(N "$X" detach ve.100 2>&1); rc=$?
tap_is "$rc" 0 "xdpblock detach ve.100: exit 0 ($out)"
tap_is "$(ls "/sys/fs/bpf/$XDPBLOCK_PINS" 2>/dev/null | grep -c '^link-')" 0 "xdpblock: no link pin left"

out=$(XDPBLOCK_PINS=a.b "$X" status 2>&1); rc=$?
tap_is "$rc:$out" "2:xdpblock: invalid XDPBLOCK_PINS 'a.b' (a folder name: letters, digits, '_', '-')" \
	"XDPBLOCK_PINS with a dot: refused in one line"
tap_is "$(ls -d /sys/fs/bpf/a.b 2>/dev/null)" "" "... and nothing made"
tap_done
