#!/bin/bash
# SIGKILL at every state-changing system call of tcdrop attach and detach,
# both mechanisms (issue 15). strace lists the calls one run makes (bpf,
# netlink, and the pin folder's mkdir/rename/unlink/rmdir); then, for each,
# a new run is killed as it enters that call, so the kernel holds exactly
# what the calls before it made. The next tcdrop command (status, detach or
# attach in turn) must leave the kernel agreeing with what status shows:
# no tc filter, clsact qdisc or tcx link that status does not list, no pins
# that no attachment uses; and then detach must leave nothing at all.
# The oracle for the kernel is bpftool net show and tc qdisc show.
#
# Host only: the order of these calls is tcdrop's own, the same on every
# kernel, and 200 runs take minutes in an emulated guest.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root
command -v strace >/dev/null || tap_bail "no strace (bash scripts/install-deps)"

T=$TPK_BUILD/tcdrop
[ -x "$T" ] || tap_bail "no $T (make first)"
BPFFS=/sys/fs/bpf
ns=$(tap_name kill)
TMP=$(mktemp -d /tmp/tcdrop-kills.XXXXXX)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
N() { ip netns exec "$ns" "$@"; }

ip netns add "$ns" || tap_bail "cannot create namespace $ns"
N ip link add v0 type veth peer v1 && N ip link set v0 up && N ip link set v1 up ||
	tap_bail "cannot create a veth in $ns"
ino=$(stat -L -c %i "/run/netns/$ns")
# Every call that can change what the kernel or bpffs holds: bpf, netlink
# requests, the pin folder's calls. A kill as one enters leaves the state
# the calls before it made, so each state between two of them is met once.
CALLS=bpf,sendto,sendmsg,mkdir,mkdirat,unlink,unlinkat,rmdir,rename,renameat,renameat2
# LeakSanitizer cannot run under ptrace (make check SANITIZE=1).
STRACE_ENV=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")

# What the kernel has: "DIR MECH" per tcdrop program on v0, then a line per
# clsact qdisc.
kernel_view() {
	N bpftool net show dev v0 2>/dev/null |
		sed -nE 's/^v0\([0-9]+\) (clsact|tcx)\/(ingress|egress) tcdrop.*/\2 \1/p' |
		sed 's/ clsact$/ legacy/' | sort
	N tc qdisc show dev v0 | sed -n 's/^qdisc \(clsact\) .*/qdisc \1/p'
}
# What tcdrop shows: "DIR MECH" per attached entry, then a qdisc line per
# legacy entry's own qdisc (once), as kernel_view lists it.
status_view() {
	N "$T" status --json 2>/dev/null | perl -MJSON::PP -e '
		local $/; my $d = decode_json(<STDIN>); my ($q, @l) = (0);
		for (@{$d->{attachments}}) {
			push @l, "$_->{direction} $_->{mechanism}" if $_->{state} eq "attached";
			$q ||= $_->{own_qdisc} ? 1 : 0;
		}
		print map("$_\n", sort @l); print "qdisc clsact\n" if $q;'
}
pins() { ls -A "$BPFFS/tcdrop/$ino" 2>/dev/null | wc -l; }
# Every call of CALLS one run of tcdrop ARGS makes that can leave something
# behind, as "NAME INVOCATION". A call that failed (the pin folder's mkdir
# finding it there) or a bpf command that makes or reads only what the
# process holds (BTF, programs and maps before they are pinned or attached,
# object info) leaves the same state as the kill at the next call that
# can: only the others are kill points (a quarter of the runs).
calls() {
	N "${STRACE_ENV[@]}" strace -f -qq -o "$TMP/trace" -e trace=$CALLS "$T" "$@" >/dev/null 2>&1 || return
	sed -nE 's/^([0-9]+ +)?([a-z_0-9]+)\((BPF_[A-Z_]+)?.*\) += (-?[0-9]+).*/\2 \3 \4/p' "$TMP/trace" |
		awk '{ n = ++seen[$1] }
			$NF == -1 { next }
			$1 == "bpf" && $2 ~ /^BPF_(BTF_LOAD|PROG_LOAD|MAP_CREATE|PROG_BIND_MAP|MAP_FREEZE|OBJ_GET_INFO_BY_FD|OBJ_GET|PROG_GET_FD_BY_ID|MAP_GET_FD_BY_ID|LINK_GET_FD_BY_ID|PROG_QUERY|MAP_LOOKUP_ELEM|MAP_GET_NEXT_KEY)$/ { next }
			{ print $1, n }'
}
killed_at() {	# NAME INVOCATION ARGS...
	local sc=$1 when=$2
	shift 2
	N "${STRACE_ENV[@]}" strace -f -qq -o /dev/null -e trace=$CALLS \
		-e inject="$sc:signal=KILL:when=$when" "$T" "$@" >/dev/null 2>&1
}
# Force v0 back to nothing, so that one failure does not cascade.
scrub() {
	N tc qdisc del dev v0 clsact 2>/dev/null
	rm -rf "$BPFFS/tcdrop/$ino"
	rmdir "$BPFFS/tcdrop" 2>/dev/null
}

# scan MECH OP: kill `tcdrop OP v0 MECH` at each call in turn.
scan() {
	local mech=$1 op=$2 sc when i=0 bad=0 rec k s p list args
	args="v0 $mech"
	[ "$op" = detach ] && args=v0 && N "$T" attach v0 $mech >/dev/null
	list=$(calls "$op" $args)
	[ "$op" = attach ] && N "$T" detach v0 >/dev/null
	[ -n "$list" ] || { tap_fail "$op $mech: tcdrop $op $args under strace failed"; scrub; return; }
	while read -r sc when; do
		i=$((i + 1))
		if [ "$op" = detach ] && ! N "$T" attach v0 $mech >/dev/null 2>&1; then
			bad=$((bad + 1)); tap_diag "$op $mech: kill at $sc #$when: attach before it failed"
			scrub; continue
		fi
		killed_at "$sc" "$when" "$op" $args
		case $((i % 3)) in
		0) rec="status" ;;
		1) rec="detach v0" ;;
		2) rec="attach v0 $mech" ;;
		esac
		N "$T" $rec >"$TMP/rec" 2>&1
		k=$(kernel_view) s=$(status_view) p=$(pins)
		if [ "$k" != "$s" ] || [ "$p" != "$(grep -c . <<<"${s/qdisc clsact/}")" ]; then
			bad=$((bad + 1))
			[ $bad -le 3 ] && tap_diag "$op $mech: killed at call $i ($sc #$when), then tcdrop $rec: $(tr '\n' ' ' <"$TMP/rec")" \
				"kernel: ${k//$'\n'/, }; status: ${s//$'\n'/, }; pins: $p"
		fi
		N "$T" detach v0 >/dev/null 2>&1
		k=$(kernel_view) p=$(pins)
		if [ -n "$k" ] || [ "$p" != 0 ]; then
			bad=$((bad + 1))
			[ $bad -le 3 ] && tap_diag "$op $mech: killed at call $i ($sc #$when), then detach left: kernel: ${k//$'\n'/, }; pins: $p"
			scrub
		fi
	done <<<"$list"
	tap_is "$bad" 0 "$op $mech: SIGKILL at each of its $i calls, then the next command: what the kernel holds is what status shows, and detach removes it all"
}

mechs=(--legacy)
N "$T" attach lo >/dev/null 2>&1 && N "$T" status lo 2>/dev/null | grep -c ' tcx ' >/dev/null && mechs+=("")
N "$T" detach lo >/dev/null 2>&1
[ ${#mechs[@]} = 2 ] || tap_skip "tcx" "this kernel has no tcx"
for m in "${mechs[@]}"; do
	scan "$m" attach
	scan "$m" detach
	# --both: two attachments in one command.
	scan "$m --both" attach
	scan "$m --both" detach
done
tap_is "$(kernel_view)" "" "nothing left on v0"
tap_is "$(ls -d "$BPFFS/tcdrop/$ino" 2>/dev/null)" "" "no pins left"
tap_done
