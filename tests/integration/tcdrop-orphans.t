#!/bin/bash
# A deleted namespace leaves tcdrop's pins behind, and no command can
# reach them from inside it any more (issue 15): the next tcdrop command,
# from anywhere, removes them. Both mechanisms (tcx where the kernel has it,
# and --legacy).
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

T=$TPK_BUILD/tcdrop
BPFFS=/sys/fs/bpf
ns=$(tap_name orph)
trap 'ip netns del "$ns" 2>/dev/null' EXIT

for legacy in "" --legacy; do
	ip netns add "$ns" || tap_bail "cannot create namespace $ns"
	ino=$(stat -L -c %i "/run/netns/$ns")
	ip -n "$ns" link add v0 type veth peer v1 && ip -n "$ns" link set v0 up ||
		tap_bail "cannot create a veth in $ns"
	out=$(ip netns exec "$ns" "$T" attach v0 $legacy 2>&1); rc=$?
	tap_is "$rc" 0 "attach v0 $legacy in $ns ($out)"
	tap_is "$(ls -A "$BPFFS/tcdrop/$ino" 2>/dev/null | wc -l)" 1 "$legacy: its entry is pinned"
	ip netns del "$ns"
	tap_is "$(ls -A "$BPFFS/tcdrop/$ino" 2>/dev/null | wc -l)" 1 "$legacy: the namespace is gone, its pins are not (yet)"
	out=$("$T" status 2>&1); rc=$?
	tap_is "$rc" 0 "$legacy: tcdrop status from the root namespace runs"
	tap_is "$(ls -d "$BPFFS/tcdrop/$ino" 2>/dev/null)" "" "$legacy: ... and has removed the dead namespace's pins"
done
tap_done
