#!/bin/bash
# bpffs mounted read-only (issue 15): a command that would add or remove
# pins (attach, detach, flush) says so in one line, exits 1 and changes
# nothing: no detach that keeps its pin, no five error lines. Rule edits
# only touch map contents, which a read-only mount does not stop. The
# read-only mount is a bind remount in a private mount namespace (unshare),
# so nothing outside the test sees it. The oracle is bpftool net show.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root
command -v unshare >/dev/null || tap_bail "no unshare"

. "$(dirname "$(readlink -f "$0")")/../lib/toolns.sh"
TMP=$(mktemp -d /tmp/readonly.XXXXXX)
toolns_extra() { rm -rf "$TMP"; }
toolns_up readonly ro r0
N ip link add r0 type veth peer r1 && N ip link set r0 up && N ip link set r1 up ||
	tap_bail "cannot create a veth in $ns"
on() { N bpftool net show dev "$1" 2>/dev/null | grep -c "^$1(" ; }

N "$X" attach r0 >/dev/null && "$X" add 198.18.5.5 >/dev/null && N "$T" attach r0 >/dev/null ||
	tap_bail "cannot set up xdpblock and tcdrop on r0"
pins_before=$(ls -R /sys/fs/bpf/"$XDPBLOCK_PINS" /sys/fs/bpf/tcdrop | sort)

# ro CMD...: CMD with /sys/fs/bpf read-only; "RC|STDERR" (lines joined by '|').
ro() {
	unshare -m --propagation private sh -c \
		'mount -o remount,bind,ro /sys/fs/bpf && { "$@"; exit $?; }' ro "$@" >/dev/null 2>"$TMP/err"
	echo "$?|$(paste -sd'|' "$TMP/err")"
}
unshare -m --propagation private sh -c 'mount -o remount,bind,ro /sys/fs/bpf && ! touch /sys/fs/bpf/x 2>/dev/null' ||
	tap_bail "cannot remount /sys/fs/bpf read-only in a mount namespace"

one_line='^1\|[a-z]+: [^|]+ is on a read-only mount: nothing changed$'
tap_like "$(ro ip netns exec "$ns" "$X" detach r0)" "$one_line" "xdpblock detach: one line, exit 1"
tap_is "$(on r0)" 2 "... r0 keeps its XDP program (and tcdrop's)"
tap_like "$(ro "$X" flush)" "$one_line" "xdpblock flush: one line, exit 1"
tap_is "$("$X" list | tail -n +2 | wc -l)" 1 "... the rule is still there"
tap_like "$(ro ip netns exec "$ns" "$X" attach r1)" '^1\|[^|]+$' "xdpblock attach r1: one line, exit 1"
tap_is "$(on r1)" 0 "... nothing on r1"
tap_is "$(ro "$X" add 198.18.5.6)" "0|" "xdpblock add: map contents, allowed"
tap_is "$(ro "$X" remove 198.18.5.6)" "0|" "xdpblock remove: the same"
tap_like "$(ro ip netns exec "$ns" "$T" detach r0)" "$one_line" "tcdrop detach: one line, exit 1"
tap_is "$(on r0)" 2 "... r0 keeps its programs"
tap_like "$(ro ip netns exec "$ns" "$T" attach r1)" "$one_line" "tcdrop attach r1: one line, exit 1"
tap_is "$(on r1)" 0 "... nothing on r1"
tap_is "$(ro ip netns exec "$ns" "$T" status | cut -d'|' -f1)" 0 "tcdrop status reads"
tap_is "$(ls -R /sys/fs/bpf/"$XDPBLOCK_PINS" /sys/fs/bpf/tcdrop | sort)" "$pins_before" "every pin as it was"

out=$(N "$X" detach r0 2>&1 && N "$T" detach r0 2>&1 && "$X" flush 2>&1); rc=$?
tap_is "$rc:$out" "0:" "read-write again: detach both, flush"
tap_is "$(on r0)" 0 "nothing left on r0"
tap_done
