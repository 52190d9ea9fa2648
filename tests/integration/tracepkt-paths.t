#!/bin/bash
# tracepkt on every fixture, IPv4 and IPv6: the exact lines tracepkt.py
# would print, request and reply, run from the root namespace and from
# inside namespaces with `ip netns exec`. Netfilter lines depend on the
# host's own tables, so they are off here (tracepkt-nf.t covers them).
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root

trap fixtures_down EXIT

# check DESC EXPECTED_LINES [ip netns exec NS] TARGET
check() {
	local desc=$1 want=$2 out rc pre=()
	shift 2
	while [ "$1" != "$TRACEPKT" ]; do pre+=("$1"); shift; done
	[ $# -lt 4 ] || prime "${pre[@]}" "${!#}"
	out=$("${pre[@]}" "$@" 2>&1); rc=$?
	tap_is "$rc" 0 "$desc: exit status of ping"
	tap_is "$out" "$(py_header; printf '%s' "$want")" "$desc: lines"
}

# Loopback: net_dev_queue then netif_rx, for request and reply.
root=$(stat -L -c %i /proc/self/ns/net)
for a in 127.0.0.1 ::1; do
	check "loopback $a" "$(py_line "$root" lo request $a $a; py_line "$root" lo request $a $a
		py_line "$root" lo reply $a $a; py_line "$root" lo reply $a $a)" "$TRACEPKT" --nf-backend off $a
done
check "default target is 127.0.0.1" "$(py_line "$root" lo request 127.0.0.1 127.0.0.1
	py_line "$root" lo request 127.0.0.1 127.0.0.1; py_line "$root" lo reply 127.0.0.1 127.0.0.1
	py_line "$root" lo reply 127.0.0.1 127.0.0.1)" "$TRACEPKT" --nf-backend off

# pair: root -> peer across one veth pair.
fixture_up pair "tp$$"
for v in 4 6; do
	r=ROOT_IP$v p=PEER_IP$v
	check "pair IPv$v root -> peer" "$(echo_trip "${!r}" "${!p}" \
		"$NS_ROOT_INODE:$ROOT_IF" "$NS_PEER_INODE:$PEER_IF")" "$TRACEPKT" --nf-backend off "${!p}"
	check "pair IPv$v peer -> root (ip netns exec)" "$(echo_trip "${!p}" "${!r}" \
		"$NS_PEER_INODE:$PEER_IF" "$NS_ROOT_INODE:$ROOT_IF")" \
		ip netns exec "$NS_PEER" "$TRACEPKT" --nf-backend off "${!r}"
done

# bridge: the docker example of the Python tool's README
# (https://github.com/yadutaf/tracepkt), and a NATed way out.
fixture_up bridge "tb$$"
for v in 4 6; do
	b=BR_IP$v c1=C1_IP$v c2=C2_IP$v up=ROOT_IP$v h=HOST_IP$v
	check "bridge IPv$v host -> container" "$(echo_trip "${!b}" "${!c1}" \
		"$NS_HOST_INODE:$BR_IF" "$NS_HOST_INODE:$C1_PORT_IF" "$NS_C1_INODE:$C1_IF")" \
		ip netns exec "$NS_HOST" "$TRACEPKT" --nf-backend off "${!c1}"
	check "bridge IPv$v container -> container" "$(echo_trip "${!c1}" "${!c2}" \
		"$NS_C1_INODE:$C1_IF" "$NS_HOST_INODE:$C1_PORT_IF" "$NS_HOST_INODE:$C2_PORT_IF" "$NS_C2_INODE:$C2_IF")" \
		ip netns exec "$NS_C1" "$TRACEPKT" --nf-backend off "${!c2}"
	check "bridge IPv$v container -> root, masqueraded" "$(
		py_line "$NS_C1_INODE" "$C1_IF" request "${!c1}" "${!up}"
		py_line "$NS_HOST_INODE" "$C1_PORT_IF" request "${!c1}" "${!up}"
		py_line "$NS_HOST_INODE" "$BR_IF" request "${!c1}" "${!up}"
		py_line "$NS_HOST_INODE" "$HOST_IF" request "${!h}" "${!up}"
		py_line "$NS_ROOT_INODE" "$ROOT_IF" request "${!h}" "${!up}"
		py_line "$NS_ROOT_INODE" "$ROOT_IF" reply "${!up}" "${!h}"
		py_line "$NS_HOST_INODE" "$HOST_IF" reply "${!up}" "${!h}"
		py_line "$NS_HOST_INODE" "$BR_IF" reply "${!up}" "${!c1}"
		py_line "$NS_HOST_INODE" "$C1_PORT_IF" reply "${!up}" "${!c1}"
		py_line "$NS_C1_INODE" "$C1_IF" reply "${!up}" "${!c1}")" \
		ip netns exec "$NS_C1" "$TRACEPKT" --nf-backend off "${!up}"
done

# The same trip through raw_tp programs, as on a kernel without BTF.
check "bridge IPv4 host -> container, raw tracepoints" "$(echo_trip "$BR_IP4" "$C1_IP4" \
	"$NS_HOST_INODE:$BR_IF" "$NS_HOST_INODE:$C1_PORT_IF" "$NS_C1_INODE:$C1_IF")" \
	ip netns exec "$NS_HOST" "$TRACEPKT" --nf-backend off --raw-tracepoints "$C1_IP4"

# router: A -> R -> B, forwarded.
fixture_up router "tr$$"
for v in 4 6; do
	a=A_IP$v b=B_IP$v
	check "router IPv$v A -> B" "$(echo_trip "${!a}" "${!b}" \
		"$NS_A_INODE:$A_IF" "$NS_R_INODE:$R_A_IF" "$NS_R_INODE:$R_B_IF" "$NS_B_INODE:$B_IF")" \
		ip netns exec "$NS_A" "$TRACEPKT" --nf-backend off "${!b}"
done

fixtures_down
TPK_FIXTURES_UP=()
tap_is "$(fixtures_left)" 0 "no fixture namespace left behind"
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_done
