#!/bin/bash
# The default-route guard of tcdrop and xdpblock (issue 15): a device that
# carries the namespace's way out is refused without --force, whatever
# shape the way out takes: a plain default route, the second device of a
# multipath default, a member of a nexthop group, a default in another
# table picked by ip rule, a split default (0/1 + 128/1), a port of a bridge
# that carries the default. A device that carries none is taken.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

. "$(dirname "$(readlink -f "$0")")/../lib/toolns.sh"
toolns_up way-out wout

# fresh: a namespace with v0 (198.18.1.1/24) and v1 (198.18.2.1/24), no route
# beyond their subnets.
fresh() {
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" || tap_bail "cannot create namespace $ns"
	N ip link set lo up
	for i in 0 1; do
		N ip link add v$i type veth peer p$i && N ip link set v$i up &&
			N ip link set p$i up && N ip addr add 198.18.$((i + 1)).1/24 dev v$i ||
			tap_bail "cannot set up v$i in $ns"
	done
}

# guarded DESC DEV [VIA]: both tools refuse DEV in one line, exit 2, and
# take it with --force.
guarded() {
	local desc=$1 dev=$2 via=${3:-} out rc want
	want="^(tcdrop|xdpblock): $dev carries this namespace's way out"
	[ -n "$via" ] && want="^(tcdrop|xdpblock): $dev is a port of $via, which carries this namespace's way out"
	out=$(N "$T" attach "$dev" 2>&1); rc=$?
	tap_like "$rc:$out" "^2:${want#^}" "$desc: tcdrop attach $dev refused"
	out=$(N "$X" attach "$dev" --mode skb 2>&1); rc=$?
	tap_like "$rc:$out" "^2:${want#^}" "$desc: xdpblock attach $dev refused"
	out=$(N "$T" attach "$dev" --force 2>&1); rc=$?
	tap_is "$rc" 0 "$desc: tcdrop attach --force takes it ($out)"
	N "$T" detach "$dev" >/dev/null 2>&1
	out=$(N "$X" attach "$dev" --mode skb --force 2>&1); rc=$?
	tap_is "$rc" 0 "$desc: xdpblock attach --force takes it ($out)"
	N "$X" detach "$dev" >/dev/null 2>&1
}
free_dev() {
	local desc=$1 dev=$2 out rc
	out=$(N "$T" attach "$dev" 2>&1); rc=$?
	tap_is "$rc" 0 "$desc: tcdrop attach $dev, no way out there ($out)"
	N "$T" detach "$dev" >/dev/null 2>&1
	out=$(N "$X" attach "$dev" --mode skb 2>&1); rc=$?
	tap_is "$rc" 0 "$desc: xdpblock attach $dev, no way out there ($out)"
	N "$X" detach "$dev" >/dev/null 2>&1
}

fresh
free_dev "no default route" v1
N ip route add default via 198.18.1.2 dev v0
guarded "plain default" v0
free_dev "plain default on v0" v1

fresh
N ip route add default nexthop via 198.18.1.2 dev v0 nexthop via 198.18.2.2 dev v1
guarded "multipath default, second hop" v1

fresh
if N ip nexthop add id 1 via 198.18.1.2 dev v0 2>/dev/null; then
	N ip nexthop add id 2 via 198.18.2.2 dev v1 && N ip nexthop add id 10 group 1/2 &&
		N ip route add default nhid 10
	guarded "nexthop group member" v1
else
	tap_skip "nexthop group member" "no nexthop objects in this kernel (5.3+)"
fi

fresh
N ip route add default via 198.18.2.2 dev v1 table 100
N ip rule add from all lookup 100 pref 100
guarded "default in table 100, picked by ip rule" v1

fresh
N ip route add 0.0.0.0/1 via 198.18.2.2 dev v1
N ip route add 128.0.0.0/1 via 198.18.2.2 dev v1
guarded "split default 0/1 + 128/1" v1

fresh
N ip addr flush dev v1
N ip link add br0 type bridge && N ip link set br0 up && N ip link set v1 master br0 &&
	N ip addr add 198.18.2.1/24 dev br0 && N ip route add default via 198.18.2.2 dev br0
guarded "port of a bridge carrying the default" v1 br0

ip netns del "$ns"
tap_done
