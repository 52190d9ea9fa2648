#!/bin/bash
# Each tool's main path under valgrind: no invalid access, no definite leak.
# Buffers the kernel fills look uninitialised to valgrind, so addressing and
# leaks only (progdump-memcheck.t covers progdump). tests/lib/valgrind.supp
# holds valgrind's own false alarms.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root
command -v valgrind >/dev/null || tap_skip_all "valgrind not installed"
[ -n "${TPK_SANITIZE:-}" ] && tap_skip_all "sanitizer build (ASan and valgrind do not mix)"

TP=$TPK_BUILD/tracepkt TC=$TPK_BUILD/tcdrop XB=$TPK_BUILD/xdpblock
for t in "$TP" "$TC" "$XB"; do [ -x "$t" ] || tap_bail "no $t (make first)"; done
export XDPBLOCK_PINS=memcheck$$
NS=memcheck$$
cleanup() {
	ip netns exec "$NS" "$XB" detach mv0 >/dev/null 2>&1
	ip netns exec "$NS" "$TC" detach mv0 >/dev/null 2>&1
	"$XB" flush >/dev/null 2>&1
	rm -rf "/sys/fs/bpf/$XDPBLOCK_PINS"
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$NS" || tap_bail "cannot add namespace $NS"
ip -n "$NS" link add mv0 type veth peer name mv1 || tap_bail "cannot add veth"
ip -n "$NS" link set mv0 up
ip -n "$NS" link set mv1 up

# An array, so that it also runs after ip netns exec.
VG=(valgrind -q --error-exitcode=9 --undef-value-errors=no --leak-check=full \
		--errors-for-leak-kinds=definite --suppressions="$TPK_ROOT/tests/lib/valgrind.supp")
vg() { "${VG[@]}" "$@" >/dev/null; }
N() { ip netns exec "$NS" "$@"; }

tap_ok "tracepkt --count 2 127.0.0.1" timeout 120 "${VG[@]}" "$TP" --count 2 127.0.0.1
tap_ok "tracepkt --json --count 2 --nf-backend off 127.0.0.1" timeout 120 "${VG[@]}" "$TP" --json --count 2 --nf-backend off 127.0.0.1
tap_ok "tcdrop attach --src --proto --port" N "${VG[@]}" "$TC" attach mv0 --src 198.18.0.0/24 --proto udp --port 53
tap_ok "tcdrop status --json" N "${VG[@]}" "$TC" status --json
tap_ok "tcdrop detach" N "${VG[@]}" "$TC" detach mv0
tap_ok "xdpblock add" vg "$XB" add 198.18.0.0/24 --proto udp --port 53
tap_ok "xdpblock attach --mode skb" N "${VG[@]}" "$XB" attach mv0 --mode skb
tap_ok "xdpblock list --json" vg "$XB" list --json
tap_ok "xdpblock status" N "${VG[@]}" "$XB" status
tap_ok "xdpblock detach" N "${VG[@]}" "$XB" detach mv0
tap_ok "xdpblock flush" vg "$XB" flush
tap_done
